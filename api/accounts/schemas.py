from __future__ import annotations

import datetime as dt
import enum
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StrictBool, StringConstraints, WithJsonSchema

from api.access.schemas import Capability
from api.schemas_common import (
    CODE,
    AccountName,
    Exempt,
    Id,
    Input,
    ListQuery,
    Patch,
    QueryId,
    Record,
    Ref,
    omittable,
)
from api.structure.schemas import MunicipalityCreate, MunicipalityRead

# The sign-in screen takes this much; argon2 is never handed a megabyte to hash.
MAX_PASSWORD = 128
MIN_PASSWORD = 12
# Spelled out instead of \s, which JSON Schema's (ECMAScript) and Python's regexes read apart.
_NOT_IN_EMAIL = (
    r"@\u0000-\u0020\u007f-\u00a0\u1680\u2000-\u200b\u2028\u2029\u202f\u205f\u3000\ufeff"
)
_EMAIL_PATTERN = rf"^[^{_NOT_IN_EMAIL}]{{1,64}}@[^{_NOT_IN_EMAIL}]+\.[^{_NOT_IN_EMAIL}]+$"


class Role(enum.StrEnum):
    convener = "convener"  # sammankallande
    member = "member"
    reporter = "reporter"  # rapportör
    viewer = "viewer"


# What a person added to a group usually is: the member form offers it first.
USUAL_ROLE = Role.member


Email = Annotated[
    str,
    StringConstraints(max_length=254, pattern=_EMAIL_PATTERN),
    WithJsonSchema({"type": "string", "maxLength": 254, "pattern": _EMAIL_PATTERN}),
    Exempt("an account's own e-mail address is account data"),
]
# The typed login: anything up to the length, so a typo is a failed sign-in, not a 422
# that would tell the format apart from a wrong password.
Login = Annotated[str, Field(min_length=1, max_length=254), Exempt("a sign-in, not stored")]
Password = Annotated[
    str, Field(min_length=1, max_length=MAX_PASSWORD), Exempt("a password, stored hashed")
]
NewPassword = Annotated[
    str,
    Field(
        min_length=MIN_PASSWORD,
        max_length=MAX_PASSWORD,
        description="At least 12 characters, and not a common or easily guessed password.",
    ),
    Exempt("a password, stored hashed"),
]


# Sign-in ------------------------------------------------------------------------------


class SignIn(Input):
    email: Login
    password: Password


# What a half session still needs before it is a whole one (api.accounts.totp).
SecondFactorStage = Literal["verify", "enrol"]


class TokenRead(BaseModel):
    access_token: str = Field(description="Opaque; send it as `Authorization: Bearer …`.")
    token_type: str = "bearer"  # noqa: S105 (the OAuth 2 token type, not a secret)
    expires_at: dt.datetime = Field(description="The absolute end of the session.")
    idle_timeout_seconds: int = Field(description="The session ends after this long unused.")
    second_factor: SecondFactorStage | None = Field(
        None,
        description="null: a whole session. Otherwise a half one, which reaches only "
        "/auth/totp…: `verify`: send a code from the app (or a recovery code) to "
        "POST /auth/totp/verify; `enrol`: the person must set up two-factor sign-in first "
        "(POST /auth/totp/enrol, then /auth/totp/confirm).",
    )
    password_change_required: bool = Field(
        False,
        description="The password was set by someone else (temporary): the session reaches "
        "only PUT /auth/password, sign-out and /auth/me until the person chooses their own.",
    )


class PasswordChange(Input):
    current_password: Password
    new_password: NewPassword


# Two-factor sign-in ---------------------------------------------------------------------

# A code from the app (6 digits) or a recovery code (12 letters and digits, dashes allowed).
TotpCodeText = Annotated[
    str,
    Field(
        min_length=1,
        max_length=40,
        description="Six digits from the authenticator app, or one of the recovery codes.",
    ),
    Exempt("a one-time code, compared and never stored"),
]


class TotpCode(Input):
    code: TotpCodeText


