"""Interventions: decided by a group, read by those who read its lägesbild, written by its
conveners and members (api.access.policy)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import Select, or_, select
from sqlalchemy.orm import Session, object_session

from api.access import policy
from api.actor import Actor
from api.categories.models import Category
from api.errors import FieldError, Hidden, Invalid
from api.incidents import areas as incident_areas
from api.incidents import geo
from api.incidents.models import Incident
from api.incidents.schemas import InterventionStatus, Outcome
from api.interventions import dates, effect, mine, schemas, slots
from api.interventions.models import Feedback, FollowUp, Intervention, InterventionIncident
from api.pagination import PageResult, paginate
from api.records import get_or_404, not_found_message
from api.schemas_common import Ref
from api.structure import service as structure_service
from api.structure.models import Area, Group, Municipality, Organisation, Place

DEFAULT_WEEKS = 8
# What only the group's conveners and members do here (policy.require_write_in_group).
WRITES = "beslutar och följer upp insatser"


def _scoped(stmt: Select[Any], actor: Actor) -> Select[Any]:
    groups = policy.readable_group_ids(actor)
    return stmt if groups is None else stmt.where(Intervention.group_id.in_(groups))


def list_interventions(
    session: Session, query: schemas.InterventionFilter, *, actor: Actor
) -> PageResult[Intervention]:
    stmt = _scoped(select(Intervention), actor)
    if query.group is not None:
        stmt = stmt.where(Intervention.group_id == query.group)
    if query.status is not None:
        stmt = stmt.where(Intervention.status == query.status)
    return paginate(session, stmt, Intervention.id, query, descending=True)


def get_intervention(session: Session, intervention_id: int, *, actor: Actor) -> Intervention:
    intervention = get_or_404(session, Intervention, intervention_id, "ingen insats")
    if not policy.can_read_situation(actor, intervention.group_id):
        raise Hidden(not_found_message("ingen insats", intervention_id))
    return intervention


def read(intervention: Intervention, *, actor: Actor) -> schemas.InterventionRead:
    session = object_session(intervention)
    # The meeting, goal and assignment are known above interventions: read through slots.
    decided = slots.decided_at(session, intervention.id) if session else None
    from_walk = slots.from_walk(session, intervention.id) if session else None
    served = (
        slots.served(session, intervention.goal_id, intervention.assignment_id)
        if session
        else slots.Served(goal=None, assignment=None)
    )
    return schemas.InterventionRead(
        id=intervention.id,
        group=Ref(id=intervention.group.id, name=intervention.group.name),
        title=intervention.title,
        type=intervention.type,
        description=intervention.description,
        owner_organisation=Ref.model_validate(intervention.owner_organisation),
        responsible=intervention.responsible,
        target=schemas.TargetRead(
            kind=intervention.target_kind,
            area=Ref.model_validate(intervention.area),
            place=Ref.model_validate(intervention.place) if intervention.place else None,
            lat=intervention.lat,
            lon=intervention.lon,
            radius_m=intervention.radius_m,
        ),
        categories=list(intervention.categories),
        planned_start=intervention.planned_start,
        planned_end=intervention.planned_end,
        status=intervention.status,
        incident_ids=intervention.incident_ids,
        decided_at=decided,
        goal=served.goal,
        assignment=served.assignment,
        from_walk=from_walk,
        created_at=intervention.created_at,
        updated_at=intervention.updated_at,
        may_edit=policy.can_write_in_group(actor, intervention.group_id),
    )


def _serves(
    session: Session,
    data: dict[str, Any],
    group: Group,
    current: Intervention | None,
    actor: Actor,
) -> dict[str, Any]:
    """The goal and assignment the intervention serves, checked; an assignment brings its
    goal. Only when either was sent."""
    if "goal_id" not in data and "assignment_id" not in data:
        return {}
    goal_id = data.get("goal_id", current.goal_id if current else None)
    assignment_id = data.get("assignment_id", current.assignment_id if current else None)
    if "goal_id" not in data and data.get("assignment_id") is not None:
        goal_id = None  # a new assignment brings its own goal
    values, errors = slots.check_serves(session, group, goal_id, assignment_id, actor)
    if errors:
        raise Invalid(errors[0].message, errors=errors)
    return values


def _values(session: Session, data: dict[str, Any], group: Group, actor: Actor) -> dict[str, Any]:
    """The columns of what was sent, checked against the records it names: every problem is
    answered at once, beside its field, and nothing is written."""
    errors: list[FieldError] = []
    values: dict[str, Any] = {}
    if "owner_organisation_id" in data:
        owner = session.get(Organisation, data["owner_organisation_id"])
        if owner is None or owner.municipality_id != group.municipality_id or owner.residents:
            errors.append(
                FieldError(
                    "owner_organisation_id", "Det finns ingen sådan organisation.", "unknown_id"
                )
            )
        values["owner_organisation_id"] = data["owner_organisation_id"]
    if "target" in data:
        target = schemas.Target.model_validate(data["target"])
        values.update(_target(session, target, group, errors))
        refused = (
            None
            if errors
            else policy.target_refusal(
                actor,
                group_name=group.name,
                group_area_id=group.area_id,
                target_area_id=values["area_id"],
            )
        )
        if refused:
            errors.append(FieldError("target", refused, "target_out_of_scope"))
    if "categories" in data:
        codes = list(dict.fromkeys(data["categories"]))
        known = set(session.scalars(select(Category.code).where(Category.code.in_(codes))))
        unknown = [c for c in codes if c not in known]
        if unknown:
            errors.append(
                FieldError("categories", f"Okända kategorier: {', '.join(unknown)}.", "unknown_id")
            )
        values["categories"] = codes
    if "incident_ids" in data:
        ids = list(dict.fromkeys(data["incident_ids"]))
        areas = policy.readable_area_ids(actor)
        stmt = select(Incident.id).where(
            Incident.id.in_(ids), Incident.municipality_id == group.municipality_id
        )
        if areas is not None:
            stmt = stmt.where(Incident.area_id.in_(areas))
        if group.area_id is not None:
            # An area group's interventions answer its area's incidents: linked ones from
            # elsewhere would be shown to its members, who do not read them.
            stmt = stmt.where(Incident.area_id == group.area_id)
        found = set(session.scalars(stmt)) if ids else set()
        missing = [i for i in ids if i not in found]
        if missing:
            errors.append(
                FieldError(
                    "incident_ids",
                    f"Det finns inga händelser med id {', '.join(map(str, missing[:10]))}.",
                    "unknown_id",
                )
            )
        values["incident_ids"] = ids
    for field in (
        "title",
        "type",
        "description",
        "responsible",
        "planned_start",
        "planned_end",
        "status",
    ):
        if field in data:
            values[field] = data[field]
    if errors:
        raise Invalid(errors[0].message, errors=errors)
    return values


def _target(
    session: Session,
    target: schemas.Target,
    group: Group,
    errors: list[FieldError],
) -> dict[str, Any]:
    values: dict[str, Any] = {
        "target_kind": target.kind,
        "place_id": None,
        "lat": None,
        "lon": None,
        "radius_m": None,
    }
    if target.kind == schemas.TargetKind.place:
        place = session.get(Place, target.place_id)
        if place is None or place.area.municipality_id != group.municipality_id:
            errors.append(
                FieldError("target.place_id", "Det finns ingen sådan plats.", "unknown_id")
            )
            return values
        return {
            **values,
            "area_id": place.area_id,
            "place_id": place.id,
            "radius_m": target.radius_m or schemas.DEFAULT_PLACE_RADIUS_M,
        }
    area = session.get(Area, target.area_id)
    if area is None or area.municipality_id != group.municipality_id:
        errors.append(FieldError("target.area_id", "Det finns inget sådant område.", "unknown_id"))
        return values
    if target.kind == schemas.TargetKind.point:
        assert target.lat is not None and target.lon is not None
        municipality = session.get(Municipality, group.municipality_id)
        refused = municipality and incident_areas.refusal(
            session, municipality, target.lat, target.lon
        )
        if refused:
            errors.append(FieldError("target.lat", refused.message, "outside_municipality"))
        elif (outside := _outside(session, area, target.lat, target.lon)) is not None:
            errors.append(FieldError("target", outside, "outside_area"))
        return {
            **values,
            "area_id": area.id,
            "lat": target.lat,
            "lon": target.lon,
            "radius_m": target.radius_m,
        }
    return {**values, "area_id": area.id}


def _outside(session: Session, area: Area, lat: float, lon: float) -> str | None:
    """Why a point does not lie in ``area``, or None when it does.

    A point lies in the area whose boundary holds it. A point in no boundary lies in the
    nearest of the areas without one, by their reference points (the area's centre and its
    places' positions), measured in SWEREF 99 TM: the demo's areas, and a municipality's
    before its GIS delivers boundaries, have none, and without this rule a group could aim a
    point in another area and have its effect measured there. Where no area without a
    boundary has a reference point, nothing tells them apart, and the point is taken as given
    (its effect still counts only what the reader reads)."""
    areas = list(
        session.scalars(
            select(Area).where(
                Area.municipality_id == area.municipality_id,
                or_(Area.active.is_(True), Area.id == area.id),
            )
        )
    )
    holding = [a for a in areas if a.boundary and geo.in_polygon(a.boundary, lat, lon)]
    where = f"Punkten ({lat:.5f}, {lon:.5f})"
    if holding:
        if area in holding:
            return None
        return f"{where} ligger i {holding[0].name}, inte i {area.name}."
    unbounded = {a.id: a for a in areas if not a.boundary}
    if area.id not in unbounded:
        return f"{where} ligger inte i {area.name}."
    placed = session.execute(
        select(Place.area_id, Place.lat, Place.lon).where(
            Place.area_id.in_(unbounded), Place.active.is_(True)
        )
    ).all()
    references = [
        (area_id, ref_lat, ref_lon)
        for area_id, ref_lat, ref_lon in [
            *((a.id, a.center_lat, a.center_lon) for a in unbounded.values()),
            *((p.area_id, p.lat, p.lon) for p in placed),
        ]
        if ref_lat is not None and ref_lon is not None
    ]
    found = geo.nearest(lat, lon, [(r[1], r[2]) for r in references])
    if found is None:
        return None
    nearest = references[found[0]][0]
    if nearest == area.id:
        return None
    return (
        f"{where} ligger närmare {unbounded[nearest].name} än {area.name}. Områdena har inga "
        "gränser, så en punkt hör till det område vars mittpunkt eller plats ligger närmast."
    )


def _apply(session: Session, intervention: Intervention, values: dict[str, Any]) -> None:
    ids = values.pop("incident_ids", None)
    for field, value in values.items():
        setattr(intervention, field, value)
    if intervention.status == InterventionStatus.done:
        group = session.get(Group, intervention.group_id)
        assert group is not None  # checked before the values were
        intervention.completed_on = (
            intervention.completed_on
            or structure_service.municipality_today(session, group.municipality_id)
        )
        # Done (today, or the day it was) cannot come before the work began.
        dates.check_day_within(
            intervention.planned_start, intervention.completed_on, "status", "Avslutet"
        )
    else:
        intervention.completed_on = None
    if ids is not None:
        kept = {link.incident_id: link for link in intervention.links}
        intervention.links = [kept.get(i) or InterventionIncident(incident_id=i) for i in ids]
    if (
        intervention.planned_end is not None
        and intervention.planned_end < intervention.planned_start
    ):
        raise Invalid.field("planned_end", "Slutet ligger före starten.", "period_order")


def create_intervention(
    session: Session,
    body: schemas.InterventionFields,
    *,
    group_id: int,
    actor: Actor,
    proposal: bool = False,
) -> Intervention:
    """``proposal``: a proposed intervention (a safety walk's finding, #20), made by whoever
    the proposing record's rules let propose (its caller checked them) rather than by the
    group's writers; it waits with status ``proposed`` for the group to decide it."""
    group = get_or_404(session, Group, group_id, "ingen grupp")
    if not proposal:
        if not policy.can_read_situation(actor, group.id):
            raise Hidden(not_found_message("ingen grupp", group_id))
        policy.require_write_in_group(actor, group.id, WRITES)
    data = body.model_dump(exclude={"group_id"})
    if proposal:
        data["status"] = InterventionStatus.proposed
    serves = _serves(session, data, group, None, actor)
    values = _values(session, data, group, actor)
    intervention = Intervention(group_id=group.id, created_by_id=actor.user_id, **serves)
    _apply(session, intervention, values)
    session.add(intervention)
    session.flush()
    return intervention


def update_intervention(
    session: Session, intervention_id: int, body: schemas.InterventionUpdate, *, actor: Actor
) -> Intervention:
    intervention = get_intervention(session, intervention_id, actor=actor)
    policy.require_write_in_group(actor, intervention.group_id, WRITES)
    data = body.model_dump(exclude_unset=True)
    # A proposal is decided (planned, ongoing, or cancelled); what was decided is not a
    # proposal again.
    if (
        data.get("status") == InterventionStatus.proposed
        and intervention.status != InterventionStatus.proposed
    ):
        raise Invalid.field(
            "status", "En beslutad insats kan inte bli ett förslag igen.", "status_order"
        )
    serves = _serves(session, data, intervention.group, intervention, actor)
    values = _values(session, data, intervention.group, actor)
    _apply(session, intervention, {**values, **serves})
    session.flush()
    return intervention


def follow_ups(session: Session, intervention_id: int, *, actor: Actor) -> list[FollowUp]:
    get_intervention(session, intervention_id, actor=actor)
    return list(
        session.scalars(
            select(FollowUp)
            .where(FollowUp.intervention_id == intervention_id)
            .order_by(FollowUp.day, FollowUp.id)
        )
    )


def add_follow_up(
    session: Session, intervention_id: int, body: schemas.FollowUpCreate, *, actor: Actor
) -> FollowUp:
    intervention = get_intervention(session, intervention_id, actor=actor)
    policy.require_write_in_group(actor, intervention.group_id, WRITES)
    # A look at what was done falls between the start of the work and today.
    dates.check_day_within(
        intervention.planned_start, body.day, "day", "Uppföljningen", today=_today(intervention)
    )
    follow_up = FollowUp(
        intervention_id=intervention.id,
        day=body.day,
        done=body.done,
        seen=body.seen,
        created_by_id=actor.user_id,
    )
    session.add(follow_up)
    session.flush()
    return follow_up


def _today(intervention: Intervention) -> dt.date:
    session = object_session(intervention)
    assert session is not None
    return structure_service.municipality_today(session, intervention.group.municipality_id)


def measure_effect(
    session: Session, intervention_id: int, weeks: int, *, actor: Actor
) -> schemas.Effect:
    intervention = get_intervention(session, intervention_id, actor=actor)
    municipality_id = intervention.group.municipality_id
    return effect.measure(
        session,
        intervention,
        weeks=weeks,
        today=structure_service.municipality_today(session, municipality_id),
        timezone=structure_service.municipality_zone_name(session, municipality_id),
        counted_areas=policy.figure_areas(actor),
    )


def feedback(session: Session, intervention_id: int, *, actor: Actor) -> list[Feedback]:
    get_intervention(session, intervention_id, actor=actor)
    return list(
        session.scalars(
            select(Feedback)
            .where(Feedback.intervention_id == intervention_id)
            .order_by(Feedback.told_on, Feedback.id)
        )
    )


def add_feedback(
    session: Session, intervention_id: int, body: schemas.FeedbackCreate, *, actor: Actor
) -> Feedback:
    intervention = get_intervention(session, intervention_id, actor=actor)
    policy.require_write_in_group(actor, intervention.group_id, WRITES)
    # Feedback on the work is told between its start and today.
    dates.check_day_within(
        intervention.planned_start, body.told_on, "told_on", "Återkopplingen",
        today=_today(intervention),
    )  # fmt: skip
    organisations = structure_service.organisations_named(
        session, body.organisation_ids, intervention.group.municipality_id
    )
    if organisations is None:
        raise Invalid.field("organisation_ids", "Det finns ingen sådan organisation.", "unknown_id")
    if not organisations and not body.to_reporters:
        raise Invalid.field(
            "organisation_ids",
            "Ange vem återkopplingen gick till: organisationer eller rapportörerna.",
            "no_recipient",
        )
    given = Feedback(
        intervention_id=intervention.id,
        told_on=body.told_on,
        channel=body.channel,
        text=body.text,
        to_reporters=body.to_reporters,
        organisations=organisations,
        created_by_id=actor.user_id,
    )
    session.add(given)
    session.flush()
    if given.to_reporters:
        mine.queue_feedback_mail(session, intervention, actor=actor)
    return given


def outcomes(session: Session, incident_id: int) -> list[Outcome]:
    """What came of an incident: for whoever may read the incident (its reporter included),
    the interventions it is linked to and the latest feedback told to reporters (the slot
    api.incidents.slots.outcomes)."""
    linked = session.scalars(
        select(Intervention)
        .join(InterventionIncident, InterventionIncident.intervention_id == Intervention.id)
        .where(InterventionIncident.incident_id == incident_id)
        .order_by(Intervention.planned_start, Intervention.id)
    )
    found = []
    for intervention in linked:
        told = session.scalar(
            select(Feedback)
            .where(Feedback.intervention_id == intervention.id, Feedback.to_reporters.is_(True))
            .order_by(Feedback.told_on.desc(), Feedback.id.desc())
            .limit(1)
        )
        found.append(
            Outcome(
                intervention=intervention.title,
                status=intervention.status,
                planned_start=intervention.planned_start,
                completed_on=intervention.completed_on,
                feedback=told.text if told else None,
                told_on=told.told_on if told else None,
            )
        )
    return found
