"""OpenID Connect sign-in (#22) through a municipality's identity provider (Entra ID or any
certified provider): the authorization code flow with PKCE (S256), ``state`` and ``nonce``,
the ID token's signature checked against the provider's published keys (JWKS) and its claims
(issuer, audience, expiry, nonce, at_hash) by Authlib.

How a sign-in goes. ``start`` reads the provider's metadata, makes a state, a nonce and a
PKCE verifier, and answers the provider's authorization URL with the *flow*: those three
sealed (api.sealing) with the municipality and an expiry. The API keeps nothing of it; the
web keeps the flow in an HttpOnly cookie of the browser that started, so the answer can only
be finished in that browser. ``finish`` takes the provider's answer at the redirect URI with
the flow: the state must be the flow's, the code is exchanged once (with the verifier and
the client secret) for an ID token, whose nonce must be the flow's. The person is then found:

1. by the identity linked at an earlier sign-in: the issuer and the subject (``sub``; for
   Entra ID the tenant and the object id, ``tid/oid``, which stay when a name changes);
2. else by a verified e-mail address (``email`` with ``email_verified``) or the provider's
   login name (``preferred_username``, Entra ID's UPN) equal to an active account's e-mail in
   the provider's municipality; the identity is linked then;
3. else, only where the administrator turned just-in-time accounts on, a new account in the
   organisation they chose.

The provider's metadata and keys are kept a while (api.sso.discovery). The provider's
``groups`` claim (on Entra ID's group overage, the endpoint it names: api.sso.groups) gives
memberships by the administrator's mappings (claim value → group and role), at every
sign-in: memberships a mapping gave are added, changed and removed; those an administrator
gave are left alone. Then the same session as a password
sign-in begins (api.accounts.service.begin_session), with the same second factor rules, and
the sign-in is in the audit log (``detail``: ``oidc``), as a refused one is. The session
records that the provider began it (``via``), so a temporary password does not hold it up.
"""

from __future__ import annotations

import datetime as dt
import hmac
import json
from base64 import urlsafe_b64decode
from typing import Any, Literal, TypeVar
from urllib.parse import quote

import httpx
from authlib.common.security import generate_token
from authlib.common.urls import add_params_to_uri
from authlib.oauth2.rfc7636 import create_s256_code_challenge
from authlib.oidc.core import CodeIDToken
from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import KeySet
from joserfc.jws import JWSRegistry
from sqlalchemy import select
from sqlalchemy.orm import Session

from api import sealing, tenancy
from api.access import policy
from api.accounts import service as account_service
from api.actor import Actor
from api.errors import DomainError, Invalid, NotAuthenticated, NotFound
from api.localtime import utcnow
from api.resources import get_record
from api.schemas_common import Ref
from api.settings import Settings
from api.sso import discovery, people, schemas, slots
from api.sso import groups as claim_groups
from api.sso.models import OidcGroupMapping, OidcProvider, SamlProvider
from api.structure.models import Municipality
from api.structure.service import GROUPS, ORGANISATIONS

_SECRET_PURPOSE = b"est oidc client secret"
_FLOW_PURPOSE = b"est oidc flow"
FLOW_LIFETIME = dt.timedelta(minutes=10)
SCOPE = "openid email profile"
_TIMEOUT = httpx.Timeout(10.0)
# The provider's clock and ours may differ a little.
_LEEWAY_SECONDS = 120
NO_PROVIDER = "Kommunen har ingen inloggning via en identitetsleverantör."
START_AGAIN = "Inloggningen gick inte att slutföra. Börja om från inloggningssidan."


class ProviderUnavailable(DomainError):
    status = 502
    code = "provider_unavailable"
    title = "Inloggningstjänsten svarar inte"


def redirect_uri(settings: Settings) -> str:
    """The address the provider sends the browser back to: the web's page under the
    installation's public address (EST_PUBLIC_URL)."""
    return settings.public_url.rstrip("/") + schemas.REDIRECT_PATH


# The administrator's settings ------------------------------------------------------------------


def configurable(actor: Actor, municipality_id: int) -> None:
    if not policy.may_configure_sign_in(actor, municipality_id):
        raise NotFound("Ingen sådan kommun.", code="not_found")