class TotpStatus(BaseModel):
    enrolled: bool = Field(description="A second factor is set up and confirmed.")
    required: bool = Field(description="The person's role requires one (administrators, the "
                           "steering group).")  # fmt: skip
    stage: SecondFactorStage | None = Field(
        description="What this session still needs (see TokenRead.second_factor)."
    )
    enrolled_at: dt.datetime | None
    recovery_codes_left: int


class TotpEnrolment(BaseModel):
    """A new secret, answered once: its confirmation answers no secret, nor does any read."""

    secret: str = Field(description="Base32, for typing into the app by hand.")
    otpauth_uri: str = Field(description="The otpauth:// URI the QR code holds.")
    qr_svg: str = Field(description="The QR code as an inline SVG element, drawn on the server.")


class TotpConfirmed(BaseModel):
    recovery_codes: list[str] = Field(
        description="Single-use codes for a lost phone: shown this once, kept only hashed."
    )
    session: TokenRead | None = Field(
        description="A whole session, when the enrolment completed a half sign-in (the half "
        "session's token stops working)."
    )


# Users and memberships -------------------------------------------------------------------


class GroupRef(Ref):
    kind: str = Field(description="steering, coordination or area.")


class GroupGrant(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    group: GroupRef
    role: Role
    from_identity_provider: bool = Field(
        False,
        description="Given by the identity provider's groups (single sign-on, #22): changed "
        "and removed at the person's next sign-in there, not by hand.",
    )


class UserRead(Record):
    name: str
    email: str
    organisation: Ref | None
    is_admin: bool
    memberships: list[GroupGrant]


class OwnGrant(GroupGrant):
    """One of the signed-in person's memberships, with what it lets them do in the group
    (decided by api.access.policy)."""

    may_write: bool = Field(
        description="Writes in the group: its lägesbild, interventions and meetings."
    )
    may_manage: bool = Field(description="Adds and removes the group's members.")
    reads_as_member: bool = Field(
        description="Reads the group as one of its members (a reporter only files there)."
    )


class OwnPoliceAreaGrant(BaseModel):
    """The signed-in person's place in a police area's group (#21), whatever municipality
    they act in."""

    police_area: Ref
    role: str = Field(description="convener, member or viewer (policeareas.PoliceAreaRole).")


class Me(UserRead):
    memberships: list[OwnGrant]  # type: ignore[assignment]  # the same grants, with rights
    can: list[Capability] = Field(
        description="What the person may do beyond reading their own groups: the front "
        "end shows its menus and forms from these."
    )
    session_expires_at: dt.datetime | None
    second_factor_enrolled: bool = Field(description="Signs in with a code from an app too.")
    second_factor_required: bool = Field(
        description="Must sign in with a second factor (api.access.policy)."
    )
    feedback_email: bool = Field(
        True, description="Gets an e-mail when feedback arrives on what they reported."
    )
    password_change_required: bool = Field(
        False,
        description="Signed in with a password someone else set: must choose their own "
        "(PUT /auth/password) before anything else answers (403 `password_change_required`).",
    )
    municipality: Ref | None = Field(
        None, description="The municipality this request acts in (the header EST-Municipality)."
    )
    municipalities: list[Ref] = Field(
        default_factory=list,
        description="Every municipality the person may act in, their home one first: the "
        "front end offers the choice when there are several.",
    )
    police_areas: list[OwnPoliceAreaGrant] = Field(
        default_factory=list,
        description="The police areas whose group the person is in, and their role there.",
    )


class MeUpdate(Patch):
    """The person's own choices."""

    # Strict: a JSON boolean, never 0 or "yes".
    feedback_email: StrictBool = omittable()


class UserCreate(Input):
    name: AccountName
    email: Email
    organisation_id: Id | None = None
    is_admin: bool = False
    password: NewPassword | None = Field(
        None, description="Leave out for an account that will sign in through single sign-on."
    )


class UserUpdate(Patch):
    name: AccountName = omittable()
    email: Email = omittable()
    organisation_id: Id | None = omittable()
    is_admin: bool = omittable()
    password: NewPassword = omittable(description="A new password; ends the user's sessions.")


class UserFilter(ListQuery):
    q: Annotated[str, Field(max_length=200)] | None = Field(None, description="Part of the name.")
    email: Annotated[str, Field(max_length=254)] | None = Field(
        None, description="The exact e-mail address (how a convener finds whom to add)."
    )
    organisation: QueryId | None = None
    group: QueryId | None = None
    active: bool | None = None


class MembershipRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    group_id: int
    user: UserRef
    role: Role
    created_at: dt.datetime
    from_identity_provider: bool = Field(
        False,
        description="Given by the identity provider's groups (single sign-on, #22): changed "
        "and removed at the person's next sign-in there, not by hand.",
    )


class UserRef(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    name: str
    organisation: Ref | None


class MembershipPut(Input):
    role: Role


class MembershipFilter(ListQuery):
    role: Role | None = None


# Sessions and service tokens --------------------------------------------------------------


class EndedSessions(BaseModel):
    ended: int = Field(description="How many sessions were ended.")


SourceName = Annotated[
    str,
    StringConstraints(pattern=r"^[a-z][a-z0-9_-]{1,39}$"),
    WithJsonSchema({"type": "string", "pattern": r"^[a-z][a-z0-9_-]{1,39}$"}),
    CODE,
]


class ServiceTokenCreate(Input):
    source: SourceName = Field(description="The integration's name, for example `embrace`.")
    organisation_id: Id
    days: Annotated[int, Field(ge=1, le=730)] = Field(365, description="Days until it expires.")


class ServiceTokenRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    source: str
    organisation: Ref
    created_at: dt.datetime
    expires_at: dt.datetime
    revoked_at: dt.datetime | None
    last_used_at: dt.datetime | None


class ServiceTokenCreated(ServiceTokenRead):
    token: str = Field(description="Shown this once; only its hash is kept.")


class ServiceTokenFilter(ListQuery):
    source: SourceName | None = None
    organisation: QueryId | None = None


class IntegrationRead(BaseModel):
    """What a service token may see of its own integration."""

    source: str
    organisation: Ref
    token_expires_at: dt.datetime


# A new municipality (#21) ------------------------------------------------------------------


class OperatorCreate(Input):
    """A platform operator (``est operator create``)."""

    name: AccountName
    email: Email
    password: NewPassword


class AdministratorInvite(Input):
    """The first administrator of a new municipality: an account is made with it as home
    and a one-time password, told once."""

    name: AccountName
    email: Email


class MunicipalityEstablish(MunicipalityCreate):
    """A new municipality with its first administrator (the platform operator's form)."""

    administrator: AdministratorInvite


class MunicipalityEstablished(BaseModel):
    municipality: MunicipalityRead
    administrator_id: int
    administrator_email: str
    one_time_password: str = Field(
        description="Told once, never stored in clear: the administrator signs in with it, "
        "sets up the second factor and changes it."
    )


MembershipRead.model_rebuild()


# Password sign-in turned off per municipality (#22; api.accounts.password_sign_in) ----------


class BreakGlassAdmin(BaseModel):
    """One of the municipality's administrators, and whether they may break the glass."""

    user: Ref
    break_glass: bool = Field(
        description="Keeps password sign-in (with a second factor) when it is turned off."
    )
    second_factor_enrolled: bool


class PasswordSignInRead(BaseModel):
    municipality_id: int
    enabled: bool = Field(description="The municipality's people sign in with a password.")
    identity_providers: list[str] = Field(
        description="The identity providers turned on, as the sign-in page names them."
    )
    administrators: list[BreakGlassAdmin]


class PasswordSignInWrite(Input):
    enabled: StrictBool = Field(
        description="Off: the municipality's people sign in through its identity provider "
        "alone; break-glass administrators keep their password with a second factor. Turning "
        "it off needs an identity provider turned on and a break-glass administrator with a "
        "second factor (409 otherwise)."
    )


class BreakGlassWrite(Input):
    break_glass: StrictBool
