"""Evenings in the field, their briefing and shifts: planned by the coordination group and
the area group of the evening's area (policy.can_plan_evening), read by those who read its
area and those on shift (policy.can_read_evening, through api.evenings.access).

Times are stored in UTC; an evening's day, its default hours (18:00–01:00) and the hours of
past evenings like it are reckoned in the municipality's own zone."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from sqlalchemy import ColumnElement, and_, exists, false, or_, select
from sqlalchemy.orm import Session, selectinload

from api import localtime
from api.access import policy
from api.accounts.models import User
from api.actor import Actor
from api.errors import FieldError, Invalid, PreconditionFailed
from api.evenings import access
from api.evenings import schemas as s
from api.evenings.models import Evening, Shift
from api.localtime import utcnow
from api.pagination import PageResult, decode_cursor, encode_cursor
from api.schemas_common import ListQuery, Ref
from api.structure import service as structure_service
from api.structure.models import Area, Municipality, Organisation, Place

DEFAULT_START = dt.time(18, 0)
DEFAULT_END = dt.time(1, 0)  # the next day
FRIDAY, SATURDAY = 4, 5


# Reading ------------------------------------------------------------------------------------


def _zone_of(session: Session, municipality_id: int) -> Any:
    return localtime.zone(structure_service.municipality_zone_name(session, municipality_id))


def evening_etag(evening: Evening) -> str:
    stamp = evening.updated_at.astimezone(dt.UTC)
    return f'"{evening.id}-{int(stamp.timestamp() * 1_000_000)}"'


def _on_shift(evening: Evening, actor: Actor) -> bool:
    return policy.on_shift(
        actor, (policy.ShiftHolder(x.organisation_id, x.user_id) for x in evening.shifts)
    )


def _ref(record: Any) -> Ref | None:
    return Ref(id=record.id, name=record.name) if record is not None else None


def read(session: Session, evening: Evening, *, actor: Actor) -> s.EveningRead:
    tz = _zone_of(session, evening.municipality_id)
    shift = _on_shift(evening, actor)
    shifts = [
        s.ShiftRead(
            id=x.id,
            organisation=Ref(id=x.organisation.id, name=x.organisation.name),
            person=_ref(session.get(User, x.user_id)) if x.user_id else None,
            area=_ref(session.get(Area, x.area_id)) if x.area_id else None,
            location=x.location,
            starts_at=x.starts_at,
            ends_at=x.ends_at,
            people=x.people,
        )
        for x in evening.shifts
    ]
    return s.EveningRead(
        id=evening.id,
        day=evening.starts_at.astimezone(tz).date(),
        area=_ref(evening.area),
        kind=s.EveningKind(evening.kind),
        title=evening.title,
        starts_at=evening.starts_at,
        ends_at=evening.ends_at,
        briefing_at=evening.briefing_at,
        briefing_place=evening.briefing_place,
        notes=evening.notes,
        watch=[s.WatchPlaceRead.model_validate(w) for w in evening.watch or []],
        shifts=shifts,
        closed_at=evening.closed_at,
        created_at=evening.created_at,
        updated_at=evening.updated_at,
        may_plan=policy.can_plan_evening(actor, area_id=evening.area_id),
        may_post=policy.can_post_in_log(actor, area_id=evening.area_id, shift=shift),
        on_shift=shift,
        log_open=access.log_open(evening),
    )


def get_evening(session: Session, evening_id: int, *, actor: Actor) -> Evening:
    return access.evening_for(session, evening_id, actor)


def _readable(actor: Actor) -> ColumnElement[bool] | None:
    """The evenings ``actor`` reads, as a condition (policy.can_read_evening): those of the
    areas they read (all for those who read the whole municipality), and those they are on
    shift on. None: every evening."""
    areas = policy.readable_area_ids(actor)
    if areas is None:
        return None
    conditions: list[ColumnElement[bool]] = []
    if areas:
        conditions.append(Evening.area_id.in_(areas))
    if actor.kind == "user":
        holder = Shift.user_id == actor.user_id
        if actor.organisation_id is not None:
            holder = or_(
                holder,
                and_(Shift.user_id.is_(None), Shift.organisation_id == actor.organisation_id),
            )
        conditions.append(exists().where(Shift.evening_id == Evening.id, holder))
    return or_(*conditions) if conditions else false()


def _cursor_key(evening: Evening) -> str:
    return f"{evening.starts_at.astimezone(dt.UTC).isoformat()}|{evening.id}"


def _after(cursor: str, descending: bool) -> ColumnElement[bool]:
    key = str(decode_cursor(cursor, str))
    try:
        moment, ident = key.rsplit("|", 1)
        starts, after_id = dt.datetime.fromisoformat(moment), int(ident)
        if starts.tzinfo is None:
            raise ValueError(key)
    except ValueError:
        raise Invalid(
            "Ogiltig cursor. Använd länken i next från föregående sida.",
            errors=[FieldError("cursor", "Ogiltig cursor.", "invalid_cursor", "query")],
            code="invalid_cursor",
        ) from None
    if descending:
        return or_(
            Evening.starts_at < starts, and_(Evening.starts_at == starts, Evening.id < after_id)
        )
    return or_(Evening.starts_at > starts, and_(Evening.starts_at == starts, Evening.id > after_id))


def list_evenings(
    session: Session,
    query: ListQuery,
    *,
    first: dt.date | None,
    last: dt.date | None,
    area_id: int | None,
    when: s.EveningWhen | None,
    actor: Actor,
) -> PageResult[Evening]:
    """The evenings the caller reads: of a period (its local days, in time order), or the
    upcoming ones (the next first), the past ones or all (the latest first)."""
    if first is not None and last is not None and last < first:
        raise Invalid(
            "Sista dagen ligger före den första.",
            errors=[
                FieldError("to", "Sista dagen ligger före den första.", "period_order", "query")
            ],
            code="period_order",
        )
    stmt = select(Evening).options(selectinload(Evening.shifts))
    readable = _readable(actor)
    if readable is not None:
        stmt = stmt.where(readable)
    if area_id is not None:
        stmt = stmt.where(Evening.area_id == area_id)
    tz = structure_service.acting_zone(session, actor)
    if first is not None:
        stmt = stmt.where(Evening.starts_at >= localtime.midnight(first, tz))
    if last is not None:
        stmt = stmt.where(Evening.starts_at < localtime.midnight(last + dt.timedelta(days=1), tz))
    period = first is not None or last is not None
    when = when or ("all" if period else "upcoming")
    now = utcnow()
    if when == "upcoming":
        stmt = stmt.where(Evening.ends_at > now)
    elif when == "past":
        stmt = stmt.where(Evening.ends_at <= now)
    descending = when != "upcoming" and not period
    if query.cursor is not None:
        stmt = stmt.where(_after(query.cursor, descending))
    order = (
        (Evening.starts_at.desc(), Evening.id.desc())
        if descending
        else (Evening.starts_at, Evening.id)
    )
    rows = list(session.scalars(stmt.order_by(*order).limit(query.limit + 1)))
    if len(rows) > query.limit:
        rows = rows[: query.limit]
        return PageResult(rows, encode_cursor(_cursor_key(rows[-1])))
    return PageResult(rows, None)


# Writing ------------------------------------------------------------------------------------


def _area(session: Session, area_id: int | None, field: str) -> Area | None:
    if area_id is None:
        return None
    area = session.get(Area, area_id)
    if area is None:
        raise Invalid.field(field, "Det finns inget sådant område.", "unknown_id")
    return area


def _municipality_id(session: Session, area: Area | None, actor: Actor) -> int:
    """Where an evening is: its area's municipality, or the one the caller acts in (#21),
    or the caller's organisation's."""
    if area is not None:
        return area.municipality_id
    if actor.municipality_id is not None:
        return actor.municipality_id
    if actor.organisation_id is not None:
        organisation = session.get(Organisation, actor.organisation_id)
        if organisation is not None:
            return organisation.municipality_id
    found = session.scalar(select(Municipality.id).order_by(Municipality.id).limit(1))
    if found is None:
        raise Invalid("Det finns ingen kommun att planera kvällen i.")
    return found


def _default_times(
    day: dt.date | None, starts_at: dt.datetime | None, ends_at: dt.datetime | None, tz: Any
) -> tuple[dt.datetime, dt.datetime]:
    """18:00–01:00 local time on ``day``; from ``starts_at``, until 01:00 the night after."""
    if starts_at is None:
        if day is None:
            raise Invalid.field(
                "day", "Ange kvällens dag, eller när den börjar och slutar.", "no_day"
            )
        starts_at = dt.datetime.combine(day, DEFAULT_START, tzinfo=tz).astimezone(dt.UTC)
    if ends_at is None:
        local = starts_at.astimezone(tz)
        night = local.date() + dt.timedelta(days=1) if local.hour >= 12 else local.date()
        ends_at = dt.datetime.combine(night, DEFAULT_END, tzinfo=tz).astimezone(dt.UTC)
        if ends_at <= starts_at:
            ends_at = starts_at + dt.timedelta(hours=7)
    return starts_at, ends_at


def _check_times(starts_at: dt.datetime, ends_at: dt.datetime) -> None:
    if ends_at <= starts_at:
        raise Invalid.field("ends_at", "Kvällen slutar innan den börjar.", "period_order")
    if ends_at - starts_at > s.MAX_EVENING:
        raise Invalid.field("ends_at", "En kväll är högst ett dygn lång.", "period_too_long")


def _watch(session: Session, items: Sequence[s.WatchPlace]) -> list[dict[str, Any]]:
    errors = []
    stored = []
    for index, item in enumerate(items):
        if item.place_id is not None and session.get(Place, item.place_id) is None:
            errors.append(
                FieldError(f"watch.{index}.place_id", "Det finns ingen sådan plats.", "unknown_id")
            )
        if (item.lat is None) != (item.lon is None):
            errors.append(
                FieldError(f"watch.{index}.lat", "Ange både latitud och longitud.", "incomplete")
            )
        stored.append(item.model_dump(mode="json"))
    if errors:
        raise Invalid(errors[0].message, errors=errors)
    return stored


def _shifts(
    session: Session,
    items: Sequence[s.ShiftIn],
    *,
    municipality_id: int,
    starts_at: dt.datetime,
    ends_at: dt.datetime,
) -> list[Shift]:
    """The shifts as sent, checked; without times, the evening's."""
    errors: list[FieldError] = []
    made = []
    for index, item in enumerate(items):
        at = f"shifts.{index}"
        organisation = session.get(Organisation, item.organisation_id)
        if (
            organisation is None
            or organisation.municipality_id != municipality_id
            or organisation.residents
        ):
            errors.append(
                FieldError(
                    f"{at}.organisation_id", "Det finns ingen sådan organisation.", "unknown_id"
                )
            )
        if item.user_id is not None:
            user = session.get(User, item.user_id)
            if user is None:
                errors.append(
                    FieldError(f"{at}.user_id", "Det finns ingen sådan person.", "unknown_id")
                )
            elif user.organisation_id != item.organisation_id:
                errors.append(
                    FieldError(
                        f"{at}.user_id",
                        "Personen på passet hör till en annan organisation.",
                        "other_organisation",
                    )
                )
        if item.area_id is not None and session.get(Area, item.area_id) is None:
            errors.append(
                FieldError(f"{at}.area_id", "Det finns inget sådant område.", "unknown_id")
            )
        begins = item.starts_at or starts_at
        ends = item.ends_at or ends_at
        if ends <= begins:
            errors.append(
                FieldError(f"{at}.ends_at", "Passet slutar innan det börjar.", "period_order")
            )
        elif ends - begins > s.MAX_EVENING:
            errors.append(
                FieldError(f"{at}.ends_at", "Ett pass är högst ett dygn långt.", "period_too_long")
            )
        made.append(
            Shift(
                organisation_id=item.organisation_id,
                user_id=item.user_id,
                area_id=item.area_id,
                location=item.location,
                starts_at=begins,
                ends_at=ends,
                people=item.people,
            )
        )
    if errors:
        raise Invalid(errors[0].message, errors=errors)
    return made


