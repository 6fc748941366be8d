"""SCIM Groups (RFC 7644) and the EST memberships they give.

A directory group is kept with its members (ScimGroup, ScimGroupMember). Its ``externalId``
(Entra ID: the group's object id, the same value as in the ``groups`` claim of a sign-in) and
its ``displayName`` are looked up among the municipality's group mappings (api.sso's
OidcGroupMapping: claim value → EST group and role, which the administrator keeps on the
sign-in settings page): each member gets those memberships, the strongest role where several
mappings give one group. Memberships given so are marked ``from_scim``: SCIM changes and
removes them (when a person leaves the group, the group is deleted, or a mapping goes) and
nothing else does; an OpenID Connect sign-in leaves them alone, and SCIM leaves the ones an
administrator gave alone. A membership a sign-in gave (``from_sso``) that a directory group
gives too becomes SCIM's."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from pydantic import TypeAdapter, ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from api.access import policy
from api.accounts import memberships
from api.accounts.models import Membership, User
from api.actor import Actor
from api.scim import schemas
from api.scim.models import ScimGroup, ScimGroupMember
from api.scim.protocol import Listing, ScimError, list_response, parse_filter, parse_path
from api.sso import people
from api.sso.models import OidcGroupMapping

GROUP_FILTERS = frozenset({"displayname", "externalid", "id"})
_NAME: TypeAdapter[str] = TypeAdapter(schemas.GroupName)


def _not_found(ident: str) -> ScimError:
    return ScimError(f"Det finns ingen grupp med id {ident}.", scim_type="noTarget", status=404)


def _group(session: Session, ident: str) -> ScimGroup:
    group = session.get(ScimGroup, int(ident)) if ident.isdigit() and len(ident) < 10 else None
    if group is None:
        raise _not_found(ident)
    return group


def resource(group: ScimGroup, base: str, *, members: bool = True) -> dict[str, Any]:
    body: dict[str, Any] = {"schemas": [schemas.GROUP_SCHEMA], "id": str(group.id)}
    if group.external_id:
        body["externalId"] = group.external_id
    body["displayName"] = group.display_name
    if members:
        body["members"] = [
            {"value": str(m.user_id), "$ref": f"{base}/Users/{m.user_id}"}
            for m in sorted(group.members, key=lambda m: m.user_id)
        ]
    body["meta"] = {
        "resourceType": "Group",
        "created": group.created_at.isoformat(),
        "lastModified": group.updated_at.isoformat(),
        "location": f"{base}/Groups/{group.id}",
    }
    return body


def _excludes_members(excluded: str | None, attributes: str | None) -> bool:
    names = {a.strip().lower() for a in (excluded or "").split(",")}
    wanted = {a.strip().lower() for a in (attributes or "").split(",") if a.strip()}
    return "members" in names or bool(wanted and "members" not in wanted)


def list_groups(
    session: Session,
    listing: Listing,
    *,
    excluded: str | None,
    attributes: str | None,
    base: str,
) -> dict[str, Any]:
    wanted = parse_filter(listing.filter_text, GROUP_FILTERS)
    stmt = select(ScimGroup)
    if wanted is not None:
        attribute, value = wanted
        column = {"displayname": ScimGroup.display_name, "externalid": ScimGroup.external_id}
        if attribute in column:
            stmt = stmt.where(column[attribute] == value)
        else:
            stmt = stmt.where(ScimGroup.id == (int(value) if value.isdigit() else -1))
    found, total, start = listing.page(session, stmt, ScimGroup.id, "scim_groups")
    members = not _excludes_members(excluded, attributes)
    return list_response([resource(g, base, members=members) for g in found], total, start)


def get_group(
    session: Session, ident: str, *, excluded: str | None, attributes: str | None, base: str
) -> dict[str, Any]:
    return resource(
        _group(session, ident), base, members=not _excludes_members(excluded, attributes)
    )


# Members -------------------------------------------------------------------------------------


def _member_ids(session: Session, values: Iterable[Any], actor: Actor) -> set[int]:
    """The accounts named by members' values: every one must be the directory's to name."""
    ids: set[int] = set()
    for value in values:
        ident = value.get("value") if isinstance(value, dict) else value
        text = str(ident) if isinstance(ident, str | int) else ""
        user = session.get(User, int(text)) if text.isdigit() and len(text) < 10 else None
        if user is None or not policy.may_provision(
            actor,
            municipality_id=user.municipality_id,
            is_admin=user.is_admin,
            operator=user.is_operator,
        ):
            raise ScimError(
                f"Medlemmen {text or '?'} är ingen användare som katalogen har lagt upp.",
                scim_type="invalidValue",
            )
        ids.add(user.id)
    return ids


def _set_members(session: Session, group: ScimGroup, wanted: set[int]) -> set[int]:
    """The group's members become ``wanted``; the accounts whose membership changed."""
    held = {m.user_id: m for m in group.members}
    for user_id in set(held) - wanted:
        group.members.remove(held[user_id])
    for user_id in wanted - set(held):
        group.members.append(
            ScimGroupMember(user_id=user_id, municipality_id=group.municipality_id)
        )
    session.flush()
    return set(held) ^ wanted


