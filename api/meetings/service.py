"""A group's meetings: read with its lägesbild (policy.can_read_situation), written by its
conveners and members (policy.can_write_in_group)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, object_session

from api import localtime, swedish
from api.access import policy
from api.accounts.models import Membership, User
from api.actor import Actor
from api.concurrency import check_if_match, etag
from api.errors import FieldError, Hidden, Invalid, NotFound
from api.incidents.schemas import InterventionStatus
from api.interventions import dates
from api.interventions import service as intervention_service
from api.interventions.models import Feedback, FollowUp, Intervention
from api.interventions.schemas import DecidedAt
from api.localtime import utcnow
from api.meetings import field as in_field
from api.meetings import schemas
from api.meetings.models import Decision, Meeting
from api.records import get_or_404, not_found_message
from api.schemas_common import Ref, fit_name, stored_text
from api.situation import figures as calc
from api.situation import service as situation
from api.steering import assignments
from api.steering.models import Assignment
from api.steering.schemas import AssignmentAnswer
from api.structure import service as structure_service
from api.structure.models import Group
from api.structure.schemas import GroupKind
from api.swedish import day_sv

# The hot spots an agenda's note names; it says "visar 5 av 7" when there are more.
AGENDA_HOT_SPOTS = 5

# An intervention is due for follow-up when it has had none for this long.
FOLLOW_UP_DAYS = 14
DEFAULT_WEEKS = 2
# A meeting is still to come until half a day after it started.
UPCOMING = dt.timedelta(hours=12)
# What only the group's conveners and members do here (policy.require_write_in_group).
WRITES = "planerar och skriver möten"


def _group(session: Session, group_id: int, actor: Actor) -> Group:
    group = get_or_404(session, Group, group_id, "ingen grupp")
    if not policy.can_read_situation(actor, group.id):
        raise Hidden(not_found_message("ingen grupp", group_id))
    return group


def list_meetings(
    session: Session, group_id: int, *, upcoming: bool, actor: Actor
) -> list[Meeting]:
    _group(session, group_id, actor)
    stmt = select(Meeting).where(Meeting.group_id == group_id)
    if upcoming:
        stmt = stmt.where(Meeting.starts_at >= utcnow() - UPCOMING)
        return list(session.scalars(stmt.order_by(Meeting.starts_at)))
    return list(session.scalars(stmt.order_by(Meeting.starts_at.desc())))


def get_meeting(session: Session, meeting_id: int, *, actor: Actor) -> Meeting:
    meeting = get_or_404(session, Meeting, meeting_id, "inget möte")
    if not policy.can_read_situation(actor, meeting.group_id):
        raise Hidden(not_found_message("inget möte", meeting_id))
    return meeting


def meeting_etag(meeting: Meeting) -> str:
    return etag(meeting.id, meeting.revision)


def read(meeting: Meeting, *, actor: Actor) -> schemas.MeetingRead:
    return schemas.MeetingRead(
        id=meeting.id,
        group=Ref(id=meeting.group.id, name=meeting.group.name),
        starts_at=meeting.starts_at,
        ends_at=meeting.ends_at,
        location=meeting.location,
        agenda=agenda_with_assignments(meeting),
        minutes=meeting.minutes,
        attendees=[Ref(id=u.id, name=u.name) for u in meeting.attendees],
        organisations=[Ref(id=o.id, name=o.name) for o in meeting.organisations],
        decisions=[schemas.DecisionRead.model_validate(d) for d in meeting.decisions],
        cancelled=meeting.cancelled_at is not None,
        revision=meeting.revision,
        may_edit=policy.can_write_in_group(actor, meeting.group_id),
    )


def agenda_with_assignments(meeting: Meeting) -> list[schemas.AgendaItemRead]:
    """The stored agenda with the group's open assignments from the steering group before
    other business. They are not stored: an assignment stays on every agenda of the group
    until it is answered; a meeting held shows those open when it began and those it
    answered."""
    items = [schemas.AgendaItemRead.model_validate(item) for item in meeting.agenda]
    session = object_session(meeting)
    if session is None:
        return items
    listed = assignments.open_for_group(
        session,
        meeting.group_id,
        at=meeting.starts_at,
        answered_here={d.assignment_id for d in meeting.decisions if d.assignment_id},
    )
    added = [
        schemas.AgendaItemRead(
            kind=schemas.AgendaKind.assignment,
            title=fit_name(f"Uppdrag från {a.from_group.name}: {a.title}"),
            note=f"Mål: {a.goal.title}. Återrapportera senast {day_sv(a.due)}.",
            ref_id=a.id,
        )
        for a in listed
    ]
    end = next(
        (i for i in range(len(items) - 1, -1, -1) if items[i].kind == schemas.AgendaKind.other),
        len(items),
    )
    return items[:end] + added + items[end:]


def _stored(items: list[Any]) -> list[dict[str, Any]]:
    """An agenda as stored: the assignments are added when it is read (see above)."""
    checked = (schemas.AgendaItem.model_validate(i) for i in items)
    kept = [i.model_dump(mode="json") for i in checked if i.kind != schemas.AgendaKind.assignment]
    if len(kept) > schemas.MAX_AGENDA_ITEMS:
        raise Invalid.field(
            "agenda",
            f"Dagordningen får ha högst {schemas.MAX_AGENDA_ITEMS} punkter, utöver "
            "styrgruppens uppdrag.",
            "too_many_items",
        )
    return kept


def _check_times(starts_at: dt.datetime, ends_at: dt.datetime | None) -> None:
    if ends_at is not None and ends_at <= starts_at:
        raise Invalid.field("ends_at", "Mötet slutar innan det börjar.", "period_order")


def create_meeting(
    session: Session, group_id: int, body: schemas.MeetingCreate, *, actor: Actor
) -> Meeting:
    group = _group(session, group_id, actor)
    policy.require_write_in_group(actor, group.id, WRITES)
    _check_times(body.starts_at, body.ends_at)
    agenda = _stored(
        body.agenda
        if body.agenda is not None
        else build_agenda(session, group, body.starts_at, actor)
    )
    meeting = Meeting(
        group_id=group.id,
        starts_at=body.starts_at,
        ends_at=body.ends_at,
        location=body.location,
        agenda=agenda,
        created_by_id=actor.user_id,
    )
    session.add(meeting)
    session.flush()
    return meeting


@stored_text()
def build_agenda(
    session: Session, group: Group, starts_at: dt.datetime, actor: Actor
) -> list[schemas.AgendaItem]:
    """The agenda a meeting starts from: the lägesbild since the group's last meeting, its
    hot spots, the interventions due for follow-up, other business. Its figures are counted
    for the writer (policy.figure_areas), who writes in the group and reads its area."""
    scope = situation.scope_of(session, group, actor)
    tz = localtime.zone(scope.timezone)
    previous = session.scalar(
        select(Meeting.starts_at)
        # The last meeting held: not one planned between now and this one, nor one called off.
        .where(
            Meeting.group_id == group.id,
            Meeting.starts_at < min(starts_at, utcnow()),
            Meeting.cancelled_at.is_(None),
        )
        .order_by(Meeting.starts_at.desc())
        .limit(1)
    )
    last = min(starts_at.astimezone(tz).date(), utcnow().astimezone(tz).date())
    # From the last meeting's day: what was filed that day after it closed is new too.
    since = previous.astimezone(tz).date() if previous else last - dt.timedelta(days=13)
    since = max(since, last - dt.timedelta(days=365))
    figures, _counted = calc.compute(session, scope, since, last)
    count = figures.total.current
    new = f"{count} ny händelse" if count == 1 else f"{count} nya händelser"
    families = ", ".join(f"{f.name.lower()} {f.current}" for f in figures.families[:3])
    counted = {"first_day": since, "last_day": last}
    items = [
        schemas.AgendaItem(
            **counted,
            kind=schemas.AgendaKind.situation,
            title=f"Lägesbild: {new} sedan förra mötet {day_sv(since, year=False)}"
            if previous
            else f"Lägesbild: {new} de senaste {(last - since).days + 1} dagarna",
            note=f"Perioden innan: {figures.total.previous}. Mest: {families}."
            if families
            else f"Perioden innan: {figures.total.previous}.",
        )
    ]
    if figures.hot_spots:
        items.append(
            schemas.AgendaItem(
                **counted,
                kind=schemas.AgendaKind.hot_spots,
                title=f"Heta platser ({len(figures.hot_spots)})",
                note="; ".join(
                    f"{s.place or s.area}: {s.count} ({swedish.TRENDS.get(s.trend, s.trend)})"
                    for s in figures.hot_spots[:AGENDA_HOT_SPOTS]
                )
                # A list that stops before its count says so.
                + (
                    f" (visar {AGENDA_HOT_SPOTS} av {len(figures.hot_spots)})"
                    if len(figures.hot_spots) > AGENDA_HOT_SPOTS
                    else ""
                ),
            )
        )
    # Unusually many of a family in an area in the last whole week of the days (#23).
    from api.analysis import unusual  # SciPy is loaded where used (api.interventions.effect)

    told = unusual.agenda_text(unusual.find(session, scope, since, last))
    if told is not None:
        kind = schemas.AgendaKind.unusual
        items.append(schemas.AgendaItem(**counted, kind=kind, title=told[0], note=told[1]))
    # The evenings in the field and the guard reports of the same days (#19).
    summary = in_field.field_summary(session, scope, since, last)
    if summary is not None and group.kind != GroupKind.steering:
        items.append(
            schemas.AgendaItem(
                **counted,
                kind=schemas.AgendaKind.field,
                title=in_field.TITLE,
                note=in_field.agenda_note(summary),
            )
        )
    # Room for other business at the end, however many interventions are due.
    due = _due(session, group, starts_at.astimezone(tz).date())
    for intervention in due[: schemas.MAX_AGENDA_ITEMS - len(items) - 1]:
        items.append(
            schemas.AgendaItem(
                kind=schemas.AgendaKind.follow_up,
                title=f"Uppföljning: {intervention.title}",
                ref_id=intervention.id,
            )
        )
    # Proposed interventions (a safety walk's findings, #20) wait for the group to decide.
    for intervention in _proposed(session, group)[: schemas.MAX_AGENDA_ITEMS - len(items) - 1]:
        items.append(
            schemas.AgendaItem(
                kind=schemas.AgendaKind.follow_up,
                title=f"Förslag att besluta: {intervention.title}"[:200],
                ref_id=intervention.id,
            )
        )
    for decision, title in open_feedback(session, group)[
        : schemas.MAX_AGENDA_ITEMS - len(items) - 1
    ]:
        by = f" senast {day_sv(decision.feedback_due)}" if decision.feedback_due else ""
        items.append(
            schemas.AgendaItem(
                kind=schemas.AgendaKind.feedback,
                title=f"Återkoppling: {title}{by}",
                note=decision.text,
                ref_id=decision.feedback_intervention_id,
            )
        )
    items.append(schemas.AgendaItem(kind=schemas.AgendaKind.other, title="Övriga frågor"))
    return items


def open_feedback(session: Session, group: Group) -> list[tuple[Decision, str]]:
    """Feedback tasks the group's meetings decided and no feedback has answered since."""
    asked = session.execute(
        select(Decision, Intervention.title)
        .join(Meeting, Meeting.id == Decision.meeting_id)
        .join(Intervention, Intervention.id == Decision.feedback_intervention_id)
        .where(Meeting.group_id == group.id)
        .order_by(Decision.feedback_due.is_(None), Decision.feedback_due, Decision.id)
    ).all()
    open_tasks = []
    for decision, title in asked:
        answered = session.scalar(
            select(Feedback.id)
            .where(
                Feedback.intervention_id == decision.feedback_intervention_id,
                Feedback.created_at >= decision.created_at,
            )
            .limit(1)
        )
        if answered is None:
            open_tasks.append((decision, title))
    return open_tasks


