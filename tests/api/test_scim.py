"""SCIM 2.0 provisioning (#22) as Entra ID sends it, over real HTTP against the session's
server: the request bodies below are Microsoft's documented examples ("Tutorial: Develop and
plan provisioning for a SCIM endpoint in Microsoft Entra ID", section "User operations" and
"Group operations", and "Known issues and resolutions with SCIM 2.0 protocol compliance"),
copied as they stand but for the userName, which Entra ID fills with the user principal
name (an address) in a real tenant and EST requires to be one."""

from __future__ import annotations

import copy
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
from sqlalchemy import select

from api.audit.models import AuditEvent
from api.sso.schemas import REDIRECT_PATH
from tests.support.oidc import OidcProvider, through_provider
from tests.support.pages import csrf_of, found
from tests.support.people import Demo
from tests.support.servers import Server

V1 = "/api/v1"
SCIM = "/scim/v2"
MEDIA = "application/scim+json"
ERROR = "urn:ietf:params:scim:api:messages:2.0:Error"

# Create User (Microsoft's "Create User" request).
CREATE_USER: dict[str, Any] = {
    "schemas": [
        "urn:ietf:params:scim:schemas:core:2.0:User",
        "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User",
    ],
    "externalId": "0a21f0f2-8d2a-4f8e-bf98-7363c4aed4ef",
    "userName": "Test_User_ab6490ee-1e48-479e-a20b-2d77186b5dd1@testuser.com",
    "active": True,
    "emails": [
        {
            "primary": True,
            "type": "work",
            "value": "Test_User_fd0ea19b-0777-472c-9f96-4f70d2226f2e@testuser.com",
        }
    ],
    "meta": {"resourceType": "User"},
    "name": {
        "formatted": "givenName familyName",
        "familyName": "familyName",
        "givenName": "givenName",
    },
    "roles": [],
}
# Update User [Multi-valued properties].
PATCH_MULTI: dict[str, Any] = {
    "schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
    "Operations": [
        {
            "op": "Replace",
            "path": 'emails[type eq "work"].value',
            "value": "updatedEmail@microsoft.com",
        },
        {"op": "Replace", "path": "name.familyName", "value": "updatedFamilyName"},
    ],
}
# Update User [Single-valued properties].
PATCH_SINGLE: dict[str, Any] = {
    "schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
    "Operations": [
        {
            "op": "Replace",
            "path": "userName",
            "value": "5b50642d-79fc-4410-9e90-4c077cdd1a59@testuser.com",
        }
    ],
}
# Disable User, as Entra ID sent it before its SCIM fix: "False" as a string.
DISABLE_AS_STRING: dict[str, Any] = {
    "schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
    "Operations": [{"op": "Replace", "path": "active", "value": "False"}],
}
# Disable User, as it sends it now.
ENABLE: dict[str, Any] = {
    "Operations": [{"op": "Replace", "path": "active", "value": True}],
    "schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
}
# The form without a path (Known issues: "PATCH ... without path"), attributes by path.
PATCH_NO_PATH: dict[str, Any] = {
    "schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
    "Operations": [
        {
            "op": "replace",
            "value": {
                "displayName": "Pvs Name",
                "name.givenName": "Pvs",
                "name.familyName": "Name",
                "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber": "7",
            },
        }
    ],
}
# Create Group.
CREATE_GROUP: dict[str, Any] = {
    "schemas": [
        "urn:ietf:params:scim:schemas:core:2.0:Group",
        "http://schemas.microsoft.com/2006/11/ResourceManagement/ADSCIM/2.0/Group",
    ],
    "externalId": "8aa1a0c0-c4c3-4bc0-b4a5-2ef676900159",
    "displayName": "displayName",
    "meta": {"resourceType": "Group"},
}
# Update Group [Non-member attributes].
RENAME_GROUP: dict[str, Any] = {
    "schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
    "Operations": [
        {
            "op": "Replace",
            "path": "displayName",
            "value": "1879db59-3bdf-4490-ad68-ab880a269474updatedDisplayName",
        }
    ],
}


def _members(op: str, *ids: str) -> dict[str, Any]:
    """Update Group [Add Members] / [Remove Members]."""
    return {
        "schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
        "Operations": [
            {"op": op, "path": "members", "value": [{"$ref": None, "value": i} for i in ids]}
        ],
    }


def _remove_member(ident: str) -> dict[str, Any]:
    """The compliant form: ``members[value eq "…"]``."""
    return {
        "schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
        "Operations": [{"op": "remove", "path": f'members[value eq "{ident}"]'}],
    }


