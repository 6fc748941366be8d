"""What a SCIM client reads to learn the service (RFC 7644 4, RFC 7643 5-7): what it
supports, its resource types, and the attributes EST keeps of each."""

from __future__ import annotations

from typing import Any

from api.scim.protocol import MAX_COUNT
from api.scim.schemas import ENTERPRISE_SCHEMA, GROUP_SCHEMA, USER_SCHEMA

_CONFIG = "urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig"
_RESOURCE_TYPE = "urn:ietf:params:scim:schemas:core:2.0:ResourceType"
_SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:Schema"


def service_provider_config(base: str) -> dict[str, Any]:
    return {
        "schemas": [_CONFIG],
        "documentationUri": "https://github.com/est-lagesbild#provisioning-with-scim",
        "patch": {"supported": True},
        "bulk": {"supported": False, "maxOperations": 0, "maxPayloadSize": 0},
        "filter": {"supported": True, "maxResults": MAX_COUNT},
        "changePassword": {"supported": False},
        "sort": {"supported": False},
        "etag": {"supported": False},
        "authenticationSchemes": [
            {
                "type": "oauthbearertoken",
                "name": "SCIM-token",
                "description": "Den token som kommunens administratör skapar i EST Lägesbild.",
                "primary": True,
            }
        ],
        "meta": {
            "resourceType": "ServiceProviderConfig",
            "location": f"{base}/ServiceProviderConfig",
        },
    }


def resource_types(base: str) -> dict[str, Any]:
    types: list[dict[str, Any]] = [
        {
            "schemas": [_RESOURCE_TYPE],
            "id": "User",
            "name": "User",
            "endpoint": "/Users",
            "schema": USER_SCHEMA,
            "schemaExtensions": [{"schema": ENTERPRISE_SCHEMA, "required": False}],
            "meta": {"resourceType": "ResourceType", "location": f"{base}/ResourceTypes/User"},
        },
        {
            "schemas": [_RESOURCE_TYPE],
            "id": "Group",
            "name": "Group",
            "endpoint": "/Groups",
            "schema": GROUP_SCHEMA,
            "meta": {"resourceType": "ResourceType", "location": f"{base}/ResourceTypes/Group"},
        },
    ]
    return _listed(types)


def _attribute(name: str, kind: str = "string", **more: Any) -> dict[str, Any]:
    return {
        "name": name,
        "type": kind,
        "multiValued": False,
        "required": False,
        "caseExact": False,
        "mutability": "readWrite",
        "returned": "default",
        "uniqueness": "none",
        **more,
    }


def schemas_document(base: str) -> dict[str, Any]:
    user = [
        _attribute("userName", required=True, uniqueness="server"),
        _attribute("externalId", caseExact=True),
        _attribute("displayName"),
        _attribute(
            "name",
            "complex",
            subAttributes=[_attribute(n) for n in ("formatted", "givenName", "familyName")],
        ),
        _attribute("active", "boolean"),
        _attribute(
            "emails",
            "complex",
            multiValued=True,
            subAttributes=[
                _attribute("value"),
                _attribute("type"),
                _attribute("primary", "boolean"),
            ],
        ),
    ]
    group = [
        _attribute("displayName", required=True, uniqueness="server"),
        _attribute("externalId", caseExact=True),
        _attribute(
            "members",
            "complex",
            multiValued=True,
            subAttributes=[_attribute("value", mutability="immutable")],
        ),
    ]
    enterprise = [_attribute("organization"), _attribute("department")]
    documents = [
        (USER_SCHEMA, "User", "Ett konto i EST Lägesbild", user),
        (GROUP_SCHEMA, "Group", "En grupp i kommunens katalog", group),
        (ENTERPRISE_SCHEMA, "EnterpriseUser", "Organisation för nya konton", enterprise),
    ]
    return _listed(
        [
            {
                "schemas": [_SCHEMA],
                "id": ident,
                "name": name,
                "description": description,
                "attributes": attributes,
                "meta": {"resourceType": "Schema", "location": f"{base}/Schemas/{ident}"},
            }
            for ident, name, description, attributes in documents
        ]
    )


def _listed(resources: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "schemas": ["urn:ietf:params:scim:api:messages:2.0:ListResponse"],
        "totalResults": len(resources),
        "startIndex": 1,
        "itemsPerPage": len(resources),
        "Resources": resources,
    }
