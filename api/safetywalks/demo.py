"""The demo's safety walks: last year's in Kungsängen (held and reported, its findings in
every state, one of them a proposal its group has since planned) and a coming one in Bro
whose public link takes pins, a few of them waiting for moderation and a few accepted."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import Session

from api import localtime
from api.actor import SYSTEM, Actor
from api.incidents.schemas import InterventionStatus
from api.safetywalks import findings, walks
from api.safetywalks import schemas as s
from api.safetywalks.models import Finding, SafetyWalk, SafetyWalkOrganisation, WalkInput
from api.structure.models import Area, Organisation, Place
from api.tips.schemas import Moderation

INVITED = (
    "Fältgruppen",
    "Polisen, lokalpolisområde",
    "Upplands-Brohus",
    "Avdelningen för gata park trafik",
    "Hyresgästföreningen",
)
# Kind, place, what, who fixes it, status, the status's note.
KUNGSANGEN_FINDINGS = (
    (s.FindingKind.lighting, "Kungsängens station", "Två trasiga lampor på gångvägen till "
     "stationen; mörkt mellan perrongen och parkeringen.", "Avdelningen för gata park trafik",
     s.FindingStatus.fixed, "Lamporna bytta i november."),
    (s.FindingKind.vegetation, "Trappans fritidsgård", "Buskar skymmer sikten vid gångstigen "
     "bakom fritidsgården.", "Avdelningen för gata park trafik", s.FindingStatus.in_progress,
     "Röjning beställd, görs under våren."),
    (s.FindingKind.vandalism, "Kungsängen centrum", "Klotter på elskåpen vid torget.",
     "Upplands-Brohus", s.FindingStatus.open, None),
    (s.FindingKind.signage, "Upplands-Brogymnasiet", "Ingen skylt mot gång- och cykelvägen "
     "till centrum.", "Avdelningen för gata park trafik", s.FindingStatus.declined,
     "Vägvisning finns vid nästa korsning; ingen ny skylt."),
)  # fmt: skip
# Sender, place, comment, status.
BRO_PINS = (
    (s.InputFrom.resident, "Råby", "Mörkt på gångvägen mellan Råby och skolan på kvällarna.",
     Moderation.accepted),
    (s.InputFrom.business, "Bro centrum", "Stökigt vid busskuren efter stängning.",
     Moderation.accepted),
    (s.InputFrom.resident, "Örnstigen", "Gångtunneln känns otrygg, klotter och dålig belysning.",
     Moderation.pending),
    (s.InputFrom.resident, "Finnsta", "Buskarna vid lekplatsen har vuxit igen.",
     Moderation.pending),
)  # fmt: skip


def _at(day: dt.date, hour: int) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, 0), tzinfo=localtime.STOCKHOLM).astimezone(dt.UTC)


def _organisations_of(session: Session, municipality_id: int) -> dict[str, int]:
    # The walk's municipality's: another municipality may name its organisations alike.
    found = select(Organisation).where(Organisation.municipality_id == municipality_id)
    return {o.name: o.id for o in session.scalars(found)}


def _walk(
    session: Session, area: Area, starts_at: dt.datetime, meeting_point: str, title: str
) -> SafetyWalk:
    organisations = _organisations_of(session, area.municipality_id)
    places = {p.name: p for p in session.scalars(select(Place).where(Place.area_id == area.id))}
    route_places = [p for p in places.values() if p.lat is not None][:4]
    walk = SafetyWalk(
        municipality_id=area.municipality_id,
        area_id=area.id,
        area=area,
        group_id=walks.default_group(session, area),
        title=title,
        starts_at=starts_at,
        meeting_point=meeting_point,
        meeting_lat=route_places[0].lat if route_places else None,
        meeting_lon=route_places[0].lon if route_places else None,
        route=[[p.lat, p.lon] for p in route_places],
        route_place_ids=[p.id for p in route_places],
        notes="Vi går i ungefär två timmar. Ta med ficklampa.",
        public_token=walks.new_token(),
        invited=[
            SafetyWalkOrganisation(organisation_id=organisations[name])
            for name in INVITED
            if name in organisations
        ],
    )
    session.add(walk)
    session.flush()
    return walk


def load_demo_safety_walks(session: Session, *, today: dt.date, actor: Actor = SYSTEM) -> int:
    """Last year's walk in Kungsängen and the coming one in Bro, if there are no walks yet;
    how many walks were made."""
    if session.scalar(select(SafetyWalk.id).limit(1)) is not None:
        return 0
    areas = {a.name: a for a in session.scalars(select(Area))}
    made = 0
    if "Kungsängen" in areas:
        area = areas["Kungsängen"]
        day = today - dt.timedelta(days=365 - 12)
        walk = _walk(
            session, area, _at(day, 18), "Kungsängens station, vid pendeltågsentrén",
            f"Trygghetsvandring Kungsängen {day.year}",
        )  # fmt: skip
        walk.held_at = walk.starts_at + dt.timedelta(hours=2)
        walk.reported_at = walk.starts_at + dt.timedelta(days=14)
        places = {
            p.name: p.id for p in session.scalars(select(Place).where(Place.area_id == area.id))
        }
        organisations = _organisations_of(session, area.municipality_id)
        for kind, place, what, whose, status, note in KUNGSANGEN_FINDINGS:
            if whose not in organisations:
                continue
            finding = Finding(
                walk_id=walk.id,
                kind=kind,
                description=what,
                place_id=places.get(place),
                responsible_organisation_id=organisations[whose],
                status=status,
                status_note=note,
                status_changed_at=walk.reported_at,
                extra={},
            )
            finding.created_at = walk.held_at
            session.add(finding)
            session.flush()
            if kind == s.FindingKind.vegetation and walk.group_id is not None:
                # Proposed from the walk, and planned by the area group since.
                proposal = findings.make_proposal(session, walk, finding, title=None, actor=actor)
                proposal.status = InterventionStatus.planned
                # Decided at the group's meeting after the report, and started then.
                proposal.planned_start = walk.reported_at.astimezone(localtime.STOCKHOLM).date()
        made += 1
    if "Bro" in areas:
        area = areas["Bro"]
        day = today + dt.timedelta(days=16)
        walk = _walk(
            session, area, _at(day, 18), "Brohuset, Bro centrum",
            f"Trygghetsvandring Bro {day.year}",
        )  # fmt: skip
        walk.input_until = _at(day - dt.timedelta(days=2), 23)
        places = {
            p.name: p.id for p in session.scalars(select(Place).where(Place.area_id == area.id))
        }
        now = localtime.utcnow()
        for index, (sender, place, comment, state) in enumerate(BRO_PINS):
            session.add(
                WalkInput(
                    walk_id=walk.id,
                    sender=sender.value,
                    comment=comment,
                    place_id=places.get(place),
                    status=state,
                    received_at=now - dt.timedelta(days=6 - index),
                    moderated_at=now - dt.timedelta(days=2)
                    if state != Moderation.pending
                    else None,
                )
            )
        made += 1
    session.flush()
    return made
