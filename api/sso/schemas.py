from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StrictBool, StringConstraints

from api.accounts.schemas import Role
from api.schemas_common import Exempt, Id, Input, Ref

# The web's page the provider sends the browser back to, under EST_PUBLIC_URL: what the
# administrator registers at the provider as the redirect URI.
REDIRECT_PATH = "/logga-in/oidc/svar"

_PROTOCOL = Exempt("a value of the OpenID Connect protocol, not free text")
_SECRET = Exempt("a secret, kept sealed and never stored as text")


# An issuer is an https URL (the provider's keys and tokens come from it), without a query
# or fragment; plain http only on this machine (a provider a test starts on the loopback).
_PATH = r"(/[A-Za-z0-9._~%!$&'()*+,;=:@/-]*)?"
ISSUER_PATTERN = (
    rf"^https://[A-Za-z0-9.-]+(:[0-9]{{1,5}})?{_PATH}$"
    rf"|^http://(127\.0\.0\.1|localhost)(:[0-9]{{1,5}})?{_PATH}$"
)


Issuer = Annotated[
    str,
    # Kept as the provider writes it (a trailing slash too): the ID token's iss must equal it.
    StringConstraints(min_length=8, max_length=500, pattern=ISSUER_PATTERN),
    _PROTOCOL,
]
ProtocolText = Annotated[str, StringConstraints(min_length=1, max_length=200), _PROTOCOL]


class OidcSettingsWrite(Input):
    """A municipality's identity provider, as its administrator registers it."""

    issuer: Issuer = Field(
        description="The provider's issuer (Entra ID: https://login.microsoftonline.com/"
        "<tenant id>/v2.0); its metadata is read from /.well-known/openid-configuration."
    )
    client_id: ProtocolText = Field(description="The application (client) id at the provider.")
    client_secret: Annotated[
        str | None, StringConstraints(min_length=1, max_length=500), _SECRET
    ] = Field(
        None,
        description="The client secret. Left out (or null): the one kept stays. Never answered.",
    )
    enabled: StrictBool = Field(True, description="Offered on the sign-in page.")
    provision_accounts: StrictBool = Field(
        False,
        description="Just-in-time accounts: a person the provider vouches for and EST does not "
        "know gets an account (in provision_organisation). Off by default.",
    )
    provision_organisation_id: Id | None = None


class OidcSettingsRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    municipality_id: int
    configured: bool = Field(description="Whether the municipality has an identity provider.")
    issuer: str | None
    client_id: str | None
    client_secret_set: bool = Field(description="Whether a secret is kept (it is never answered).")
    redirect_uri: str = Field(description="What to register at the provider as the redirect URI.")
    enabled: bool
    provision_accounts: bool
    provision_organisation_id: int | None


class GroupMappingCreate(Input):
    claim_value: ProtocolText = Field(
        description="A value of the `groups` claim (Entra ID: the group's object id)."
    )
    group_id: Id
    role: Role


class GroupMappingRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    claim_value: str
    group: Ref
    role: Role


class OidcChoice(BaseModel):
    """A municipality whose people may sign in through its identity provider."""

    municipality: Ref
    label: str = Field(description="The button's text, as the sign-in page shows it.")


class OidcStart(Input):
    municipality_id: Id


class OidcStarted(BaseModel):
    authorization_url: str = Field(description="Where to send the browser.")
    flow: str = Field(
        description="The sign-in under way (state, nonce, PKCE verifier), sealed: keep it in "
        "the browser (an HttpOnly cookie) and send it back with the provider's answer."
    )


_FLOW = Annotated[str, StringConstraints(min_length=1, max_length=2000), _PROTOCOL]


class OidcFinish(Input):
    """The provider's answer at the redirect URI, with the flow from OidcStarted."""

    flow: _FLOW
    state: _FLOW
    code: _FLOW | None = None
    error: Annotated[str | None, StringConstraints(max_length=200), _PROTOCOL] = None