def create_evening(session: Session, body: s.EveningCreate, *, actor: Actor) -> Evening:
    area = _area(session, body.area_id, "area_id")
    municipality_id = _municipality_id(session, area, actor)
    tz = _zone_of(session, municipality_id)
    starts_at, ends_at = _default_times(body.day, body.starts_at, body.ends_at, tz)
    _check_times(starts_at, ends_at)
    policy.require_plan_evening(actor, area_id=body.area_id)
    evening = Evening(
        municipality_id=municipality_id,
        area_id=body.area_id,
        kind=body.kind.value,
        title=body.title,
        starts_at=starts_at,
        ends_at=ends_at,
        briefing_at=body.briefing_at,
        briefing_place=body.briefing_place,
        notes=body.notes,
        watch=_watch(session, body.watch),
        created_by_id=actor.user_id,
    )
    evening.shifts = _shifts(
        session, body.shifts, municipality_id=municipality_id, starts_at=starts_at, ends_at=ends_at
    )
    session.add(evening)
    session.flush()
    return evening


def update_evening(
    session: Session,
    evening_id: int,
    body: s.EveningUpdate,
    *,
    if_match: str | None,
    actor: Actor,
) -> Evening:
    evening = access.evening_for(session, evening_id, actor, to="plan")
    _check_etag(evening, if_match)
    changes = body.model_dump(exclude_unset=True)
    if "area_id" in changes and changes["area_id"] != evening.area_id:
        area = _area(session, changes["area_id"], "area_id")
        # Moved to another area: planned there too.
        policy.require_plan_evening(actor, area_id=changes["area_id"])
        if area is not None and area.municipality_id != evening.municipality_id:
            raise Invalid.field("area_id", "Det finns inget sådant område.", "unknown_id")
        evening.area_id = changes["area_id"]
        evening.area = area
    starts_at = changes.get("starts_at", evening.starts_at)
    ends_at = changes.get("ends_at", evening.ends_at)
    _check_times(starts_at, ends_at)
    evening.starts_at, evening.ends_at = starts_at, ends_at
    for field in ("title", "briefing_at", "briefing_place", "notes"):
        if field in changes:
            setattr(evening, field, changes[field])
    if "kind" in changes:
        evening.kind = s.EveningKind(changes["kind"]).value
    if body.watch is not None and "watch" in changes:
        evening.watch = _watch(session, body.watch)
    if body.shifts is not None and "shifts" in changes:
        evening.shifts = _shifts(
            session,
            body.shifts,
            municipality_id=evening.municipality_id,
            starts_at=starts_at,
            ends_at=ends_at,
        )
    if body.model_fields_set:
        evening.updated_at = utcnow()
    session.flush()
    return evening