def _provider(session: Session, municipality_id: int) -> OidcProvider | None:
    return session.scalar(
        select(OidcProvider).where(OidcProvider.municipality_id == municipality_id)
    )


def _read(provider: OidcProvider, settings: Settings) -> schemas.OidcSettingsRead:
    return schemas.OidcSettingsRead(
        municipality_id=provider.municipality_id,
        configured=True,
        issuer=provider.issuer,
        client_id=provider.client_id,
        client_secret_set=bool(provider.client_secret),
        redirect_uri=redirect_uri(settings),
        enabled=provider.enabled,
        provision_accounts=provider.provision_accounts,
        provision_organisation_id=provider.provision_organisation_id,
    )


def get_settings(
    session: Session, municipality_id: int, *, actor: Actor, settings: Settings
) -> schemas.OidcSettingsRead:
    """The identity provider, or (``configured`` false) what to register at one first."""
    configurable(actor, municipality_id)
    provider = _provider(session, municipality_id)
    if provider is None:
        return schemas.OidcSettingsRead(
            municipality_id=municipality_id,
            configured=False,
            issuer=None,
            client_id=None,
            client_secret_set=False,
            redirect_uri=redirect_uri(settings),
            enabled=False,
            provision_accounts=False,
            provision_organisation_id=None,
        )
    return _read(provider, settings)


def put_settings(
    session: Session,
    municipality_id: int,
    data: schemas.OidcSettingsWrite,
    *,
    actor: Actor,
    settings: Settings,
) -> schemas.OidcSettingsRead:
    configurable(actor, municipality_id)
    provider = _provider(session, municipality_id)
    if provider is None and data.client_secret is None:
        # A rule of the first save, not of the schema (the secret is kept once given).
        raise Invalid.field("client_secret", "Fyll i klienthemligheten.", "client_secret_needed")
    check_provisioning(session, data, actor=actor)
    if provider is None:
        provider = OidcProvider(municipality_id=municipality_id, client_secret="")
        session.add(provider)
    provider.issuer = data.issuer
    provider.client_id = data.client_id
    set_provisioning(provider, data)
    if data.client_secret is not None:
        provider.client_secret = sealing.seal(
            data.client_secret,
            purpose=_SECRET_PURPOSE,
            context=str(municipality_id),
            secret_key=settings.secret_key.get_secret_value(),
        )
    session.flush()
    return _read(provider, settings)


def check_provisioning(session: Session, data: schemas.ProviderWrite, *, actor: Actor) -> None:
    """Just-in-time accounts need an organisation for them, one the administrator sees."""
    if data.provision_accounts and data.provision_organisation_id is None:
        raise Invalid.field(
            "provision_organisation_id",
            "Välj den organisation som nya konton hamnar i.",
            "organisation_needed",
        )
    if data.provision_organisation_id is not None:
        get_record(session, ORGANISATIONS, data.provision_organisation_id, actor=actor)


def set_provisioning(provider: OidcProvider | SamlProvider, data: schemas.ProviderWrite) -> None:
    provider.enabled = data.enabled
    provider.provision_accounts = data.provision_accounts
    provider.provision_organisation_id = data.provision_organisation_id


def delete_provider(
    session: Session,
    kind: type[OidcProvider] | type[SamlProvider],
    municipality_id: int,
    *,
    actor: Actor,
) -> None:
    """Removes the municipality's provider of this kind (the identities linked stay)."""
    configurable(actor, municipality_id)
    provider = session.scalar(select(kind).where(kind.municipality_id == municipality_id))
    if provider is None:
        raise NotFound(NO_PROVIDER, code="no_identity_provider")
    session.delete(provider)
    session.flush()


def delete_settings(session: Session, municipality_id: int, *, actor: Actor) -> None:
    delete_provider(session, OidcProvider, municipality_id, actor=actor)


def list_mappings(
    session: Session, municipality_id: int, *, actor: Actor
) -> list[schemas.GroupMappingRead]:
    configurable(actor, municipality_id)
    mappings = session.scalars(
        select(OidcGroupMapping)
        .where(OidcGroupMapping.municipality_id == municipality_id)
        .order_by(OidcGroupMapping.claim_value, OidcGroupMapping.id)
    )
    return [schemas.GroupMappingRead.model_validate(m) for m in mappings]


