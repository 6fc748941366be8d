"""Every domain's models, imported in one place for Alembic and the tests."""

from api.categories.models import Category
from api.structure.models import (
    Area,
    Group,
    GroupOrganisation,
    Municipality,
    Organisation,
    Place,
)

__all__ = [
    "Area",
    "Category",
    "Group",
    "GroupOrganisation",
    "Municipality",
    "Organisation",
    "Place",
]
