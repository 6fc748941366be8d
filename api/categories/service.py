from __future__ import annotations

from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from api.categories import schemas
from api.categories.models import Category
from api.errors import Conflict, FieldError, Invalid
from api.resources import Resource
from api.schemas_common import name_key


def _filter(stmt: Select[Any], f: schemas.CategoryFilter) -> Select[Any]:
    if f.parent is not None:
        stmt = stmt.where(Category.parent_code == f.parent)
    if f.families is not None:
        stmt = stmt.where(
            Category.parent_code.is_(None) if f.families else Category.parent_code.is_not(None)
        )
    if f.active is not None:
        stmt = stmt.where(Category.active.is_(f.active))
    return stmt


def _conflict(field: str, message: str, code: str) -> Conflict:
    return Conflict(message, errors=[FieldError(field, message, code)], code=code)


def _check(session: Session, state: dict[str, Any], record: Any) -> None:
    code = state["code"]
    parent_code = code.rsplit(".", 1)[0] if "." in code else None
    if record is None:
        if session.get(Category, code) is not None:
            raise _conflict(
                "code",
                f"Koden {code} finns redan; en kod byter aldrig betydelse.",
                "duplicate_code",
            )
        if parent_code is not None:
            parent = session.get(Category, parent_code)
            if parent is None:
                raise Invalid.field(
                    "code", f"Familjen {parent_code} finns inte; skapa den först.", "unknown_family"
                )
            if not parent.active:
                raise Invalid.field(
                    "code", f"Familjen {parent.label_sv} är avaktiverad.", "inactive"
                )
    # Imports match Swedish labels, so two siblings may not share one.
    siblings = session.scalars(
        select(Category).where(
            Category.parent_code.is_(None)
            if parent_code is None
            else Category.parent_code == parent_code
        )
    )
    for sibling in siblings:
        if sibling.code != code and name_key(sibling.label_sv) == name_key(state["label_sv"]):
            raise _conflict(
                "label_sv", f"{sibling.code} heter redan {sibling.label_sv}.", "duplicate_label"
            )


def _family_without_active_children(session: Session, category: Category) -> None:
    child = session.scalar(
        select(Category.code)
        .where(Category.parent_code == category.code, Category.active.is_(True))
        .limit(1)
    )
    if child is not None:
        raise Conflict(
            f"{category.label_sv} har aktiva underkategorier. Avaktivera dem först.",
            code="family_in_use",
        )


CATEGORIES = Resource(
    Category,
    "ingen kategori",
    Category.code,
    _filter,
    check=_check,
    fields=("code", "label_sv"),
    key_type=str,
    before_deactivate=_family_without_active_children,
    needs_active=(
        (Category, "parent_code", "Familjen {name} är avaktiverad; aktivera den först."),
    ),
)