def create_mapping(
    session: Session, municipality_id: int, data: schemas.GroupMappingCreate, *, actor: Actor
) -> schemas.GroupMappingRead:
    configurable(actor, municipality_id)
    get_record(session, GROUPS, data.group_id, actor=actor)
    taken = session.scalar(
        select(OidcGroupMapping.id).where(
            OidcGroupMapping.municipality_id == municipality_id,
            OidcGroupMapping.claim_value == data.claim_value,
            OidcGroupMapping.group_id == data.group_id,
        )
    )
    if taken is not None:
        raise Invalid.field(
            "claim_value", "Den gruppen har redan en koppling till samma grupp i EST.", "taken"
        )
    mapping = OidcGroupMapping(
        municipality_id=municipality_id,
        claim_value=data.claim_value,
        group_id=data.group_id,
        role=data.role,
    )
    session.add(mapping)
    session.flush()
    slots.mappings_changed(session, municipality_id)
    session.refresh(mapping)
    return schemas.GroupMappingRead.model_validate(mapping)


def delete_mapping(
    session: Session, municipality_id: int, mapping_id: int, *, actor: Actor
) -> None:
    configurable(actor, municipality_id)
    mapping = session.get(OidcGroupMapping, mapping_id)
    if mapping is None or mapping.municipality_id != municipality_id:
        raise NotFound("Ingen sådan koppling.", code="not_found")
    session.delete(mapping)
    session.flush()
    slots.mappings_changed(session, municipality_id)


# The sign-in page's choices --------------------------------------------------------------------


def _possessive(name: str) -> str:
    # Swedish genitive: "Upplands-Bro kommuns", "Järfälla kommuns"; a name ending in s stays.
    return name if name.endswith(("s", "x", "z")) else name + "s"


def choices(session: Session) -> list[schemas.SignInChoice]:
    """Each municipality's identity providers that are turned on, OpenID Connect first."""
    found: list[schemas.SignInChoice] = []
    labels = {
        "oidc": "Logga in med {} inloggning",
        "saml": "Logga in via {} identitetstjänst",
    }
    kinds: list[tuple[Literal["oidc", "saml"], type[OidcProvider] | type[SamlProvider]]] = [
        ("oidc", OidcProvider),
        ("saml", SamlProvider),
    ]
    for protocol, kind in kinds:
        rows = session.execute(
            select(Municipality.id, Municipality.name)
            .join(kind, kind.municipality_id == Municipality.id)
            .where(kind.enabled, Municipality.active)
        ).all()
        found += [
            schemas.SignInChoice(
                municipality=Ref(id=ident, name=name),
                protocol=protocol,
                label=labels[protocol].format(_possessive(name)),
            )
            for ident, name in rows
        ]
    return sorted(found, key=lambda c: (c.municipality.name, c.municipality.id))


def enabled_labels(session: Session, municipality_id: int) -> list[str]:
    """The municipality's identity provider, turned on, as the sign-in page names it
    (api.accounts.slots.identity_providers: password sign-in turned off names it)."""
    return [c.label for c in choices(session) if c.municipality.id == municipality_id]


# The provider, over HTTP -----------------------------------------------------------------------


def _get_json(client: httpx.Client, url: str) -> dict[str, Any]:
    try:
        response = client.get(url)
        response.raise_for_status()
        body = response.json()
    except (httpx.HTTPError, ValueError) as exc:
        raise ProviderUnavailable(
            "Kommunens inloggningstjänst svarar inte just nu. Försök igen om en stund."
        ) from exc
    if not isinstance(body, dict):
        raise ProviderUnavailable("Kommunens inloggningstjänst svarade med något oväntat.")
    return body


def _metadata(client: httpx.Client, issuer: str) -> dict[str, Any]:
    """The provider's metadata (OpenID Connect Discovery), which must name the issuer that
    was configured, exactly; kept a while (api.sso.discovery)."""
    return discovery.metadata(issuer, lambda: _read_metadata(client, issuer))


def _read_metadata(client: httpx.Client, issuer: str) -> dict[str, Any]:
    metadata = _get_json(client, issuer.rstrip("/") + "/.well-known/openid-configuration")
    if metadata.get("issuer") != issuer or not all(
        isinstance(metadata.get(k), str)
        for k in ("authorization_endpoint", "token_endpoint", "jwks_uri")
    ):
        raise ProviderUnavailable(
            "Inloggningstjänstens metadata stämmer inte med den utfärdare som kommunen angett."
        )
    return metadata