def _proposed(session: Session, group: Group) -> list[Intervention]:
    return list(
        session.scalars(
            select(Intervention)
            .where(
                Intervention.group_id == group.id,
                Intervention.status == InterventionStatus.proposed,
            )
            .order_by(Intervention.created_at, Intervention.id)
        )
    )


def _due(session: Session, group: Group, day: dt.date) -> list[Intervention]:
    """Interventions under way with no follow-up in the last FOLLOW_UP_DAYS."""
    running = session.scalars(
        select(Intervention)
        .where(
            Intervention.group_id == group.id,
            Intervention.status.in_([InterventionStatus.planned, InterventionStatus.ongoing]),
            Intervention.planned_start <= day,
        )
        .order_by(Intervention.planned_start, Intervention.id)
    )
    due = []
    for intervention in running:
        latest = session.scalar(
            select(FollowUp.day)
            .where(FollowUp.intervention_id == intervention.id)
            .order_by(FollowUp.day.desc())
            .limit(1)
        )
        if latest is None or (day - latest).days >= FOLLOW_UP_DAYS:
            due.append(intervention)
    return due


def update_meeting(
    session: Session,
    meeting_id: int,
    body: schemas.MeetingUpdate,
    *,
    if_match: str | None,
    actor: Actor,
) -> Meeting:
    meeting = session.scalar(
        select(Meeting)
        .where(Meeting.id == meeting_id)
        .with_for_update(of=Meeting)
        .execution_options(populate_existing=True)
    )
    if meeting is None:
        raise NotFound(not_found_message("inget möte", meeting_id))
    if not policy.can_read_situation(actor, meeting.group_id):
        raise Hidden(not_found_message("inget möte", meeting_id))
    policy.require_write_in_group(actor, meeting.group_id, WRITES)
    check_if_match(meeting_etag(meeting), if_match, what="mötet", required=True)
    changes = body.model_dump(exclude_unset=True)
    _check_times(
        changes.get("starts_at", meeting.starts_at), changes.get("ends_at", meeting.ends_at)
    )
    errors: list[FieldError] = []
    if "attendee_ids" in changes:
        ids = list(dict.fromkeys(changes.pop("attendee_ids")))
        people = (
            list(
                session.scalars(
                    select(User)
                    .join(Membership, Membership.user_id == User.id)
                    .where(User.id.in_(ids), Membership.group_id == meeting.group_id)
                    .order_by(User.name)
                )
            )
            if ids
            else []
        )
        if len(people) != len(ids):
            errors.append(
                FieldError(
                    "attendee_ids",
                    "Närvarande personer väljs bland gruppens medlemmar; andra antecknas "
                    "med sin organisation.",
                    "unknown_id",
                )
            )
        meeting.attendees = people
    if "organisation_ids" in changes:
        named = structure_service.organisations_named(
            session, changes.pop("organisation_ids"), meeting.group.municipality_id
        )
        if named is None:
            errors.append(
                FieldError("organisation_ids", "Det finns ingen sådan organisation.", "unknown_id")
            )
        else:
            meeting.organisations = named
    if errors:
        raise Invalid(errors[0].message, errors=errors)
    if "agenda" in changes:
        changes["agenda"] = _stored(changes["agenda"])
    if changes.pop("rebuild_agenda", False):
        changes["agenda"] = _rebuilt(session, meeting, changes.get("starts_at"), actor)
    if "cancelled" in changes:
        cancel = changes.pop("cancelled")
        if cancel != (meeting.cancelled_at is not None):
            meeting.cancelled_at = utcnow() if cancel else None
    for field, value in changes.items():
        setattr(meeting, field, value)
    if body.model_fields_set:
        meeting.revision += 1
    session.flush()
    return meeting


