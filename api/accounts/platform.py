"""The platform (#21): its operators, and a new municipality made with its first
administrator. Beside api.accounts.service, whose checks of an account it uses."""

from __future__ import annotations

import secrets

from sqlalchemy.orm import Session

from api.accounts import schemas, service
from api.accounts.models import User
from api.actor import Actor
from api.errors import Conflict, FieldError
from api.resources import create_record
from api.structure.models import Municipality
from api.structure.schemas import MunicipalityCreate
from api.structure.service import MUNICIPALITIES


def create_operator(session: Session, data: schemas.OperatorCreate, *, actor: Actor) -> User:
    """A platform operator: manages municipalities, belongs to none and reads none of their
    data; signs in with a second factor (policy.requires_second_factor)."""
    values = {"name": data.name, "email": data.email, "is_operator": True}
    service.check_user(session, values, None)
    user = User(**values, municipality_id=None)
    service.set_password(user, data.password, "password", actor=actor)
    session.add(user)
    session.flush()
    return user


# Letters and digits that cannot be taken for one another when read aloud or copied by hand.
_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"


def one_time_password() -> str:
    """Five groups of four (about 120 bits): told once, to be changed at first sign-in."""
    return "-".join("".join(secrets.choice(_ALPHABET) for _ in range(4)) for _ in range(5))


def establish_municipality(
    session: Session, data: schemas.MunicipalityEstablish, *, actor: Actor
) -> tuple[Municipality, User, str]:
    """A new municipality and its first administrator, whose home it is, with a one-time
    password: one step, so that no municipality is left without an administrator."""
    municipality = create_record(
        session,
        MUNICIPALITIES,
        MunicipalityCreate.model_validate(data.model_dump(exclude={"administrator"})),
        actor=actor,
    )
    invite = data.administrator
    values = {"name": invite.name, "email": invite.email, "is_admin": True}
    try:
        service.check_user(session, values, None)
    except Conflict as exc:
        raise Conflict(
            exc.detail,
            code="duplicate_email",
            errors=[
                FieldError(
                    "administrator.email", "E-postadressen används redan.", "duplicate_email"
                )
            ],
        ) from exc
    user = User(**values, municipality_id=municipality.id)
    password = one_time_password()
    service.set_password(user, password, "administrator.email", actor=actor)
    session.add(user)
    session.flush()
    return municipality, user, password
