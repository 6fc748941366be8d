"""The police area (#21): its municipalities, its group, the municipalities' sharing
agreements with it and their versions. Its federated lägesbild: ``situation.py``.

The request's session is bound to the municipality its reader acts in (api.tenancy). What
the police area reads of its other municipalities (their agreements, and the incidents the
agreements share) it reads inside ``tenancy.widened``, only after the policy has said yes,
and only what the agreement shares: its categories, at its precision, free text only where
agreed."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from api import tenancy
from api.access import policy
from api.accounts.models import User, email_key
from api.actor import Actor
from api.categories.models import Category
from api.errors import Conflict, Forbidden, Hidden, Invalid
from api.localtime import utcnow
from api.pagination import PageResult, paginate
from api.policeareas import schemas
from api.policeareas.models import (
    PoliceArea,
    PoliceAreaMember,
    SharingAgreement,
    SharingAgreementVersion,
)
from api.schemas_common import ListQuery, Ref
from api.structure.models import Municipality

NO_POLICE_AREA = "Det finns inget lokalpolisområde med id {id}."


# The Actor's police areas (filled into the accounts slot by api.composition) -------------


def police_area_grants(session: Session, user_id: int) -> tuple[tuple[int, str], ...]:
    rows = session.execute(
        select(PoliceAreaMember.police_area_id, PoliceAreaMember.role)
        .join(PoliceArea, PoliceArea.id == PoliceAreaMember.police_area_id)
        .where(PoliceAreaMember.user_id == user_id, PoliceArea.active)
        .order_by(PoliceAreaMember.police_area_id)
    )
    return tuple((pid, role.value) for pid, role in rows)


def police_area_names(session: Session, ids: tuple[int, ...]) -> dict[int, str]:
    if not ids:
        return {}
    rows = session.execute(select(PoliceArea.id, PoliceArea.name).where(PoliceArea.id.in_(ids)))
    return {pid: name for pid, name in rows}


# The police area ----------------------------------------------------------------------------


def municipality_ids(area: PoliceArea) -> list[int]:
    return [m.id for m in area.municipalities]


def _read(area: PoliceArea, actor: Actor) -> schemas.PoliceAreaRead:
    ids = municipality_ids(area)
    return schemas.PoliceAreaRead(
        id=area.id,
        name=area.name,
        active=area.active,
        municipalities=[Ref(id=m.id, name=m.name) for m in area.municipalities],
        rights=schemas.PoliceAreaRights.model_validate(
            policy.police_area_rights(actor, area.id, ids)
        ),
    )


def readable(session: Session, police_area_id: int, actor: Actor) -> PoliceArea:
    area = session.get(PoliceArea, police_area_id)
    if area is None:
        raise Hidden(NO_POLICE_AREA.format(id=police_area_id))
    if not policy.can_read_police_area(actor, area.id, municipality_ids(area)):
        raise Hidden(NO_POLICE_AREA.format(id=police_area_id))
    return area


def list_police_areas(
    session: Session, query: ListQuery, *, actor: Actor
) -> PageResult[schemas.PoliceAreaRead]:
    scope = policy.readable_police_areas(actor)
    stmt = select(PoliceArea)
    if not scope.every:
        stmt = stmt.where(
            or_(
                PoliceArea.id.in_(scope.police_area_ids),
                PoliceArea.municipalities.any(
                    Municipality.id == (scope.administered_municipality_id or 0)
                ),
            )
        )
    found = paginate(session, stmt, PoliceArea.id, query)
    return PageResult([_read(a, actor) for a in found.items], found.next_cursor)


def get_police_area(
    session: Session, police_area_id: int, *, actor: Actor
) -> schemas.PoliceAreaRead:
    return _read(readable(session, police_area_id, actor), actor)


def _municipalities(session: Session, ids: Sequence[int]) -> list[Municipality]:
    found = session.scalars(select(Municipality).where(Municipality.id.in_(set(ids)))).all()
    missing = sorted(set(ids) - {m.id for m in found})
    if missing:
        raise Invalid.field(
            "municipality_ids", f"Det finns ingen kommun med id {', '.join(map(str, missing))}."
        )
    return list(found)


def _unique_name(session: Session, name: str, police_area_id: int | None) -> None:
    area = PoliceArea(name=name)
    twin = session.scalar(
        select(PoliceArea).where(
            PoliceArea.name_key == area.name_key,
            PoliceArea.id != (police_area_id or 0),
        )
    )
    if twin is not None:
        raise Conflict(f"Det finns redan ett lokalpolisområde som heter {twin.name}.")


def create_police_area(
    session: Session, body: schemas.PoliceAreaCreate, *, actor: Actor
) -> schemas.PoliceAreaRead:
    _unique_name(session, body.name, None)
    area = PoliceArea(
        name=body.name, municipalities=_municipalities(session, body.municipality_ids)
    )
    session.add(area)
    session.flush()
    return _read(area, actor)


def update_police_area(
    session: Session, police_area_id: int, body: schemas.PoliceAreaUpdate, *, actor: Actor
) -> schemas.PoliceAreaRead:
    area = readable(session, police_area_id, actor)
    sent = body.model_dump(exclude_unset=True)
    if "name" in sent:
        _unique_name(session, body.name, area.id)
        area.name = body.name
    if "active" in sent:
        area.active = body.active
    if "municipality_ids" in sent:
        area.municipalities = _municipalities(session, body.municipality_ids)
    area.updated_at = utcnow()
    session.flush()
    return _read(area, actor)


# Its group ----------------------------------------------------------------------------------


def list_members(
    session: Session, police_area_id: int, *, actor: Actor
) -> list[schemas.MemberRead]:
    area = readable(session, police_area_id, actor)
    if not policy.can_see_police_area_members(actor, area.id, municipality_ids(area)):
        raise Forbidden(
            "Bara lokalpolisområdets grupp och kommunernas administratörer ser gruppen."
        )
    rows = session.execute(
        select(PoliceAreaMember, User)
        .join(User, User.id == PoliceAreaMember.user_id)
        .where(PoliceAreaMember.police_area_id == area.id)
        .order_by(User.name, User.id)
    )
    return [
        schemas.MemberRead(user_id=user.id, name=user.name, email=user.email, role=member.role)
        for member, user in rows
    ]


def _manageable(session: Session, police_area_id: int, actor: Actor) -> PoliceArea:
    area = readable(session, police_area_id, actor)
    if not policy.can_manage_police_area_members(actor, area.id):
        raise Forbidden("Bara lokalpolisområdets sammankallande hanterar gruppen.")
    return area


def put_member(
    session: Session, police_area_id: int, body: schemas.MemberPut, *, actor: Actor
) -> schemas.MemberRead:
    area = _manageable(session, police_area_id, actor)
    user = session.scalar(select(User).where(User.email_key == email_key(body.email)))
    if user is None or not user.active:
        raise Invalid.field("email", "Det finns inget aktivt konto med den e-postadressen.")
    member = session.scalar(
        select(PoliceAreaMember).where(
            PoliceAreaMember.police_area_id == area.id, PoliceAreaMember.user_id == user.id
        )
    )
    if member is None:
        member = PoliceAreaMember(police_area_id=area.id, user_id=user.id, role=body.role)
        session.add(member)
    else:
        if body.role != schemas.PoliceAreaRole.convener:
            _keep_a_convener(session, area, member)
        member.role = body.role
    session.flush()
    return schemas.MemberRead(user_id=user.id, name=user.name, email=user.email, role=member.role)


LAST_CONVENER = (
    "Lokalpolisområdet behöver minst en sammankallande: {name} är den enda. Gör någon annan "
    "i gruppen till sammankallande först."
)


def _keep_a_convener(session: Session, area: PoliceArea, leaving: PoliceAreaMember) -> None:
    """Refuse a change that takes ``leaving`` out of the conveners (a removal, another role)
    when it is the police area's last one: the group would have no one to manage it, and only
    the platform operator could repair it."""
    if leaving.role != schemas.PoliceAreaRole.convener:
        return
    # The conveners' rows locked (PostgreSQL): two conveners removing each other at once
    # cannot both pass.
    conveners = session.scalars(
        select(PoliceAreaMember.id)
        .where(
            PoliceAreaMember.police_area_id == area.id,
            PoliceAreaMember.role == schemas.PoliceAreaRole.convener,
        )
        .with_for_update()
    ).all()
    if not [i for i in conveners if i != leaving.id]:
        user = session.get(User, leaving.user_id)
        raise Conflict(
            LAST_CONVENER.format(name=user.name if user else "personen"),
            code="last_convener",
        )


def remove_member(session: Session, police_area_id: int, user_id: int, *, actor: Actor) -> None:
    area = _manageable(session, police_area_id, actor)
    member = session.scalar(
        select(PoliceAreaMember).where(
            PoliceAreaMember.police_area_id == area.id, PoliceAreaMember.user_id == user_id
        )
    )
    if member is None:
        raise Hidden(f"Personen med id {user_id} är inte med i lokalpolisområdets grupp.")
    _keep_a_convener(session, area, member)
    session.delete(member)
    session.flush()


# The sharing agreements ---------------------------------------------------------------------


def terms_of(agreement: SharingAgreement | None) -> schemas.AgreementTerms:
    if agreement is None:
        # No agreement: nothing shared, the coarsest precision, no free text.
        return schemas.AgreementTerms(
            categories=[], precision=schemas.SharingPrecision.area, free_text=False
        )
    return schemas.AgreementTerms(
        categories=list(agreement.categories),
        precision=agreement.precision,
        free_text=agreement.free_text,
    )


def _user_names(session: Session, ids: Iterable[int | None]) -> dict[int, str]:
    wanted = {i for i in ids if i is not None}
    if not wanted:
        return {}
    return {i: n for i, n in session.execute(select(User.id, User.name).where(User.id.in_(wanted)))}


def _served(area: PoliceArea, municipality_id: int) -> Municipality:
    municipality = next((m for m in area.municipalities if m.id == municipality_id), None)
    if municipality is None:
        raise Hidden(
            f"Lokalpolisområdet {area.name} omfattar ingen kommun med id {municipality_id}."
        )
    return municipality


def agreements_of(
    session: Session, area: PoliceArea, ids: Iterable[int]
) -> dict[int, SharingAgreement]:
    """The agreements of these municipalities with the police area, read across them."""
    wanted = set(ids)
    if not wanted:
        return {}
    with tenancy.widened(session, wanted):
        found = session.scalars(
            select(SharingAgreement).where(
                SharingAgreement.police_area_id == area.id,
                SharingAgreement.municipality_id.in_(wanted),
            )
        ).all()
    return {a.municipality_id: a for a in found}


def _agreement_read(
    session: Session,
    area: PoliceArea,
    municipality: Municipality,
    agreement: SharingAgreement | None,
    actor: Actor,
) -> schemas.AgreementRead:
    names = _user_names(session, [agreement.updated_by_id if agreement else None])
    return schemas.AgreementRead(
        **terms_of(agreement).model_dump(),
        police_area=Ref(id=area.id, name=area.name),
        municipality=Ref(id=municipality.id, name=municipality.name),
        exists=agreement is not None,
        version=agreement.version if agreement else 0,
        updated_by=names.get(agreement.updated_by_id or 0) if agreement else None,
        updated_at=agreement.updated_at if agreement else None,
        may_edit=policy.can_edit_agreement(actor, municipality.id),
    )


def list_agreements(
    session: Session, police_area_id: int, *, actor: Actor
) -> list[schemas.AgreementRead]:
    area = readable(session, police_area_id, actor)
    shown = [m for m in area.municipalities if policy.can_read_agreement(actor, area.id, m.id)]
    agreements = agreements_of(session, area, [m.id for m in shown])
    return [_agreement_read(session, area, m, agreements.get(m.id), actor) for m in shown]


def __readable_agreement(
    session: Session, police_area_id: int, municipality_id: int, actor: Actor
) -> tuple[PoliceArea, Municipality, SharingAgreement | None]:
    area = readable(session, police_area_id, actor)
    municipality = _served(area, municipality_id)
    policy.require_read_agreement(actor, area.id, municipality.id)
    return area, municipality, agreements_of(session, area, [municipality.id]).get(municipality.id)


def get_agreement(
    session: Session, police_area_id: int, municipality_id: int, *, actor: Actor
) -> schemas.AgreementRead:
    area, municipality, agreement = __readable_agreement(
        session, police_area_id, municipality_id, actor
    )
    return _agreement_read(session, area, municipality, agreement, actor)


def _check_codes(session: Session, codes: Sequence[str]) -> list[str]:
    unique = list(dict.fromkeys(codes))
    known = set(session.scalars(select(Category.code).where(Category.code.in_(unique))))
    unknown = [c for c in unique if c not in known]
    if unknown:
        raise Invalid.field(
            "categories", f"Okänd kategori: {', '.join(unknown)}.", code="unknown_category"
        )
    return unique


def write_agreement(
    session: Session,
    police_area_id: int,
    municipality_id: int,
    agreement: SharingAgreement | None,
    after: schemas.AgreementTerms,
    *,
    user_id: int | None,
) -> SharingAgreement:
    """Set an agreement's terms (made when ``agreement`` is None), its version one up, and
    keep the change as a version row: who, when, before and after. The callers check who
    may (``put_agreement``; the demo seed acts as the system)."""
    before = None if agreement is None else terms_of(agreement)
    now = utcnow()
    if agreement is None:
        agreement = SharingAgreement(
            police_area_id=police_area_id, municipality_id=municipality_id, version=1
        )
        session.add(agreement)
    else:
        agreement.version += 1
    agreement.categories = after.categories
    agreement.precision = after.precision
    agreement.free_text = after.free_text
    agreement.updated_by_id = user_id
    agreement.updated_at = now
    session.flush()
    session.add(
        SharingAgreementVersion(
            agreement_id=agreement.id,
            municipality_id=municipality_id,
            version=agreement.version,
            changed_by_id=user_id,
            changed_at=now,
            before=None if before is None else before.model_dump(mode="json"),
            after=after.model_dump(mode="json"),
        )
    )
    session.flush()
    return agreement


def put_agreement(
    session: Session,
    police_area_id: int,
    municipality_id: int,
    body: schemas.AgreementPut,
    *,
    actor: Actor,
) -> schemas.AgreementRead:
    area, municipality, agreement = __readable_agreement(
        session, police_area_id, municipality_id, actor
    )
    policy.require_edit_agreement(actor, municipality.id)
    after = schemas.AgreementTerms(
        categories=_check_codes(session, body.categories),
        precision=body.precision,
        free_text=body.free_text,
    )
    if agreement is not None and terms_of(agreement) == after:
        return _agreement_read(session, area, municipality, agreement, actor)
    agreement = write_agreement(
        session, area.id, municipality.id, agreement, after, user_id=actor.user_id
    )
    return _agreement_read(session, area, municipality, agreement, actor)


def list_agreement_versions(
    session: Session, police_area_id: int, municipality_id: int, *, actor: Actor
) -> list[schemas.AgreementVersionRead]:
    _area, municipality, agreement = __readable_agreement(
        session, police_area_id, municipality_id, actor
    )
    if agreement is None:
        return []
    with tenancy.widened(session, [municipality.id]):
        versions = session.scalars(
            select(SharingAgreementVersion)
            .where(SharingAgreementVersion.agreement_id == agreement.id)
            .order_by(SharingAgreementVersion.version.desc())
        ).all()
    names = _user_names(session, [v.changed_by_id for v in versions])
    return [
        schemas.AgreementVersionRead(
            version=v.version,
            changed_by=names.get(v.changed_by_id or 0),
            changed_at=v.changed_at,
            before=None if v.before is None else schemas.AgreementTerms.model_validate(v.before),
            after=schemas.AgreementTerms.model_validate(v.after),
        )
        for v in versions
    ]