def _check_etag(evening: Evening, if_match: str | None) -> None:
    if if_match is None:
        return
    wanted = {tag.strip() for tag in if_match.split(",")}
    if "*" not in wanted and evening_etag(evening) not in wanted:
        raise PreconditionFailed(
            "Någon annan har sparat ändringar i kvällen sedan du hämtade sidan. Läs dem och "
            "spara igen."
        )


def close_evening(session: Session, evening_id: int, *, actor: Actor) -> Evening:
    """The evening is over: its log takes no more posts. Closing again changes nothing."""
    evening = access.evening_for(session, evening_id, actor, to="plan")
    if evening.closed_at is None:
        evening.closed_at = utcnow()
        evening.updated_at = evening.closed_at
        session.flush()
    return evening


# The next weekend from a template -----------------------------------------------------------


def coming_friday(today: dt.date) -> dt.date:
    """The Friday of the coming weekend: today on a Friday, next week's on a weekend."""
    return today + dt.timedelta(days=(FRIDAY - today.weekday()) % 7)


def _same_local_time(moment: dt.datetime, days: int, tz: Any) -> dt.datetime:
    """``moment`` ``days`` later at the same local hour, whatever the clocks did between."""
    local = moment.astimezone(tz)
    moved = dt.datetime.combine(
        local.date() + dt.timedelta(days=days), local.time().replace(tzinfo=None), tzinfo=tz
    )
    return moved.astimezone(dt.UTC)


