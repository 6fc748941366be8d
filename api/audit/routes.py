from __future__ import annotations

from fastapi import APIRouter

from api.audit import schemas, service
from api.routing import add_list_route

router = APIRouter()

add_list_route(
    router,
    service.AUDIT_EVENTS,
    path="/audit-events",
    read=schemas.AuditEventRead,
    filters=schemas.AuditFilter,
    summary="The audit log, newest first, with filters",
)