def _rebuilt(
    session: Session, meeting: Meeting, starts_at: dt.datetime | None, actor: Actor
) -> list[dict[str, Any]]:
    """The agenda built anew, with the items added by hand (and other business) after it."""
    built = build_agenda(session, meeting.group, starts_at or meeting.starts_at, actor)
    made = [i.model_dump(mode="json") for i in built if i.kind != schemas.AgendaKind.other]
    by_hand = [i for i in meeting.agenda if i.get("kind") == schemas.AgendaKind.other]
    if not any(i.get("kind") == schemas.AgendaKind.other for i in by_hand):
        by_hand.append(
            schemas.AgendaItem(kind=schemas.AgendaKind.other, title="Övriga frågor").model_dump(
                mode="json"
            )
        )
    return (made + by_hand)[: schemas.MAX_AGENDA_ITEMS]


def add_decision(
    session: Session, meeting_id: int, body: schemas.DecisionCreate, *, actor: Actor
) -> Decision:
    """A decision, and the intervention it creates, in one transaction."""
    meeting = get_meeting(session, meeting_id, actor=actor)
    policy.require_write_in_group(actor, meeting.group_id, WRITES)
    if body.feedback_due is not None:
        # Feedback decided at a meeting is due on or after the meeting's own day.
        zone = structure_service.municipality_zone_name(session, meeting.group.municipality_id)
        held = meeting.starts_at.astimezone(localtime.zone(zone)).date()
        dates.check_day_within(
            held, body.feedback_due, "feedback_due", "Återkopplingen", since="mötet"
        )
    intervention_id = None
    if body.intervention is not None:
        try:
            intervention = intervention_service.create_intervention(
                session, body.intervention, group_id=meeting.group_id, actor=actor
            )
        except Invalid as exc:
            # Said where it sits in this body: under "intervention".
            errors = [
                FieldError(f"intervention.{e.field}", e.message, e.code, e.location)
                for e in exc.errors
            ]
            raise Invalid(exc.detail, errors=errors, code=exc.code) from exc
        intervention_id = intervention.id
    if body.answers_assignment is not None:
        answered = session.get(Assignment, body.answers_assignment)
        if answered is None or answered.to_group_id != meeting.group_id:
            raise Invalid.field(
                "answers_assignment", "Gruppen har inget sådant uppdrag.", "unknown_id"
            )
        try:
            assignments.answer(
                session,
                answered.id,
                AssignmentAnswer(
                    text=body.text,
                    intervention_ids=[intervention_id] if intervention_id else [],
                ),
                actor=actor,
                replace=False,
            )
        except Invalid as exc:
            raise Invalid.field("answers_assignment", exc.detail, exc.code) from exc
    if body.feedback_for is not None:
        about = session.get(Intervention, body.feedback_for)
        if about is None or about.group_id != meeting.group_id:
            raise Invalid.field(
                "feedback_for", "Gruppen har ingen sådan insats att återkoppla om.", "unknown_id"
            )
    decision = Decision(
        meeting_id=meeting.id,
        text=body.text,
        intervention_id=intervention_id,
        feedback_intervention_id=body.feedback_for,
        feedback_due=body.feedback_due,
        assignment_id=body.answers_assignment,
        created_by_id=actor.user_id,
    )
    session.add(decision)
    session.flush()
    return decision


