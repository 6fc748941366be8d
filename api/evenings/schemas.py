"""The evening in the field, as the API reads and writes it."""

from __future__ import annotations

import datetime as dt
import enum
from typing import Annotated

from pydantic import AfterValidator, BaseModel, Field, StringConstraints, WithJsonSchema

from api.incidents.schemas import Assessment, CategoryCode, CategoryRef, Position
from api.schemas_common import FILLED_PATTERN, GUARDED, Id, Input, QueryId, Ref, filled_text


class EveningKind(enum.StrEnum):
    """An ordinary weekend evening, or a named risk evening (api.swedish.EVENING_KINDS)."""

    weekend = "weekend"
    valborg = "valborg"
    school_end = "school_end"
    halloween = "halloween"
    new_year = "new_year"
    other = "other"


# Evenings, their briefing and shifts (api.evenings.service) ---------------------------------


# The live log (api.evenings.log) -------------------------------------------------------------

# A post is short, as a message in the chat group it replaces.
MAX_POST = 500
# The most posts one read gives; a busy risk evening has a few hundred.
MAX_POSTS = 1000
PostText = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=MAX_POST),
    AfterValidator(filled_text),
    WithJsonSchema(
        {"type": "string", "minLength": 1, "maxLength": MAX_POST, "pattern": FILLED_PATTERN}
    ),
    GUARDED,
]


class LogPostCreate(Input):
    """A short post: what is going on, and where (a named place or a point, both optional)."""

    text: PostText = Field(description="What is going on, at most 500 characters.")
    place_id: Id | None = None
    position: Position | None = Field(
        None, description="A point (a phone's position), inside the municipality."
    )
    category: CategoryCode | None = Field(
        None, description="A category's code; needed later if the post becomes an observation."
    )
    confirm_personal_data: bool = Field(
        False, description="Send true to post a text that looks like it holds personal data."
    )


class ObservationCreate(Input):
    """A post made an observation: its text, place, point, time and category carried over."""

    category: CategoryCode | None = Field(
        None, description="The category, where the post has none (or another is right)."
    )
    assessment: Assessment = Assessment.medium
    confirm_personal_data: bool = Field(
        False, description="Send true to file a post whose text looks like it holds personal data."
    )


class LogPostRead(BaseModel):
    """A post as everyone on the evening reads it: the author's organisation, not the person."""

    id: int
    evening_id: int
    text: str
    created_at: dt.datetime
    organisation: Ref | None
    place: Ref | None
    lat: float | None
    lon: float | None
    category: CategoryRef | None
    incident_id: int | None = Field(
        description="The observation the post became (filed once, however often asked)."
    )
    own: bool = Field(False, description="Whether the caller wrote it.")


class LogRead(BaseModel):
    """An evening's log, oldest post first, and what the caller may do in it."""

    evening_id: int
    kind: EveningKind
    title: str | None
    area: Ref | None = Field(description="The evening's area; None: the whole municipality.")
    starts_at: dt.datetime
    ends_at: dt.datetime
    open: bool = Field(description="Whether the log takes posts (the evening is not over).")
    may_post: bool = Field(
        description="Whether the caller may post (and turn posts into observations)."
    )
    items: list[LogPostRead]


class LogQuery(BaseModel):
    after: QueryId | None = Field(
        None, description="Only posts after this post's id (what is new)."
    )
    limit: Annotated[int, Field(ge=1, le=MAX_POSTS)] = MAX_POSTS
