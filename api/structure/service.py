"""The EST structure's rules: what a municipality's areas, places, organisations and groups
may look like. Plain functions over a session; the request owns the transaction.

Each resource's ``check`` sees the record as it would be after a create or an update, so
one function holds each rule for both."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Select, select
from sqlalchemy.orm import Session, selectinload

from api import localtime
from api.access import capabilities, policy
from api.actor import Actor
from api.errors import Conflict, Invalid
from api.records import ensure_unique_name
from api.resources import (
    Resource,
    changed,
    get_record,
    name_contains,
    reference,
)
from api.settings import get_settings
from api.structure import schemas
from api.structure import slots as structure_slots
from api.structure.models import (
    Area,
    Group,
    GroupOrganisation,
    Municipality,
    Organisation,
    Place,
    outline_bounds,
)
from api.structure.schemas import GroupKind


def _where(stmt: Select[Any], *conditions: Any) -> Select[Any]:
    """Add the conditions that apply (filters left empty give None)."""
    return stmt.where(*(c for c in conditions if c is not None))


def _active(column: Any, active: bool | None) -> Any:
    return None if active is None else column.is_(active)


def _eq(column: Any, value: Any) -> Any:
    return None if value is None else column == value


def _municipality(session: Session, state: dict[str, Any], record: Any) -> None:
    if record is None:
        reference(session, MUNICIPALITIES, state["municipality_id"], field_name="municipality_id")


# Municipalities -------------------------------------------------------------------------


def _filter_municipalities(stmt: Select[Any], f: schemas.MunicipalityFilter) -> Select[Any]:
    return _where(
        stmt, name_contains(Municipality.name_key, f.q), _active(Municipality.active, f.active)
    )


class MunicipalityInactive(Conflict):
    """A write to a deactivated municipality: only activating it again is allowed."""

    def __init__(self, name: str) -> None:
        super().__init__(
            f"{name} är avaktiverad: ingenting i den ändras förrän den aktiveras igen.",
            code="municipality_inactive",
        )


def refuse_inactive(municipality: Municipality) -> None:
    """Refuses a write to a deactivated municipality (README "Deactivating a
    municipality")."""
    if not municipality.active:
        raise MunicipalityInactive(municipality.name)


def _check_municipality(session: Session, state: dict[str, Any], record: Any) -> None:
    if record is not None:
        refuse_inactive(record)
    ensure_unique_name(
        session,
        Municipality,
        state["name"],
        scope=None,
        record=record,
        message="Det finns redan en kommun som heter {name}.",
    )
    outline, extent = state.get("outline"), state.get("extent")
    if outline is not None and extent is not None:
        west, south, east, north = outline_bounds(outline)
        if west < extent["west"] or east > extent["east"]:
            raise Invalid.field("outline", OUTLINE_OUTSIDE, "outline_outside_extent")
        if south < extent["south"] or north > extent["north"]:
            raise Invalid.field("outline", OUTLINE_OUTSIDE, "outline_outside_extent")


OUTLINE_OUTSIDE = (
    "Kommunens kontur går utanför dess utbredning (väst, syd, öst, nord). Ändra "
    "utbredningen eller lämna den tom, så blir den konturens."
)


def _within(ids: frozenset[int] | None, stmt: Select[Any]) -> Select[Any]:
    return stmt if ids is None else stmt.where(Municipality.id.in_(ids))


MUNICIPALITIES = Resource(
    Municipality,
    "ingen kommun",
    Municipality.id,
    _filter_municipalities,
    check=_check_municipality,
    fields=("name", "outline", "extent"),
    scope=lambda stmt, actor: _within(policy.readable_municipality_ids(actor), stmt),
    write_scope=lambda stmt, actor: _within(policy.managed_municipality_ids(actor), stmt),
    before_deactivate=lambda session, m: structure_slots.municipality_closed(session, m.id),
    rights=lambda municipality, actor: {
        **capabilities.municipality_rights(actor, municipality.id),
        "defaults": installation_defaults(),
    },
    municipality_of=lambda municipality: municipality.id,
)


def installation_defaults() -> schemas.MunicipalityDefaults:
    """What a municipality's empty setting means: the installation's (api.settings)."""
    settings = get_settings()
    return schemas.MunicipalityDefaults(
        nearest_place_metres=settings.nearest_place_metres,
        retain_incident_text_months=settings.retain_incident_text_months,
        retain_audit_years=settings.retain_audit_years,
    )


# Areas ----------------------------------------------------------------------------------


def _filter_areas(stmt: Select[Any], f: schemas.AreaFilter) -> Select[Any]:
    return _where(
        stmt,
        _eq(Area.municipality_id, f.municipality),
        name_contains(Area.name_key, f.q),
        _active(Area.active, f.active),
    )


def _check_area(session: Session, state: dict[str, Any], record: Any) -> None:
    _municipality(session, state, record)
    ensure_unique_name(
        session,
        Area,
        state["name"],
        record=record,
        scope=Area.municipality_id == state["municipality_id"],
        message="Det finns redan ett område som heter {name} i kommunen.",
    )


def _area_without_active_group(session: Session, area: Area) -> None:
    group = session.scalar(
        select(Group).where(Group.area_id == area.id, Group.active.is_(True)).limit(1)
    )
    if group is not None:
        raise Conflict(
            f"{area.name} har en aktiv områdesgrupp, {group.name}. Avaktivera gruppen först.",
            code="area_in_use",
        )


AREAS = Resource(
    Area,
    "inget område",
    Area.id,
    _filter_areas,
    check=_check_area,
    fields=("municipality_id", "name"),
    before_deactivate=_area_without_active_group,
)


AREA_ACTIVE = (Area, "area_id", "Området {name} är avaktiverat; aktivera det först.")


# Places ---------------------------------------------------------------------------------


def _filter_places(stmt: Select[Any], f: schemas.PlaceFilter) -> Select[Any]:
    return _where(
        stmt,
        _eq(Place.area_id, f.area),
        name_contains(Place.name_key, f.q),
        _active(Place.active, f.active),
    )


def _check_place(session: Session, state: dict[str, Any], record: Any) -> None:
    if changed(state, record, "area_id"):
        reference(session, AREAS, state["area_id"], field_name="area_id")
    ensure_unique_name(
        session,
        Place,
        state["name"],
        record=record,
        scope=Place.area_id == state["area_id"],
        message="Det finns redan en plats som heter {name} i området.",
    )


PLACES = Resource(
    Place,
    "ingen plats",
    Place.id,
    _filter_places,
    check=_check_place,
    fields=("area_id", "name"),
    needs_active=(AREA_ACTIVE,),
)


# Organisations --------------------------------------------------------------------------


def _filter_organisations(stmt: Select[Any], f: schemas.OrganisationFilter) -> Select[Any]:
    return _where(
        stmt,
        _eq(Organisation.municipality_id, f.municipality),
        _eq(Organisation.kind, f.kind),
        _eq(Organisation.parent_id, f.parent),
        name_contains(Organisation.name_key, f.q),
        _active(Organisation.active, f.active),
        # Lists of organisations are to choose partners from: never the residents' one.
        Organisation.residents.is_(False),
    )


def _check_organisation(session: Session, state: dict[str, Any], record: Any) -> None:
    _municipality(session, state, record)
    if state["parent_id"] is not None and changed(state, record, "parent_id"):
        parent: Organisation | None = reference(
            session,
            ORGANISATIONS,
            state["parent_id"],
            field_name="parent_id",
            municipality_id=state["municipality_id"],
        )
        # Walk up from the new parent: meeting the record itself would close a loop.
        seen: set[int] = set()
        while parent is not None and parent.id not in seen:
            if record is not None and parent.id == record.id:
                raise Invalid.field(
                    "parent_id",
                    "En organisation kan inte ligga under sig själv "
                    "eller under någon av sina egna underenheter.",
                    "cycle",
                )
            seen.add(parent.id)
            parent = parent.parent
    ensure_unique_name(
        session,
        Organisation,
        state["name"],
        record=record,
        scope=Organisation.municipality_id == state["municipality_id"],
        message="Det finns redan en organisation som heter {name}.",
    )


ORGANISATIONS = Resource(
    Organisation,
    "ingen organisation",
    Organisation.id,
    _filter_organisations,
    check=_check_organisation,
    load=(selectinload(Organisation.parent),),
    fields=("municipality_id", "name", "parent_id"),
)


# Groups ---------------------------------------------------------------------------------


def _filter_groups(stmt: Select[Any], f: schemas.GroupFilter) -> Select[Any]:
    member = None
    if f.organisation is not None:
        member = Group.id.in_(
            select(GroupOrganisation.group_id).where(
                GroupOrganisation.organisation_id == f.organisation
            )
        )
    return _where(
        stmt,
        _eq(Group.municipality_id, f.municipality),
        _eq(Group.kind, f.kind),
        _eq(Group.area_id, f.area),
        member,
        name_contains(Group.name_key, f.q),
        _active(Group.active, f.active),
    )


def _check_group(session: Session, state: dict[str, Any], record: Any) -> None:
    _municipality(session, state, record)
    municipality_id = state["municipality_id"]
    ensure_unique_name(
        session,
        Group,
        state["name"],
        record=record,
        scope=Group.municipality_id == municipality_id,
        message="Det finns redan en grupp som heter {name}.",
    )
    if state["kind"] == GroupKind.area:
        if state["area_id"] is None:
            raise Invalid.field(
                "area_id", "En områdesgrupp måste höra till ett område.", "area_required"
            )
        if changed(state, record, "area_id"):
            reference(
                session,
                AREAS,
                state["area_id"],
                field_name="area_id",
                municipality_id=municipality_id,
            )
    elif state["area_id"] is not None:
        raise Invalid.field(
            "area_id",
            "Bara en områdesgrupp hör till ett område; styrgruppen "
            "och samordningsgruppen gäller hela kommunen.",
            "area_not_allowed",
        )
    if state["convener_id"] is not None and changed(state, record, "convener_id"):
        reference(
            session,
            ORGANISATIONS,
            state["convener_id"],
            field_name="convener_id",
            municipality_id=municipality_id,
        )
    # Only organisations that join are checked: one deactivated since it joined does not
    # stop the group from being renamed.
    present = set(record.organisation_ids) if record is not None else set()
    for index, organisation_id in enumerate(state["organisation_ids"]):
        if organisation_id not in present:
            reference(
                session,
                ORGANISATIONS,
                organisation_id,
                field_name=f"organisation_ids.{index}",
                municipality_id=municipality_id,
            )


GROUPS = Resource(
    Group,
    "ingen grupp",
    Group.id,
    _filter_groups,
    check=_check_group,
    fields=("municipality_id", "name", "kind", "area_id", "convener_id", "organisation_ids"),
    needs_active=(AREA_ACTIVE,),
    load=(
        selectinload(Group.participations).joinedload(GroupOrganisation.organisation),
        selectinload(Group.area),
        selectinload(Group.convener),
    ),
    rights=lambda group, actor: capabilities.group_rights(actor, group.id),
)


def add_participant(
    session: Session, group_id: int, organisation_id: int, *, actor: Actor
) -> Group:
    group = get_record(session, GROUPS, group_id, actor=actor)
    if organisation_id in group.organisation_ids:
        return group
    get_record(session, ORGANISATIONS, organisation_id, actor=actor)  # 404 when unknown
    reference(
        session,
        ORGANISATIONS,
        organisation_id,
        field_name="organisation_id",
        municipality_id=group.municipality_id,
    )
    group.organisation_ids = [*group.organisation_ids, organisation_id]
    session.flush()
    return get_record(session, GROUPS, group_id, actor=actor, fresh=True)


def remove_participant(
    session: Session, group_id: int, organisation_id: int, *, actor: Actor
) -> Group:
    group = get_record(session, GROUPS, group_id, actor=actor)
    group.organisation_ids = [i for i in group.organisation_ids if i != organisation_id]
    session.flush()
    return get_record(session, GROUPS, group_id, actor=actor, fresh=True)


def organisations_named(
    session: Session, ids: Sequence[int], municipality_id: int
) -> list[Organisation] | None:
    """The municipality's organisations with these ids, by name; None if any is unknown."""
    wanted = list(dict.fromkeys(ids))
    if not wanted:
        return []
    found = list(
        session.scalars(
            select(Organisation)
            .where(
                Organisation.id.in_(wanted),
                Organisation.municipality_id == municipality_id,
                Organisation.residents.is_(False),  # no partner (#20)
            )
            .order_by(Organisation.name)
        )
    )
    return found if len(found) == len(wanted) else None


# Local time ----------------------------------------------------------------------------------


def municipality_zone_name(session: Session, municipality_id: int) -> str:
    """The zone the municipality keeps (Swedish time where it keeps none)."""
    municipality = session.get(Municipality, municipality_id)
    return municipality.timezone if municipality else localtime.SWEDISH_ZONE


def acting_zone(session: Session, actor: Actor) -> ZoneInfo:
    """The zone of the municipality ``actor`` acts in (Swedish time for one acting in none):
    where the local days of the lists it reads begin and end."""
    if actor.municipality_id is None:
        return localtime.STOCKHOLM
    return localtime.zone(municipality_zone_name(session, actor.municipality_id))


def municipality_today(session: Session, municipality_id: int) -> dt.date:
    """Today for the municipality, in its own zone: the one way "today" is reckoned, for a
    lägesbild's default period, a due date and the day an intervention was done."""
    return localtime.today(localtime.zone(municipality_zone_name(session, municipality_id)))


def municipality_refs(
    session: Session, municipality_ids: Iterable[int | None]
) -> list[dict[str, Any]]:
    """The municipalities' ids and names, in the order given (those that exist): the
    municipalities table is not row-secured, so a person reads the names of those they may
    act in whatever the one they act in."""
    found = [session.get(Municipality, i) for i in municipality_ids if i is not None]
    return [{"id": m.id, "name": m.name} for m in found if m is not None]
