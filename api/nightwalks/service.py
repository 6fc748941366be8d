"""An association's night walks on an evening: booked with at least three walkers of whom
one is a trained host, changed or cancelled, and reported after (what was seen becomes
observations of the association's report, filed once).

Who reads a walk: those who read its evening (api.evenings.access), and those who manage the
association's walks (policy.can_manage_walks), who also book, change and report them."""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any

from sqlalchemy import Select, and_, false, func, or_, select
from sqlalchemy.orm import Session

from api import localtime
from api.access import policy
from api.actor import Actor
from api.errors import Conflict, FieldError, Hidden, Invalid, NotFound
from api.evenings.access import is_on_shift
from api.evenings.models import Evening, Shift
from api.incidents import service as incident_service
from api.incidents.models import Incident
from api.incidents.schemas import IncidentCreate, Precision, ReportCreate
from api.localtime import STOCKHOLM, utcnow
from api.nightwalks import hosts as host_register
from api.nightwalks import schemas
from api.nightwalks.models import Host, NightWalk
from api.pagination import PageResult, paginate
from api.records import not_found_message
from api.schemas_common import Ref
from api.structure import service as structure_service
from api.structure.models import Organisation
from api.swedish import day_sv

NONE_SUCH = "ingen nattvandring"
# How far a walk may lie outside its evening: it may start a little before (the briefing is
# before the evening), and run on into the night after it.
BEFORE_EVENING = dt.timedelta(hours=3)
AFTER_EVENING = dt.timedelta(hours=6)
LONGEST = dt.timedelta(hours=12)
# A phone's clock may run a little ahead.
FUTURE_TOLERANCE = dt.timedelta(minutes=10)
# The evenings offered for booking: from this long ago (a walk entered afterwards) ahead.
BOOKABLE_BACK = dt.timedelta(days=14)
BOOKABLE_AHEAD = dt.timedelta(days=90)

TOO_FEW = "En nattvandring behöver minst tre vandrare."
NO_HOST = (
    "Minst en av dem ska vara utbildad vandravärd: en aktiv vandravärd i föreningen, "
    "utbildad senast dagen för vandringen."
)


def local_day(moment: dt.datetime) -> dt.date:
    return moment.astimezone(STOCKHOLM).date()


def _hhmm(moment: dt.datetime) -> str:
    return f"{moment.astimezone(STOCKHOLM):%H:%M}"


def _when(moment: dt.datetime) -> str:
    return f"{day_sv(local_day(moment))} {_hhmm(moment)}"


# Reading ------------------------------------------------------------------------------------


def _reads_evening(session: Session, evening: Evening, actor: Actor) -> bool:
    shift = is_on_shift(session, evening.id, actor)
    return policy.can_read_evening(actor, area_id=evening.area_id, shift=shift)


def _evening(session: Session, walk: NightWalk) -> Evening:
    evening = session.get(Evening, walk.evening_id)
    assert evening is not None
    return evening


def get_walk(session: Session, walk_id: int, *, actor: Actor, lock: bool = False) -> NightWalk:
    """The walk, if the caller reads it (else 404 as if there were none); ``lock``: held
    until the transaction ends, so that two reports sent at once file their observations
    once."""
    stmt = select(NightWalk).where(NightWalk.id == walk_id)
    if lock:
        stmt = stmt.with_for_update(of=NightWalk).execution_options(populate_existing=True)
    walk = session.scalar(stmt)
    if walk is None:
        raise NotFound(not_found_message(NONE_SUCH, walk_id))
    if not (
        policy.can_manage_walks(actor, walk.organisation_id)
        or _reads_evening(session, _evening(session, walk), actor)
    ):
        raise Hidden(not_found_message(NONE_SUCH, walk_id))
    return walk


