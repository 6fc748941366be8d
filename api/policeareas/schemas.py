"""The police area, its group, the sharing agreements and the federated lägesbild (#21)."""

from __future__ import annotations

import datetime as dt
import enum
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field

from api.accounts.schemas import Email
from api.schemas_common import CODE, Id, Input, Name, Patch, Ref, omittable


class PoliceAreaRole(enum.StrEnum):
    convener = "convener"  # sammankallande: manages the group
    member = "member"
    viewer = "viewer"


class SharingPrecision(enum.StrEnum):
    point = "point"  # the exact point
    grid_250 = "grid_250"  # a 250 m cell of SWEREF 99 TM
    area = "area"  # the municipality's area name only


SharedCode = Annotated[str, Field(min_length=1, max_length=64, pattern=r"^[a-z0-9_.]+$"), CODE]


class PoliceAreaCreate(Input):
    name: Name
    municipality_ids: list[Id] = Field(default_factory=list, max_length=50)


class PoliceAreaUpdate(Patch):
    name: Name = omittable()
    active: bool = omittable()
    municipality_ids: list[Id] = omittable(max_length=50)


class PoliceAreaRights(BaseModel):
    """What the caller may do with a police area, from api.access.policy."""

    may_read_situation: bool
    may_manage_members: bool
    may_manage: bool
    # The municipalities whose agreement with this police area the caller changes.
    edits_agreements_of: list[int]


class PoliceAreaRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    name: str
    active: bool
    municipalities: list[Ref]
    rights: PoliceAreaRights


class MemberPut(Input):
    email: Email
    role: PoliceAreaRole


class MemberRead(BaseModel):
    user_id: int
    name: str
    email: str
    role: PoliceAreaRole


class AgreementPut(Input):
    categories: list[SharedCode] = Field(
        default_factory=list,
        max_length=100,
        description="Category families and categories shared; empty: nothing.",
    )
    precision: SharingPrecision
    free_text: bool = False


class AgreementTerms(BaseModel):
    categories: list[str]
    precision: SharingPrecision
    free_text: bool


class AgreementRead(AgreementTerms):
    """A municipality's agreement with a police area; ``exists`` False: none made yet (it
    shares nothing)."""

    police_area: Ref
    municipality: Ref
    exists: bool
    version: int
    updated_by: str | None
    updated_at: dt.datetime | None
    may_edit: bool


class AgreementVersionRead(BaseModel):
    version: int
    changed_by: str | None
    changed_at: dt.datetime
    before: AgreementTerms | None
    after: AgreementTerms


class CountRow(BaseModel):
    code: str
    label: str
    count: int


class SharedText(BaseModel):
    """An incident's free text, shared where the agreement says so."""

    category: str
    area: str
    text: str


class MunicipalityPicture(BaseModel):
    """What one municipality shares with the police area in the period, at its precision."""

    municipality: Ref
    # The municipality's outline (GeoJSON Polygon or MultiPolygon, WGS 84), for the police
    # area's map; not municipal data, so shared whatever the agreement.
    outline: dict[str, Any] | None = None
    agreement: AgreementTerms
    total: int
    by_family: list[CountRow]
    by_category: list[CountRow]
    by_area: list[CountRow]
    # GeoJSON FeatureCollection: points (precision point) or 250 m cells with a count
    # (grid_250); empty for precision area.
    geojson: dict[str, Any]
    # Only where the agreement shares free text.
    texts: list[SharedText] = Field(default_factory=list)


class TotalRow(BaseModel):
    code: str
    label: str
    counts: dict[int, int]  # by municipality id
    total: int


class PoliceAreaSituation(BaseModel):
    police_area: Ref
    first_day: dt.date
    last_day: dt.date
    municipalities: list[MunicipalityPicture]
    # The families shared by some municipality, side by side.
    totals: list[TotalRow]
    total: int
