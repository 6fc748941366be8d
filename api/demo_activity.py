"""Demo activity on top of the demo structure (``api.seed``): 15 months of synthetic
observations (``api.synthetic``), a published lägesbild per group, the coordination group's
last and next meeting with the intervention it decided, and the steering group's goals,
assignments and plans. Like the structure, it goes through the same services as the API, so
it obeys the same rules; it is loaded once, into a municipality that has no incidents yet."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from api import localtime, tenancy
from api.actor import SYSTEM, Actor
from api.composition import compose
from api.demo_boundaries import DEMO_TOWNS, UPPLANDS_BRO
from api.evenings.demo import load_demo_evenings
from api.guards import demo as guard_demo
from api.incidents.models import Incident, Report
from api.interventions import service as interventions
from api.interventions.models import Intervention
from api.interventions.schemas import FollowUpCreate, InterventionFields, Target, TargetKind
from api.localtime import STOCKHOLM
from api.meetings import service as meetings
from api.meetings.schemas import DecisionCreate, MeetingCreate
from api.nightwalks.demo import load_demo_walks
from api.safetywalks.demo import load_demo_safety_walks
from api.seed import by_name, demo_municipality
from api.settings import ANALYSIS_CELL_M
from api.situation import service as situation
from api.situation.schemas import SituationReportCreate, SituationReportUpdate
from api.steering import assignments, goals, plans
from api.steering import schemas as st
from api.structure.models import Area, Group, Municipality, Organisation, Place
from api.structure.schemas import GroupKind
from api.synthetic import Town, demo_town, incidents
from api.tips.demo import load_demo_tips

# Demo incidents: about eight a day for 15 months, enough for this fortnight, the one before,
# and the same weeks a year ago to show in the lägesbild.
DEMO_INCIDENTS_PER_DAY = 8
DEMO_INCIDENT_DAYS = 460
AREA_SUMMARY = "Lugnare än förra perioden; klotter och samlingar kvällstid kring centrum."


def demo_summary(kind: GroupKind, town: Town) -> str:
    """A published demo lägesbild's summary: an area group's says nothing of places; the
    coordination group's names its own town's two heaviest hot spots in different areas
    (Upplands-Bro: "Bro centrum" and "Kungsängen centrum"), never another town's."""
    if kind is not GroupKind.coordination:
        return AREA_SUMMARY
    first, *rest = sorted(town.hot_spots, key=lambda spot: -spot.weight)
    second = next((spot for spot in rest if spot.area != first.area), None)
    named = [spot.place or spot.area for spot in (first, second) if spot is not None]
    return f"Helgkvällarna vid {' och vid '.join(named)} står ut."


def load_demo_incidents(session: Session, *, today: dt.date, actor: Actor = SYSTEM) -> int:
    """Synthetic incidents (api.synthetic) up to ``today`` in each demo municipality that has
    none yet, and a published lägesbild of the fortnight before the last for its coordination
    and area groups, so that a new one has something to roll up and compare with; Upplands-Bro
    also gets the field's evenings, walks, tips, meetings and steering. Each municipality's
    activity is loaded in a session bound to it (api.tenancy), as its requests would be."""
    compose()
    filed = 0
    for source in DEMO_TOWNS:
        municipality = demo_municipality(session, source)
        if municipality is None:
            continue
        with tenancy.widened(session, {municipality.id}):
            if session.scalar(select(Incident.id).limit(1)) is not None:
                continue
            filed += _town_incidents(session, municipality, demo_town(source), today, actor)
            if source == UPPLANDS_BRO:
                _town_activity(session, today=today, actor=actor)
    return filed


def _town_incidents(
    session: Session, municipality: Municipality, town: Town, today: dt.date, actor: Actor
) -> int:
    areas = {a.name: a.id for a in session.scalars(select(Area))}
    places = {p.name: p.id for p in session.scalars(select(Place))}
    organisations = {o.name: o.id for o in session.scalars(select(Organisation))}
    # The demo's places where the synthetic hot spots are, so that an intervention at one
    # of them is measured in a circle around it.
    for spot in town.hot_spots:
        place = session.get(Place, places.get(spot.place or "", 0))
        if place is not None and place.lat is None:
            place.lat, place.lon = spot.lat, spot.lon
    start = today - dt.timedelta(days=DEMO_INCIDENT_DAYS - 1)
    generated = [
        g
        for g in incidents(
            DEMO_INCIDENTS_PER_DAY * DEMO_INCIDENT_DAYS, seed=2026, start=start,
            days=DEMO_INCIDENT_DAYS, town=town,
        )
        if g.organisation in organisations and g.area in areas
    ]  # fmt: skip
    now = localtime.utcnow()
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
            SituationReportUpdate(summary=demo_summary(group.kind, town)),
            if_match="*",
            actor=actor,
        )
        situation.publish(
            session, draft.id, if_match=None, actor=actor, analysis_cell_m=ANALYSIS_CELL_M
        )
    return len(generated)