def decided_at(session: Session, intervention_id: int) -> DecidedAt | None:
    """The meeting decision that created the intervention, for its read (the slot
    api.interventions.slots.decided_at)."""
    found = session.execute(
        select(Decision.meeting_id, Meeting.starts_at, Decision.text)
        .join(Meeting, Meeting.id == Decision.meeting_id)
        .where(Decision.intervention_id == intervention_id)
        .limit(1)
    ).first()
    if found is None:
        return None
    return DecidedAt(meeting_id=found[0], starts_at=found[1], decision=found[2])


def next_meeting(session: Session, group_id: int, *, actor: Actor) -> schemas.NextMeeting:
    group = _group(session, group_id, actor)
    weeks = group.cadence_weeks or DEFAULT_WEEKS
    tz = localtime.zone(structure_service.municipality_zone_name(session, group.municipality_id))
    now = utcnow()
    latest = session.scalar(
        select(Meeting.starts_at)
        .where(Meeting.group_id == group.id, Meeting.cancelled_at.is_(None))
        .order_by(Meeting.starts_at.desc())
        .limit(1)
    )
    if latest is None:
        # Next week, Tuesday at 13:00 local time: a time to move, not a decision.
        today = structure_service.municipality_today(session, group.municipality_id)
        day = today + dt.timedelta(days=(1 - today.weekday()) % 7 or 7)
        return schemas.NextMeeting(
            starts_at=dt.datetime.combine(day, dt.time(13), tzinfo=tz),
            cadence_weeks=group.cadence_weeks,
        )
    local = latest.astimezone(tz)
    suggested = local
    # After the latest meeting, held or planned, and not in the past.
    while suggested <= now or suggested == local:
        # Same weekday and local hour, whatever the clocks did in between.
        suggested = dt.datetime.combine(
            suggested.date() + dt.timedelta(weeks=weeks),
            local.timetz().replace(tzinfo=None),
            tzinfo=tz,
        )
    return schemas.NextMeeting(starts_at=suggested, cadence_weeks=group.cadence_weeks)


