"""SCIM tokens (#22): what a municipality's directory signs in with. Made by the
municipality's administrator (shown once, only its SHA-256 kept, as a service token), listed
and revoked by them; resolved at every request into an Actor of kind ``scim`` that acts in
its municipality alone and reaches the SCIM routes alone (api.access.route_rules)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from api.access import policy
from api.accounts.closing import closed_municipalities
from api.accounts.service import TOUCH_EVERY, new_token, token_hash
from api.accounts.throttle import as_utc
from api.actor import Actor
from api.errors import NotFound
from api.localtime import utcnow
from api.resources import get_record
from api.scim import schemas
from api.scim.models import ScimToken
from api.structure.service import ORGANISATIONS

SCIM_PREFIX = "estscim_"


def _configurable(actor: Actor, municipality_id: int) -> None:
    if not policy.may_configure_sign_in(actor, municipality_id):
        raise NotFound("Ingen sådan kommun.", code="not_found")


def create_token(
    session: Session, municipality_id: int, data: schemas.ScimTokenCreate, *, actor: Actor
) -> tuple[str, ScimToken]:
    _configurable(actor, municipality_id)
    get_record(session, ORGANISATIONS, data.organisation_id, actor=actor)
    token, digest = new_token(SCIM_PREFIX)
    record = ScimToken(
        municipality_id=municipality_id,
        token_hash=digest,
        organisation_id=data.organisation_id,
        expires_at=utcnow() + dt.timedelta(days=data.days),
    )
    session.add(record)
    session.flush()
    return token, record


def list_tokens(session: Session, municipality_id: int, *, actor: Actor) -> list[ScimToken]:
    _configurable(actor, municipality_id)
    return list(
        session.scalars(
            select(ScimToken)
            .where(ScimToken.municipality_id == municipality_id)
            .order_by(ScimToken.id.desc())
        )
    )


def revoke_token(
    session: Session, municipality_id: int, token_id: int, *, actor: Actor
) -> ScimToken:
    _configurable(actor, municipality_id)
    record = session.get(ScimToken, token_id)
    if record is None or record.municipality_id != municipality_id:
        raise NotFound("Ingen sådan SCIM-token.", code="not_found")
    if record.revoked_at is None:
        record.revoked_at = utcnow()
        session.flush()
    return record


def resolve(
    session: Session, token: str, address: str | None
) -> tuple[Actor, tuple[type[Any], int] | None] | None:
    """The directory a SCIM token stands for (api.accounts.slots.scim_token); None for
    another kind of token, or one unknown, expired or revoked, or of a deactivated
    municipality."""
    if not token.startswith(SCIM_PREFIX):
        return None
    now = utcnow()
    record = session.scalar(select(ScimToken).where(ScimToken.token_hash == token_hash(token)))
    if record is None or record.revoked_at is not None or now >= as_utc(record.expires_at):
        return None
    if record.municipality_id in closed_municipalities(session):
        return None
    actor = Actor(
        "scim",
        label=f"SCIM-token {record.id}",
        municipality_id=record.municipality_id,
        municipality_ids=(record.municipality_id,),
        organisation_id=record.organisation_id,
        token_id=record.id,
        address=address,
    )
    last = record.last_used_at
    stale = last is None or now - as_utc(last) >= TOUCH_EVERY
    return actor, ((ScimToken, record.id) if stale else None)