def _town_activity(session: Session, *, today: dt.date, actor: Actor) -> None:
    places = {p.name: p.id for p in session.scalars(select(Place))}
    organisations = {o.name: o.id for o in session.scalars(select(Organisation))}
    # The field's evenings, walks and guard days before the meetings: the next meeting's
    # agenda counts them since the last one.
    load_demo_evenings(session, today=today, actor=actor)
    load_demo_walks(session, today=today, actor=actor)
    # Residents' tips (#20): a queue to moderate, and one accepted.
    load_demo_tips(session, today=today, actor=actor)
    # The safety walks (#20) before the meetings too: a proposal waits on the next agenda.
    load_demo_safety_walks(session, today=today, actor=actor)
    guard_demo.load_demo_guard_reports(session, today=today)
    _demo_meetings(session, today=today, places=places, organisations=organisations, actor=actor)


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
                responsible="Platschef",
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

    group = session.scalars(select(Group).where(Group.kind == GroupKind.steering)).first()
    coordination = session.scalars(
        select(Group).where(Group.kind == GroupKind.coordination)
    ).first()
    kungsangen = by_name(session, Group, "EST områdesgrupp Kungsängen")
    bro = by_name(session, Area, "Bro")
    police = by_name(session, Organisation, "Polisen, lokalpolisområde")
    housing = by_name(session, Organisation, "Upplands-Brohus")
    if group is None or coordination is None or None in (kungsangen, bro, police, housing):
        return
    by_theme = {
        theme: goals.create_goal(
            session, st.GoalCreate(group_id=group.id, theme=theme, title=title), actor=actor
        )
        for theme, title in DEMO_GOALS
    }

    def indicator(theme: str, **fields: Any) -> Any:
        return goals.create_indicator(
            session, by_theme[theme].id, st.IndicatorCreate(**fields), actor=actor
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
        goals.put_value(
            session, ind.id, year, st.IndicatorValueWrite(value=value, source=source), actor=actor
        )
    due = today + dt.timedelta(days=21)
    assignments.create_assignment(
        session,
        st.AssignmentCreate(
            goal_id=by_theme["Olovlig körning"].id,
            to_group_id=kungsangen.id,
            title="Kartlägg var och när mopeder och EPA körs olovligt, och föreslå insatser",
            description="Boende och skolan rapporterar körning på gång- och cykelvägarna.",
            due=due,
        ),
        actor=actor,
    )
    followed = assignments.create_assignment(
        session,
        st.AssignmentCreate(
            goal_id=by_theme["Unga 13–18"].id,
            to_group_id=coordination.id,
            title="Minska samlingarna som skapar otrygghet vid Bro centrum",
            due=today,
        ),
        actor=actor,
    )
    intervention = session.get(Intervention, intervention_id)
    if intervention is not None:
        assignments.answer(
            session,
            followed.id,
            st.AssignmentAnswer(
                text="Väktare helgkvällar i fyra veckor; följs upp på nästa möte.",
                intervention_ids=[intervention.id],
            ),
            actor=actor,
        )
    year = today.year - 1
    plan = plans.create_plan(
        session,
        st.PlanCreate(
            group_id=group.id,
            title=f"Handlingsplan mot våld i nära relationer {year}–{year + 2}",
            goal_id=by_theme["Våld i nära relation"].id,
            period_start=dt.date(year, 1, 1),
            period_end=dt.date(year + 2, 12, 31),
            adopted_by="Kommunfullmäktige",
            adopted_on=dt.date(year - 1, 12, 12),
        ),
        actor=actor,
    )
    asked = plans.create_activity(
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
    plans.create_activity(
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
    plans.review_activity(
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
    plans.review_plan(
        session,
        plan.id,
        year,
        st.PlanReviewWrite(summary="Planen följer tidplanen. Utbildningen når fler än väntat."),
        actor=actor,
    )
    plans.create_plan(
        session,
        st.PlanCreate(
            group_id=group.id,
            title=f"Handlingsplan mot hedersrelaterat våld och förtryck {year}–{year + 2}",
            goal_id=by_theme["Hedersrelaterat våld och förtryck"].id,
            period_start=dt.date(year, 1, 1),
            period_end=dt.date(year + 2, 12, 31),
            adopted_by="Kommunfullmäktige",
        ),
        actor=actor,
    )
