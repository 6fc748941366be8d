"""Every text a request body can carry declares what the personal data guard does with it
(``Guarded()`` or ``Exempt(reason)``, api/schemas_common.py), so that a new text field cannot
forget it; and the import's row fields, which arrive as plain dicts, likewise."""

from __future__ import annotations

import enum
import types
from typing import Annotated, Any, Literal, Union, get_args, get_origin

from fastapi.routing import APIRoute
from pydantic import BaseModel
from pydantic.fields import FieldInfo

from api import privacy
from api.app import create_api_app
from api.integrations import rows
from api.schemas_common import Exempt, Guarded, PersonalDataPolicy
from api.settings import Settings


def _api_routes(routes: list[Any]) -> list[APIRoute]:
    # An included router stands in the app as one entry holding the router's own routes.
    found = []
    for route in routes:
        if isinstance(route, APIRoute):
            found.append(route)
        elif (included := getattr(route, "original_router", None)) is not None:
            found += _api_routes(included.routes)
    return found


def _bodies() -> list[tuple[str, Any]]:
    """Every request body of the app's routes, with the route (its path within its router)."""
    app = create_api_app(Settings(database_url="sqlite://"), shed_load=False)
    return [
        (
            f"{'/'.join(sorted(route.methods or ()))} …{route.path}",
            route.body_field.field_info.annotation,
        )
        for route in _api_routes(app.routes)
        if route.body_field is not None
    ]


def _annotation(field: FieldInfo) -> Any:
    # FieldInfo keeps the outermost Annotated's metadata apart from the annotation.
    return Annotated[(field.annotation, *field.metadata)] if field.metadata else field.annotation


def _undeclared(kind: Any, where: str, seen: set[type]) -> list[str]:
    """The places under ``kind`` where a string may stand without a declared policy."""
    policies: list[Any] = []
    while get_origin(kind) is Annotated:
        kind, *metadata = get_args(kind)
        policies += [m for m in metadata if isinstance(m, PersonalDataPolicy)]
    if any(isinstance(p, Exempt) for p in policies):
        return []  # nothing below is looked at, for its reason
    if kind is str or kind is Any:
        return [] if any(isinstance(p, Guarded) for p in policies) else [where]
    if isinstance(kind, type) and issubclass(kind, enum.Enum):
        return []  # a code from a fixed list holds no free text
    if get_origin(kind) is Literal:
        return []
    if isinstance(kind, type) and issubclass(kind, BaseModel):
        if kind in seen:
            return []
        seen.add(kind)
        found = []
        for name, field in kind.model_fields.items():
            found += _undeclared(_annotation(field), f"{kind.__name__}.{name}", seen)
        return found
    if isinstance(kind, type) and issubclass(kind, str):
        return [where]
    if get_origin(kind) in (Union, types.UnionType, list, tuple, set, frozenset, dict):
        found = []
        for arg in get_args(kind):
            if arg is not type(None) and arg is not Ellipsis:
                found += _undeclared(arg, where, seen)
        return found
    return []


def test_the_walk_finds_what_it_must() -> None:
    class Plain(BaseModel):
        words: str
        maybe: list[str] | None = None
        mapping: dict[str, Any] = {}

    assert _undeclared(Plain, "", set()) == ["Plain.words", "Plain.maybe"] + ["Plain.mapping"] * 2


def test_every_text_of_every_request_body_declares_its_policy() -> None:
    bodies = _bodies()
    assert len(bodies) > 40  # the walk reached the app's routes
    undeclared = {where: route for route, body in bodies for where in _undeclared(body, "", set())}
    assert not undeclared, (
        "These string fields of request bodies declare no personal data policy; give them "
        "a guarded type (Name, Text, FilledText, LongText) or Exempt(reason) from "
        f"api.schemas_common: {sorted(undeclared)}"
    )


def _guarded_fields(kind: Any, name: str, seen: set[type]) -> set[str]:
    """The names of the guarded fields under ``kind``."""
    guarded = False
    while get_origin(kind) is Annotated:
        kind, *metadata = get_args(kind)
        guarded |= any(isinstance(m, Guarded) for m in metadata)
    found = {name} if guarded else set()
    if isinstance(kind, type) and issubclass(kind, BaseModel):
        if kind not in seen:
            seen.add(kind)
            for field_name, field in kind.model_fields.items():
                found |= _guarded_fields(_annotation(field), field_name, seen)
        return found
    for arg in get_args(kind):
        found |= _guarded_fields(arg, name, seen)
    return found


def test_every_guarded_field_is_named_in_swedish() -> None:
    # The refusal says which field: "Ansvarig ser ut att innehålla …".
    seen: set[type] = set()
    guarded = set().union(*(_guarded_fields(body, "", seen) for _, body in _bodies()))
    guarded |= {name for name, policy in rows.POLICIES.items() if isinstance(policy, Guarded)}
    assert len(guarded) > 20
    assert not guarded - set(privacy.SUBJECTS), sorted(guarded - set(privacy.SUBJECTS))


def test_no_answer_holds_a_guarded_type() -> None:
    # What is read back was looked at when it was written; parsed again (by the web's client)
    # through a guarded type, text stored before the guard, or before a newer detector, would
    # make the record unreadable.
    app = create_api_app(Settings(database_url="sqlite://"), shed_load=False)
    answers = [route.response_model for route in _api_routes(app.routes) if route.response_model]
    assert len(answers) > 40
    guarded = {str(answer): _guarded_fields(answer, "", set()) for answer in answers}
    assert not {answer: names for answer, names in guarded.items() if names}


def test_every_field_of_an_imported_row_declares_its_policy() -> None:
    assert set(rows.POLICIES) == set(rows.FIELDS)
    guarded = {name for name, policy in rows.POLICIES.items() if isinstance(policy, Guarded)}
    assert {"description", "address", "external_id"} <= guarded
