"""The EST structure through the API, over HTTP, on SQLite and PostgreSQL."""

from __future__ import annotations

import httpx

from tests.support.factories import V1, make, make_municipality
from tests.support.people import Demo


def test_demo_structure_is_upplands_bro(api: httpx.Client, demo: Demo) -> None:
    assert demo["municipality"]["name"] == "Upplands-Bro kommun"
    assert demo["municipality"]["local_crs"] == "EPSG:3011"
    assert set(demo["areas"]) == {"Bro", "Brunna", "Kungsängen"}
    groups = demo["groups"]
    assert {g["kind"] for g in groups.values()} == {"steering", "coordination", "area"}
    coordination = groups["EST samordningsgrupp"]
    assert coordination["cadence_weeks"] == 2
    assert coordination["convener"]["name"] == "Trygghets- och preventionsenheten"
    assert {o["name"] for o in coordination["organisations"]} == {
        "Trygghets- och preventionsenheten",
        "Polisen, lokalpolisområde",
        "Upplands-Brohus",
    }
    bro = groups["EST områdesgrupp Bro"]
    assert bro["area"]["name"] == "Bro"
    assert len(bro["organisations"]) == 13
    fältgruppen = demo["organisations"]["Fältgruppen"]
    assert (
        fältgruppen["parent_id"] == demo["organisations"]["Trygghets- och preventionsenheten"]["id"]
    )
    places = api.get(f"{V1}/places", params={"area": demo["areas"]["Bro"]["id"], "limit": 200})
    assert "Finnsta" in {p["name"] for p in places.json()["items"]}


def test_create_read_update_deactivate_area(api: httpx.Client) -> None:
    municipality = make_municipality(api)
    boundary = {
        "type": "Polygon",
        "coordinates": [[[17.6, 59.5], [17.7, 59.5], [17.7, 59.55], [17.6, 59.55], [17.6, 59.5]]],
    }
    response = api.post(
        f"{V1}/areas",
        json={
            "municipality_id": municipality["id"],
            "name": "  Bro  ",
            "boundary": boundary,
            "center": {"type": "Point", "coordinates": [17.6364, 59.5117]},
        },
    )
    assert response.status_code == 201, response.text
    area = response.json()
    assert response.headers["location"] == f"{V1}/areas/{area['id']}"
    assert area["name"] == "Bro"
    assert area["boundary"] == boundary
    assert area["center"] == {"type": "Point", "coordinates": [17.6364, 59.5117]}
    assert area["created_at"].endswith("Z") or "+00:00" in area["created_at"]

    assert api.get(f"{V1}/areas/{area['id']}").json() == area

    response = api.patch(f"{V1}/areas/{area['id']}", json={"name": "Bro tätort", "center": None})
    assert response.status_code == 200, response.text
    assert response.json()["name"] == "Bro tätort"
    assert response.json()["center"] is None
    assert response.json()["boundary"] == boundary  # not sent, not changed

    response = api.post(f"{V1}/areas/{area['id']}/deactivate")
    assert response.status_code == 200
    assert response.json()["active"] is False
    listed = api.get(f"{V1}/areas", params={"active": "true"}).json()["items"]
    assert area["id"] not in [a["id"] for a in listed]
    inactive = api.get(f"{V1}/areas", params={"active": "false"}).json()["items"]
    assert [a["id"] for a in inactive] == [area["id"]]
    assert api.post(f"{V1}/areas/{area['id']}/activate").json()["active"] is True


def test_area_group_needs_an_area_and_others_may_not_have_one(api: httpx.Client) -> None:
    municipality = make_municipality(api)
    area = make(api, "areas", municipality_id=municipality["id"], name="Brunna")

    response = api.post(
        f"{V1}/groups",
        json={"municipality_id": municipality["id"], "name": "Områdesgrupp", "kind": "area"},
    )
    assert response.status_code == 422
    problem = response.json()
    assert response.headers["content-type"].startswith("application/problem+json")
    assert problem["errors"][0]["field"] == "area_id"
    assert "område" in problem["errors"][0]["message"]

    response = api.post(
        f"{V1}/groups",
        json={
            "municipality_id": municipality["id"],
            "name": "Samordning",
            "kind": "coordination",
            "area_id": area["id"],
        },
    )
    assert response.status_code == 422
    assert response.json()["errors"][0]["code"] == "area_not_allowed"

    group = make(
        api,
        "groups",
        municipality_id=municipality["id"],
        name="Områdesgrupp Brunna",
        kind="area",
        area_id=area["id"],
    )
    assert group["area"] == {"id": area["id"], "name": "Brunna"}

    # Turning it into a coordination group while it keeps its area is refused, and nothing
    # of the refused change is kept.
    response = api.patch(
        f"{V1}/groups/{group['id']}", json={"kind": "coordination", "name": "Nytt namn"}
    )
    assert response.status_code == 422
    assert api.get(f"{V1}/groups/{group['id']}").json()["name"] == "Områdesgrupp Brunna"
    response = api.patch(
        f"{V1}/groups/{group['id']}", json={"kind": "coordination", "area_id": None}
    )
    assert response.status_code == 200, response.text
    assert response.json()["area"] is None


