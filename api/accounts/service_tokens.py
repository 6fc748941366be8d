"""Service tokens: what an integration (an Embrace-like tool, a guard company's system)
signs in with, one source and one organisation each; resolved in api.accounts.service."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from api import tenancy
from api.accounts import schemas
from api.accounts.models import ServiceToken
from api.accounts.service import SERVICE_PREFIX, new_token
from api.actor import Actor
from api.localtime import utcnow
from api.resources import Resource, get_record, reference
from api.structure.models import Organisation
from api.structure.service import ORGANISATIONS


def create_service_token(
    session: Session, data: schemas.ServiceTokenCreate, *, actor: Actor
) -> tuple[str, ServiceToken]:
    reference(
        session,
        ORGANISATIONS,
        data.organisation_id,
        field_name="organisation_id",
    )
    token, digest = new_token(SERVICE_PREFIX)
    record = ServiceToken(
        token_hash=digest,
        source=data.source,
        organisation_id=data.organisation_id,
        expires_at=utcnow() + dt.timedelta(days=data.days),
    )
    session.add(record)
    session.flush()
    return token, record


def _filter_tokens(stmt: Select[Any], f: schemas.ServiceTokenFilter) -> Select[Any]:
    conditions = [
        ServiceToken.source == f.source if f.source else None,
        ServiceToken.organisation_id == f.organisation if f.organisation is not None else None,
    ]
    return stmt.where(*(c for c in conditions if c is not None))


def _tokens_in_scope(stmt: Select[Any], actor: Actor) -> Select[Any]:
    """Service tokens hold no municipality of their own (#21): a token is its organisation's,
    and shown only where the actor sees that organisation."""
    ids = tenancy.scope_of(actor)
    if ids is None:
        return stmt
    return stmt.where(
        ServiceToken.organisation_id.in_(
            select(Organisation.id).where(Organisation.municipality_id.in_(ids))
        )
    )


SERVICE_TOKENS = Resource(
    ServiceToken, "ingen tjänstetoken", ServiceToken.id, _filter_tokens, scope=_tokens_in_scope
)


def revoke_service_token(session: Session, token_id: int, *, actor: Actor) -> ServiceToken:
    record = get_record(session, SERVICE_TOKENS, token_id, actor=actor)
    if record.revoked_at is None:
        record.revoked_at = utcnow()
        session.flush()
    return record


def integration(session: Session, source: str, *, actor: Actor) -> dict[str, Any]:
    token = get_record(session, SERVICE_TOKENS, actor.token_id, actor=actor)
    return {
        "source": source,
        "organisation": token.organisation,
        "token_expires_at": token.expires_at,
    }
