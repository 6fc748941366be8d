"""Category mappings: a source's own name for a category, mapped to one of ours, so that its
rows are read into that category (``rows.Lookup``)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from api.actor import Actor
from api.categories.models import Category
from api.errors import Invalid
from api.integrations import engine, schemas
from api.integrations.models import CategoryMapping
from api.records import get_or_404
from api.schemas_common import name_key


def list_mappings(session: Session, source: str | None, *, actor: Actor) -> list[CategoryMapping]:
    """The mappings of the municipality the actor acts in (#21): each municipality names
    its sources' categories for itself."""
    stmt = select(CategoryMapping).order_by(CategoryMapping.source, CategoryMapping.name_key)
    stmt = stmt.where(CategoryMapping.municipality_id == _municipality(actor))
    if source is not None:
        stmt = stmt.where(CategoryMapping.source == source)
    return list(session.scalars(stmt))


def _municipality(actor: Actor) -> int:
    if actor.municipality_id is None:
        raise Invalid("Välj kommunen vars kategorinamn du ändrar.", code="municipality_required")
    return actor.municipality_id


def put_mapping(
    session: Session, body: schemas.MappingPut, *, actor: Actor
) -> tuple[CategoryMapping, bool]:
    """The source's name mapped to the category; ``True`` when the mapping is new."""
    engine.check_source(body.source)
    category = session.get(Category, body.category)
    if category is None or not category.active:
        raise Invalid.field("category", f"Det finns ingen kategori {body.category}.", "unknown_id")
    key = name_key(body.name)
    mapping = session.scalar(
        select(CategoryMapping).where(
            CategoryMapping.municipality_id == _municipality(actor),
            CategoryMapping.source == body.source,
            CategoryMapping.name_key == key,
        )
    )
    created = mapping is None
    if mapping is None:
        mapping = CategoryMapping(
            municipality_id=_municipality(actor), source=body.source, name_key=key
        )
        session.add(mapping)
    mapping.name = body.name
    mapping.category_code = category.code
    session.flush()
    session.refresh(mapping)
    return mapping, created


def delete_mapping(session: Session, mapping_id: int, *, actor: Actor) -> None:
    mapping = get_or_404(session, CategoryMapping, mapping_id, "ingen kategorimappning")
    session.delete(mapping)
    session.flush()