def _claims(group: ScimGroup) -> set[str]:
    return {v for v in (group.external_id, group.display_name) if v}


def apply(session: Session, user_ids: Iterable[int], municipality_id: int) -> None:
    """The EST memberships the directory's groups give these accounts, by the mappings."""
    ids = sorted(set(user_ids))
    if not ids:
        return
    mappings = list(
        session.scalars(
            select(OidcGroupMapping).where(OidcGroupMapping.municipality_id == municipality_id)
        )
    )
    held: dict[int, set[str]] = {i: set() for i in ids}
    rows = session.execute(
        select(ScimGroupMember.user_id, ScimGroup.external_id, ScimGroup.display_name)
        .join(ScimGroup, ScimGroup.id == ScimGroupMember.group_id)
        .where(ScimGroupMember.user_id.in_(ids))
    )
    for user_id, external_id, display_name in rows:
        held[user_id] |= {v for v in (external_id, display_name) if v}
    for user in session.scalars(select(User).where(User.id.in_(ids))):
        _apply_one(session, user, municipality_id, held[user.id], mappings)
    session.flush()


def _apply_one(
    session: Session,
    user: User,
    municipality_id: int,
    claims: set[str],
    mappings: list[OidcGroupMapping],
) -> None:
    wanted = people.wanted_of(mappings, claims)
    memberships.bring_given(session, user, municipality_id, wanted, by="scim")


def leave_all(session: Session, user: User) -> None:
    """A person the directory deleted: out of its groups, and out of what they gave."""
    for member in session.scalars(
        select(ScimGroupMember).where(ScimGroupMember.user_id == user.id)
    ):
        session.delete(member)
    session.flush()
    if user.municipality_id is not None:
        apply(session, [user.id], user.municipality_id)


def reapply_all(session: Session, municipality_id: int) -> None:
    """After a group mapping was added or removed (api.sso.slots.mappings_changed): the
    memberships of everyone the directory's groups hold, or gave something to before."""
    members = select(ScimGroupMember.user_id).where(
        ScimGroupMember.municipality_id == municipality_id
    )
    given = select(Membership.user_id).where(
        Membership.municipality_id == municipality_id, Membership.from_scim.is_(True)
    )
    apply(session, set(session.scalars(members)) | set(session.scalars(given)), municipality_id)


# Writing -------------------------------------------------------------------------------------


def _name(value: Any) -> str:
    try:
        return _NAME.validate_python(value)
    except ValidationError as exc:
        first = exc.errors()[0]
        detail = str(first.get("msg", "")) if first.get("type") == "personal_data" else ""
        raise ScimError(
            detail or "displayName ska vara ett namn på högst 200 tecken.",
            scim_type="invalidValue",
        ) from exc


