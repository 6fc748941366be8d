"""Safety walks: planned by the area's planners (policy.can_plan_safety_walk), read by those
who read the area and by the people of the organisations invited (policy.can_read_safety_walk).
Every service of a walk (its pins, findings, photos and report) fetches it here, so that the
policy's questions are asked one way."""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Iterable, Sequence
from typing import Any, Literal

from sqlalchemy import ColumnElement, and_, exists, false, func, or_, select
from sqlalchemy.orm import Session

from api import localtime
from api.access import policy
from api.actor import Actor
from api.errors import FieldError, Hidden, Invalid, NotFound
from api.incidents import areas as incident_areas
from api.localtime import utcnow
from api.pagination import PageResult, decode_cursor, encode_cursor
from api.records import get_or_404, not_found_message
from api.safetywalks import schemas as s
from api.safetywalks.models import Finding, SafetyWalk, SafetyWalkOrganisation, WalkInput
from api.schemas_common import ListQuery, Ref
from api.structure import service as structure_service
from api.structure.models import Area, Group, Municipality, Organisation, Place
from api.structure.schemas import GroupKind
from api.swedish import day_sv
from api.tips.schemas import Moderation, TipFormPlace

NONE_SUCH = "ingen trygghetsvandring"
LINK_GONE = "Länken gäller ingen trygghetsvandring. Den kan ha bytts ut."
# The secret of a public link: 32 characters, beyond guessing.
TOKEN_BYTES = 24

When = Literal["upcoming", "past", "all"]
# The walk's states in order (_check_marks).
HELD_EARLY = "Vandringen kan markeras som genomförd först när den har börjat ({when})."
HELD_MOVED = (
    "Vandringen är markerad som genomförd: starttiden kan inte ligga i framtiden. "
    "Ta först bort markeringen."
)
REPORTED_EARLY = "Rapporten kan markeras som klar först när vandringen är genomförd."
REPORTED_UNHELD = "Rapporten är markerad som klar: ta först bort den markeringen."


# Reaching a walk ------------------------------------------------------------------------------


def invited_ids(walk: SafetyWalk) -> list[int]:
    return [x.organisation_id for x in walk.invited]


def may_moderate(actor: Actor, walk: SafetyWalk) -> bool:
    """Pins are decided by the walk's planners and, as tips are, by the coordination group's
    moderators."""
    return policy.can_plan_safety_walk(actor, area_id=walk.area_id) or policy.can_moderate_tips(
        actor
    )


def walk_for(
    session: Session, walk_id: int, actor: Actor, *, to: Literal["read", "plan"] = "read"
) -> SafetyWalk:
    """The walk, if the caller reads it (else 404 as if there were none), and may plan it
    when ``to`` is ``plan`` (else 403 with the rule's words)."""
    walk = get_or_404(session, SafetyWalk, walk_id, NONE_SUCH)
    if not policy.can_read_safety_walk(actor, area_id=walk.area_id, invited=invited_ids(walk)):
        raise Hidden(not_found_message(NONE_SUCH, walk_id))
    if to == "plan":
        policy.require_plan_safety_walk(actor, area_id=walk.area_id)
    return walk


def input_until(walk: SafetyWalk) -> dt.datetime:
    return walk.input_until or walk.starts_at


def input_open(walk: SafetyWalk, now: dt.datetime | None = None) -> bool:
    """Pins are taken only before the walk: not once it has started, nor once it is marked
    held (whatever its dates say), nor after the last day for pins."""
    now = now or utcnow()
    return walk.held_at is None and now < walk.starts_at and now < input_until(walk)


# Reading ----------------------------------------------------------------------------------


def _ref(record: Any) -> Ref | None:
    return Ref(id=record.id, name=record.name) if record is not None else None


def _places(session: Session, ids: Sequence[int]) -> list[Place]:
    """The places of ``ids`` in their order (the route's walking order)."""
    found = {p.id: p for p in session.scalars(select(Place).where(Place.id.in_(list(ids))))}
    return [found[i] for i in ids if i in found]


def counts(session: Session, walk_ids: Iterable[int]) -> dict[int, tuple[int, int, int]]:
    """Per walk: pins waiting, pins accepted, findings."""
    ids = list(walk_ids)
    found = {i: [0, 0, 0] for i in ids}
    if not ids:
        return {}
    for walk_id, status, number in session.execute(
        select(WalkInput.walk_id, WalkInput.status, func.count())
        .where(WalkInput.walk_id.in_(ids))
        .group_by(WalkInput.walk_id, WalkInput.status)
    ):
        if status == Moderation.pending:
            found[walk_id][0] = number
        elif status == Moderation.accepted:
            found[walk_id][1] = number
    for walk_id, number in session.execute(
        select(Finding.walk_id, func.count())
        .where(Finding.walk_id.in_(ids))
        .group_by(Finding.walk_id)
    ):
        found[walk_id][2] = number
    return {i: (a, b, c) for i, (a, b, c) in found.items()}


