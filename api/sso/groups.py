"""The person's groups at the identity provider, from the ID token, or, where the provider
left them out because there are too many (Entra ID's *group overage*), from the endpoint
the token names for them (OpenID Connect Core 5.6.2, distributed claims).

Entra ID's overage: past 200 groups (in a JWT) the token carries no ``groups`` but
``"_claim_names": {"groups": "src1"}`` and ``"_claim_sources": {"src1": {"endpoint": ...}}``,
the directory's ``getMemberObjects`` for the person, which answers ``{"value": [group ids]}``
to a POST with the access token (``{"securityEnabledOnly": false}``); Entra ID still names
the retired Azure AD Graph there, so the same call of Microsoft Graph is made instead. A
token of the implicit flow says ``"hasgroups": true`` and names no endpoint.

When the groups cannot be read (no endpoint, the endpoint does not answer or refuses), the
sign-in goes on and the memberships the mappings gave stay as they were: a directory that
does not answer does not take anyone's groups away. A warning says so in the log.
"""

from __future__ import annotations

import logging
import re
from typing import Any

import httpx

from api.sso.schemas import ISSUER_PATTERN

log = logging.getLogger("est.sso")
_TIMEOUT = httpx.Timeout(10.0)
# The endpoint as the issuer is: https, or plain http on this machine alone.
_ENDPOINT = re.compile(ISSUER_PATTERN)
_AZURE_AD_GRAPH = re.compile(
    r"^https://graph\.windows\.net/[^/]+/users/([A-Za-z0-9-]+)/getMemberObjects(\?.*)?$"
)


def groups_of(claims: dict[str, Any], tokens: dict[str, Any]) -> list[str] | None:
    """The person's groups; None when they cannot be known (then nothing changes)."""
    names = claims.get("_claim_names")
    source = names.get("groups") if isinstance(names, dict) else None
    if source is None and claims.get("hasgroups") is not True:
        groups = claims.get("groups")
        return [g for g in groups if isinstance(g, str)] if isinstance(groups, list) else []
    sources = claims.get("_claim_sources")
    named = isinstance(sources, dict) and isinstance(source, str)
    described = sources.get(source) if named else None  # type: ignore[union-attr]
    endpoint = described.get("endpoint") if isinstance(described, dict) else None
    endpoint = _graph(endpoint) if isinstance(endpoint, str) else None
    access_token = tokens.get("access_token")
    if not isinstance(endpoint, str) or not _ENDPOINT.match(endpoint):
        log.warning(
            "The identity provider %s left the groups of %s out of the ID token and named no "
            "endpoint to read them from: their memberships stay as they were.",
            claims.get("iss"),
            claims.get("sub"),
        )
        return None
    if not isinstance(access_token, str):
        log.warning("No access token to read the groups of %s with.", claims.get("sub"))
        return None
    return _read(endpoint, access_token, claims)


def _graph(endpoint: str) -> str:
    """Entra ID still names the retired Azure AD Graph (graph.windows.net); the same call
    is Microsoft Graph's, which the access token of EST's sign-in is for."""
    found = _AZURE_AD_GRAPH.match(endpoint)
    if found is None:
        return endpoint
    return f"https://graph.microsoft.com/v1.0/users/{found.group(1)}/getMemberObjects"


def _read(endpoint: str, access_token: str, claims: dict[str, Any]) -> list[str] | None:
    try:
        with httpx.Client(timeout=_TIMEOUT) as client:
            response = client.post(
                endpoint,
                json={"securityEnabledOnly": False},
                headers={"Authorization": f"Bearer {access_token}", "Accept": "application/json"},
            )
        response.raise_for_status()
        body = response.json()
    except (httpx.HTTPError, ValueError) as exc:
        log.warning(
            "The groups of %s could not be read from %s (%s): their memberships stay as they were.",
            claims.get("sub"),
            endpoint,
            exc,
        )
        return None
    value = body.get("value") if isinstance(body, dict) else None
    if not isinstance(value, list):
        log.warning(
            "The groups endpoint %s answered no list of groups: the memberships of %s stay "
            "as they were.",
            endpoint,
            claims.get("sub"),
        )
        return None
    return [g for g in value if isinstance(g, str)]
