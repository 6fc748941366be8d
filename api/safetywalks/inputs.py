"""Residents' and businesses' pins before a walk: sent through the walk's public link
without an account (held off abuse by api.tips.abuse), moderated by the walk's planners and
the coordination group's moderators; only accepted pins reach the walk's other readers, and
nothing is ever shown publicly."""

from __future__ import annotations

import hmac

from sqlalchemy import select
from sqlalchemy.orm import Session

from api.actor import Actor
from api.errors import Conflict, FieldError, Forbidden, Invalid, NotFound
from api.incidents import areas
from api.localtime import STOCKHOLM, utcnow
from api.pagination import PageResult, paginate
from api.safetywalks import schemas as s
from api.safetywalks import walks
from api.safetywalks.models import SafetyWalk, WalkInput
from api.schemas_common import ListQuery, Ref
from api.settings import Settings
from api.structure.models import Municipality
from api.swedish import day_sv
from api.tips import abuse
from api.tips.schemas import Moderation

THANKS = (
    "Tack! Din synpunkt har kommit fram. Den läses av dem som planerar vandringen innan den "
    "tas med; den visas inte offentligt."
)
NONE_SUCH = "ingen synpunkt"


def read(pin: WalkInput) -> s.WalkInputRead:
    return s.WalkInputRead(
        id=pin.id,
        sender=s.InputFrom(pin.sender),
        comment=pin.comment,
        place=Ref(id=pin.place.id, name=pin.place.name) if pin.place else None,
        lat=pin.lat,
        lon=pin.lon,
        status=pin.status,
        received_at=pin.received_at,
        moderated_at=pin.moderated_at,
        reject_reason=pin.reject_reason,
    )


def closed_message(walk: SafetyWalk) -> str:
    if walk.held_at is not None:
        return "Vandringen har genomförts. Synpunkter tas inte emot längre."
    if walk.starts_at <= utcnow():
        return "Vandringen har redan börjat. Synpunkter tas inte emot längre."
    until = walk.input_until or walk.starts_at
    local = until.astimezone(STOCKHOLM)
    return (
        "Synpunkter tas inte emot längre: sista dagen var "
        f"{day_sv(local.date())} {local:%H:%M}. Kom gärna med på vandringen."
    )


def create_input(
    session: Session,
    walk_id: int,
    body: s.WalkInputCreate,
    *,
    actor: Actor,
    settings: Settings,
) -> WalkInput:
    """A pin through the public link: the link's token must be the walk's (else 404, as if
    there were no walk), pins must still be taken, and the sending must not look like abuse."""
    walk = session.get(SafetyWalk, walk_id)
    if walk is None or not hmac.compare_digest(walk.public_token.encode(), body.token.encode()):
        raise NotFound(walks.LINK_GONE)
    if not walks.input_open(walk):
        raise Conflict(closed_message(walk), code="input_closed")
    abuse.check(
        session,
        kind="walk_input",
        actor=actor,
        settings=settings,
        token=body.form_token,
        honeypot=body.website,
    )
    errors: list[FieldError] = []
    if body.place_id is None and (body.lat is None or body.lon is None):
        errors.append(
            FieldError(
                "place_id" if body.lat is None and body.lon is None else "lat",
                "Markera platsen på kartan eller välj en plats i listan.",
                "no_place",
            )
        )
    else:
        refused = walks.point_refusal(session, walk.municipality_id, body.lat, body.lon)
        if refused:
            errors.append(FieldError("lat", refused, "invalid_point"))
        if not walks.place_of_area(session, body.place_id, walk.area_id):
            errors.append(
                FieldError("place_id", "Platsen finns inte i vandringens område.", "unknown_id")
            )
        elif body.place_id is not None and body.lat is not None and body.lon is not None:
            town = session.get(Municipality, walk.municipality_id)
            mismatch = town and areas.place_point_mismatch(
                session, town, body.place_id, body.lat, body.lon
            )
            if mismatch:
                errors.append(
                    FieldError(
                        "place_id", f"{mismatch} Välj en plats eller ta bort punkten.", "mismatch"
                    )
                )
    if errors:
        raise Invalid(errors[0].message, errors=errors)
    pin = WalkInput(
        walk_id=walk.id,
        sender=body.sender.value,
        comment=body.comment,
        place_id=body.place_id,
        lat=body.lat,
        lon=body.lon,
    )
    session.add(pin)
    session.flush()
    return pin


def list_inputs(
    session: Session,
    walk_id: int,
    query: ListQuery,
    *,
    status: Moderation | None,
    actor: Actor,
) -> PageResult[WalkInput]:
    """The walk's pins: all of them (or of ``status``) for those who moderate them, the
    accepted ones for its other readers."""
    walk = walks.walk_for(session, walk_id, actor)
    stmt = select(WalkInput).where(WalkInput.walk_id == walk.id)
    if not walks.may_moderate(actor, walk):
        stmt = stmt.where(WalkInput.status == Moderation.accepted)
    if status is not None:
        stmt = stmt.where(WalkInput.status == status)
    return paginate(session, stmt, WalkInput.id, query)


def accepted(session: Session, walk_id: int) -> list[WalkInput]:
    return list(
        session.scalars(
            select(WalkInput)
            .where(WalkInput.walk_id == walk_id, WalkInput.status == Moderation.accepted)
            .order_by(WalkInput.id)
        )
    )


def decide(
    session: Session,
    walk_id: int,
    input_id: int,
    *,
    accept: bool,
    reason: str | None,
    actor: Actor,
) -> WalkInput:
    """Accept or reject a waiting pin; a pin already decided stays as it was (409)."""
    walk = walks.walk_for(session, walk_id, actor)
    if not walks.may_moderate(actor, walk):
        raise Forbidden(
            "Bara de som planerar vandringen och samordningsgruppen granskar synpunkterna."
        )
    # Locked: two moderators deciding at once, the second finds it decided (PostgreSQL).
    session.execute(select(WalkInput.id).where(WalkInput.id == input_id).with_for_update())
    pin = session.get(WalkInput, input_id, populate_existing=True)
    if pin is None or pin.walk_id != walk.id:
        raise NotFound(f"Det finns {NONE_SUCH} med id {input_id} här.")
    if pin.status != Moderation.pending:
        raise Conflict("Synpunkten är redan granskad.", code="already_moderated")
    pin.status = Moderation.accepted if accept else Moderation.rejected
    pin.moderated_at = utcnow()
    pin.moderated_by_id = actor.user_id
    pin.reject_reason = None if accept else reason
    session.flush()
    return pin