def _scoped(stmt: Select[Any], actor: Actor) -> Select[Any]:
    """The walks the actor reads, as a condition: those of the evenings they read (their
    areas' evenings, the evenings they are on shift) and their own association's."""
    if policy.reads_whole_municipality(actor):
        return stmt
    areas = policy.readable_area_ids(actor) or frozenset()
    conditions: list[Any] = [Evening.area_id.in_(areas)] if areas else []
    if actor.kind == "user":
        holders = select(Shift.evening_id).where(
            or_(
                Shift.user_id == actor.user_id,
                and_(
                    Shift.user_id.is_(None),
                    Shift.organisation_id == (actor.organisation_id or 0),
                ),
            )
        )
        conditions.append(NightWalk.evening_id.in_(holders))
    if actor.organisation_id is not None and policy.can_manage_walks(actor, actor.organisation_id):
        conditions.append(NightWalk.organisation_id == actor.organisation_id)
    return stmt.where(or_(*conditions) if conditions else false())


def list_walks(
    session: Session, query: schemas.NightWalkFilter, *, actor: Actor
) -> PageResult[NightWalk]:
    stmt = select(NightWalk).join(Evening, Evening.id == NightWalk.evening_id)
    if query.evening is not None:
        stmt = stmt.where(NightWalk.evening_id == query.evening)
    if query.association is not None:
        stmt = stmt.where(NightWalk.organisation_id == query.association)
    tz = structure_service.acting_zone(session, actor)
    if query.from_ is not None:
        stmt = stmt.where(NightWalk.starts_at >= localtime.midnight(query.from_, tz))
    if query.to is not None:
        next_day = localtime.midnight(query.to + dt.timedelta(days=1), tz)
        stmt = stmt.where(NightWalk.starts_at < next_day)
    return paginate(session, _scoped(stmt, actor), NightWalk.id, query, descending=True)


def hours_of(walk: NightWalk) -> float:
    return (walk.ends_at - walk.starts_at).total_seconds() / 3600


def read(session: Session, walk: NightWalk, *, actor: Actor) -> schemas.NightWalkRead:
    evening = _evening(session, walk)
    manages = policy.can_manage_walks(actor, walk.organisation_id)
    observations = (
        session.scalar(select(func.count(Incident.id)).where(Incident.report_id == walk.report_id))
        or 0
        if walk.report_id is not None
        else 0
    )
    hours = hours_of(walk)
    return schemas.NightWalkRead(
        id=walk.id,
        evening=evening_ref(evening),
        organisation=Ref(id=walk.organisation.id, name=walk.organisation.name),
        walkers=walk.walkers,
        host_count=len(walk.hosts),
        hosts=[schemas.HostRef(id=h.id, name=h.name, trained_on=h.trained_on) for h in walk.hosts]
        if manages
        else [],
        starts_at=walk.starts_at,
        ends_at=walk.ends_at,
        route=walk.route,
        cancelled=walk.cancelled_at is not None,
        reported=walk.reported_at is not None,
        reported_at=walk.reported_at,
        report=walk.report,
        report_id=walk.report_id,
        observations=observations,
        hours=round(hours, 2),
        person_hours=round(hours * walk.walkers, 2),
        may_manage=manages,
    )


def evening_ref(evening: Evening) -> schemas.EveningRef:
    return schemas.EveningRef(
        id=evening.id,
        kind=evening.kind,
        title=evening.title,
        starts_at=evening.starts_at,
        ends_at=evening.ends_at,
        area=Ref(id=evening.area.id, name=evening.area.name) if evening.area else None,
    )


def booking(session: Session, *, actor: Actor) -> schemas.WalkBooking:
    """What the caller may book: the associations whose walks they manage, each with its
    hosts, and the evenings from a fortnight ago (a walk entered afterwards) to three months
    ahead. Those who book for an association see every evening (they do not read the
    evenings' briefings); others only those they read."""
    associations = [
        o
        for o in session.scalars(
            select(Organisation)
            .where(Organisation.kind == "association", Organisation.active.is_(True))
            .order_by(Organisation.name, Organisation.id)
        )
        if policy.can_manage_walks(actor, o.id)
    ]
    now = utcnow()
    evenings = session.scalars(
        select(Evening)
        .where(Evening.ends_at >= now - BOOKABLE_BACK, Evening.starts_at <= now + BOOKABLE_AHEAD)
        .order_by(Evening.starts_at, Evening.id)
    )
    return schemas.WalkBooking(
        associations=[
            schemas.BookingAssociation(
                id=o.id,
                name=o.name,
                hosts=[
                    schemas.HostRead.model_validate(h)
                    for h in host_register.active_hosts(session, o.id, actor=actor)
                ],
            )
            for o in associations
        ],
        evenings=[
            evening_ref(e) for e in evenings if associations or _reads_evening(session, e, actor)
        ],
        may_read_grants=policy.can_read_walk_grants(actor, None)
        or policy.can_read_walk_grants(actor, actor.organisation_id),
    )


