"""SCIM Users (RFC 7644 3.3-3.6): the directory makes, reads, changes, deactivates and
deletes the accounts of its municipality (api.access.provisioning says which).

An account the directory makes has its ``userName`` (Entra ID: the user principal name) as
its e-mail address, which is also how an OpenID Connect sign-in finds it the first time
(api.sso.people: the ``preferred_username``, Entra ID's UPN) and links the person's identity.
Deactivation (``active`` false, or DELETE) ends every session of the account at once and is
in the audit log. DELETE keeps the account (history refers to it), deactivated, and no
longer the directory's to read; provisioning the same person again brings it back."""

from __future__ import annotations

from typing import Any

from pydantic import TypeAdapter, ValidationError
from sqlalchemy import Select, exists, select, update
from sqlalchemy.orm import Session

from api.access import policy
from api.accounts.models import AuthSession, User
from api.accounts.models import email_key as make_email_key
from api.accounts.schemas import Email
from api.actor import Actor
from api.audit import service as audit
from api.localtime import utcnow
from api.schemas_common import fit_name, name_key
from api.scim import groups, schemas
from api.scim.models import ScimUser
from api.scim.protocol import Listing, Path, ScimError, list_response, parse_filter, parse_path
from api.structure.models import Organisation

USER_FILTERS = frozenset({"username", "externalid", "id"})
_EMAIL: TypeAdapter[str] = TypeAdapter(Email)


def _not_found(ident: str) -> ScimError:
    return ScimError(f"Det finns ingen användare med id {ident}.", scim_type="noTarget", status=404)


def _in_scope(stmt: Select[Any], actor: Actor) -> Select[Any]:
    scope = policy.provisioning_scope(actor)
    deleted = exists().where(ScimUser.user_id == User.id, ScimUser.deleted_at.is_not(None))
    conditions = [User.municipality_id == scope.municipality_id, ~deleted]
    if not scope.administrators:
        conditions += [User.is_admin.is_(False), User.is_operator.is_(False)]
    return stmt.where(*conditions)


def _user(session: Session, ident: str, actor: Actor) -> User:
    if not ident.isdigit() or len(ident) > 10:
        raise _not_found(ident)
    user: User | None = session.scalar(_in_scope(select(User).where(User.id == int(ident)), actor))
    if user is None:
        raise _not_found(ident)
    return user


def _link_of(session: Session, user: User) -> ScimUser | None:
    return session.scalar(select(ScimUser).where(ScimUser.user_id == user.id))


def _linked(session: Session, user: User) -> ScimUser:
    link = _link_of(session, user)
    if link is None:
        link = ScimUser(user_id=user.id, municipality_id=user.municipality_id)
        session.add(link)
    return link


def resource(user: User, link: ScimUser | None, base: str) -> dict[str, Any]:
    body: dict[str, Any] = {"schemas": [schemas.USER_SCHEMA], "id": str(user.id)}
    if link is not None and link.external_id:
        body["externalId"] = link.external_id
    name = {
        key: value
        for key, value in (
            ("formatted", user.name),
            ("givenName", link.given_name if link else None),
            ("familyName", link.family_name if link else None),
        )
        if value
    }
    work = (link.work_email if link else None) or user.email
    body |= {
        "userName": user.email,
        "displayName": user.name,
        "name": name,
        "active": user.active,
        "emails": [{"value": work, "type": "work", "primary": True}],
        "meta": {
            "resourceType": "User",
            "created": user.created_at.isoformat(),
            "lastModified": user.updated_at.isoformat(),
            "location": f"{base}/Users/{user.id}",
        },
    }
    return body


def _shown(session: Session, user: User, base: str) -> dict[str, Any]:
    return resource(user, _link_of(session, user), base)


def list_users(session: Session, listing: Listing, *, actor: Actor, base: str) -> dict[str, Any]:
    wanted = parse_filter(listing.filter_text, USER_FILTERS)
    stmt = _in_scope(select(User), actor)
    if wanted is not None:
        attribute, value = wanted
        if attribute == "username":
            stmt = stmt.where(User.email_key == make_email_key(value))
        elif attribute == "externalid":
            stmt = stmt.where(
                User.id.in_(select(ScimUser.user_id).where(ScimUser.external_id == value))
            )
        else:
            stmt = stmt.where(User.id == (int(value) if value.isdigit() else -1))
    users, total, start = listing.page(session, stmt, User.id, "users")
    links = {
        link.user_id: link
        for link in session.scalars(
            select(ScimUser).where(ScimUser.user_id.in_([u.id for u in users]))
        )
    }
    return list_response([resource(u, links.get(u.id), base) for u in users], total, start)