def _on_day(session: Session, area_id: int | None, day: dt.date, tz: Any) -> Evening | None:
    area = Evening.area_id.is_(None) if area_id is None else Evening.area_id == area_id
    return session.scalar(
        select(Evening)
        .where(
            area,
            Evening.starts_at >= localtime.midnight(day, tz),
            Evening.starts_at < localtime.midnight(day + dt.timedelta(days=1), tz),
        )
        .order_by(Evening.starts_at, Evening.id)
        .limit(1)
    )


def _template(
    session: Session, area_id: int | None, weekday: int, before: dt.datetime, tz: Any
) -> Evening | None:
    """The latest weekend evening of the area on ``weekday`` before ``before``."""
    area = Evening.area_id.is_(None) if area_id is None else Evening.area_id == area_id
    candidates = session.scalars(
        select(Evening)
        .where(area, Evening.kind == s.EveningKind.weekend.value, Evening.starts_at < before)
        .order_by(Evening.starts_at.desc(), Evening.id.desc())
        .limit(30)
    )
    return next((e for e in candidates if e.starts_at.astimezone(tz).weekday() == weekday), None)


def next_weekend(
    session: Session, body: s.NextWeekend, *, actor: Actor, today: dt.date | None = None
) -> tuple[list[Evening], list[Evening]]:
    """The coming Friday's and Saturday's evenings of the area (created, and those that
    were there already), each from the latest weekend evening of the area on the same
    weekday (its hours, briefing, places to watch and shifts moved to the new day), or from
    the defaults (18:00–01:00). Sent twice, nothing is created twice."""
    area = _area(session, body.area_id, "area_id")
    policy.require_plan_evening(actor, area_id=body.area_id)
    municipality_id = _municipality_id(session, area, actor)
    tz = _zone_of(session, municipality_id)
    friday = coming_friday(today or localtime.today(tz))
    created: list[Evening] = []
    existing: list[Evening] = []
    for day in (friday, friday + dt.timedelta(days=1)):
        there = _on_day(session, body.area_id, day, tz)
        if there is not None:
            existing.append(there)
            continue
        midnight = localtime.midnight(day, tz)
        template = _template(session, body.area_id, day.weekday(), midnight, tz)
        if template is None:
            created.append(
                create_evening(
                    session,
                    s.EveningCreate(day=day, area_id=body.area_id, kind=s.EveningKind.weekend),
                    actor=actor,
                )
            )
            continue
        days = (day - template.starts_at.astimezone(tz).date()).days

        def moved(moment: dt.datetime, days: int = days) -> dt.datetime:
            return _same_local_time(moment, days, tz)

        evening = Evening(
            municipality_id=municipality_id,
            area_id=body.area_id,
            kind=s.EveningKind.weekend.value,
            title=template.title,
            starts_at=moved(template.starts_at),
            ends_at=moved(template.ends_at),
            briefing_at=moved(template.briefing_at) if template.briefing_at else None,
            briefing_place=template.briefing_place,
            notes="",
            watch=list(template.watch or []),
            created_by_id=actor.user_id,
            shifts=[
                Shift(
                    organisation_id=x.organisation_id,
                    user_id=x.user_id,
                    area_id=x.area_id,
                    location=x.location,
                    starts_at=moved(x.starts_at),
                    ends_at=moved(x.ends_at),
                    people=x.people,
                )
                for x in template.shifts
            ],
        )
        session.add(evening)
        session.flush()
        created.append(evening)
    return created, existing