def read(
    session: Session,
    walk: SafetyWalk,
    *,
    actor: Actor,
    counted: tuple[int, int, int] | None = None,
) -> s.WalkRead:
    plans = policy.can_plan_safety_walk(actor, area_id=walk.area_id)
    pending, accepted, findings = counted or counts(session, [walk.id])[walk.id]
    group = session.get(Group, walk.group_id) if walk.group_id else None
    return s.WalkRead(
        id=walk.id,
        area=Ref(id=walk.area.id, name=walk.area.name),
        group=_ref(group),
        title=walk.title,
        starts_at=walk.starts_at,
        meeting_point=walk.meeting_point,
        meeting_lat=walk.meeting_lat,
        meeting_lon=walk.meeting_lon,
        route=[list(p) for p in walk.route or []],
        route_places=[Ref(id=p.id, name=p.name) for p in _places(session, walk.route_place_ids)],
        invited=[Ref(id=x.organisation.id, name=x.organisation.name) for x in walk.invited],
        notes=walk.notes,
        input_until=walk.input_until,
        held_at=walk.held_at,
        reported_at=walk.reported_at,
        started=walk.starts_at <= utcnow(),
        public_token=walk.public_token if plans else None,
        # Only the planners see what waits for moderation.
        inputs_pending=pending if plans or may_moderate(actor, walk) else 0,
        inputs_accepted=accepted,
        findings=findings,
        may_plan=plans,
        may_file_findings=policy.can_file_finding(
            actor, area_id=walk.area_id, invited=invited_ids(walk)
        ),
    )


def read_many(session: Session, walks: Sequence[SafetyWalk], *, actor: Actor) -> list[s.WalkRead]:
    counted = counts(session, [w.id for w in walks])
    return [read(session, w, actor=actor, counted=counted[w.id]) for w in walks]


def _readable(actor: Actor) -> ColumnElement[bool] | None:
    """The walks ``actor`` reads, as a condition (policy.can_read_safety_walk): those of the
    areas they read, and those their organisation is invited to. None: every walk."""
    if actor.kind != "user":
        return false()
    areas = policy.readable_area_ids(actor)
    if areas is None or actor.is_admin:
        return None
    conditions: list[ColumnElement[bool]] = []
    if areas:
        conditions.append(SafetyWalk.area_id.in_(areas))
    if actor.organisation_id is not None:
        conditions.append(
            exists().where(
                SafetyWalkOrganisation.walk_id == SafetyWalk.id,
                SafetyWalkOrganisation.organisation_id == actor.organisation_id,
            )
        )
    return or_(*conditions) if conditions else false()


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
    at, ident_col = SafetyWalk.starts_at, SafetyWalk.id
    if descending:
        return or_(at < starts, and_(at == starts, ident_col < after_id))
    return or_(at > starts, and_(at == starts, ident_col > after_id))


def list_walks(
    session: Session,
    query: ListQuery,
    *,
    area_id: int | None,
    year: int | None,
    when: When | None,
    actor: Actor,
) -> PageResult[SafetyWalk]:
    """The walks the caller reads: upcoming (the next first), past or all (the latest
    first); of an area, of a (local) year."""
    stmt = select(SafetyWalk)
    readable = _readable(actor)
    if readable is not None:
        stmt = stmt.where(readable)
    if area_id is not None:
        stmt = stmt.where(SafetyWalk.area_id == area_id)
    if year is not None:
        tz = structure_service.acting_zone(session, actor)
        stmt = stmt.where(
            SafetyWalk.starts_at >= localtime.midnight(dt.date(year, 1, 1), tz),
            SafetyWalk.starts_at < localtime.midnight(dt.date(year + 1, 1, 1), tz),
        )
    when = when or "all"
    now = utcnow()
    if when == "upcoming":
        stmt = stmt.where(SafetyWalk.starts_at > now)
    elif when == "past":
        stmt = stmt.where(SafetyWalk.starts_at <= now)
    descending = when != "upcoming"
    if query.cursor is not None:
        stmt = stmt.where(_after(query.cursor, descending))
    order = (
        (SafetyWalk.starts_at.desc(), SafetyWalk.id.desc())
        if descending
        else (SafetyWalk.starts_at, SafetyWalk.id)
    )
    rows = list(session.scalars(stmt.order_by(*order).limit(query.limit + 1)))
    if len(rows) > query.limit:
        rows = rows[: query.limit]
        last = rows[-1]
        return PageResult(
            rows, encode_cursor(f"{last.starts_at.astimezone(dt.UTC).isoformat()}|{last.id}")
        )
    return PageResult(rows, None)


# Checking what is sent ------------------------------------------------------------------------


