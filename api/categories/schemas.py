from __future__ import annotations

import datetime as dt
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

from api.schemas_common import CODE, Input, JsonInt, ListQuery, Name, Patch, omittable

Segment = r"[a-z][a-z0-9_]{0,30}"
Code = Annotated[
    str,
    Field(
        pattern=rf"^{Segment}(\.{Segment})?$",
        max_length=64,
        description="`family` or `family.category`: lower-case a–z, digits and _.",
    ),
    CODE,
]
SortOrder = Annotated[int, Field(ge=0, le=10_000), JsonInt]


class CategoryCreate(Input):
    code: Code
    label_sv: Name
    label_en: Name | None = None
    sort_order: SortOrder = 0


class CategoryUpdate(Patch):
    label_sv: Name = omittable()
    label_en: Name | None = None
    sort_order: SortOrder = omittable()


class CategoryRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    code: str
    parent_code: str | None
    label_sv: str
    label_en: str | None
    sort_order: int
    active: bool
    created_at: dt.datetime
    updated_at: dt.datetime


class CategoryFilter(ListQuery):
    parent: Code | None = Field(None, description="Only the categories of a family.")
    families: bool | None = Field(None, description="true: only the families (top level).")
    active: bool | None = None