def get_user(session: Session, ident: str, *, actor: Actor, base: str) -> dict[str, Any]:
    return _shown(session, _user(session, ident, actor), base)


# Writing -------------------------------------------------------------------------------------


def _organisation(session: Session, data: schemas.ScimUserIn, actor: Actor) -> int | None:
    """A new account's organisation: the one the enterprise extension names (its
    ``organization`` or ``department``, by name) where the municipality has it, else the
    token's."""
    names = [data.enterprise.organization, data.enterprise.department] if data.enterprise else []
    keys = [name_key(n) for n in names if n]
    if keys:
        found = session.scalar(
            select(Organisation.id).where(
                Organisation.name_key.in_(keys), Organisation.active.is_(True)
            )
        )
        if found is not None:
            return int(found)
    return actor.organisation_id


def _state(data: schemas.ScimUserIn) -> dict[str, Any]:
    emails = data.emails
    work = next((e for e in emails if e.primary), None) or next(
        (e for e in emails if (e.type or "").lower() == "work"), None
    )
    return {
        "username": data.user_name,
        "externalid": data.external_id,
        "active": data.active,
        "displayname": data.display_name or None,
        "givenname": data.name.given_name if data.name else None,
        "familyname": data.name.family_name if data.name else None,
        "formatted": data.name.formatted if data.name else None,
        "work": work.value if work else None,
    }


def account_name(state: dict[str, Any]) -> str:
    """The account's name: the display name, else the given and family names, else the
    formatted name, else the user name."""
    parts = " ".join(p for p in (state.get("givenname"), state.get("familyname")) if p)
    for name in (state.get("displayname"), parts, state.get("formatted"), state["username"]):
        if name and name.strip():
            return fit_name(name)
    return fit_name(str(state["username"]))


def _check_unique(session: Session, state: dict[str, Any], user: User | None, actor: Actor) -> None:
    taken = session.scalar(
        select(User.id).where(
            User.email_key == make_email_key(state["username"]),
            User.id != (user.id if user else -1),
        )
    )
    if taken is not None:
        raise ScimError(
            f"Det finns redan ett konto med användarnamnet {state['username']}.",
            scim_type="uniqueness",
            status=409,
        )
    if state.get("externalid"):
        other = session.scalar(
            select(ScimUser.user_id).where(
                ScimUser.external_id == state["externalid"],
                ScimUser.deleted_at.is_(None),
                ScimUser.user_id != (user.id if user else -1),
            )
        )
        if other is not None:
            raise ScimError(
                f"Det finns redan en användare med externalId {state['externalid']}.",
                scim_type="uniqueness",
                status=409,
            )


def _write(session: Session, user: User, link: ScimUser, state: dict[str, Any]) -> None:
    user.email = state["username"]
    user.name = account_name(state)
    link.external_id = state.get("externalid")
    link.display_name = state.get("displayname")
    link.given_name = state.get("givenname")
    link.family_name = state.get("familyname")
    link.work_email = state.get("work")
    link.deleted_at = None


def set_active(session: Session, user: User, active: bool) -> None:
    """Deactivation ends every session of the account at once (its next request is a
    401); both are in the audit log."""
    if user.active == active:
        return
    user.active = active
    if not active:
        session.execute(
            update(AuthSession)
            .where(AuthSession.user_id == user.id, AuthSession.revoked_at.is_(None))
            .values(revoked_at=utcnow())
        )
    audit.record(
        session,
        action="activate" if active else "deactivate",
        object_type="users",
        object_id=user.id,
        detail="scim",
    )


def _revivable(session: Session, username: str, actor: Actor) -> User | None:
    """An account the directory may take for a new one: one of its municipality's that it
    does not hold yet (made in EST, or deleted by the directory before)."""
    scope = policy.provisioning_scope(actor)
    user = session.scalar(select(User).where(User.email_key == make_email_key(username)))
    if user is None or not policy.may_provision(
        actor,
        municipality_id=user.municipality_id,
        is_admin=user.is_admin,
        operator=user.is_operator,
    ):
        return None
    link = _link_of(session, user)
    return user if scope.municipality_id and (link is None or link.deleted_at) else None


def create_user(
    session: Session, data: schemas.ScimUserIn, *, actor: Actor, base: str
) -> dict[str, Any]:
    state = _state(data)
    user = _revivable(session, data.user_name, actor)
    _check_unique(session, state, user, actor)
    if user is None:
        user = User(
            name=account_name(state),
            email=state["username"],
            organisation_id=_organisation(session, data, actor),
            municipality_id=actor.municipality_id,
            password_hash=None,
            active=state["active"],
        )
        session.add(user)
        session.flush()
    else:
        set_active(session, user, state["active"])
    link = _linked(session, user)
    _write(session, user, link, state)
    session.flush()
    return resource(user, link, base)