_P = TypeVar("_P", OidcProvider, SamlProvider)


def enabled_provider(session: Session, kind: type[_P], municipality_id: int) -> _P:
    """The municipality's provider of this kind, turned on, of a municipality not closed."""
    provider = session.scalar(select(kind).where(kind.municipality_id == municipality_id))
    municipality = session.get(Municipality, municipality_id)
    if provider is None or not provider.enabled or municipality is None or not municipality.active:
        raise NotFound(NO_PROVIDER, code="no_identity_provider")
    return provider


def start(
    session: Session, data: schemas.SignInStart, *, settings: Settings
) -> schemas.OidcStarted:
    provider = enabled_provider(session, OidcProvider, data.municipality_id)
    with httpx.Client(timeout=_TIMEOUT) as client:
        metadata = _metadata(client, provider.issuer)
    state, nonce, verifier = generate_token(32), generate_token(32), generate_token(64)
    url = add_params_to_uri(
        metadata["authorization_endpoint"],
        [
            ("response_type", "code"),
            ("client_id", provider.client_id),
            ("redirect_uri", redirect_uri(settings)),
            ("scope", SCOPE),
            ("state", state),
            ("nonce", nonce),
            ("code_challenge", create_s256_code_challenge(verifier)),
            ("code_challenge_method", "S256"),
        ],
    )
    flow = {"s": state, "n": nonce, "v": verifier}
    sealed = seal_flow(provider.municipality_id, flow, settings)
    return schemas.OidcStarted(authorization_url=url, flow=sealed)


def seal_flow(municipality_id: int, flow: dict[str, Any], settings: Settings) -> str:
    """A sign-in under way, sealed for the browser to keep, good for ten minutes."""
    expires = int((utcnow() + FLOW_LIFETIME).timestamp())
    return sealing.seal(
        json.dumps({**flow, "m": municipality_id, "x": expires}),
        purpose=_FLOW_PURPOSE,
        context="",
        secret_key=settings.secret_key.get_secret_value(),
    )


def open_flow(sealed: str, settings: Settings) -> tuple[int, dict[str, Any]] | None:
    """The municipality and the sign-in under way; None when it is not ours, or too old."""
    secret_key = settings.secret_key.get_secret_value()
    opened = sealing.unseal(sealed, purpose=_FLOW_PURPOSE, context="", secret_key=secret_key)
    flow: dict[str, Any] = json.loads(opened) if opened else {}
    municipality_id = flow.get("m")
    if not isinstance(municipality_id, int) or flow.get("x", 0) < utcnow().timestamp():
        return None
    return municipality_id, flow


def exchange_code(
    client: httpx.Client,
    metadata: dict[str, Any],
    *,
    client_id: str,
    client_secret: str,
    code: str,
    verifier: str,
    redirect_to: str,
) -> dict[str, Any] | None:
    """The provider's tokens for a code (client_secret_basic, RFC 6749 2.3.1); None when
    the provider refuses (a code used before, expired, or a wrong verifier)."""
    try:
        response = client.post(
            metadata["token_endpoint"],
            data={
                "grant_type": "authorization_code",
                "code": code,
                "redirect_uri": redirect_to,
                "code_verifier": verifier,
            },
            auth=(quote(client_id, safe=""), quote(client_secret, safe="")),
            headers={"Accept": "application/json"},
        )
    except httpx.HTTPError as exc:
        raise ProviderUnavailable(
            "Kommunens inloggningstjänst svarar inte just nu. Försök igen om en stund."
        ) from exc
    if response.status_code != 200:
        return None
    try:
        tokens = response.json()
    except ValueError:
        return None
    return tokens if isinstance(tokens, dict) and isinstance(tokens.get("id_token"), str) else None