def test_group_organisations(api: httpx.Client) -> None:
    municipality = make_municipality(api)
    police = make(
        api, "organisations", municipality_id=municipality["id"], name="Polisen", kind="police"
    )
    housing = make(
        api,
        "organisations",
        municipality_id=municipality["id"],
        name="Upplands-Brohus",
        kind="housing",
    )
    group = make(
        api,
        "groups",
        municipality_id=municipality["id"],
        name="Samordning",
        kind="coordination",
        cadence_weeks=2,
        convener_id=police["id"],
        organisation_ids=[police["id"], police["id"]],
    )
    assert [o["name"] for o in group["organisations"]] == ["Polisen"]
    assert group["convener"]["kind"] == "police"

    response = api.put(f"{V1}/groups/{group['id']}/organisations/{housing['id']}")
    assert response.status_code == 200
    assert {o["name"] for o in response.json()["organisations"]} == {"Polisen", "Upplands-Brohus"}
    # Idempotent.
    response = api.put(f"{V1}/groups/{group['id']}/organisations/{housing['id']}")
    assert len(response.json()["organisations"]) == 2

    member_of = api.get(f"{V1}/groups", params={"organisation": housing["id"]}).json()["items"]
    assert [g["id"] for g in member_of] == [group["id"]]

    response = api.delete(f"{V1}/groups/{group['id']}/organisations/{police['id']}")
    assert [o["name"] for o in response.json()["organisations"]] == ["Upplands-Brohus"]

    response = api.patch(f"{V1}/groups/{group['id']}", json={"organisation_ids": [police["id"]]})
    assert [o["name"] for o in response.json()["organisations"]] == ["Polisen"]

    response = api.patch(f"{V1}/groups/{group['id']}", json={"organisation_ids": [99999]})
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "organisation_ids.0"


def test_organisation_parents_cannot_loop(api: httpx.Client) -> None:
    municipality = make_municipality(api)
    office = make(
        api,
        "organisations",
        municipality_id=municipality["id"],
        name="Kommunledningskontoret",
        kind="municipality",
    )
    unit = make(
        api,
        "organisations",
        municipality_id=municipality["id"],
        name="Trygghetsenheten",
        kind="municipality",
        parent_id=office["id"],
    )
    team = make(
        api,
        "organisations",
        municipality_id=municipality["id"],
        name="Fältgruppen",
        kind="municipality",
        parent_id=unit["id"],
    )
    for parent in (team, office):
        response = api.patch(f"{V1}/organisations/{office['id']}", json={"parent_id": parent["id"]})
        assert response.status_code == 422, response.text
        assert response.json()["errors"][0]["code"] == "cycle"
    children = api.get(f"{V1}/organisations", params={"parent": unit["id"]}).json()["items"]
    assert [c["name"] for c in children] == ["Fältgruppen"]


def test_filters_and_search(api: httpx.Client, demo: Demo) -> None:
    police = api.get(f"{V1}/organisations", params={"kind": "police"}).json()["items"]
    assert [o["name"] for o in police] == ["Polisen, lokalpolisområde"]
    found = api.get(f"{V1}/organisations", params={"q": "BRO"}).json()["items"]
    assert {o["name"] for o in found} >= {"Upplands-Brohus", "Systerskap i Bro"}
    # LIKE wildcards in the search text are taken literally.
    assert api.get(f"{V1}/organisations", params={"q": "%"}).json()["items"] == []
    areas = api.get(f"{V1}/groups", params={"kind": "area"}).json()["items"]
    assert len(areas) == 3
    kungsängen = demo["areas"]["Kungsängen"]["id"]
    in_area = api.get(f"{V1}/groups", params={"area": kungsängen}).json()["items"]
    assert [g["name"] for g in in_area] == ["EST områdesgrupp Kungsängen"]


def test_cursor_pagination_walks_every_item_once(api: httpx.Client, demo: Demo) -> None:
    seen: list[int] = []
    url: str | None = f"{V1}/organisations?limit=4&kind=municipality"
    pages = 0
    while url:
        response = api.get(url)
        assert response.status_code == 200, response.text
        body = response.json()
        assert len(body["items"]) <= 4
        assert all(o["kind"] == "municipality" for o in body["items"])  # filter kept
        seen.extend(o["id"] for o in body["items"])
        url = body["next"]
        pages += 1
    municipal = [o for o in demo["organisations"].values() if o["kind"] == "municipality"]
    assert sorted(seen) == seen
    assert len(seen) == len(set(seen)) == len(municipal) == 9
    assert pages == 3


def test_categories(api: httpx.Client, demo: Demo) -> None:
    families = api.get(f"{V1}/categories", params={"families": "true"}).json()["items"]
    assert "skadegorelse" in {c["code"] for c in families}
    assert all(c["parent_code"] is None for c in families)
    klotter = api.get(f"{V1}/categories/skadegorelse.klotter").json()
    assert klotter["label_sv"] == "Klotter"
    assert klotter["parent_code"] == "skadegorelse"

    created = make(api, "categories", code="skadegorelse.stold", label_sv="Stöld av egendom")
    assert created["parent_code"] == "skadegorelse"
    response = api.patch(f"{V1}/categories/skadegorelse.stold", json={"label_sv": "Stöld"})
    assert response.json()["label_sv"] == "Stöld"
    # The code of a category never changes meaning: it is not in the PATCH body at all.
    response = api.patch(f"{V1}/categories/skadegorelse.stold", json={"code": "x.y"})
    assert response.status_code == 422
    response = api.post(
        f"{V1}/categories", json={"code": "skadegorelse.dubblett", "label_sv": "klotter"}
    )
    assert response.status_code == 409
    assert response.json()["errors"][0]["field"] == "label_sv"
    response = api.post(f"{V1}/categories", json={"code": "okand.sak", "label_sv": "Sak"})
    assert response.status_code == 422
    response = api.post(f"{V1}/categories/skadegorelse/deactivate")
    assert response.status_code == 409  # active children


def test_health(api: httpx.Client) -> None:
    assert api.get("/healthz").json() == {"status": "ok"}
    ready = api.get("/readyz")
    assert ready.status_code == 200
    assert ready.json()["status"] == "ready"