def replace_user(
    session: Session, ident: str, data: schemas.ScimUserIn, *, actor: Actor, base: str
) -> dict[str, Any]:
    user = _user(session, ident, actor)
    state = _state(data)
    _check_unique(session, state, user, actor)
    link = _linked(session, user)
    _write(session, user, link, state)
    set_active(session, user, state["active"])
    session.flush()
    return resource(user, link, base)


def _current(user: User, link: ScimUser) -> dict[str, Any]:
    return {
        "username": user.email,
        "externalid": link.external_id,
        "active": user.active,
        # An account made in EST and taken over keeps its name until the directory names it.
        "displayname": link.display_name
        or (None if link.given_name or link.family_name else user.name),
        "givenname": link.given_name,
        "familyname": link.family_name,
        "formatted": None,
        "work": link.work_email,
    }


def _bool(value: Any) -> bool:
    value = schemas.scim_bool(value)
    if not isinstance(value, bool):
        raise ScimError("active ska vara true eller false.", scim_type="invalidValue")
    return value


def _text(value: Any, attribute: str) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str) or len(value) > 300:
        raise ScimError(f"{attribute} ska vara en text.", scim_type="invalidValue")
    return value.strip() or None


def _set(state: dict[str, Any], path: Path, value: Any, remove: bool) -> None:
    """One attribute of a PATCH; attributes EST does not keep are ignored."""
    attribute, sub = path.attribute, path.sub
    if attribute == "name" and sub is None and isinstance(value, dict):
        for key, part in value.items():
            _set(state, Path("name", sub=str(key).lower()), part, remove)
        return
    if attribute == "emails":
        if path.where is not None and path.where[0] == "type" and path.where[1].lower() != "work":
            return
        if sub == "value" or (sub is None and isinstance(value, str)):
            state["work"] = None if remove else _text(value, "emails")
        elif isinstance(value, list):
            chosen = [
                v for v in value if isinstance(v, dict) and str(v.get("type", "work")) == "work"
            ]
            state["work"] = (
                None if remove or not chosen else _text(chosen[0].get("value"), "emails")
            )
        return
    key = {"name": sub if sub in ("givenname", "familyname", "formatted") else None}.get(
        attribute, attribute
    )
    if key == "active":
        if remove:
            raise ScimError("active kan inte tas bort.", scim_type="mutability")
        state["active"] = _bool(value)
    elif key == "username":
        try:
            state["username"] = _EMAIL.validate_python(value)
        except ValidationError as exc:
            raise ScimError(
                "userName ska vara en e-postadress (användarens UPN).", scim_type="invalidValue"
            ) from exc
    elif key in ("externalid", "displayname", "givenname", "familyname", "formatted"):
        state[key] = None if remove else _text(value, key)


def apply_operations(state: dict[str, Any], patch: schemas.PatchRequest) -> dict[str, Any]:
    for operation in patch.operations:
        remove = operation.op.lower() == "remove"
        if operation.path:
            _set(state, parse_path(operation.path), operation.value, remove)
        elif isinstance(operation.value, dict) and not remove:
            # The form without a path: the value holds attributes, by name or by path
            # ("name.givenName", as Entra ID sends them).
            for key, value in operation.value.items():
                if str(key).lower() == schemas.ENTERPRISE_SCHEMA.lower():
                    continue
                _set(state, parse_path(str(key)), value, remove)
        else:
            raise ScimError(
                "Ange en sökväg (path) eller ett objekt som värde.", scim_type="noTarget"
            )
    return state


def patch_user(
    session: Session, ident: str, patch: schemas.PatchRequest, *, actor: Actor, base: str
) -> dict[str, Any]:
    user = _user(session, ident, actor)
    link = _linked(session, user)
    session.flush()
    state = apply_operations(_current(user, link), patch)
    _check_unique(session, state, user, actor)
    _write(session, user, link, state)
    set_active(session, user, state["active"])
    session.flush()
    return resource(user, link, base)


def delete_user(session: Session, ident: str, *, actor: Actor) -> None:
    user = _user(session, ident, actor)
    link = _linked(session, user)
    set_active(session, user, False)
    link.deleted_at = utcnow()
    session.flush()
    groups.leave_all(session, user)
    audit.record(session, action="delete", object_type="users", object_id=user.id, detail="scim")