def point_refusal(
    session: Session, municipality_id: int, lat: float | None, lon: float | None
) -> str | None:
    """Why a point is refused (half of one, or outside the municipality), or None."""
    if lat is None and lon is None:
        return None
    if lat is None or lon is None:
        return "Ange både latitud och longitud."
    municipality = session.get(Municipality, municipality_id)
    refused = municipality and incident_areas.refusal(session, municipality, lat, lon)
    return refused.message if refused else None


def place_of_area(session: Session, place_id: int | None, area_id: int) -> bool:
    if place_id is None:
        return True
    place = session.get(Place, place_id)
    return place is not None and place.area_id == area_id


def _area(session: Session, area_id: int) -> Area:
    area = session.get(Area, area_id)
    if area is None or not area.active:
        raise Invalid.field("area_id", "Det finns inget sådant område.", "unknown_id")
    return area


def _group(session: Session, group_id: int | None, area: Area) -> int | None:
    """The group that decides the findings: the one sent (active, and an area group only of
    the walk's area), else the area's own group, else the coordination group."""
    if group_id is not None:
        group = session.get(Group, group_id)
        if (
            group is None
            or not group.active
            or group.municipality_id != area.municipality_id
            or group.kind == GroupKind.steering
            or (group.area_id is not None and group.area_id != area.id)
        ):
            raise Invalid.field(
                "group_id", "Gruppen finns inte eller arbetar inte i området.", "unknown_id"
            )
        return group.id
    return default_group(session, area)


def default_group(session: Session, area: Area) -> int | None:
    """The area's own group, else the coordination group."""
    for kind, where in ((GroupKind.area, Group.area_id == area.id), (GroupKind.coordination, None)):
        stmt = select(Group.id).where(
            Group.kind == kind,
            Group.active.is_(True),
            Group.municipality_id == area.municipality_id,
        )
        if where is not None:
            stmt = stmt.where(where)
        found = session.scalar(stmt.order_by(Group.id).limit(1))
        if found is not None:
            return found
    return None


def _checked(session: Session, walk: SafetyWalk, changes: dict[str, Any]) -> None:
    """The route, meeting point, places and invited organisations as sent, checked against
    the walk's area and municipality: every problem beside its field, nothing written."""
    errors: list[FieldError] = []
    municipality_id = walk.municipality_id
    for index, point in enumerate(changes.get("route") or []):
        refused = point_refusal(session, municipality_id, point[0], point[1])
        if refused:
            errors.append(FieldError(f"route.{index}", refused, "outside_municipality"))
    if "meeting_lat" in changes or "meeting_lon" in changes:
        lat = changes.get("meeting_lat", walk.meeting_lat)
        lon = changes.get("meeting_lon", walk.meeting_lon)
        refused = point_refusal(session, municipality_id, lat, lon)
        if refused:
            errors.append(FieldError("meeting_lat", refused, "invalid_point"))
    for index, place_id in enumerate(changes.get("route_place_ids") or []):
        if not place_of_area(session, place_id, walk.area_id):
            errors.append(
                FieldError(
                    f"route_place_ids.{index}",
                    "Platsen finns inte i vandringens område.",
                    "unknown_id",
                )
            )
    for index, organisation_id in enumerate(changes.get("invited_organisation_ids") or []):
        organisation = session.get(Organisation, organisation_id)
        if (
            organisation is None
            or organisation.municipality_id != municipality_id
            or organisation.residents  # no partner (#20: accepted tips')
        ):
            errors.append(
                FieldError(
                    f"invited_organisation_ids.{index}",
                    "Det finns ingen sådan organisation.",
                    "unknown_id",
                )
            )
    starts_at = changes.get("starts_at", walk.starts_at)
    until = changes.get("input_until", walk.input_until)
    if starts_at is not None and until is not None and until > starts_at:
        errors.append(
            FieldError(
                "input_until",
                "Synpunkter tas emot före vandringen: sista dagen kan inte ligga efter den.",
                "period_order",
            )
        )
    if errors:
        raise Invalid(errors[0].message, errors=errors)


def _apply(walk: SafetyWalk, changes: dict[str, Any]) -> None:
    for field in (
        "title",
        "starts_at",
        "meeting_point",
        "meeting_lat",
        "meeting_lon",
        "notes",
        "input_until",
    ):
        if field in changes:
            setattr(walk, field, changes[field])
    if "route" in changes:
        walk.route = [[float(x) for x in point] for point in changes["route"] or []]
    if "route_place_ids" in changes:
        walk.route_place_ids = list(dict.fromkeys(changes["route_place_ids"] or []))
    if "invited_organisation_ids" in changes:
        wanted = list(dict.fromkeys(changes["invited_organisation_ids"] or []))
        kept = {x.organisation_id: x for x in walk.invited}
        walk.invited = [kept.get(i) or SafetyWalkOrganisation(organisation_id=i) for i in wanted]