# Writing ------------------------------------------------------------------------------------


def _check(
    evening: Evening,
    *,
    walkers: int,
    hosts: list[Host] | None,
    starts_at: dt.datetime,
    ends_at: dt.datetime,
    fields: tuple[str, str] = ("starts_at", "ends_at"),
) -> None:
    """The rules of a walk, each refusal beside its field: at least three walkers, one of
    them a trained host of the association (``hosts`` None: one named is not of it), no more
    hosts than walkers, and times in or near the evening."""
    errors: list[FieldError] = []
    start_field, end_field = fields
    if walkers < schemas.MIN_WALKERS:
        errors.append(FieldError("walkers", TOO_FEW, "too_few_walkers"))
    if hosts is None:
        errors.append(
            FieldError(
                "host_ids",
                "Vandravärdarna väljs bland föreningens egna vandravärdar.",
                "unknown_id",
            )
        )
    elif not any(host_register.qualifies(h, local_day(starts_at)) for h in hosts):
        errors.append(FieldError("host_ids", NO_HOST, "no_trained_host"))
    elif len(hosts) > walkers and walkers >= schemas.MIN_WALKERS:
        errors.append(
            FieldError(
                "host_ids",
                f"Fler vandravärdar ({len(hosts)}) än vandrare ({walkers}): vandravärdarna "
                "räknas bland vandrarna.",
                "more_hosts_than_walkers",
            )
        )
    if ends_at <= starts_at:
        errors.append(FieldError(end_field, "Vandringen slutar innan den börjar.", "period_order"))
    elif ends_at - starts_at > LONGEST:
        errors.append(FieldError(end_field, "En nattvandring är högst 12 timmar.", "too_long"))
    if not (
        evening.starts_at - BEFORE_EVENING <= starts_at <= evening.ends_at
        and ends_at <= evening.ends_at + AFTER_EVENING
    ):
        errors.append(
            FieldError(
                start_field,
                f"Vandringen ska ligga på kvällen: {_when(evening.starts_at)}–"
                f"{_hhmm(evening.ends_at)}.",
                "outside_evening",
            )
        )
    if errors:
        raise Invalid(errors[0].message, errors=errors, code=errors[0].code)


def book(session: Session, body: schemas.NightWalkCreate, *, actor: Actor) -> NightWalk:
    organisation = host_register.association(session, body.organisation_id, field="organisation_id")
    host_register.require_manage(actor, organisation.id, "bokar föreningens nattvandringar")
    evening = session.get(Evening, body.evening_id)
    if evening is None or evening.municipality_id != organisation.municipality_id:
        raise Invalid.field(
            "evening_id", not_found_message("ingen kväll", body.evening_id), "unknown_id"
        )
    hosts = host_register.hosts_named(session, organisation.id, body.host_ids)
    _check(
        evening,
        walkers=body.walkers,
        hosts=hosts,
        starts_at=body.starts_at,
        ends_at=body.ends_at,
    )
    walk = NightWalk(
        evening_id=evening.id,
        organisation_id=organisation.id,
        walkers=body.walkers,
        starts_at=body.starts_at,
        ends_at=body.ends_at,
        route=body.route,
        created_by_id=actor.user_id,
        hosts=hosts or [],
    )
    session.add(walk)
    session.flush()
    return walk


def _managed(session: Session, walk_id: int, actor: Actor, does: str) -> NightWalk:
    walk = get_walk(session, walk_id, actor=actor, lock=True)
    host_register.require_manage(actor, walk.organisation_id, does)
    return walk


