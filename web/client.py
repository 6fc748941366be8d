"""The typed client of the API: the web front end's only way to the data.

In the one-process mode it reaches the API through ``httpx.ASGITransport`` (no network hop);
split, through a base URL. Either way it sees exactly what any other API client sees.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any, TypeVar

import httpx
from pydantic import BaseModel, TypeAdapter

from api.accounts.schemas import (
    Me,
    MembershipRead,
    TokenRead,
    TotpConfirmed,
    TotpEnrolment,
    TotpStatus,
    UserRead,
)
from api.analysis.schemas import Analysis
from api.audit.schemas import AuditEventRead, Purpose
from api.categories.schemas import CategoryRead
from api.incidents.schemas import (
    IncidentRead,
    IncidentReaderRead,
    IncidentVersionRead,
    ReportRead,
)
from api.integrations.schemas import ImportRead, MappingRead
from api.interventions.schemas import Effect, FeedbackRead, FollowUpRead, InterventionRead
from api.meetings.schemas import DecisionRead, MeetingRead, NextMeeting
from api.schemas_common import Page
from api.situation.schemas import (
    Comparison,
    Figures,
    SituationReportRead,
    SituationReportSummary,
)
from api.steering.schemas import (
    ActivityRead,
    AssignmentRead,
    GoalRead,
    IndicatorRead,
    PlanRead,
    PlanYear,
    Thread,
)
from api.structure.schemas import (
    AreaRead,
    GroupRead,
    MunicipalityRead,
    OrganisationRead,
    PlaceRead,
    PrivacyNoticeRead,
)

# ApiError and ApiUnavailable are the client's own, re-exported for the pages.
from web.client_errors import ApiError as ApiError
from web.client_errors import ApiUnavailable as ApiUnavailable
from web.client_errors import problem_of, unreachable

log = logging.getLogger("est.web")
M = TypeVar("M", bound=BaseModel)
V1 = "/api/v1"
# Which of their municipalities the person acts in (api.deps.MUNICIPALITY_HEADER).
MUNICIPALITY_HEADER = "EST-Municipality"
# A safety net against a next link that never ends; no list of the structure comes near it.
MAX_PAGES = 100


class ApiClient:
    """Anonymous as made; ``acting_for`` gives the same client with a person's token and
    address, which every page uses."""

    def __init__(
        self,
        http: httpx.AsyncClient,
        *,
        token: str | None = None,
        address: str | None = None,
        municipality: int | None = None,
    ) -> None:
        self._http = http
        # Reports filed through the pages are marked as from the web (source "web").
        self._headers: dict[str, str] = {"X-EST-Client": "web"}
        if token:
            self._headers["Authorization"] = f"Bearer {token}"
        if address:
            # The API logs and throttles by the person's address, not the web server's.
            self._headers["X-Forwarded-For"] = address
        if municipality is not None:
            # Which of their municipalities the person acts in (the account menu's choice).
            self._headers[MUNICIPALITY_HEADER] = str(municipality)

    def acting_for(
        self, token: str | None, address: str | None, municipality: int | None = None
    ) -> ApiClient:
        return ApiClient(self._http, token=token, address=address, municipality=municipality)

    async def aclose(self) -> None:
        await self._http.aclose()

    async def _request(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, Any] | None = None,
        json: Any = None,
        headers: Mapping[str, str] | None = None,
        data: Mapping[str, Any] | None = None,
        files: Mapping[str, tuple[str, bytes, str]] | None = None,
    ) -> httpx.Response:
        clean = {k: v for k, v in (params or {}).items() if v is not None and v != ""}
        try:
            response = await self._http.request(
                method,
                path,
                params=clean,
                json=json,
                data=data,
                files=files,
                headers={**self._headers, **(headers or {})},
            )
        except httpx.HTTPError as exc:
            raise unreachable(exc) from exc
        if response.status_code >= 400:
            problem, wait = problem_of(response), response.headers.get("Retry-After", "")
            error = (ApiUnavailable if response.status_code >= 500 else ApiError)(problem)
            error.retry_after = int(wait) if wait.isdigit() else None
            raise error
        return response

    async def _get(self, path: str, model: type[M], **params: Any) -> M:
        response = await self._request("GET", path, params=params)
        return model.model_validate_json(response.content)

    async def _send(self, method: str, path: str, model: type[M], body: Any) -> M:
        response = await self._request(method, path, json=body)
        return model.model_validate_json(response.content)

    async def _all(self, path: str, model: type[M], **params: Any) -> list[M]:
        """Every item of a list, following its ``next`` links."""
        adapter = TypeAdapter(Page[model])  # type: ignore[valid-type]
        items: list[M] = []
        url: str | None = path
        for _ in range(MAX_PAGES):
            if url is None:
                return items
            response = await self._request("GET", url, params=params if url == path else None)
            page = adapter.validate_json(response.content)
            items.extend(page.items)
            url = page.next
        log.warning("stopped following %s after %d pages", path, MAX_PAGES)
        return items

    # Signing in ------------------------------------------------------------------------

    async def sign_in(self, email: str, password: str) -> TokenRead:
        response = await self._request(
            "POST", f"{V1}/auth/token", json={"email": email, "password": password}
        )
        return TokenRead.model_validate_json(response.content)

    async def sign_out(self) -> None:
        await self._request("DELETE", f"{V1}/auth/token")

    async def me(self) -> Me:
        return await self._get(f"{V1}/auth/me", Me)

    async def change_password(self, current_password: str, new_password: str) -> None:
        await self._request(
            "PUT",
            f"{V1}/auth/password",
            json={"current_password": current_password, "new_password": new_password},
        )

    # Two-factor sign-in --------------------------------------------------------------------

    async def totp_status(self) -> TotpStatus:
        return await self._get(f"{V1}/auth/totp", TotpStatus)

    async def verify_totp(self, code: str) -> TokenRead:
        response = await self._request("POST", f"{V1}/auth/totp/verify", json={"code": code})
        return TokenRead.model_validate_json(response.content)

    async def start_totp(self) -> TotpEnrolment:
        response = await self._request("POST", f"{V1}/auth/totp/enrol")
        return TotpEnrolment.model_validate_json(response.content)

    async def confirm_totp(self, code: str) -> TotpConfirmed:
        response = await self._request("POST", f"{V1}/auth/totp/confirm", json={"code": code})
        return TotpConfirmed.model_validate_json(response.content)

    async def disable_totp(self) -> None:
        await self._request("DELETE", f"{V1}/auth/totp")

    async def audit_events(self, **filters: Any) -> Page[AuditEventRead]:
        response = await self._request("GET", f"{V1}/audit-events", params=filters)
        return Page[AuditEventRead].model_validate_json(response.content)

    # Groups' members ----------------------------------------------------------------------

    async def memberships(self, group_id: int) -> list[MembershipRead]:
        response = await self._request("GET", f"{V1}/groups/{group_id}/memberships")
        return TypeAdapter(list[MembershipRead]).validate_json(response.content)

    async def user_by_email(self, email: str) -> UserRead | None:
        page = await self._get(f"{V1}/users", Page[UserRead], email=email, limit=1)
        return page.items[0] if page.items else None

    async def put_membership(self, group_id: int, user_id: int, role: str) -> MembershipRead:
        response = await self._request(
            "PUT", f"{V1}/groups/{group_id}/memberships/{user_id}", json={"role": role}
        )
        return MembershipRead.model_validate_json(response.content)

    async def remove_membership(self, group_id: int, user_id: int) -> None:
        await self._request("DELETE", f"{V1}/groups/{group_id}/memberships/{user_id}")

    # The EST structure ----------------------------------------------------------------

    async def privacy_notice(self, municipality_id: int | None = None) -> PrivacyNoticeRead:
        """A municipality's privacy notice (the installation's only one's by default); anyone
        may read it, signed in or not."""
        where = "" if municipality_id is None else f"/municipalities/{municipality_id}"
        return await self._get(f"{V1}{where}/privacy-notice", PrivacyNoticeRead)

    async def set_privacy_notice(self, municipality_id: int, text: str | None) -> PrivacyNoticeRead:
        response = await self._request(
            "PUT", f"{V1}/municipalities/{municipality_id}/privacy-notice", json={"text": text}
        )
        return PrivacyNoticeRead.model_validate_json(response.content)

    async def municipalities(self, *, active: bool | None = True) -> list[MunicipalityRead]:
        return await self._all(f"{V1}/municipalities", MunicipalityRead, active=active, limit=200)

    async def groups(self, *, active: bool | None = True, **filters: Any) -> list[GroupRead]:
        return await self._all(f"{V1}/groups", GroupRead, active=active, limit=200, **filters)

    async def group(self, group_id: int) -> GroupRead:
        return await self._get(f"{V1}/groups/{group_id}", GroupRead)

    async def area(self, area_id: int) -> AreaRead:
        return await self._get(f"{V1}/areas/{area_id}", AreaRead)

    async def places(
        self, *, area: int | None = None, active: bool | None = True
    ) -> list[PlaceRead]:
        return await self._all(f"{V1}/places", PlaceRead, area=area, active=active, limit=200)

    async def areas(self, *, active: bool | None = True) -> list[AreaRead]:
        return await self._all(f"{V1}/areas", AreaRead, active=active, limit=200)

    async def categories(self, *, active: bool | None = True) -> list[CategoryRead]:
        return await self._all(f"{V1}/categories", CategoryRead, active=active, limit=200)

    # Observations ---------------------------------------------------------------------------

    async def incidents(self, **filters: Any) -> Page[IncidentRead]:
        return await self._get(f"{V1}/incidents", Page[IncidentRead], **filters)

    async def incident(self, incident_id: int) -> IncidentRead:
        return await self._get(f"{V1}/incidents/{incident_id}", IncidentRead)

    async def incident_readers(
        self, incident_id: int, *, cursor: str | None = None
    ) -> Page[IncidentReaderRead]:
        """Who has read the incident, a page of them, newest first (the audit log's readers)."""
        return await self._get(
            f"{V1}/incidents/{incident_id}/readers",
            Page[IncidentReaderRead],
            cursor=cursor,
            limit=50,
        )

    async def incident_history(self, incident_id: int) -> list[IncidentVersionRead]:
        response = await self._request("GET", f"{V1}/incidents/{incident_id}/history")
        return TypeAdapter(list[IncidentVersionRead]).validate_json(response.content)

    async def report(self, report_id: int) -> ReportRead:
        return await self._get(f"{V1}/reports/{report_id}", ReportRead)

    async def file_report(self, body: dict[str, Any], *, key: str) -> ReportRead:
        response = await self._request(
            "POST", f"{V1}/reports", json=body, headers={"Idempotency-Key": key}
        )
        return ReportRead.model_validate_json(response.content)

    async def update_incident(self, incident_id: int, body: dict[str, Any]) -> IncidentRead:
        return await self._send("PATCH", f"{V1}/incidents/{incident_id}", IncidentRead, body)

    async def withdraw_incident(self, incident_id: int, reason: str) -> IncidentRead:
        response = await self._request(
            "POST", f"{V1}/incidents/{incident_id}/withdraw", json={"reason": reason}
        )
        return IncidentRead.model_validate_json(response.content)

    async def undo_match(self, incident_id: int, match_id: int) -> None:
        await self._request("POST", f"{V1}/incidents/{incident_id}/matches/{match_id}/undo")

    async def stream(
        self,
        path: str,
        *,
        headers: Mapping[str, str] | None = None,
        patience: float = 0,
        **params: Any,
    ) -> httpx.Response:
        """The API's answer with its body still to come (``web.client_streams`` passes it
        on as it arrives and closes it); a problem is raised as from any other call.
        ``patience``: seconds the body may pause (an event stream's heartbeat), if not the
        client's own timeout."""
        clean = {k: v for k, v in params.items() if v is not None and v != ""}
        request = self._http.build_request(
            "GET", path, params=clean, headers={**self._headers, **(headers or {})}
        )
        if patience:
            request.extensions["timeout"] = {**request.extensions["timeout"], "read": patience}
        try:
            response = await self._http.send(request, stream=True)
        except httpx.HTTPError as exc:
            raise unreachable(exc) from exc
        if response.status_code >= 400:
            await response.aread()
            await response.aclose()
            problem, wait = problem_of(response), response.headers.get("Retry-After", "")
            error = (ApiUnavailable if response.status_code >= 500 else ApiError)(problem)
            error.retry_after = int(wait) if wait.isdigit() else None
            raise error
        return response

    async def organisations(
        self, *, active: bool | None = True, **filters: Any
    ) -> list[OrganisationRead]:
        return await self._all(
            f"{V1}/organisations", OrganisationRead, active=active, limit=200, **filters
        )

    # The lägesbild ----------------------------------------------------------------------------

    async def group_figures(
        self, group_id: int, *, first_day: str | None = None, last_day: str | None = None
    ) -> Figures:
        return await self._get(
            f"{V1}/groups/{group_id}/situation", Figures, first_day=first_day, last_day=last_day
        )

    async def group_analysis(
        self, group_id: int, *, first_day: str | None = None, last_day: str | None = None
    ) -> Analysis:
        params = {"from": first_day, "to": last_day}
        return await self._get(f"{V1}/groups/{group_id}/analysis", Analysis, **params)

    async def situation_report_analysis(self, report_id: int) -> Analysis:
        """A published lägesbild's analysis as it was when it was published (404 for a draft,
        and for one published before it was kept)."""
        return await self._get(f"{V1}/situation-reports/{report_id}/analysis", Analysis)

    async def situation_reports(self, group_id: int) -> list[SituationReportSummary]:
        response = await self._request("GET", f"{V1}/groups/{group_id}/situation-reports")
        return TypeAdapter(list[SituationReportSummary]).validate_json(response.content)

    async def create_situation_report(
        self, group_id: int, *, first_day: str | None, last_day: str | None
    ) -> SituationReportRead:
        body = {k: v for k, v in {"first_day": first_day, "last_day": last_day}.items() if v}
        return await self._send(
            "POST", f"{V1}/groups/{group_id}/situation-reports", SituationReportRead, body
        )

    async def situation_report(
        self, report_id: int, *, purpose: Purpose | None = None
    ) -> tuple[SituationReportRead, str]:
        """The lägesbild and its ETag, to send back in If-Match when saving. ``purpose``:
        read for a PDF or a print view, which the API logs as an export."""
        response = await self._request(
            "GET", f"{V1}/situation-reports/{report_id}", params={"purpose": purpose}
        )
        read = SituationReportRead.model_validate_json(response.content)
        return read, response.headers.get("ETag", "")

    async def update_situation_report(
        self, report_id: int, body: dict[str, Any], *, etag: str
    ) -> tuple[SituationReportRead, str]:
        response = await self._request(
            "PATCH", f"{V1}/situation-reports/{report_id}", json=body, headers={"If-Match": etag}
        )
        read = SituationReportRead.model_validate_json(response.content)
        return read, response.headers.get("ETag", "")

    async def publish_situation_report(self, report_id: int, *, etag: str) -> SituationReportRead:
        response = await self._request(
            "POST", f"{V1}/situation-reports/{report_id}/publish", headers={"If-Match": etag}
        )
        return SituationReportRead.model_validate_json(response.content)

    async def new_situation_version(self, report_id: int) -> SituationReportRead:
        response = await self._request("POST", f"{V1}/situation-reports/{report_id}/versions")
        return SituationReportRead.model_validate_json(response.content)

    async def compare_situation_reports(self, report_id: int, other_id: int) -> Comparison:
        return await self._get(
            f"{V1}/situation-reports/{report_id}/comparison/{other_id}", Comparison
        )

    # Interventions ------------------------------------------------------------------------

    async def interventions(self, **filters: Any) -> Page[InterventionRead]:
        return await self._get(f"{V1}/interventions", Page[InterventionRead], **filters)

    async def intervention(self, intervention_id: int) -> InterventionRead:
        return await self._get(f"{V1}/interventions/{intervention_id}", InterventionRead)

    async def create_intervention(self, body: dict[str, Any]) -> InterventionRead:
        return await self._send("POST", f"{V1}/interventions", InterventionRead, body)

    async def update_intervention(
        self, intervention_id: int, body: dict[str, Any]
    ) -> InterventionRead:
        return await self._send(
            "PATCH", f"{V1}/interventions/{intervention_id}", InterventionRead, body
        )

    async def follow_ups(self, intervention_id: int) -> list[FollowUpRead]:
        response = await self._request("GET", f"{V1}/interventions/{intervention_id}/follow-ups")
        return TypeAdapter(list[FollowUpRead]).validate_json(response.content)

    async def add_follow_up(self, intervention_id: int, body: dict[str, Any]) -> FollowUpRead:
        return await self._send(
            "POST", f"{V1}/interventions/{intervention_id}/follow-ups", FollowUpRead, body
        )

    async def feedback(self, intervention_id: int) -> list[FeedbackRead]:
        response = await self._request("GET", f"{V1}/interventions/{intervention_id}/feedback")
        return TypeAdapter(list[FeedbackRead]).validate_json(response.content)

    async def add_feedback(self, intervention_id: int, body: dict[str, Any]) -> FeedbackRead:
        return await self._send(
            "POST", f"{V1}/interventions/{intervention_id}/feedback", FeedbackRead, body
        )

    async def intervention_effect(self, intervention_id: int, weeks: int) -> Effect:
        return await self._get(f"{V1}/interventions/{intervention_id}/effect", Effect, weeks=weeks)

    # Meetings -------------------------------------------------------------------------------

    async def meetings(self, group_id: int, *, upcoming: bool = False) -> list[MeetingRead]:
        response = await self._request(
            "GET", f"{V1}/groups/{group_id}/meetings", params={"upcoming": str(upcoming).lower()}
        )
        return TypeAdapter(list[MeetingRead]).validate_json(response.content)

    async def next_meeting(self, group_id: int) -> NextMeeting:
        return await self._get(f"{V1}/groups/{group_id}/meetings/next", NextMeeting)

    async def create_meeting(self, group_id: int, body: dict[str, Any]) -> MeetingRead:
        return await self._send("POST", f"{V1}/groups/{group_id}/meetings", MeetingRead, body)

    async def meeting(self, meeting_id: int) -> tuple[MeetingRead, str]:
        response = await self._request("GET", f"{V1}/meetings/{meeting_id}")
        return MeetingRead.model_validate_json(response.content), response.headers.get("ETag", "")

    async def update_meeting(self, meeting_id: int, body: dict[str, Any], *, etag: str) -> None:
        await self._request(
            "PATCH", f"{V1}/meetings/{meeting_id}", json=body, headers={"If-Match": etag}
        )

    async def add_decision(self, meeting_id: int, body: dict[str, Any]) -> DecisionRead:
        return await self._send("POST", f"{V1}/meetings/{meeting_id}/decisions", DecisionRead, body)

    # Steering ---------------------------------------------------------------------------------

    async def goals(self, **filters: Any) -> list[GoalRead]:
        return await self._all(f"{V1}/goals", GoalRead, limit=200, **filters)

    async def goal(self, goal_id: int) -> GoalRead:
        return await self._get(f"{V1}/goals/{goal_id}", GoalRead)

    async def thread(self, goal_id: int) -> Thread:
        return await self._get(f"{V1}/goals/{goal_id}/thread", Thread)

    async def create_goal(self, body: dict[str, Any]) -> GoalRead:
        return await self._send("POST", f"{V1}/goals", GoalRead, body)

    async def update_goal(self, goal_id: int, body: dict[str, Any]) -> GoalRead:
        return await self._send("PATCH", f"{V1}/goals/{goal_id}", GoalRead, body)

    async def update_plan(self, plan_id: int, body: dict[str, Any]) -> PlanRead:
        return await self._send("PATCH", f"{V1}/plans/{plan_id}", PlanRead, body)

    async def delete_indicator_value(self, indicator_id: int, year: int) -> None:
        await self._request("DELETE", f"{V1}/indicators/{indicator_id}/values/{year}")

    async def create_indicator(self, goal_id: int, body: dict[str, Any]) -> IndicatorRead:
        return await self._send("POST", f"{V1}/goals/{goal_id}/indicators", IndicatorRead, body)

    async def put_indicator_value(
        self, indicator_id: int, year: int, body: dict[str, Any]
    ) -> IndicatorRead:
        return await self._send(
            "PUT", f"{V1}/indicators/{indicator_id}/values/{year}", IndicatorRead, body
        )

    async def assignments(self, **filters: Any) -> list[AssignmentRead]:
        return await self._all(f"{V1}/assignments", AssignmentRead, limit=200, **filters)

    async def assignment(self, assignment_id: int) -> AssignmentRead:
        return await self._get(f"{V1}/assignments/{assignment_id}", AssignmentRead)

    async def create_assignment(self, body: dict[str, Any]) -> AssignmentRead:
        return await self._send("POST", f"{V1}/assignments", AssignmentRead, body)

    async def update_assignment(self, assignment_id: int, body: dict[str, Any]) -> AssignmentRead:
        return await self._send("PATCH", f"{V1}/assignments/{assignment_id}", AssignmentRead, body)

    async def answer_assignment(self, assignment_id: int, body: dict[str, Any]) -> AssignmentRead:
        return await self._send(
            "POST", f"{V1}/assignments/{assignment_id}/answer", AssignmentRead, body
        )

    async def plans(self, **filters: Any) -> list[PlanRead]:
        return await self._all(f"{V1}/plans", PlanRead, limit=200, **filters)

    async def plan(self, plan_id: int) -> PlanRead:
        return await self._get(f"{V1}/plans/{plan_id}", PlanRead)

    async def create_plan(self, body: dict[str, Any]) -> PlanRead:
        return await self._send("POST", f"{V1}/plans", PlanRead, body)

    async def create_activity(self, plan_id: int, body: dict[str, Any]) -> ActivityRead:
        return await self._send("POST", f"{V1}/plans/{plan_id}/activities", ActivityRead, body)

    async def review_activity(
        self, activity_id: int, year: int, body: dict[str, Any]
    ) -> ActivityRead:
        return await self._send(
            "PUT", f"{V1}/activities/{activity_id}/reviews/{year}", ActivityRead, body
        )

    async def plan_year(
        self, plan_id: int, year: int, *, purpose: Purpose | None = None
    ) -> PlanYear:
        return await self._get(f"{V1}/plans/{plan_id}/reviews/{year}", PlanYear, purpose=purpose)

    async def review_plan(self, plan_id: int, year: int, body: dict[str, Any]) -> PlanYear:
        return await self._send("PUT", f"{V1}/plans/{plan_id}/reviews/{year}", PlanYear, body)

    async def upload_import(
        self, source: str, filename: str, content: bytes, organisation_id: int | None
    ) -> ImportRead:
        data = {"source": source}
        if organisation_id is not None:
            data["organisation_id"] = str(organisation_id)
        response = await self._request(
            "POST",
            f"{V1}/imports",
            data=data,
            files={"file": (filename, content, "application/octet-stream")},
        )
        return ImportRead.model_validate_json(response.content)

    async def import_(self, import_id: int) -> ImportRead:
        return await self._get(f"{V1}/imports/{import_id}", ImportRead)

    async def confirm_import(self, import_id: int) -> ImportRead:
        response = await self._request("POST", f"{V1}/imports/{import_id}/confirm")
        return ImportRead.model_validate_json(response.content)

    async def category_mappings(self) -> list[MappingRead]:
        response = await self._request("GET", f"{V1}/category-mappings")
        return TypeAdapter(list[MappingRead]).validate_json(response.content)

    async def put_category_mapping(self, source: str, name: str, category: str) -> MappingRead:
        response = await self._request(
            "PUT",
            f"{V1}/category-mappings",
            json={"source": source, "name": name, "category": category},
        )
        return MappingRead.model_validate_json(response.content)

    async def delete_category_mapping(self, mapping_id: int) -> None:
        await self._request("DELETE", f"{V1}/category-mappings/{mapping_id}")

    async def meetings_calendar(self, group_id: int) -> bytes:
        response = await self._request("GET", f"{V1}/groups/{group_id}/meetings.ics")
        return response.content