def _check_marks(walk: SafetyWalk, changes: dict[str, Any], now: dt.datetime) -> None:
    """The walk's states follow each other: planned, held (only once it has started),
    reported (only once held). A change that would break the order is refused beside its
    field, whichever field it comes through: marking, unmarking or moving the start."""
    starts_at = changes.get("starts_at") or walk.starts_at
    held = changes.get("held", walk.held_at is not None)
    reported = changes.get("reported", walk.reported_at is not None)
    refused: list[tuple[str, str, str]] = []
    if held and starts_at > now:
        local = starts_at.astimezone(localtime.STOCKHOLM)
        early = HELD_EARLY.format(when=f"{day_sv(local.date())} {local:%H:%M}")
        newly = changes.get("held") and walk.held_at is None
        refused.append(
            ("held", early, "not_started") if newly else ("starts_at", HELD_MOVED, "already_held")
        )
    if reported and not held:
        newly = changes.get("reported") and walk.reported_at is None
        refused.append(
            ("reported", REPORTED_EARLY, "not_held")
            if newly
            else ("held", REPORTED_UNHELD, "already_reported")
        )
    if refused:
        errors = [FieldError(field, message, code) for field, message, code in refused]
        raise Invalid(errors[0].message, errors=errors)


def new_token() -> str:
    return secrets.token_urlsafe(TOKEN_BYTES)


def create_walk(session: Session, body: s.WalkCreate, *, actor: Actor) -> SafetyWalk:
    area = _area(session, body.area_id)
    policy.require_plan_safety_walk(actor, area_id=area.id)
    walk = SafetyWalk(
        municipality_id=area.municipality_id,
        area_id=area.id,
        area=area,
        group_id=_group(session, body.group_id, area),
        public_token=new_token(),
        created_by_id=actor.user_id,
        route=[],
        route_place_ids=[],
        notes="",
    )
    changes = body.model_dump(exclude={"area_id", "group_id"})
    _checked(session, walk, changes)
    _apply(walk, changes)
    session.add(walk)
    session.flush()
    return walk


def update_walk(session: Session, walk_id: int, body: s.WalkUpdate, *, actor: Actor) -> SafetyWalk:
    """Only what is sent changes; ``held``/``reported`` mark the walk (true: now, unless it
    was already; false: not), ``new_link`` ends the old public link."""
    walk = walk_for(session, walk_id, actor, to="plan")
    changes = body.model_dump(exclude_unset=True)
    for field in ("starts_at", "meeting_point"):
        if field in changes and changes[field] is None:
            raise Invalid.field(field, "Får inte vara tomt.", "empty")
    _checked(session, walk, changes)
    now = utcnow()
    _check_marks(walk, changes, now)
    _apply(walk, changes)
    if "held" in changes:
        walk.held_at = (walk.held_at or now) if changes["held"] else None
    if "reported" in changes:
        walk.reported_at = (walk.reported_at or now) if changes["reported"] else None
    if changes.get("new_link"):
        walk.public_token = new_token()
    if changes:
        walk.updated_at = now
    session.flush()
    return walk


# The public link ------------------------------------------------------------------------------


def public_walk(session: Session, token: str, *, form_token: str) -> s.PublicWalkRead:
    """What the walk's public link shows; 404 for a token no walk has (the unique index finds
    it: nothing to compare byte by byte)."""
    walk = session.scalar(select(SafetyWalk).where(SafetyWalk.public_token == token))
    if walk is None:
        raise NotFound(LINK_GONE)
    places = list(
        session.scalars(
            select(Place)
            .where(Place.area_id == walk.area_id, Place.active.is_(True))
            .order_by(Place.name, Place.id)
        )
    )
    return s.PublicWalkRead(
        id=walk.id,
        municipality=walk.area.municipality.name,
        area=walk.area.name,
        title=walk.title,
        starts_at=walk.starts_at,
        meeting_point=walk.meeting_point,
        meeting_lat=walk.meeting_lat,
        meeting_lon=walk.meeting_lon,
        route=[list(p) for p in walk.route or []],
        route_places=[p.name for p in _places(session, walk.route_place_ids)],
        places=[Ref(id=p.id, name=p.name) for p in places],
        area_boundary=walk.area.boundary or None,
        place_points=[
            TipFormPlace(
                id=p.id,
                name=p.name,
                area_id=walk.area_id,
                area=walk.area.name,
                lat=p.lat,
                lon=p.lon,
            )
            for p in places
            if p.lat is not None and p.lon is not None
        ],
        input_open=input_open(walk),
        input_until=input_until(walk),
        held=walk.held_at is not None,
        started=walk.starts_at <= utcnow(),
        form_token=form_token,
    )
