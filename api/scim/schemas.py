"""SCIM 2.0 (RFC 7643) as EST reads it, and the administrator's SCIM tokens.

The directory's bodies are read leniently, as Entra ID sends them: attributes EST does not
keep are ignored (not refused, or a directory with more attributes mapped could provision no
one), ``active`` may be the string "True" or "False", ``op`` any case. What EST keeps is
checked: ``userName`` must be an e-mail address (the user principal name, which is the
account's sign-in), a group's name passes the personal data guard."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StringConstraints,
)

from api.accounts.schemas import Email
from api.schemas_common import Exempt, Id, Input, Name, Ref

USER_SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:User"
GROUP_SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:Group"
ENTERPRISE_SCHEMA = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"
LIST_SCHEMA = "urn:ietf:params:scim:api:messages:2.0:ListResponse"
PATCH_SCHEMA = "urn:ietf:params:scim:api:messages:2.0:PatchOp"
ERROR_SCHEMA = "urn:ietf:params:scim:api:messages:2.0:Error"
MEDIA_TYPE = "application/scim+json"


# The administrator's tokens ----------------------------------------------------------------


class ScimTokenCreate(Input):
    organisation_id: Id = Field(description="The organisation new accounts are made in.")
    days: Annotated[int, Field(ge=1, le=730)] = Field(365, description="Days until it expires.")


class ScimTokenRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    organisation: Ref
    created_at: dt.datetime
    expires_at: dt.datetime
    revoked_at: dt.datetime | None
    last_used_at: dt.datetime | None


class ScimTokenCreated(ScimTokenRead):
    token: str = Field(description="Shown this once; only its hash is kept.")
    tenant_url: str = Field(description="The Tenant URL to give the directory.")


# The directory's bodies --------------------------------------------------------------------


def scim_bool(value: Any) -> Any:
    """Entra ID sends ``active`` as the string "True" or "False" in some versions."""
    if isinstance(value, str) and value.strip().lower() in ("true", "false"):
        return value.strip().lower() == "true"
    return value


ScimBool = Annotated[bool, BeforeValidator(scim_bool)]
# The directory's own id for a person or a group: an opaque code, not free text.
ExternalId = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=300),
    Exempt("the directory's id for a person or a group, an opaque code"),
]
# A person's names, as the directory has them: account data, which the account shows.
PersonText = Annotated[
    str,
    StringConstraints(strip_whitespace=True, max_length=200),
    Exempt("a person's own name or address from the directory is account data"),
]
# Attributes EST reads but keeps nothing of but a match (an email's type, a schema URI).
Marker = Annotated[str, Field(max_length=300), Exempt("a SCIM keyword, not stored")]
# A directory group's name, kept and shown: guarded, as every name of something.
GroupName = Name
# What a PATCH operation sets: read attribute by attribute in api.scim.patching, each by the
# rule of the attribute it sets (a group's name through the personal data guard).
PatchValue = Annotated[Any, Exempt("read attribute by attribute by the attribute's own rule")]


class Lenient(BaseModel):
    """A SCIM body: attributes EST does not keep are ignored."""

    model_config = ConfigDict(extra="ignore", populate_by_name=True)


class ScimName(Lenient):
    formatted: PersonText | None = None
    given_name: PersonText | None = Field(None, alias="givenName")
    family_name: PersonText | None = Field(None, alias="familyName")


class ScimEmail(Lenient):
    value: PersonText
    type: Marker | None = None
    primary: ScimBool = False


class ScimEnterprise(Lenient):
    # Looked up among the municipality's organisations (a new account's), not stored.
    organization: PersonText | None = None
    department: PersonText | None = None


class ScimUserIn(Lenient):
    schemas: list[Marker] = Field(default_factory=list)
    user_name: Email = Field(alias="userName")
    external_id: ExternalId | None = Field(None, alias="externalId")
    active: ScimBool = True
    display_name: PersonText | None = Field(None, alias="displayName")
    name: ScimName | None = None
    emails: list[ScimEmail] = Field(default_factory=list, max_length=20)
    enterprise: ScimEnterprise | None = Field(None, alias=ENTERPRISE_SCHEMA)


class ScimMemberIn(Lenient):
    value: Annotated[str, Field(max_length=40), Exempt("a SCIM id, a number")]


class ScimGroupIn(Lenient):
    schemas: list[Marker] = Field(default_factory=list)
    display_name: GroupName = Field(alias="displayName")
    external_id: ExternalId | None = Field(None, alias="externalId")
    # A group's members in one body, within the API's body limit even where a request breaks
    # the schema by one more (Entra ID sends members in PATCH batches of at most 100).
    members: list[ScimMemberIn] = Field(default_factory=list, max_length=1000)


class PatchOperation(Lenient):
    op: Annotated[
        str,
        StringConstraints(pattern=r"(?i)^(add|replace|remove)$"),
        Exempt("a SCIM operation: add, replace or remove"),
    ]
    path: Annotated[str, Field(max_length=300), Exempt("a SCIM attribute path, parsed")] | None = (
        None
    )
    value: PatchValue = None


class PatchRequest(Lenient):
    schemas: list[Marker] = Field(default_factory=list)
    operations: list[PatchOperation] = Field(alias="Operations", min_length=1, max_length=1000)
