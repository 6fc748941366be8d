"""Bad input gets a clear 4xx in problem+json and leaves nothing half-written."""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from tests.support.factories import V1, act_in, make, make_municipality


def assert_problem(response: httpx.Response, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    problem: dict[str, Any] = response.json()
    assert problem["status"] == status
    assert problem["title"] and problem["detail"] and problem["type"]
    return problem


@pytest.mark.parametrize(
    ("body", "field", "message_part"),
    [
        ({"name": ""}, "name", "tomt"),
        ({"name": "   "}, "name", "tomt"),
        ({}, "name", "anges"),
        ({"name": "X", "nmae": "typo"}, "nmae", "Okänt fält"),
        ({"name": "X", "timezone": "Mars/Olympus"}, "timezone", "Europe/Stockholm"),
        ({"name": "X", "local_crs": "EPSG:4326"}, "local_crs", "EPSG:3011"),
        ({"name": "X", "local_crs": 3011}, "local_crs", "EPSG:3011"),
        ({"name": "a\u0000b"}, "name", "styrtecken"),
        ({"name": "\u200b"}, "name", "tomt"),  # shows nothing
        ({"name": "abc\u202edef"}, "name", "styrtecken"),  # would display reversed
        ({"name": "\ufdfa" * 30}, "name", "för långt"),  # 540 letters once folded
    ],
)
def test_invalid_fields_are_named(
    api: httpx.Client, body: dict[str, Any], field: str, message_part: str
) -> None:
    problem = assert_problem(api.post(f"{V1}/municipalities", json=body), 422)
    errors = {e["field"]: e for e in problem["errors"]}
    assert field in errors, problem
    assert message_part in errors[field]["message"]
    assert api.get(f"{V1}/municipalities").json()["items"] == []


def test_unknown_kind(api: httpx.Client) -> None:
    municipality = make_municipality(api)
    problem = assert_problem(
        api.post(
            f"{V1}/organisations",
            json={"municipality_id": municipality["id"], "name": "X", "kind": "mafia"},
        ),
        422,
    )
    assert problem["errors"][0]["field"] == "kind"
    assert "police" in problem["errors"][0]["message"]


def test_duplicate_names_ignore_case_and_spacing(api: httpx.Client) -> None:
    municipality = make_municipality(api)
    make(api, "areas", municipality_id=municipality["id"], name="Kungsängen")
    problem = assert_problem(
        api.post(
            f"{V1}/areas", json={"municipality_id": municipality["id"], "name": "  KUNGSÄNGEN "}
        ),
        409,
    )
    assert problem["errors"][0]["field"] == "name"
    assert "Kungsängen" in problem["detail"]
    # Another municipality's administrator may use the same name (#21: this one may not
    # add areas there at all).
    other = make_municipality(api, "Annan kommun")
    refused = assert_problem(
        api.post(f"{V1}/areas", json={"municipality_id": other["id"], "name": "Kungsängen"}), 422
    )
    assert refused["errors"][0]["field"] == "municipality_id"
    act_in(api, other["id"])
    make(api, "areas", municipality_id=other["id"], name="Kungsängen")


def test_unknown_ids(api: httpx.Client) -> None:
    make_municipality(api)
    problem = assert_problem(api.get(f"{V1}/groups/424242"), 404)
    assert "424242" in problem["detail"]
    assert_problem(api.patch(f"{V1}/areas/424242", json={"name": "X"}), 404)
    assert_problem(api.post(f"{V1}/places/424242/deactivate"), 404)
    assert_problem(api.get(f"{V1}/categories/finns.inte"), 404)
    # An unknown id inside a body is a field error, not a missing URL.
    problem = assert_problem(api.post(f"{V1}/places", json={"area_id": 424242, "name": "X"}), 422)
    assert problem["errors"][0]["field"] == "area_id"
    assert_problem(api.get(f"{V1}/groups/99999999999999999999"), 422)
    assert_problem(api.get(f"{V1}/groups/abc"), 422)


def _cursor(key: object) -> str:
    return base64.urlsafe_b64encode(json.dumps({"k": key}).encode()).decode().rstrip("=")


@pytest.mark.parametrize(
    "cursor",
    [
        "zzz",
        "eyJrIjoiYSJ9",
        "eyJrIjp0cnVlfQ",
        "!!",
        "e30",
        # Ids no database column holds: past 32 bits, and far past 64.
        _cursor(2**40),
        _cursor(10**40),
        _cursor(-1),
        _cursor(0),
        _cursor(1.5),
    ],
)
def test_malformed_cursor(api: httpx.Client, cursor: str) -> None:
    problem = assert_problem(api.get(f"{V1}/areas", params={"cursor": cursor}), 422)
    assert problem["code"] == "invalid_cursor"
    assert problem["errors"][0] == {
        "field": "cursor",
        "location": "query",
        "message": "Ogiltig cursor.",
        "code": "invalid_cursor",
    }


@pytest.mark.parametrize("limit", ["0", "201", "x"])
def test_bad_limit(api: httpx.Client, limit: str) -> None:
    problem = assert_problem(api.get(f"{V1}/areas", params={"limit": limit}), 422)
    assert problem["errors"][0]["field"] == "limit"


@pytest.mark.parametrize(
    ("content", "content_type"),
    [
        ("{not json", "application/json"),
        ('{"name": "X"', "application/json"),
        ("\xff\xfe", "application/json"),
    ],
)
def test_body_that_is_not_json(api: httpx.Client, content: str, content_type: str) -> None:
    problem = assert_problem(
        api.post(f"{V1}/municipalities", content=content, headers={"content-type": content_type}),
        400,
    )
    assert "JSON" in problem["detail"]


def test_missing_body(api: httpx.Client) -> None:
    problem = assert_problem(api.post(f"{V1}/municipalities"), 422)
    assert problem["detail"] == "Kroppen saknas: skicka uppgifterna som ett JSON-objekt."


def test_body_of_wrong_shape(api: httpx.Client) -> None:
    assert_problem(api.post(f"{V1}/municipalities", json=["name"]), 422)
    assert_problem(
        api.post(
            f"{V1}/municipalities",
            content="name=X",
            headers={"content-type": "application/x-www-form-urlencoded"},
        ),
        422,
    )


def test_unknown_route_and_method(api: httpx.Client) -> None:
    assert_problem(api.get(f"{V1}/nothing-here"), 404)
    response = api.delete(f"{V1}/areas")
    assert_problem(response, 405)
    assert response.headers["allow"] == "GET, POST"
    # GET and PATCH of one record are two routes; Allow names both.
    response = api.delete(f"{V1}/groups/1")
    assert_problem(response, 405)
    assert response.headers["allow"] == "GET, PATCH"
    assert api.head(f"{V1}/groups").headers["allow"] == "GET, POST"


def test_body_too_large(api: httpx.Client) -> None:
    municipality = make_municipality(api)
    ring = [[17.0 + i * 1e-6, 59.5] for i in range(40_000)]
    ring.append(ring[0])
    body = json.dumps(
        {
            "municipality_id": municipality["id"],
            "name": "Stor",
            "boundary": {"type": "Polygon", "coordinates": [ring] * 3},
        }
    )
    assert len(body) > 2 * 1024 * 1024
    problem = assert_problem(
        api.post(f"{V1}/areas", content=body, headers={"content-type": "application/json"}), 413
    )
    assert "större än 2 MB" in problem["detail"]

    # Without a Content-Length the body is counted as it arrives.
    def chunks() -> Iterator[bytes]:
        for start in range(0, len(body), 65536):
            yield body[start : start + 65536].encode()

    assert_problem(
        api.post(f"{V1}/areas", content=chunks(), headers={"content-type": "application/json"}), 413
    )
    assert api.get(f"{V1}/areas").json()["items"] == []


def test_api_security_headers(api: httpx.Client) -> None:
    response = api.get(f"{V1}/areas")
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["content-security-policy"].startswith("default-src 'none'")
    docs = api.get("/api/docs")
    assert "'unsafe-inline'" in docs.headers["content-security-policy"]
    assert docs.headers["x-frame-options"] == "DENY"


def test_a_refused_group_is_not_saved(api: httpx.Client) -> None:
    municipality = make_municipality(api)
    police = make(
        api, "organisations", municipality_id=municipality["id"], name="Polisen", kind="police"
    )
    # The last organisation is unknown: the group must not be saved without it.
    assert_problem(
        api.post(
            f"{V1}/groups",
            json={
                "municipality_id": municipality["id"],
                "name": "Samordning",
                "kind": "coordination",
                "organisation_ids": [police["id"], 31337],
            },
        ),
        422,
    )
    assert api.get(f"{V1}/groups").json()["items"] == []


def test_deactivated_records_cannot_be_referred_to(api: httpx.Client) -> None:
    municipality = make_municipality(api)
    area = make(api, "areas", municipality_id=municipality["id"], name="Bro")
    api.post(f"{V1}/areas/{area['id']}/deactivate")
    problem = assert_problem(
        api.post(f"{V1}/places", json={"area_id": area["id"], "name": "Råby"}), 422
    )
    assert problem["errors"][0]["code"] == "inactive"


def test_an_area_with_an_active_group_stays_active(api: httpx.Client) -> None:
    municipality = make_municipality(api)
    area = make(api, "areas", municipality_id=municipality["id"], name="Bro")
    group = make(
        api,
        "groups",
        municipality_id=municipality["id"],
        name="Områdesgrupp Bro",
        kind="area",
        area_id=area["id"],
    )
    problem = assert_problem(api.post(f"{V1}/areas/{area['id']}/deactivate"), 409)
    assert group["name"] in problem["detail"]
    api.post(f"{V1}/groups/{group['id']}/deactivate")
    assert api.post(f"{V1}/areas/{area['id']}/deactivate").status_code == 200
    # And the group cannot come back while its area is away.
    problem = assert_problem(api.post(f"{V1}/groups/{group['id']}/activate"), 409)
    assert problem["detail"] == "Området Bro är avaktiverat; aktivera det först."
    assert api.post(f"{V1}/areas/{area['id']}/activate").status_code == 200
    assert api.post(f"{V1}/groups/{group['id']}/activate").status_code == 200


def test_invalid_geometry(api: httpx.Client) -> None:
    municipality = make_municipality(api)
    open_ring = {
        "type": "Polygon",
        "coordinates": [[[17.6, 59.5], [17.7, 59.5], [17.7, 59.6], [17.6, 59.6]]],
    }
    problem = assert_problem(
        api.post(
            f"{V1}/areas",
            json={"municipality_id": municipality["id"], "name": "Bro", "boundary": open_ring},
        ),
        422,
    )
    assert problem["errors"][0]["field"].startswith("boundary")
    problem = assert_problem(
        api.post(
            f"{V1}/areas",
            json={
                "municipality_id": municipality["id"],
                "name": "Bro",
                "center": {"type": "Point", "coordinates": [59.5, 200]},
            },
        ),
        422,
    )
    assert problem["errors"][0]["field"].startswith("center")


def test_a_category_comes_back_only_with_its_family(api: httpx.Client) -> None:
    make(api, "categories", code="trafik", label_sv="Trafik")
    make(api, "categories", code="trafik.moped", label_sv="Mopeder")
    api.post(f"{V1}/categories/trafik.moped/deactivate")
    assert api.post(f"{V1}/categories/trafik/deactivate").status_code == 200
    problem = assert_problem(api.post(f"{V1}/categories/trafik.moped/activate"), 409)
    assert problem["detail"] == "Familjen Trafik är avaktiverad; aktivera den först."
    assert api.post(f"{V1}/categories/trafik/activate").status_code == 200
    assert api.post(f"{V1}/categories/trafik.moped/activate").json()["active"] is True


def test_a_length_is_said_in_characters_for_text_and_values_for_a_list() -> None:
    """A text held to a length by a constraint on its annotated type fails as "too_long"
    (not "string_too_long"), as a list does: the message counts what the input is made of."""
    from typing import Annotated

    from pydantic import BaseModel, Field, ValidationError

    from api.problems import _message
    from api.schemas_common import Text

    class Said(BaseModel):
        reason: Annotated[Text, Field(max_length=200)]

    with pytest.raises(ValidationError) as text:
        Said.model_validate({"reason": "x" * 300})
    assert _message(dict(text.value.errors()[0])) == "Får ha högst 200 tecken."

    class Listed(BaseModel):
        ids: list[int] = Field(max_length=2)

    with pytest.raises(ValidationError) as listed:
        Listed.model_validate({"ids": [1, 2, 3]})
    assert _message(dict(listed.value.errors()[0])) == "Får ha högst 2 värden."


@pytest.mark.parametrize(
    ("method", "path", "body", "field", "location"),
    [
        ("POST", "/auth/token", {"email": "a\u0000@x.se", "password": "p"}, "email", "body"),
        (
            "POST",
            "/municipalities",
            {"name": "X", "extent": {"w\u0000": 1}},
            "extent.w\u0000",
            "body",
        ),
        ("GET", "/users?q=a%00b", None, "q", "query"),
        ("GET", "/municipalities/1%00", None, "path", "path"),
    ],
)
def test_nul_is_refused_wherever_it_comes_in(
    api: httpx.Client,
    method: str,
    path: str,
    body: dict[str, Any] | None,
    field: str,
    location: str,
) -> None:
    """PostgreSQL cannot hold NUL in text: it is refused at the door, named as a field is,
    on both databases alike, whether a field's own rule would have caught it or not (the
    sign-in takes any text as the login)."""
    problem = assert_problem(api.request(method, f"{V1}{path}", json=body), 422)
    assert problem["code"] == "nul_character"
    assert [(e["field"], e["location"]) for e in problem["errors"]] == [(field, location)]
    assert "styrtecken" in problem["errors"][0]["message"]


def test_a_backslash_before_u0000_is_text_not_nul(api: httpx.Client) -> None:
    # JSON's "\\u0000" is a backslash and "u0000": six printable characters.
    response = api.post(
        f"{V1}/auth/token",
        content=b'{"email": "\\\\u0000@x.se", "password": "p"}',
        headers={"content-type": "application/json"},
    )
    assert response.status_code == 401, response.text
