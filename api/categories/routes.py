from __future__ import annotations

from fastapi import APIRouter

from api.categories import schemas, service
from api.routing import add_resource_routes

router = APIRouter()

add_resource_routes(
    router,
    service.CATEGORIES,
    path="/categories",
    noun="category",
    read=schemas.CategoryRead,
    create=schemas.CategoryCreate,
    update=schemas.CategoryUpdate,
    filters=schemas.CategoryFilter,
    id_name="code",
    id_type=schemas.Code,
)