def _ics_text(value: str) -> str:
    return value.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\n", "\\n")


def _fold(line: str) -> list[str]:
    """RFC 5545 lines of at most 75 octets, continued with a space."""
    out: list[str] = []
    current = ""
    for char in line:
        if len((current + char).encode()) > (75 if not out else 74):
            out.append(current)
            current = char
        else:
            current += char
    out.append(current)
    return [out[0], *(" " + part for part in out[1:])]


def calendar(session: Session, group_id: int, *, actor: Actor) -> str:
    """The group's upcoming meetings as iCalendar (RFC 5545), for any calendar program."""
    group = _group(session, group_id, actor)
    stamp = utcnow().strftime("%Y%m%dT%H%M%SZ")
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//EST Lägesbild//Möten//SV",
        "CALSCALE:GREGORIAN",
        f"X-WR-CALNAME:{_ics_text(group.name)}",
    ]
    for meeting in list_meetings(session, group_id, upcoming=True, actor=actor):
        end = meeting.ends_at or meeting.starts_at + dt.timedelta(hours=2)
        lines += [
            "BEGIN:VEVENT",
            # The same whichever address it was fetched from, so that a calendar that
            # subscribes twice, or through a proxy, updates one event.
            f"UID:est-meeting-{meeting.id}-{group.municipality_id}@est-lagesbild",
            f"DTSTAMP:{stamp}",
            f"DTSTART:{meeting.starts_at.astimezone(dt.UTC):%Y%m%dT%H%M%SZ}",
            f"DTEND:{end.astimezone(dt.UTC):%Y%m%dT%H%M%SZ}",
            f"SUMMARY:{_ics_text(group.name)}",
            f"SEQUENCE:{meeting.revision}",
            f"STATUS:{'CANCELLED' if meeting.cancelled_at else 'CONFIRMED'}",
        ]
        if meeting.location:
            lines.append(f"LOCATION:{_ics_text(meeting.location)}")
        lines.append("END:VEVENT")
    lines.append("END:VCALENDAR")
    return "".join(part + "\r\n" for line in lines for part in _fold(line))