def update(
    session: Session, walk_id: int, body: schemas.NightWalkUpdate, *, actor: Actor
) -> NightWalk:
    walk = _managed(session, walk_id, actor, "ändrar föreningens nattvandringar")
    changes = body.model_dump(exclude_unset=True)
    if "cancelled" in changes:
        cancel = changes.pop("cancelled")
        if cancel != (walk.cancelled_at is not None):
            if cancel and walk.reported_at is not None:
                raise Conflict("Vandringen är redan rapporterad och kan inte ställas in.")
            walk.cancelled_at = utcnow() if cancel else None
    hosts: list[Host] | None = walk.hosts
    if "host_ids" in changes:
        hosts = host_register.hosts_named(session, walk.organisation_id, changes.pop("host_ids"))
    if changes or body.host_ids is not None:
        _check(
            _evening(session, walk),
            walkers=changes.get("walkers", walk.walkers),
            hosts=hosts,
            starts_at=changes.get("starts_at", walk.starts_at),
            ends_at=changes.get("ends_at", walk.ends_at),
        )
        walk.hosts = list(hosts or [])
    for field, value in changes.items():
        setattr(walk, field, value)
    session.flush()
    return walk


def report(
    session: Session, walk_id: int, body: schemas.NightWalkReport, *, actor: Actor
) -> NightWalk:
    """The report after the walk: its real times and walkers replace the planned ones (the
    hours walked count from them), its text replaces any before it; its observations are
    filed as the association's report the first time a report carries any, and never again
    (a report sent twice, from a phone on a bad connection, files nothing twice)."""
    walk = _managed(session, walk_id, actor, "rapporterar föreningens nattvandringar")
    if walk.cancelled_at is not None:
        raise Conflict("Vandringen är inställd: en inställd vandring rapporteras inte.")
    if body.ended_at > utcnow() + FUTURE_TOLERANCE:
        raise Invalid.field(
            "ended_at", "Rapporten lämnas efter vandringen: sluttiden har inte varit än.", "future"
        )
    _check(
        _evening(session, walk),
        walkers=body.walkers,
        hosts=walk.hosts,
        starts_at=body.started_at,
        ends_at=body.ended_at,
        fields=("started_at", "ended_at"),
    )
    if walk.report_id is None and body.observations:
        walk.report_id = _file(session, walk, body.observations, actor).id
    walk.starts_at = body.started_at
    walk.ends_at = body.ended_at
    walk.walkers = body.walkers
    walk.report = body.seen
    walk.reported_at = utcnow()
    session.flush()
    return walk


# The fields of an observation as the incidents service names them.
_FIELDS = {"occurred_from": "at", "description": "text"}


def _file(
    session: Session, walk: NightWalk, observations: list[schemas.Observation], actor: Actor
) -> Any:
    """The observations as one report of the association, through the incidents service.
    The walk's rule (can_manage_walks, asked before) says who reports it; the report is the
    association's, filed by the caller."""
    # Checked already, as an observation: the same fields under other names.
    incidents = [
        IncidentCreate.model_construct(
            category=o.category,
            occurred_from=o.at,
            precision=Precision.exact,
            area_id=o.area_id,
            place_id=o.place_id,
            position=o.position,
            assessment=o.assessment,
            description=o.text or None,
        )
        for o in observations
    ]
    filer = dataclasses.replace(actor, organisation_id=walk.organisation_id)
    try:
        return incident_service.create_report(
            session,
            ReportCreate.model_construct(organisation_id=walk.organisation_id, incidents=incidents),
            actor=filer,
            source="api",
        )
    except Invalid as exc:
        errors = []
        for e in exc.errors:
            _, index, name = (
                e.field.split(".", 2) if e.field.count(".") >= 2 else ("", "0", e.field)
            )
            errors.append(
                FieldError(f"observations.{index}.{_FIELDS.get(name, name)}", e.message, e.code)
            )
        raise Invalid(exc.detail, errors=errors, code=exc.code) from exc