def _check_unique(session: Session, name: str, group: ScimGroup | None) -> None:
    taken = session.scalar(
        select(ScimGroup.id).where(
            ScimGroup.display_name == name, ScimGroup.id != (group.id if group else -1)
        )
    )
    if taken is not None:
        raise ScimError(
            f"Det finns redan en grupp med namnet {name}.", scim_type="uniqueness", status=409
        )


def create_group(
    session: Session, data: schemas.ScimGroupIn, *, actor: Actor, base: str
) -> dict[str, Any]:
    assert actor.municipality_id is not None
    _check_unique(session, data.display_name, None)
    group = ScimGroup(
        display_name=data.display_name,
        external_id=data.external_id,
        municipality_id=actor.municipality_id,
    )
    session.add(group)
    session.flush()
    changed = _set_members(session, group, _member_ids(session, data.members, actor))
    apply(session, changed, actor.municipality_id)
    return resource(group, base)


def replace_group(
    session: Session, ident: str, data: schemas.ScimGroupIn, *, actor: Actor, base: str
) -> dict[str, Any]:
    group = _group(session, ident)
    _check_unique(session, data.display_name, group)
    renamed = _claims(group) != {v for v in (data.external_id, data.display_name) if v}
    group.display_name, group.external_id = data.display_name, data.external_id
    changed = _set_members(session, group, _member_ids(session, data.members, actor))
    everyone = {m.user_id for m in group.members} if renamed else set()
    apply(session, changed | everyone, group.municipality_id)
    return resource(group, base)


def patch_group(
    session: Session, ident: str, patch: schemas.PatchRequest, *, actor: Actor, base: str
) -> dict[str, Any]:
    group = _group(session, ident)
    before = _claims(group)
    members = {m.user_id for m in group.members}
    for operation in patch.operations:
        op = operation.op.lower()
        path = parse_path(operation.path) if operation.path else None
        value = operation.value
        if path is None and isinstance(value, dict) and op != "remove":
            for key, part in value.items():
                _group_attribute(session, group, str(key).lower(), part, actor, members, op)
        elif path is not None and path.attribute == "members":
            if path.where is not None:
                # members[value eq "id"]: that member alone.
                named = _member_ids(session, [path.where[1]], actor)
                members = members - named if op == "remove" else members | named
            elif op == "remove" and value is None:
                members = set()
            else:
                listed = value if isinstance(value, list) else [value]
                named = _member_ids(session, listed, actor)
                members = {"add": members | named, "remove": members - named}.get(op, named)
        elif path is not None:
            _group_attribute(session, group, path.attribute, value, actor, members, op)
        else:
            raise ScimError(
                "Ange en sökväg (path) eller ett objekt som värde.", scim_type="noTarget"
            )
    changed = _set_members(session, group, members)
    everyone = {m.user_id for m in group.members} if _claims(group) != before else set()
    apply(session, changed | everyone, group.municipality_id)
    return resource(group, base)


def _group_attribute(
    session: Session,
    group: ScimGroup,
    attribute: str,
    value: Any,
    actor: Actor,
    members: set[int],
    op: str,
) -> None:
    if attribute == "displayname":
        if op == "remove":
            raise ScimError("displayName kan inte tas bort.", scim_type="mutability")
        name = _name(value)
        _check_unique(session, name, group)
        group.display_name = name
    elif attribute == "externalid":
        group.external_id = None if op == "remove" or not value else str(value)[:300]
    elif attribute == "members" and isinstance(value, list):
        named = _member_ids(session, value, actor)
        members |= named
    # Attributes EST does not keep are ignored.


def delete_group(session: Session, ident: str) -> None:
    group = _group(session, ident)
    members = {m.user_id for m in group.members}
    municipality_id = group.municipality_id
    session.delete(group)
    session.flush()
    apply(session, members, municipality_id)