def _token(api: httpx.Client, demo: Demo) -> str:
    municipality = demo["municipality"]["id"]
    organisation = demo["organisations"]["Trygghets- och preventionsenheten"]["id"]
    made = api.post(
        f"{V1}/municipalities/{municipality}/scim-tokens", json={"organisation_id": organisation}
    )
    assert made.status_code == 201, made.text
    body = made.json()
    assert body["tenant_url"].endswith(SCIM) and body["organisation"]["id"] == organisation
    listed = api.get(f"{V1}/municipalities/{municipality}/scim-tokens").json()
    assert [t["id"] for t in listed] == [body["id"]] and "token" not in listed[0]
    token: str = body["token"]
    return token


def _scim(server: Server, token: str) -> httpx.Client:
    return httpx.Client(
        base_url=server.url + SCIM,
        timeout=30,
        headers={"Authorization": f"Bearer {token}", "Content-Type": MEDIA, "Accept": MEDIA},
    )


def _error(answer: httpx.Response, status: int, scim_type: str | None = None) -> str:
    assert answer.status_code == status, answer.text
    assert answer.headers["content-type"].startswith(MEDIA)
    body = answer.json()
    assert body["schemas"] == [ERROR] and body["status"] == str(status)
    assert body.get("scimType") == scim_type, body
    detail: str = body["detail"]
    return detail


def _user_named(scim: httpx.Client, user_name: str) -> list[dict[str, Any]]:
    found = scim.get("/Users", params={"filter": f'userName eq "{user_name}"'})
    assert found.status_code == 200, found.text
    resources: list[dict[str, Any]] = found.json()["Resources"]
    assert found.json()["totalResults"] == len(resources)
    return resources


def test_entra_provisions_changes_deactivates_and_deletes_an_account(
    server: Server, api: httpx.Client, demo: Demo
) -> None:
    token = _token(api, demo)
    with server.client() as anon:
        _error(anon.get(f"{SCIM}/Users"), 401)
        assert "WWW-Authenticate" in anon.get(f"{SCIM}/Users").headers
    with server.client(token) as as_scim:
        # The token does SCIM and nothing else.
        assert as_scim.get(f"{V1}/users").status_code == 403
        assert as_scim.get(f"{V1}/auth/me").status_code == 403
    with _scim(server, token) as scim:
        for path in ("/ServiceProviderConfig", "/ResourceTypes", "/Schemas"):
            answer = scim.get(path)
            assert answer.status_code == 200 and answer.headers["content-type"].startswith(MEDIA)
        assert scim.get("/ServiceProviderConfig").json()["patch"]["supported"] is True
        # Entra ID looks the person up first: none, an empty ListResponse.
        assert _user_named(scim, CREATE_USER["userName"]) == []
        made = scim.post("/Users", json=CREATE_USER)
        assert made.status_code == 201, made.text
        assert made.headers["content-type"].startswith(MEDIA)
        user = made.json()
        ident = user["id"]
        assert made.headers["location"].endswith(f"{SCIM}/Users/{ident}")
        assert user["active"] is True and user["externalId"] == CREATE_USER["externalId"]
        assert user["displayName"] == "givenName familyName"
        assert "uniqueness" in str(scim.post("/Users", json=CREATE_USER).json())
        _error(scim.post("/Users", json=CREATE_USER), 409, "uniqueness")
        assert [u["id"] for u in _user_named(scim, CREATE_USER["userName"].upper())] == [ident]
        by_external = scim.get("/Users", params={"filter": f'externalId eq "{user["externalId"]}"'})
        assert [u["id"] for u in by_external.json()["Resources"]] == [ident]
        _error(scim.get("/Users", params={"filter": 'userName sw "Test"'}), 400, "invalidFilter")
        _error(scim.get("/Users/2147483647"), 404, "noTarget")
        bad = {**CREATE_USER, "userName": "Test_User_without_a_domain"}
        assert "userName" in _error(scim.post("/Users", json=bad), 400, "invalidValue")

        changed = scim.patch(f"/Users/{ident}", json=PATCH_MULTI)
        assert changed.status_code == 200, changed.text
        assert changed.json()["name"]["familyName"] == "updatedFamilyName"
        assert changed.json()["emails"][0]["value"] == "updatedEmail@microsoft.com"
        renamed = scim.patch(f"/Users/{ident}", json=PATCH_SINGLE).json()
        assert renamed["userName"] == PATCH_SINGLE["Operations"][0]["value"]
        named = scim.patch(f"/Users/{ident}", json=PATCH_NO_PATH).json()
        assert named["displayName"] == "Pvs Name" and named["name"]["givenName"] == "Pvs"
        listed = api.get(f"{V1}/users", params={"email": renamed["userName"]}).json()["items"]
        assert [(u["name"], u["organisation"]["name"]) for u in listed] == [
            ("Pvs Name", "Trygghets- och preventionsenheten")
        ]

        # Deactivation ends the person's sessions at once.
        session = server.token_for(renamed["userName"])
        with server.client(session) as person:
            assert person.get(f"{V1}/auth/me").status_code == 200
            off = scim.patch(f"/Users/{ident}", json=DISABLE_AS_STRING)
            assert off.status_code == 200 and off.json()["active"] is False
            assert person.get(f"{V1}/auth/me").status_code == 401
        with server.database.session(write=False) as db:
            logged = db.scalars(
                select(AuditEvent.action).where(
                    AuditEvent.object_type == "users",
                    AuditEvent.object_id == ident,
                    AuditEvent.actor_kind == "scim",
                )
            ).all()
        assert "deactivate" in logged
        on = scim.patch(f"/Users/{ident}", json=ENABLE)
        assert on.json()["active"] is True
        with server.client(server.token_for(renamed["userName"])) as person:
            assert person.get(f"{V1}/auth/me").status_code == 200

        replaced = scim.put(f"/Users/{ident}", json={**CREATE_USER, "active": False})
        assert replaced.status_code == 200 and replaced.json()["active"] is False
        assert replaced.json()["userName"] == CREATE_USER["userName"]

        # DELETE keeps the account, deactivated, and out of the directory's reach …
        assert scim.delete(f"/Users/{ident}").status_code == 204
        _error(scim.get(f"/Users/{ident}"), 404, "noTarget")
        assert _user_named(scim, CREATE_USER["userName"]) == []
        # … until it provisions the same person again.
        again = scim.post("/Users", json=CREATE_USER)
        assert again.status_code == 201 and again.json()["id"] == ident

        # The administrators are never the directory's (the break-glass account stays).
        admin = api.get(f"{V1}/auth/me").json()
        assert _user_named(scim, admin["email"]) == []
        _error(
            scim.post(
                "/Users", json={**CREATE_USER, "userName": admin["email"], "externalId": "x"}
            ),
            409,
            "uniqueness",
        )

    municipality = demo["municipality"]["id"]
    tokens = api.get(f"{V1}/municipalities/{municipality}/scim-tokens").json()
    revoked = api.post(f"{V1}/municipalities/{municipality}/scim-tokens/{tokens[0]['id']}/revoke")
    assert revoked.status_code == 200 and revoked.json()["revoked_at"] is not None
    with _scim(server, token) as scim:
        _error(scim.get("/Users"), 401)


