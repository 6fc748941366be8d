from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StrictBool, StringConstraints

from api.accounts.schemas import Role
from api.schemas_common import Exempt, Id, Input, Ref

# The web's page the provider sends the browser back to, under EST_PUBLIC_URL: what the
# administrator registers at the provider as the redirect URI.
REDIRECT_PATH = "/logga-in/oidc/svar"
# The web's page a SAML IdP posts its response to (the AssertionConsumerService, HTTP-POST).
ACS_PATH = "/logga-in/saml/svar"

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


class ProviderWrite(Input):
    """What the administrator sets of every identity provider, whatever its protocol."""

    enabled: StrictBool = Field(True, description="Offered on the sign-in page.")
    provision_accounts: StrictBool = Field(
        False,
        description="Just-in-time accounts: a person the provider vouches for and EST does not "
        "know gets an account (in provision_organisation). Off by default.",
    )
    provision_organisation_id: Id | None = None


class ProviderRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    municipality_id: int
    configured: bool = Field(description="Whether the municipality has such a provider.")
    enabled: bool
    provision_accounts: bool
    provision_organisation_id: int | None


class OidcSettingsWrite(ProviderWrite):
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


class OidcSettingsRead(ProviderRead):
    issuer: str | None
    client_id: str | None
    client_secret_set: bool = Field(description="Whether a secret is kept (it is never answered).")
    redirect_uri: str = Field(description="What to register at the provider as the redirect URI.")


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


class SignInChoice(BaseModel):
    """A municipality whose people may sign in through its identity provider."""

    municipality: Ref
    protocol: Literal["oidc", "saml"]
    label: str = Field(description="The button's text, as the sign-in page shows it.")


class SignInStart(Input):
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


# SAML 2.0 ---------------------------------------------------------------------------------------

_SAML = Exempt("a value of the SAML protocol or its metadata, not free text")
SamlText = Annotated[str, StringConstraints(min_length=1, max_length=500), _SAML]
SamlUrl = Annotated[
    str, StringConstraints(min_length=8, max_length=1000, pattern=ISSUER_PATTERN), _SAML
]
AttributeNames = Annotated[list[SamlText], Field(min_length=1, max_length=10)]

# The attributes read, each the first of its list the IdP sends: Sambi's (urn:oid names, as
# SWAMID and eduGAIN release them) and Entra ID's (its claim URIs).
DEFAULT_ATTRIBUTES: dict[str, list[str]] = {
    # Who the person is at the IdP, a name that stays; else a persistent NameID is used.
    "subject": [
        "http://schemas.microsoft.com/identity/claims/objectidentifier",
        "urn:oasis:names:tc:SAML:attribute:subject-id",
        "urn:oid:1.3.6.1.4.1.5923.1.1.1.6",
    ],
    "email": [
        "urn:oid:0.9.2342.19200300.100.1.3",
        "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress",
    ],
    # The login name, an address (Entra ID's user principal name, eduPersonPrincipalName).
    "login": [
        "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/name",
        "urn:oid:1.3.6.1.4.1.5923.1.1.1.6",
    ],
    "name": [
        "urn:oid:2.16.840.1.113730.3.1.241",
        "http://schemas.microsoft.com/identity/claims/displayname",
    ],
    "groups": [
        "http://schemas.microsoft.com/ws/2008/06/identity/claims/groups",
        "urn:oid:1.3.6.1.4.1.5923.1.5.1.1",
    ],
}


class SamlAttributes(Input):
    """The names of the attributes to read; each list in order, the first one sent counts."""

    subject: AttributeNames = Field(default_factory=lambda: DEFAULT_ATTRIBUTES["subject"])
    email: AttributeNames = Field(default_factory=lambda: DEFAULT_ATTRIBUTES["email"])
    login: AttributeNames = Field(default_factory=lambda: DEFAULT_ATTRIBUTES["login"])
    name: AttributeNames = Field(default_factory=lambda: DEFAULT_ATTRIBUTES["name"])
    groups: AttributeNames = Field(default_factory=lambda: DEFAULT_ATTRIBUTES["groups"])


class SamlSettingsWrite(ProviderWrite):
    """A municipality's SAML identity provider: its metadata (pasted, or read from an
    address), or its entity id, single sign-on address and signing certificate."""

    metadata_xml: Annotated[
        str | None, StringConstraints(min_length=1, max_length=1_000_000), _SAML
    ] = Field(None, description="The IdP's metadata (or a federation's, with idp_entity_id).")
    metadata_url: SamlUrl | None = Field(
        None, description="Where to read the IdP's metadata (https), now and at each save."
    )
    idp_entity_id: SamlText | None = Field(
        None, description="The IdP's entity id (with metadata: which of its entities)."
    )
    idp_sso_url: SamlUrl | None = Field(
        None, description="The IdP's single sign-on address (HTTP-Redirect binding)."
    )
    idp_certificate: Annotated[
        str | None, StringConstraints(min_length=1, max_length=20_000), _SAML
    ] = Field(None, description="The IdP's signing certificate (PEM or base64).")
    attributes: SamlAttributes = Field(default_factory=SamlAttributes)


class SamlCertificate(BaseModel):
    sha256: str = Field(description="The certificate's SHA-256 fingerprint.")
    not_after: str = Field(description="When it expires (ISO 8601).")


class SamlSettingsRead(ProviderRead):
    idp_entity_id: str | None
    idp_sso_url: str | None
    idp_certificates: list[SamlCertificate]
    metadata_url: str | None
    attributes: SamlAttributes
    sp_entity_id: str = Field(description="EST's entity id, also its metadata's address.")
    sp_metadata_url: str
    acs_url: str = Field(description="EST's AssertionConsumerService (HTTP-POST).")
    sp_certificate: str | None = Field(description="EST's certificate (PEM), once saved.")


class SamlStarted(BaseModel):
    redirect_url: str = Field(description="Where to send the browser (the AuthnRequest).")
    flow: str = Field(
        description="The sign-in under way (the request's id), sealed: keep it in the browser "
        "(an HttpOnly cookie) and send it back with the IdP's response."
    )


class SamlFinish(Input):
    """The IdP's response posted to the AssertionConsumerService, with the flow."""

    flow: _FLOW
    saml_response: Annotated[str, StringConstraints(min_length=1, max_length=500_000), _SAML]
    relay_state: Annotated[str | None, StringConstraints(max_length=2000), _SAML] = None


# Where a municipality's SAML metadata is published (api.sso.saml, the routes).
SAML_METADATA_ROUTE = "/saml/{municipality_id}/metadata"
