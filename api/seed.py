"""Demo data: the EST structure of Upplands-Bro and the category taxonomy.

Loading is idempotent: what already exists (by name, or code) is left as it is, so ``make run``
can seed every time without undoing what someone changed. The records go through the same
services as the API, so the demo data obeys the same rules.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
from dataclasses import dataclass, field
from importlib import resources
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from api.accounts import schemas as account_schemas
from api.accounts import service as account_service
from api.accounts.models import User
from api.accounts.schemas import Role
from api.actor import SYSTEM, Actor
from api.categories import schemas as category_schemas
from api.categories.models import Category
from api.categories.service import CATEGORIES
from api.resources import create_record, update_record
from api.schemas_common import STOCKHOLM, name_key
from api.structure import schemas, service
from api.structure.models import Area, Group, Municipality, Organisation, Place
from api.structure.schemas import GroupKind
from api.swedish import ROLES

# Upplands-Bro's bounding box with a margin of a few hundred metres (WGS 84), from the
# municipality's outline: Mälaren in the south, Håtuna in the north-west, Brunna in the east.
UPPLANDS_BRO_EXTENT = {"west": 17.35, "south": 59.41, "east": 17.99, "north": 59.67}
CADENCES = {"every week": 1, "every second week": 2, "every fourth week": 4, "monthly": 4}

# What each kind of group does, in the words of the municipality's own description.
DESCRIPTIONS = {
    GroupKind.steering: (
        "Strategisk nivå: övergripande lägesbild, problem- och behovsanalys. Initierar och "
        "följer upp temaområden, program, handlingsplaner och metoder, och ger uppdrag till "
        "områdesgrupperna."
    ),
    GroupKind.coordination: (
        "Träffas varannan vecka och går igenom de händelser som rapporterats sedan förra "
        "mötet: gemensam analys, bedömning och sammanställning, och beslut om tillfälliga "
        "insatser."
    ),
    GroupKind.area: (
        "Operativ nivå: delar den lokala lägesbilden, analyserar problemplatser tillsammans "
        "och genomför insatser och styrgruppens uppdrag."
    ),
}


@dataclass
class SeedReport:
    created: dict[str, int] = field(default_factory=dict)

    def count(self, what: str) -> None:
        self.created[what] = self.created.get(what, 0) + 1

    def __str__(self) -> str:
        if not self.created:
            return "nothing new: the demo data was already there"
        return "created " + ", ".join(f"{n} {what}" for what, n in self.created.items())


def _data(name: str) -> str:
    return resources.files("api.seed_data").joinpath(name).read_text(encoding="utf-8")


def _by_name(session: Session, model: type[Any], name: str, **scope: Any) -> Any:
    return session.scalar(select(model).filter_by(name_key=name_key(name), **scope))


def load_demo(session: Session, *, actor: Actor = SYSTEM) -> SeedReport:
    report = SeedReport()
    structure = json.loads(_data("upplands-bro.json"))
    municipality = _municipality(session, structure["municipality"], report, actor)
    areas = {a["name"]: _area(session, municipality, a, report, actor) for a in structure["areas"]}
    organisations = _organisations(session, municipality, structure["organisations"], report, actor)
    for group in structure["groups"]:
        _group(session, municipality, group, areas, organisations, report, actor)
    load_categories(session, report, actor=actor)
    return report


# Demo accounts, one per role; only ever created in development and tests (see est seed).
DEMO_PASSWORD = "trygg-kanot-lyser-7"  # noqa: S105 (demo only; refused outside dev)
DEMO_USERS = (
    # e-mail, name, organisation, is_admin, (group, role)
    ("admin@est.demo", "Alva Admin", "Kommunledningskontoret", True, None),
    ("styrgrupp@est.demo", "Stina Styrgrupp", "Kommunledningskontoret", False,
     ("EST styrgrupp", Role.member)),
    ("samordnare@est.demo", "Sam Samordnare", "Trygghets- och preventionsenheten", False,
     ("EST samordningsgrupp", Role.convener)),
    ("kungsangen@est.demo", "Kalle Kungsängen", "Upplands-Brohus", False,
     ("EST områdesgrupp Kungsängen", Role.member)),
    ("rapportor@est.demo", "Rut Rapportör", "Rapid Säkerhet", False,
     ("EST områdesgrupp Bro", Role.reporter)),
    ("lasare@est.demo", "Lo Läsare", "Polisen, lokalpolisområde", False,
     ("EST samordningsgrupp", Role.viewer)),
)  # fmt: skip


def load_demo_users(
    session: Session, *, actor: Actor = SYSTEM, password_hash: str | None = None
) -> list[tuple[str, str]]:
    """The demo accounts (after ``load_demo``), as (e-mail, what they are) to print.
    ``password_hash``, of DEMO_PASSWORD, spares the tests an argon2 hash per account."""
    shown = []
    for email, name, organisation, is_admin, grant in DEMO_USERS:
        user = session.scalar(select(User).where(User.email_key == email))
        if user is None:
            org = _by_name(session, Organisation, organisation)
            user = account_service.create_user(
                session,
                account_schemas.UserCreate(
                    name=name,
                    email=email,
                    organisation_id=org.id,
                    is_admin=is_admin,
                    password=None if password_hash else DEMO_PASSWORD,
                ),
                actor=actor,
            )
            if password_hash:
                user.password_hash = password_hash
        what = "administratör"
        if grant is not None:
            group = _by_name(session, Group, grant[0])
            account_service.put_membership(
                session,
                group.id,
                user.id,
                account_schemas.MembershipPut(role=grant[1]),
                actor=actor,
            )
            what = f"{ROLES[grant[1]]} i {group.name}"
        shown.append((email, what))
    return shown


def _municipality(
    session: Session, data: dict[str, Any], report: SeedReport, actor: Actor
) -> Municipality:
    existing = _by_name(session, Municipality, data["name"])
    if existing is not None:
        if existing.extent is None:
            # Seeded before municipalities had an extent.
            existing.extent = UPPLANDS_BRO_EXTENT
        return existing  # type: ignore[no-any-return]
    report.count("municipalities")
    return create_record(
        session,
        service.MUNICIPALITIES,
        schemas.MunicipalityCreate(
            name=data["name"],
            timezone=data["timezone"],
            local_crs=data["local_crs"],
            extent=schemas.Extent(**UPPLANDS_BRO_EXTENT),
        ),
        actor=actor,
    )


def _area(
    session: Session,
    municipality: Municipality,
    data: dict[str, Any],
    report: SeedReport,
    actor: Actor,
) -> Area:
    area: Area | None = _by_name(session, Area, data["name"], municipality_id=municipality.id)
    if area is None:
        lat, lon = data["approx_center"]
        area = create_record(
            session,
            service.AREAS,
            schemas.AreaCreate.model_validate(
                {
                    "municipality_id": municipality.id,
                    "name": data["name"],
                    "center": {"type": "Point", "coordinates": [lon, lat]},
                }
            ),
            actor=actor,
        )
        report.count("areas")
    for place in data.get("places", []):
        if _by_name(session, Place, place, area_id=area.id) is None:
            create_record(
                session,
                service.PLACES,
                schemas.PlaceCreate(area_id=area.id, name=place),
                actor=actor,
            )
            report.count("places")
    return area


def _organisations(
    session: Session,
    municipality: Municipality,
    data: list[dict[str, Any]],
    report: SeedReport,
    actor: Actor,
) -> dict[str, Organisation]:
    found: dict[str, Organisation] = {}
    new: list[dict[str, Any]] = []
    for item in data:
        organisation = _by_name(
            session, Organisation, item["name"], municipality_id=municipality.id
        )
        if organisation is None:
            organisation = create_record(
                session,
                service.ORGANISATIONS,
                schemas.OrganisationCreate(
                    municipality_id=municipality.id, name=item["name"], kind=item["kind"]
                ),
                actor=actor,
            )
            new.append(item)
            report.count("organisations")
        found[item["name"]] = organisation
    # Parents second: the file lists some units before the office they belong to.
    for item in new:
        if item.get("parent"):
            update_record(
                session,
                service.ORGANISATIONS,
                found[item["name"]].id,
                schemas.OrganisationUpdate(parent_id=found[item["parent"]].id),
                actor=actor,
            )
    return found


def _group(
    session: Session,
    municipality: Municipality,
    data: dict[str, Any],
    areas: dict[str, Area],
    organisations: dict[str, Organisation],
    report: SeedReport,
    actor: Actor,
) -> None:
    if _by_name(session, Group, data["name"], municipality_id=municipality.id) is not None:
        return
    kind = GroupKind(data["kind"])
    convener = organisations.get(data.get("convener", ""))
    create_record(
        session,
        service.GROUPS,
        schemas.GroupCreate(
            municipality_id=municipality.id,
            name=data["name"],
            kind=kind,
            area_id=areas[data["area"]].id if "area" in data else None,
            convener_id=convener.id if convener else None,
            cadence_weeks=CADENCES.get(data.get("meets", "")),
            description=DESCRIPTIONS[kind],
            organisation_ids=[organisations[name].id for name in data.get("members", [])],
        ),
        actor=actor,
    )
    report.count("groups")


def load_categories(session: Session, report: SeedReport, *, actor: Actor = SYSTEM) -> None:
    rows = csv.DictReader(_data("categories.csv").splitlines())
    for order, row in enumerate(rows):
        if session.get(Category, row["code"]) is not None:
            continue
        create_record(
            session,
            CATEGORIES,
            category_schemas.CategoryCreate(
                code=row["code"],
                label_sv=row["label_sv"],
                label_en=row["label_en"] or None,
                sort_order=order * 10,
            ),
            actor=actor,
        )
        report.count("categories")


# Demo incidents: about eight a day for 15 months, enough for this fortnight, the one before,
# and the same weeks a year ago to show in the lägesbild.
DEMO_INCIDENTS_PER_DAY = 8
DEMO_INCIDENT_DAYS = 460
DEMO_SUMMARIES = {
    GroupKind.area: "Lugnare än förra perioden; klotter och samlingar kvällstid kring centrum.",
    GroupKind.coordination: "Helgkvällarna i Bro centrum och vid Kungsängens station står ut.",
}


def load_demo_incidents(session: Session, *, today: dt.date, actor: Actor = SYSTEM) -> int:
    """Synthetic incidents (api.synthetic) up to ``today``, if the municipality has none yet,
    and a published lägesbild of the fortnight before the last for the coordination and area
    groups, so that a new one has something to roll up and compare with."""
    from api.incidents.models import Incident, Report
    from api.situation import service as situation
    from api.situation.schemas import SituationReportCreate, SituationReportUpdate
    from api.synthetic import HOT_SPOTS, incidents

    if session.scalar(select(Incident.id).limit(1)) is not None:
        return 0
    municipality = session.scalars(select(Municipality)).first()
    if municipality is None:
        return 0
    areas = {a.name: a.id for a in session.scalars(select(Area))}
    places = {p.name: p.id for p in session.scalars(select(Place))}
    organisations = {o.name: o.id for o in session.scalars(select(Organisation))}
    # The demo's places where the synthetic hot spots are, so that an intervention at one
    # of them is measured in a circle around it.
    for spot in HOT_SPOTS:
        place = session.get(Place, places.get(spot.place or "", 0))
        if place is not None and place.lat is None:
            place.lat, place.lon = spot.lat, spot.lon
    start = today - dt.timedelta(days=DEMO_INCIDENT_DAYS - 1)
    generated = [
        g
        for g in incidents(
            DEMO_INCIDENTS_PER_DAY * DEMO_INCIDENT_DAYS, seed=2026, start=start,
            days=DEMO_INCIDENT_DAYS,
        )
        if g.organisation in organisations and g.area in areas
    ]  # fmt: skip
    now = dt.datetime.now(dt.UTC)
    reports = [
        Report(organisation_id=organisations[g.organisation], source="demo") for g in generated
    ]
    session.add_all(reports)
    session.flush()
    session.add_all(
        Incident(
            report_id=report.id,
            municipality_id=municipality.id,
            organisation_id=report.organisation_id,
            category_code=g.category,
            family_code=g.category.split(".")[0],
            occurred_from=min(g.occurred_from, now),
            occurred_to=min(g.occurred_to, now),
            precision=g.precision,
            area_id=areas[g.area],
            place_id=places.get(g.place) if g.place else None,
            lat=g.lat,
            lon=g.lon,
            assessment=g.assessment,
            certainty=g.certainty,
            police_reported=g.police_reported,
            source="demo",
        )
        for g, report in zip(generated, reports, strict=True)
    )
    session.flush()
    last = today - dt.timedelta(days=situation.DEFAULT_DAYS)
    first = last - dt.timedelta(days=situation.DEFAULT_DAYS - 1)
    groups = select(Group).where(Group.kind != GroupKind.steering, Group.active.is_(True))
    # The area groups first, so that the coordination group's lägesbild rolls theirs up.
    for group in sorted(session.scalars(groups), key=lambda g: g.kind != GroupKind.area):
        draft = situation.create_report(
            session, group.id, SituationReportCreate(first_day=first, last_day=last), actor=actor
        )
        situation.update_report(
            session,
            draft.id,
            SituationReportUpdate(summary=DEMO_SUMMARIES[group.kind]),
            if_match="*",
            actor=actor,
        )
        situation.publish(session, draft.id, if_match=None, actor=actor)
    _demo_meetings(session, today=today, places=places, organisations=organisations, actor=actor)
    return len(generated)


def _demo_meetings(
    session: Session,
    *,
    today: dt.date,
    places: dict[str, int],
    organisations: dict[str, int],
    actor: Actor,
) -> None:
    """The coordination group's last meeting, a fortnight ago, with the intervention it
    decided and a follow-up of it; and its next meeting, by its cadence, with the agenda
    built for it: the whole EST cycle to look at in a new install."""
    from api.interventions import service as interventions
    from api.interventions.schemas import FollowUpCreate, InterventionFields, Target, TargetKind
    from api.meetings import service as meetings
    from api.meetings.schemas import DecisionCreate, MeetingCreate

    group = session.scalars(select(Group).where(Group.kind == GroupKind.coordination)).first()
    if group is None or "Bro centrum" not in places or "Rapid Säkerhet" not in organisations:
        return
    held_on = today - dt.timedelta(days=14)
    held = meetings.create_meeting(
        session,
        group.id,
        MeetingCreate(
            starts_at=dt.datetime.combine(held_on, dt.time(13), tzinfo=STOCKHOLM),
            location="Kommunhuset, sal 2",
        ),
        actor=actor,
    )
    decision = meetings.add_decision(
        session,
        held.id,
        DecisionCreate(
            text="Väktare vid Bro centrum fredag och lördag kväll i fyra veckor, med start "
            "på fredag.",
            intervention=InterventionFields(
                title="Väktare vid Bro centrum helgkvällar",
                type="guards",
                owner_organisation_id=organisations["Rapid Säkerhet"],
                responsible="Platschef, Rapid Säkerhet",
                target=Target(kind=TargetKind.place, place_id=places["Bro centrum"]),
                categories=["samling", "skadegorelse"],
                planned_start=held_on + dt.timedelta(days=3),
                planned_end=held_on + dt.timedelta(days=31),
                status="ongoing",
            ),
        ),
        actor=actor,
    )
    if decision.intervention_id is not None:
        _demo_steering(session, today=today, intervention_id=decision.intervention_id, actor=actor)
        interventions.add_follow_up(
            session,
            decision.intervention_id,
            FollowUpCreate(
                day=today - dt.timedelta(days=3),
                done="Två väktare gick fredag och lördag 20–02 båda helgerna.",
                seen="Lugnare vid busshållplatsen; gruppen vid pizzerian flyttade mot stationen.",
            ),
            actor=actor,
        )
    following = meetings.next_meeting(session, group.id, actor=actor)
    meetings.create_meeting(
        session,
        group.id,
        MeetingCreate(starts_at=following.starts_at, location="Kommunhuset, sal 2"),
        actor=actor,
    )


# The steering group's theme areas and goals in the demo (issue #8's examples).
DEMO_GOALS = (
    ("Olovlig körning", "Minska olovlig körning med moped, EPA och cross i centrumområdena"),
    ("ANDT", "Färre unga som använder alkohol, narkotika och tobak"),
    ("Unga 13–18", "Fler unga känner sig trygga i centrum och i sitt bostadsområde"),
    ("Våld i nära relation", "Färre utsatta för våld i nära relation, och stöd tidigare"),
    ("Hedersrelaterat våld och förtryck", "Ingen ung ska leva med hedersrelaterat förtryck"),
)


def _demo_steering(session: Session, *, today: dt.date, intervention_id: int, actor: Actor) -> None:
    """Goals with indicators, an assignment waiting for Kungsängen's report-back and one
    the coordination group answered with the demo's intervention, and a plan with its
    activities followed up last year: the thread from goal to action to look at."""
    from api.interventions.models import Intervention
    from api.steering import schemas as st
    from api.steering import service as steering

    group = session.scalars(select(Group).where(Group.kind == GroupKind.steering)).first()
    coordination = session.scalars(
        select(Group).where(Group.kind == GroupKind.coordination)
    ).first()
    kungsangen = _by_name(session, Group, "EST områdesgrupp Kungsängen")
    bro = _by_name(session, Area, "Bro")
    police = _by_name(session, Organisation, "Polisen, lokalpolisområde")
    housing = _by_name(session, Organisation, "Upplands-Brohus")
    if group is None or coordination is None or None in (kungsangen, bro, police, housing):
        return
    goals = {
        theme: steering.create_goal(
            session, st.GoalCreate(group_id=group.id, theme=theme, title=title), actor=actor
        )
        for theme, title in DEMO_GOALS
    }

    def indicator(theme: str, **fields: Any) -> Any:
        return steering.create_indicator(
            session, goals[theme].id, st.IndicatorCreate(**fields), actor=actor
        )

    indicator(
        "Olovlig körning",
        name="Olovlig körning, hela kommunen",
        kind="computed",
        category="trafik.olovlig_korning",
    )
    drinking = indicator(
        "ANDT",
        name="Andel i åk 9 som druckit alkohol senaste året (demovärden)",
        kind="manual",
        unit="procent",
        source="Stockholmsenkäten",
    )
    safe = indicator(
        "Unga 13–18",
        name="Andel i åk 9 som känner sig trygga i sitt område (demovärden)",
        kind="manual",
        unit="procent",
        source="Stockholmsenkäten",
        direction="increase",
    )
    indicator(
        "Unga 13–18",
        name="Otrygghetsskapande samlingar i Bro",
        kind="computed",
        category="samling",
        area_id=bro.id,
    )
    violence = indicator(
        "Våld i nära relation",
        name="Anmälda fall av våld i nära relation (demovärden)",
        kind="manual",
        source="Polisens statistik",
    )
    for year, ind, value in (
        (2020, drinking, 38.0), (2022, drinking, 35.0), (2024, drinking, 31.0),
        (2020, safe, 78.0), (2022, safe, 74.0), (2024, safe, 76.0),
        (2023, violence, 52.0), (2024, violence, 47.0), (2025, violence, 49.0),
    ):  # fmt: skip
        source = f"{ind.source} {year}"
        steering.put_value(
            session, ind.id, year, st.IndicatorValueWrite(value=value, source=source), actor=actor
        )
    due = today + dt.timedelta(days=21)
    steering.create_assignment(
        session,
        st.AssignmentCreate(
            goal_id=goals["Olovlig körning"].id,
            to_group_id=kungsangen.id,
            title="Kartlägg var och när mopeder och EPA körs olovligt, och föreslå insatser",
            description="Boende och skolan rapporterar körning på gång- och cykelvägarna.",
            due=due,
        ),
        actor=actor,
    )
    followed = steering.create_assignment(
        session,
        st.AssignmentCreate(
            goal_id=goals["Unga 13–18"].id,
            to_group_id=coordination.id,
            title="Minska samlingarna som skapar otrygghet vid Bro centrum",
            due=today,
        ),
        actor=actor,
    )
    intervention = session.get(Intervention, intervention_id)
    if intervention is not None:
        steering.answer(
            session,
            followed.id,
            st.AssignmentAnswer(
                text="Väktare helgkvällar i fyra veckor; följs upp på nästa möte.",
                intervention_ids=[intervention.id],
            ),
            actor=actor,
        )
    year = today.year - 1
    plan = steering.create_plan(
        session,
        st.PlanCreate(
            group_id=group.id,
            title=f"Handlingsplan mot våld i nära relationer {year}–{year + 2}",
            goal_id=goals["Våld i nära relation"].id,
            period_start=dt.date(year, 1, 1),
            period_end=dt.date(year + 2, 12, 31),
            adopted_by="Kommunfullmäktige",
            adopted_on=dt.date(year - 1, 12, 12),
        ),
        actor=actor,
    )
    asked = steering.create_activity(
        session,
        plan.id,
        st.ActivityCreate(
            title="Utbilda personal i att ställa frågan om våld",
            responsible_office="Socialkontoret",
            partner_ids=[police.id],
            partners_other="Kvinnojouren, Region Stockholm",
            period_start=dt.date(year, 2, 1),
            status="ongoing",
            indicator_id=violence.id,
            child_perspective="Barn som ser våld hemma är brottsoffer: frågan ställs också "
            "om barnen, och barnen får eget stöd.",
        ),
        actor=actor,
    )
    steering.create_activity(
        session,
        plan.id,
        st.ActivityCreate(
            title="Information till hyresgäster om var man får stöd",
            responsible_office="Socialkontoret",
            partner_ids=[housing.id],
            period_start=dt.date(year + 1, 3, 1),
            child_perspective="Informationen finns på lätt svenska för unga i hushållet.",
        ),
        actor=actor,
    )
    steering.review_activity(
        session,
        asked.id,
        year,
        st.ActivityReviewWrite(
            status="ongoing",
            done="120 anställda i socialtjänst, skola och vård utbildade.",
            assessment="Fler frågar; nästa år även fritidsgårdarna.",
        ),
        actor=actor,
    )
    steering.review_plan(
        session,
        plan.id,
        year,
        st.PlanReviewWrite(summary="Planen följer tidplanen. Utbildningen når fler än väntat."),
        actor=actor,
    )
    steering.create_plan(
        session,
        st.PlanCreate(
            group_id=group.id,
            title=f"Handlingsplan mot hedersrelaterat våld och förtryck {year}–{year + 2}",
            goal_id=goals["Hedersrelaterat våld och förtryck"].id,
            period_start=dt.date(year, 1, 1),
            period_end=dt.date(year + 2, 12, 31),
            adopted_by="Kommunfullmäktige",
        ),
        actor=actor,
    )