def _mapping(api: httpx.Client, demo: Demo, claim: str, group: str, role: str) -> int:
    municipality = demo["municipality"]["id"]
    made = api.post(
        f"{V1}/municipalities/{municipality}/sso/group-mappings",
        json={"claim_value": claim, "group_id": demo["groups"][group]["id"], "role": role},
    )
    assert made.status_code == 201, made.text
    return int(made.json()["id"])


def _groups(api: httpx.Client, user_id: str) -> dict[str, str]:
    user = api.get(f"{V1}/users/{user_id}").json()
    return {m["group"]["name"]: m["role"] for m in user["memberships"]}


def _made(scim: httpx.Client, user_name: str, external: str) -> str:
    body = copy.deepcopy(CREATE_USER) | {"userName": user_name, "externalId": external}
    made = scim.post("/Users", json=body)
    assert made.status_code == 201, made.text
    ident: str = made.json()["id"]
    return ident


def test_directory_groups_give_memberships_and_a_sign_in_finds_the_account(
    server: Server, api: httpx.Client, demo: Demo, oidc_provider: OidcProvider
) -> None:
    token = _token(api, demo)
    bro, kungsangen = "EST områdesgrupp Bro", "EST områdesgrupp Kungsängen"
    mapping = _mapping(api, demo, CREATE_GROUP["externalId"], bro, "member")
    with _scim(server, token) as scim:
        # As Entra ID names the person the provider's "entra" account is.
        bo = _made(scim, "bo.entra@est.demo", "bo")
        eva = _made(scim, "eva.entra@est.demo", "eva")
        # A membership an administrator gave: SCIM leaves it alone.
        given = api.put(
            f"{V1}/groups/{demo['groups'][kungsangen]['id']}/memberships/{eva}",
            json={"role": "reporter"},
        )
        assert given.status_code == 201, given.text

        looked_up = scim.get(
            "/Groups",
            params={"excludedAttributes": "members", "filter": 'displayName eq "displayName"'},
        )
        assert looked_up.json()["totalResults"] == 0
        made = scim.post("/Groups", json=CREATE_GROUP)
        assert made.status_code == 201, made.text
        group = made.json()["id"]
        _error(scim.post("/Groups", json=CREATE_GROUP), 409, "uniqueness")
        assert scim.patch(f"/Groups/{group}", json=_members("Add", bo, eva)).status_code == 200
        assert _groups(api, bo) == {bro: "member"}
        assert _groups(api, eva) == {bro: "member", kungsangen: "reporter"}
        found = scim.get(
            "/Groups",
            params={"excludedAttributes": "members", "filter": 'displayName eq "displayName"'},
        ).json()["Resources"]
        assert [g["id"] for g in found] == [group] and "members" not in found[0]
        full = scim.get(f"/Groups/{group}").json()
        assert sorted(m["value"] for m in full["members"]) == sorted([bo, eva])

        # Renamed: the externalId still maps it.
        assert scim.patch(f"/Groups/{group}", json=RENAME_GROUP).status_code == 200
        assert _groups(api, bo) == {bro: "member"}
        assert scim.patch(f"/Groups/{group}", json=_members("Remove", eva)).status_code == 200
        assert _groups(api, eva) == {kungsangen: "reporter"}
        _error(
            scim.patch(f"/Groups/{group}", json=_members("Add", "2147483647")), 400, "invalidValue"
        )
        personal = {
            **RENAME_GROUP,
            "Operations": [{"op": "Replace", "path": "displayName", "value": "Ring 070-123 45 67"}],
        }
        _error(scim.patch(f"/Groups/{group}", json=personal), 400, "invalidValue")

    # The first sign-in through the municipality's provider finds the account by the UPN
    # and leaves the memberships SCIM gave alone.
    municipality = demo["municipality"]["id"]
    configured = api.put(
        f"{V1}/municipalities/{municipality}/oidc",
        json={
            "issuer": oidc_provider.issuer,
            "client_id": oidc_provider.client_id,
            "client_secret": oidc_provider.client_secret,
        },
    )
    assert configured.status_code == 200, configured.text
    with server.client() as anon:
        started = anon.post(f"{V1}/auth/oidc/start", json={"municipality_id": municipality}).json()
        back = through_provider(started["authorization_url"], "entra", server.url + REDIRECT_PATH)
        answer = {k: v[0] for k, v in parse_qs(urlsplit(back).query).items()}
        finished = anon.post(
            f"{V1}/auth/oidc/finish",
            json={"flow": started["flow"], "code": answer["code"], "state": answer["state"]},
        )
    assert finished.status_code == 201, finished.text
    with server.client(finished.json()["access_token"]) as person:
        me = person.get(f"{V1}/auth/me").json()
    assert me["id"] == int(bo) and {m["group"]["name"] for m in me["memberships"]} == {bro}

    with _scim(server, token) as scim:
        # The compliant form of a removal, and a mapping that goes, take what SCIM gave.
        assert scim.patch(f"/Groups/{group}", json=_members("Add", eva)).status_code == 200
        assert scim.patch(f"/Groups/{group}", json=_remove_member(bo)).status_code == 200
        assert _groups(api, bo) == {}
        deleted = api.delete(f"{V1}/municipalities/{municipality}/sso/group-mappings/{mapping}")
        assert deleted.status_code == 204
        assert _groups(api, eva) == {kungsangen: "reporter"}
        _mapping(api, demo, CREATE_GROUP["externalId"], bro, "viewer")
        assert _groups(api, eva) == {bro: "viewer", kungsangen: "reporter"}
        assert scim.delete(f"/Groups/{group}").status_code == 204
        assert _groups(api, eva) == {kungsangen: "reporter"}
        _error(scim.get(f"/Groups/{group}"), 404, "noTarget")