def verify_id_token(
    client: httpx.Client,
    metadata: dict[str, Any],
    tokens: dict[str, Any],
    *,
    client_id: str,
    nonce: str,
) -> dict[str, Any] | None:
    """The ID token's claims, its signature checked against the provider's keys and its
    claims by Authlib's rules for the code flow (iss, aud, azp, exp, iat, nonce, at_hash);
    None when anything is wrong."""
    published = discovery.key_set(
        str(metadata["issuer"]),
        _key_id(tokens["id_token"]),
        lambda: _get_json(client, metadata["jwks_uri"]),
    )
    algorithms = metadata.get("id_token_signing_alg_values_supported") or ["RS256"]
    # Never "none", never a symmetric key made from something public.
    algorithms = [a for a in algorithms if isinstance(a, str) and a[:2] in ("RS", "PS", "ES")]
    try:
        keys = KeySet.import_key_set(published)  # type: ignore[arg-type]
        token = jwt.decode(
            tokens["id_token"],
            keys,
            registry=JWSRegistry(algorithms=algorithms, strict_check_header=False),
        )
        params: dict[str, Any] = {"nonce": nonce, "client_id": client_id}
        if isinstance(tokens.get("access_token"), str):
            params["access_token"] = tokens["access_token"]
        claims = CodeIDToken(
            token.claims,
            token.header,
            {"iss": {"essential": True, "values": [metadata["issuer"]]}},
            params,
        )
        claims.validate(leeway=_LEEWAY_SECONDS)
    except (JoseError, ValueError, KeyError):
        return None
    return dict(claims)


def _key_id(token: str) -> str | None:
    """The ``kid`` an ID token's header names (read again, checked, by jwt.decode)."""
    try:
        header = json.loads(urlsafe_b64decode(token.split(".")[0] + "=="))
    except (ValueError, UnicodeDecodeError):
        return None
    kid = header.get("kid") if isinstance(header, dict) else None
    return kid if isinstance(kid, str) else None


def finish(
    session: Session, data: schemas.OidcFinish, *, actor: Actor, settings: Settings
) -> account_service.SignedIn | DomainError:
    """The provider's answer: a new session, or the refusal (returned, not raised, so the
    request's transaction keeps its line in the audit log)."""
    secret_key = settings.secret_key.get_secret_value()
    opened = open_flow(data.flow, settings)
    if opened is None:
        return people.refused(
            session,
            NotAuthenticated(START_AGAIN, code="sso_flow_invalid"),
            via="oidc",
            municipality_id=None,
        )
    municipality_id, flow = opened
    if not hmac.compare_digest(str(flow.get("s", "")), data.state):
        return people.refused(
            session,
            NotAuthenticated(START_AGAIN, code="sso_state_mismatch"),
            via="oidc",
            municipality_id=municipality_id,
        )
    if data.error is not None or data.code is None:
        return people.refused(
            session,
            NotAuthenticated(
                "Inloggningen avbröts hos kommunens inloggningstjänst. Försök igen.",
                code="sso_provider_error",
            ),
            via="oidc",
            municipality_id=municipality_id,
        )
    # The rest of the request sees and writes this municipality's rows only.
    tenancy.rebind(session, [municipality_id])
    provider = enabled_provider(session, OidcProvider, municipality_id)
    client_secret = sealing.unseal(
        provider.client_secret,
        purpose=_SECRET_PURPOSE,
        context=str(municipality_id),
        secret_key=secret_key,
    )
    if client_secret is None:
        raise ProviderUnavailable(
            "Klienthemligheten går inte att läsa, eftersom tjänstens hemliga nyckel har bytts. "
            "Be kommunens administratör ange den igen."
        )
    with httpx.Client(timeout=_TIMEOUT) as client:
        metadata = _metadata(client, provider.issuer)
        tokens = exchange_code(
            client,
            metadata,
            client_id=provider.client_id,
            client_secret=client_secret,
            code=data.code,
            verifier=str(flow.get("v", "")),
            redirect_to=redirect_uri(settings),
        )
        claims = (
            None
            if tokens is None
            else verify_id_token(
                client, metadata, tokens, client_id=provider.client_id, nonce=str(flow["n"])
            )
        )
    if claims is None:
        return people.refused(
            session,
            NotAuthenticated(START_AGAIN, code="sso_token_refused"),
            via="oidc",
            municipality_id=municipality_id,
        )
    # Entra ID names no groups in the token when there are too many ("overage"): they are
    # read from the endpoint it names (api.sso.groups), else the memberships stay.
    assert tokens is not None
    vouched = people.oidc_vouched(claims, claim_groups.groups_of(claims, tokens))
    return people.sign_in(session, provider, vouched, via="oidc", actor=actor, settings=settings)
