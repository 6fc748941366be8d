"""The demo's evenings in the field: last weekend's Friday and Saturday in Bro, with their
briefing, shifts and places to watch, a live log on the Friday, and the coming weekend's
evenings planned from them (``service.next_weekend``)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import Session

from api import localtime
from api.actor import SYSTEM, Actor
from api.evenings import schemas as s
from api.evenings import service
from api.evenings.models import Evening, LogPost
from api.structure.models import Area, Organisation, Place

AREA = "Bro"
BRIEFING_PLACE = "Brohuset, fältgruppens lokal"
# Organisation, where, from, to (local, hour and minute; past midnight is the next day), people.
SHIFTS = (
    ("Fältgruppen", "Bro centrum och Råby", (18, 0), (1, 0), 3),
    ("Polisen, lokalpolisområde", "Hela Bro", (19, 0), (2, 0), 2),
    ("Rapid Säkerhet", "Bro centrum, stationen", (20, 0), (2, 0), 2),
    ("Nattvandrare (föreningar)", "Råby och Finnsta", (21, 0), (0, 30), 4),
)
WATCH = (
    ("Bro centrum", "Samlingar vid stationen de senaste helgerna."),
    ("Råby", "Bränder i papperskorgar och klotter vid skolan."),
)
# Minutes after 18:00, organisation, text, place, category.
LOG = (
    (15, "Fältgruppen", "Utsättningsmötet klart, alla pass på plats.", None, None),
    (75, "Fältgruppen", "Ett tiotal ungdomar samlade vid stationen, lugnt.", "Bro centrum",
     "samling.utomhus"),
    (110, "Rapid Säkerhet", "Krossad ruta i busskuren vid stationen.", "Bro centrum",
     "skadegorelse.glaskross"),
    (150, "Nattvandrare (föreningar)", "Nattvandrarna går Råby runt, lugnt vid skolan.", "Råby",
     None),
    (185, "Polisen, lokalpolisområde", "Mopedåkning på gång- och cykelvägen mot Finnsta.",
     "Finnsta", "trafik.olovlig_korning"),
    (220, "Fältgruppen", "Brand i papperskorg vid Råbyskolan, släckt av vakterna.",
     "Råbyskolan", "skadegorelse.brand"),
    (260, "Rapid Säkerhet", "Nytt klotter på gångtunneln vid Örnstigen.", "Örnstigen",
     "skadegorelse.klotter"),
    (330, "Fältgruppen", "Stationen tom, vi avslutar. Tack alla!", "Bro centrum", None),
)  # fmt: skip


def _at(day: dt.date, hour: int, minute: int) -> dt.datetime:
    """Local time on the evening of ``day``: hours before noon are the night after."""
    when = day + dt.timedelta(days=1) if hour < 12 else day
    return dt.datetime.combine(when, dt.time(hour, minute), tzinfo=localtime.STOCKHOLM)


def load_demo_evenings(session: Session, *, today: dt.date, actor: Actor = SYSTEM) -> int:
    """Last weekend's evenings in Bro and the coming weekend's, if there are none yet; how
    many evenings were made."""
    if session.scalar(select(Evening.id).limit(1)) is not None:
        return 0
    area = session.scalar(select(Area).where(Area.name == AREA))
    if area is None:
        return 0
    # The area's municipality's: another municipality may name its organisations alike.
    organisations = {
        o.name: o.id
        for o in session.scalars(
            select(Organisation).where(Organisation.municipality_id == area.municipality_id)
        )
    }
    places = {p.name: p for p in session.scalars(select(Place).where(Place.area_id == area.id))}
    friday = service.coming_friday(today) - dt.timedelta(days=7)
    made = []
    for day in (friday, friday + dt.timedelta(days=1)):
        evening = service.create_evening(
            session,
            s.EveningCreate(
                day=day,
                area_id=area.id,
                kind=s.EveningKind.weekend,
                briefing_at=_at(day, 17, 30),
                briefing_place=BRIEFING_PLACE,
                notes="Fokus på stationen och Råby. Ring fältgruppens telefon vid behov.",
                watch=[
                    s.WatchPlace(
                        label=name,
                        place_id=places[name].id if name in places else None,
                        lat=places[name].lat if name in places else None,
                        lon=places[name].lon if name in places else None,
                        reason=reason,
                    )
                    for name, reason in WATCH
                ],
                shifts=[
                    s.ShiftIn(
                        organisation_id=organisations[name],
                        location=where,
                        starts_at=_at(day, *start),
                        ends_at=_at(day, *end),
                        people=people,
                    )
                    for name, where, start, end, people in SHIFTS
                    if name in organisations
                ],
            ),
            actor=actor,
        )
        made.append(evening)
    start = made[0].starts_at
    session.add_all(
        LogPost(
            evening_id=made[0].id,
            organisation_id=organisations.get(name),
            text=text,
            place_id=places[place].id if place in places else None,
            category=category,
            created_at=start + dt.timedelta(minutes=minutes),
        )
        for minutes, name, text, place, category in LOG
    )
    for evening in made:
        if evening.ends_at < localtime.utcnow():
            evening.closed_at = evening.ends_at
    session.flush()
    created, _existing = service.next_weekend(
        session, s.NextWeekend(area_id=area.id), actor=actor, today=today
    )
    return len(made) + len(created)