def test_the_administrator_makes_and_revokes_the_token_on_its_page(
    server: Server, web: httpx.Client, demo: Demo
) -> None:
    settings = web.get("/kommun/inloggning")
    assert 'href="/kommun/inloggning/scim"' in settings.text
    opened = web.get("/kommun/inloggning/scim")
    assert opened.status_code == 200 and "Inga tokens ännu." in opened.text
    organisation = demo["organisations"]["Trygghets- och preventionsenheten"]["id"]
    made = web.post(
        "/kommun/inloggning/scim",
        data={"csrf_token": csrf_of(opened.text), "organisation": organisation, "dagar": "30"},
    )
    assert made.status_code == 200, made.text
    token = found(r"<code class=\"break\">(estscim_[^<]+)</code>", made.text)
    assert f"{server.url}{SCIM}" in made.text
    with _scim(server, token) as scim:
        assert scim.get("/Users").status_code == 200
    refused = web.post(
        "/kommun/inloggning/scim",
        data={"csrf_token": csrf_of(made.text), "organisation": organisation, "dagar": "9999"},
    )
    assert refused.status_code == 422 and 'aria-invalid="true"' in refused.text
    ident = found(r"/kommun/inloggning/scim/(\d+)/aterkalla", made.text)
    revoked = web.post(
        f"/kommun/inloggning/scim/{ident}/aterkalla", data={"csrf_token": csrf_of(made.text)}
    )
    assert revoked.status_code == 303
    assert "Token är återkallad" in web.get(revoked.headers["location"]).text
    with _scim(server, token) as scim:
        assert scim.get("/Users").status_code == 401
