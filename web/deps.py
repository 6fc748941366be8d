"""What a page's handler is given before it runs: the signed-in visit (the API as the
person, and who they are), the CSRF check of every write, and the path types that answer an
impossible id as a missing page without asking the API.

FastAPI dependencies, read from the request and the app's state only.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Path, Request
from starlette.exceptions import HTTPException as StarletteHTTPException

from api.access.schemas import Capability
from api.accounts.schemas import Me
from api.redirects import safe_path
from api.schemas_common import MAX_ID
from api.steering.schemas import FIRST_YEAR, LAST_YEAR
from web import auth
from web.client import ApiClient, ApiError
from web.rendering import settings_of

# The longest form field the pages read (an e-mail address or a password fits).
MAX_FORM_FIELD = 1000
# An id the API could never have: answered here as a missing page, without asking the API.
PageId = Annotated[int, Path(ge=1, le=MAX_ID)]
# A year of a plan's follow-up; the API says which years the plan has.
YearPath = Annotated[int, Path(ge=FIRST_YEAR, le=LAST_YEAR)]


class SignInRequired(Exception):
    """The page needs a signed-in person: no session cookie, or the API no longer takes it."""

    def __init__(self, expired: bool = False) -> None:
        super().__init__("sign-in required")
        self.expired = expired


class PasswordChangeRequired(Exception):
    """The person signed in with a password someone else set: their own comes first
    (the API answers 403 ``password_change_required`` to anything else)."""


# The page where one chooses a new password (web.pages.accounts).
PASSWORD_PAGE = "/konto/nytt-losenord"  # noqa: S105 (a path)


@dataclass(frozen=True)
class Visit:
    """A signed-in person's request: the API as them, and who they are."""

    api: ApiClient
    me: Me


def address(request: Request) -> str | None:
    return request.client.host if request.client else None


def client_of(request: Request) -> ApiClient:
    """The API as nobody in particular; ``acting_for`` makes it someone's."""
    client: ApiClient = request.app.state.client
    return client


# Where to go after signing in: a path on this site, never another site. The one check of
# every redirect (api.redirects), under the name the sign-in pages use.
safe_next = safe_path


async def signed_in(request: Request) -> Visit:
    """The dependency of every page that shows data: the person's session, checked by the
    API (which also says who they are); otherwise off to the sign-in page."""
    token = auth.session_token(request)
    if token is None:
        raise SignInRequired()
    chosen = auth.chosen_municipality(request)
    api = client_of(request).acting_for(token, address(request), chosen)
    try:
        me = await api.me()
    except ApiError as exc:
        if exc.status == 401:
            raise SignInRequired(expired=True) from exc
        if chosen is None or exc.problem.code not in (
            "not_in_municipality",
            "municipality_inactive",
        ):
            raise
        # A choice that no longer holds (the grant there ended, or the municipality was
        # deactivated): the home municipality.
        api = client_of(request).acting_for(token, address(request))
        me = await api.me()
    if me.password_change_required and request.url.path != PASSWORD_PAGE:
        raise PasswordChangeRequired()
    request.state.me = me
    return Visit(api, me)


VisitDep = Annotated[Visit, Depends(signed_in)]

# Why a page refuses someone the API gives no such capability, in their words.
NOT_YOURS = {
    Capability.read_municipality: "Bara den som arbetar i en kommun kan använda den här sidan: "
    "välj en kommun först.",
    Capability.import_files: "Bara den som får läsa in filer kan använda den här sidan.",
    Capability.read_audit_log: "Bara en administratör kan läsa loggen.",
    Capability.read_steering: "Bara den som får läsa mål och planer kan använda den här sidan.",
    Capability.read_meetings: "Bara den som får läsa möten kan använda den här sidan.",
    Capability.set_privacy_notice: "Bara en administratör ändrar integritetsmeddelandet.",
    Capability.file_reports: "Bara den som får rapportera kan använda den här sidan.",
    Capability.read_guard_reports: "Bara den som får läsa bevakningsrapporter kan använda den "
    "här sidan.",
    Capability.file_guard_reports: "Bara bevakningsföretagets egna rapportörer och medlemmar "
    "lämnar bevakningsrapporter.",
    Capability.read_evenings: "Bara den som följer ett område eller arbetar kvällar kan "
    "använda den här sidan.",
    Capability.plan_evenings: "Bara den som planerar kvällar kan använda den här sidan.",
    Capability.moderate_tips: "Bara samordningsgruppens sammankallande och medlemmar granskar "
    "tips från allmänheten.",
    Capability.read_safety_walks: "Bara den som följer ett område eller är inbjuden till "
    "trygghetsvandringar kan använda den här sidan.",
    Capability.plan_safety_walks: "Bara den som planerar trygghetsvandringar kan använda den "
    "här sidan.",
    Capability.read_police_areas: "Bara lokalpolisområdets grupp och kommunernas "
    "administratörer kan använda den här sidan.",
    Capability.manage_police_areas: "Bara plattformens förvaltare skapar lokalpolisområden.",
    Capability.manage_municipality: "Bara kommunens administratör ändrar kommunens inställningar.",
    Capability.operate_platform: "Bara plattformens förvaltare hanterar kommunerna.",
}


def requires(capability: Capability) -> Callable[[Visit], Awaitable[Visit]]:
    """A page for those with a capability (``me.can``, as the menu offers it): anyone else
    gets a refusal at once, not a form the API would refuse when sent."""

    async def visit_with(visit: VisitDep) -> Visit:
        if capability not in visit.me.can:
            raise StarletteHTTPException(403, NOT_YOURS[capability])
        return visit

    return visit_with


MunicipalityVisit = Annotated[Visit, Depends(requires(Capability.manage_municipality))]
MunicipalDataVisit = Annotated[Visit, Depends(requires(Capability.read_municipality))]
ReportVisit = Annotated[Visit, Depends(requires(Capability.file_reports))]
ImportVisit = Annotated[Visit, Depends(requires(Capability.import_files))]
AuditVisit = Annotated[Visit, Depends(requires(Capability.read_audit_log))]
SteeringVisit = Annotated[Visit, Depends(requires(Capability.read_steering))]
MeetingsVisit = Annotated[Visit, Depends(requires(Capability.read_meetings))]
PrivacyEditVisit = Annotated[Visit, Depends(requires(Capability.set_privacy_notice))]
GuardReportsVisit = Annotated[Visit, Depends(requires(Capability.read_guard_reports))]
PoliceAreasVisit = Annotated[Visit, Depends(requires(Capability.read_police_areas))]
PlatformVisit = Annotated[Visit, Depends(requires(Capability.operate_platform))]


async def check_csrf(request: Request) -> None:
    """Every write from a browser carries the CSRF token (see web.auth)."""
    if request.method not in auth.UNSAFE_METHODS or request.url.path in auth.CSRF_EXEMPT:
        return
    sent = request.headers.get(auth.CSRF_HEADER)
    if sent is None:
        form = await request.form()
        value = form.get(auth.CSRF_FIELD)
        sent = value if isinstance(value, str) else None
    secret = settings_of(request).secret_key.get_secret_value()
    if not auth.csrf_valid(request, secret, sent):
        raise StarletteHTTPException(
            403,
            "Formuläret saknar en giltig säkerhetskod (det kan ha legat öppet länge). "
            "Ladda om sidan och försök igen.",
        )
