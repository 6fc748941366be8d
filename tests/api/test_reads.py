"""Leak nothing (#17, findings 6–8 and the personal-data withdrawal): a withdrawn incident is
read only by those who may change it, in every list, export and the change feed (which gives
a tombstone); a withdrawal for personal data blanks every free text of the incident and its
history wherever it is served; every read of many incidents is an ``export`` in the audit
log with its filter and row count, and every read of one incident's detail is logged and
answered by ``GET /incidents/{id}/readers``. Real HTTP, on SQLite and PostgreSQL."""

from __future__ import annotations

import re
import time
from typing import Any

import httpx
import pytest

from tests.support.people import People, gid
from tests.support.servers import Server, http_client

V1 = "/api/v1"
BRO_GROUP = "EST områdesgrupp Bro"
BRUNNA_GROUP = "EST områdesgrupp Brunna"
COORDINATION = "EST samordningsgrupp"
PROBLEM = "application/problem+json"
# A name, which the personal-data guard (numbers, addresses) lets through to be withdrawn.
SECRET = "Anna Svensson"


def _incident(**overrides: Any) -> dict[str, Any]:
    return {
        "category": "skadegorelse.klotter",
        "occurred_from": "2025-09-03T21:30",
        "assessment": "medium",
        **overrides,
    }


def _file(client: httpx.Client, **overrides: Any) -> int:
    filed = client.post(f"{V1}/reports", json={"incidents": [_incident(**overrides)]})
    assert filed.status_code == 201, filed.text
    return int(filed.json()["incidents"][0]["id"])


@pytest.fixture
def filer(server: Server, people: People) -> Any:
    """The coordination group's convener, who files for an organisation and changes every
    incident (the test administrator has no organisation)."""
    with server.client(people["tokens"]["coordination"]) as client:
        yield client


def _service_token(filer: httpx.Client, people: People) -> str:
    created = filer.post(
        f"{V1}/service-tokens",
        json={
            "source": "embrace",
            "organisation_id": people["organisations"]["Rapid Säkerhet"]["id"],
        },
    )
    assert created.status_code == 201, created.text
    return str(created.json()["token"])


def _push(tool: httpx.Client, external_id: str, **fields: Any) -> int:
    body = {
        "external_id": external_id,
        "category": "Skadegörelse",
        "subcategory": "Klotter",
        "occurred_from": "2025-09-03 22:00",
        "area": "Bro",
        "lat": 59.5089,
        "lon": 17.6431,
        **fields,
    }
    pushed = tool.post(f"{V1}/integrations/embrace/incidents:batch", json={"incidents": [body]})
    assert pushed.status_code == 200, pushed.text
    result = pushed.json()["items"][0]
    assert result["result"] == "created", result
    return int(result["incident_id"])


def _feed(server: Server, tool: httpx.Client) -> list[dict[str, Any]]:
    # The feed holds back what changed in the last few seconds.
    time.sleep(server.settings.feed_lag_seconds + 0.2)
    answer = tool.get(f"{V1}/integrations/embrace/changes", params={"limit": 1000})
    assert answer.status_code == 200, answer.text
    items: list[dict[str, Any]] = answer.json()["items"]
    return items


def _brunna_convener_viewing_the_municipality(api: httpx.Client, people: People) -> None:
    """The viewer of the coordination group (reads the whole municipality) made a convener
    of the Brunna area group (changes Brunna's incidents only)."""
    added = api.put(
        f"{V1}/groups/{gid(people, BRUNNA_GROUP)}/memberships/{people['users']['viewer']['id']}",
        json={"role": "convener"},
    )
    assert added.status_code in {200, 201}, added.text


# Finding 6: withdrawn incidents outside the editor's scope -------------------------------------


def test_a_brunna_convener_lists_no_withdrawn_incident_of_bro(
    server: Server, api: httpx.Client, filer: httpx.Client, people: People
) -> None:
    _brunna_convener_viewing_the_municipality(api, people)
    areas = people["areas"]
    bro = _file(filer, area_id=areas["Bro"]["id"], description=f"Bro: {SECRET}")
    brunna = _file(filer, area_id=areas["Brunna"]["id"], description="Brunna: klotter")
    report_of = {i: filer.get(f"{V1}/incidents/{i}").json()["report_id"] for i in (bro, brunna)}
    for incident_id in (bro, brunna):
        withdrawn = filer.post(
            f"{V1}/incidents/{incident_id}/withdraw", json={"reason": "duplicate"}
        )
        assert withdrawn.status_code == 200, withdrawn.text
    asked = {"withdrawn": True}
    with server.client(people["tokens"]["viewer"]) as viewer:
        listed = viewer.get(f"{V1}/incidents", params=asked).json()["items"]
        assert [i["id"] for i in listed] == [brunna]
        searched = viewer.get(f"{V1}/incidents", params={**asked, "q": "Bro:"}).json()["items"]
        assert searched == []
        for path in ("incidents.csv", "incidents.geojson"):
            body = viewer.get(f"{V1}/{path}", params=asked).text
            assert "Bro" not in body.replace("Brunna", "")
            assert SECRET not in body
        assert viewer.get(f"{V1}/incidents/{bro}").status_code == 404
        # Nor through the report it was filed in.
        assert viewer.get(f"{V1}/reports/{report_of[bro]}").status_code == 404
    # The coordination group's convener changes every incident, so reads every withdrawn one.
    with server.client(people["tokens"]["coordination"]) as convener:
        listed = convener.get(f"{V1}/incidents", params=asked).json()["items"]
        assert {i["id"] for i in listed} == {bro, brunna}
    # Kungsängen's member changes none of them.
    with server.client(people["tokens"]["kungsangen"]) as member:
        assert member.get(f"{V1}/incidents", params=asked).json()["items"] == []


def test_a_reporter_lists_only_their_own_withdrawn_incidents(
    server: Server, api: httpx.Client, filer: httpx.Client, people: People
) -> None:
    bro = people["areas"]["Bro"]["id"]
    with server.client(people["tokens"]["reporter"]) as reporter:
        own = _file(reporter, area_id=bro)
        assert reporter.post(
            f"{V1}/incidents/{own}/withdraw", json={"reason": "mistake"}
        ).is_success
    other = _file(filer, area_id=bro)
    assert filer.post(f"{V1}/incidents/{other}/withdraw", json={"reason": "mistake"}).is_success
    with server.client(people["tokens"]["reporter"]) as reporter:
        listed = reporter.get(f"{V1}/incidents", params={"withdrawn": True}).json()["items"]
        assert [i["id"] for i in listed] == [own]


# Finding 8: the change feed ------------------------------------------------------------------


def test_the_feed_gives_a_withdrawn_incident_as_a_tombstone_without_text(
    server: Server, api: httpx.Client, filer: httpx.Client, people: People
) -> None:
    areas = people["areas"]
    written = _file(
        filer, area_id=areas["Bro"]["id"], description=f"Skrivet: {SECRET}",
        position={"lat": 59.5117, "lon": 17.6364},
    )  # fmt: skip
    kept = _file(filer, area_id=areas["Bro"]["id"], description="Kvar")
    assert filer.post(f"{V1}/incidents/{written}/withdraw", json={"reason": "other"}).is_success
    with server.client(_service_token(api, people)) as tool:
        items = {item["id"]: item for item in _feed(server, tool)}
    tombstone = items[written]
    assert tombstone["withdrawn"] is True
    assert tombstone["version"] >= 1 and tombstone["updated_at"]
    for hidden in ("description", "address", "external_id", "place", "lat", "lon"):
        assert tombstone[hidden] is None, hidden
    assert items[kept]["withdrawn"] is False and items[kept]["description"] == "Kvar"


# Finding 7: every read of many incidents is an export ----------------------------------------


def _exports(api: httpx.Client, after: int) -> list[dict[str, Any]]:
    events = api.get(f"{V1}/audit-events", params={"action": "export", "limit": 200}).json()
    return [e for e in events["items"] if e["id"] > after]


def _last_event_id(api: httpx.Client) -> int:
    items = api.get(f"{V1}/audit-events", params={"limit": 1}).json()["items"]
    return int(items[0]["id"]) if items else 0


def test_every_bulk_read_is_an_export_with_its_filter_and_row_count(
    server: Server, api: httpx.Client, filer: httpx.Client, web: httpx.Client, people: People
) -> None:
    areas = people["areas"]
    for _ in range(3):
        _file(filer, area_id=areas["Bro"]["id"])
    _file(filer, area_id=areas["Brunna"]["id"])
    tool_token = _service_token(api, people)
    situation = api.post(
        f"{V1}/groups/{gid(people, COORDINATION)}/situation-reports",
        json={"first_day": "2025-09-01", "last_day": "2025-09-14"},
    )
    assert situation.status_code == 201, situation.text
    report_id = situation.json()["id"]
    plan = api.post(
        f"{V1}/plans",
        json={
            "group_id": gid(people, "EST styrgrupp"),
            "title": "Plan mot skadegörelse",
            "period_start": "2025-01-01",
            "period_end": "2026-12-31",
        },
    )
    assert plan.status_code == 201, plan.text
    plan_id = plan.json()["id"]

    bro = {"area": areas["Bro"]["id"]}
    reads: list[tuple[str, str, dict[str, Any] | None, str, int]] = [
        # (client, path, params, detail, rows)
        ("api", f"{V1}/incidents", {**bro, "limit": 2}, "list", 2),
        ("api", f"{V1}/incidents.csv", bro, "csv", 3),
        ("api", f"{V1}/incidents.geojson", bro, "geojson", 3),
        ("api", f"{V1}/features/collections/incidents/items", {"limit": 2}, "ogc", 2),
        ("tool", f"{V1}/integrations/embrace/changes", {"limit": 10}, "feed", 4),
        ("api", f"{V1}/situation-reports/{report_id}", {"purpose": "pdf"}, "pdf", 4),
        ("api", f"{V1}/plans/{plan_id}/reviews/2025", {"purpose": "print"}, "print", 0),
        ("web", f"/lagesbild/{report_id}/utskrift", None, "print", 4),
        ("web", f"/planer/{plan_id}/uppfoljning/2025/utskrift", None, "print", 0),
    ]
    time.sleep(server.settings.feed_lag_seconds + 0.2)
    with server.client(tool_token) as tool:
        clients = {"api": api, "tool": tool, "web": web}
        for who, path, params, detail, rows in reads:
            before = _last_event_id(api)
            answer = clients[who].get(path, params=params)
            assert answer.status_code == 200, (path, answer.text)
            exports = _exports(api, before)
            assert len(exports) == 1, (path, exports)
            event = exports[0]
            assert (event["detail"], event["rows"]) == (detail, rows), (path, event)
            assert event["query"] is not None, path
    # The filter as it was asked, and an ordinary read of a lägesbild is no export.
    before = _last_event_id(api)
    api.get(f"{V1}/incidents.csv", params={"area": areas["Bro"]["id"], "q": "klotter"})
    event = _exports(api, before)[0]
    assert event["query"] == f"area={areas['Bro']['id']}&q=klotter"
    before = _last_event_id(api)
    assert api.get(f"{V1}/situation-reports/{report_id}").status_code == 200
    assert _exports(api, before) == []
    refused = api.get(f"{V1}/situation-reports/{report_id}", params={"purpose": "skärm"})
    assert refused.status_code == 422 and refused.headers["content-type"] == PROBLEM


# One incident's detail: logged, and who read it answered --------------------------------------


def test_a_detail_read_is_logged_and_listed_by_the_readers_endpoint(
    server: Server, api: httpx.Client, filer: httpx.Client, web: httpx.Client, people: People
) -> None:
    incident_id = _file(filer, area_id=people["areas"]["Kungsängen"]["id"])
    with server.client(people["tokens"]["kungsangen"]) as member:
        assert member.get(f"{V1}/incidents/{incident_id}").status_code == 200
        # Who read it is the audit log's, for those who read the log.
        refused = member.get(f"{V1}/incidents/{incident_id}/readers")
        assert refused.status_code == 403 and refused.headers["content-type"] == PROBLEM
    with server.client(people["tokens"]["coordination"]) as convener:
        assert convener.get(f"{V1}/features/collections/incidents/items/{incident_id}").is_success
    readers = api.get(f"{V1}/incidents/{incident_id}/readers")
    assert readers.status_code == 200, readers.text
    listed = readers.json()["items"]
    assert [r["user_id"] for r in listed] == [
        people["users"]["coordination"]["id"],
        people["users"]["kungsangen"]["id"],
    ]
    assert listed[1]["name"] == people["users"]["kungsangen"]["name"]
    assert api.get(f"{V1}/incidents/{incident_id}/readers", params={"limit": 1}).json()["next"]
    missing = api.get(f"{V1}/incidents/2147483647/readers")
    assert missing.status_code == 404 and missing.headers["content-type"] == PROBLEM

    # The page, linked from the incident's for those who read the log, without JavaScript.
    shown = web.get(f"/handelser/{incident_id}")
    assert f'href="/handelser/{incident_id}/lasare"' in shown.text
    page = web.get(f"/handelser/{incident_id}/lasare")
    assert page.status_code == 200, page.text
    assert people["users"]["kungsangen"]["name"] in page.text
    # Dates as "4 mars 2021 21:30".
    assert re.search(r"\d{1,2} [a-zåäö]+ \d{4} \d{2}:\d{2}", page.text)
    # The admin's own reading of the incident page counts too, first.
    assert api.get(f"{V1}/incidents/{incident_id}/readers").json()["items"][0]["name"] == (
        "Test Admin"
    )
    with http_client(
        base_url=server.url, cookies={"est_session": people["tokens"]["kungsangen"]}
    ) as member_web:
        assert "/lasare" not in member_web.get(f"/handelser/{incident_id}").text
        assert member_web.get(f"/handelser/{incident_id}/lasare").status_code == 403


# Withdrawn for personal data: every free text blanked, everywhere ---------------------------


def test_a_withdrawal_for_personal_data_blanks_every_free_text_everywhere(
    server: Server, api: httpx.Client, filer: httpx.Client, people: People
) -> None:
    texts = {
        "description": f"Sågs av {SECRET}",
        "address": f"Hos {SECRET}, Storgatan 1",
        "external_id": f"EXT {SECRET}",
    }
    with server.client(_service_token(api, people)) as tool:
        incident_id = _push(
            tool, texts["external_id"], description=texts["description"],
            address=texts["address"],
        )  # fmt: skip
    # A correction keeps the text in the history.
    corrected = api.patch(f"{V1}/incidents/{incident_id}", json={"assessment": "high"})
    assert corrected.status_code == 200, corrected.text
    history = api.get(f"{V1}/incidents/{incident_id}/history").json()
    assert any(texts["description"] == v["data"].get("description") for v in history)
    withdrawn = filer.post(
        f"{V1}/incidents/{incident_id}/withdraw", json={"reason": "personal_data"}
    )
    assert withdrawn.status_code == 200, withdrawn.text

    asked = {"withdrawn": True}
    detail = api.get(f"{V1}/incidents/{incident_id}").json()
    for name in texts:
        assert detail[name] is None, name
    outputs = {
        "detail": api.get(f"{V1}/incidents/{incident_id}").text,
        "list": api.get(f"{V1}/incidents", params=asked).text,
        "history": api.get(f"{V1}/incidents/{incident_id}/history").text,
        "csv": api.get(f"{V1}/incidents.csv", params=asked).text,
        "geojson": api.get(f"{V1}/incidents.geojson", params=asked).text,
        "ogc": api.get(f"{V1}/features/collections/incidents/items").text,
    }
    assert str(incident_id) in outputs["list"] and str(incident_id) in outputs["csv"]
    with server.client(_service_token(api, people)) as tool:
        feed = _feed(server, tool)
    outputs["feed"] = str(feed)
    assert any(item["id"] == incident_id and item["withdrawn"] for item in feed)
    # The source sending it again finds it: neither a second incident nor its text back.
    with server.client(_service_token(api, people)) as tool:
        again = tool.post(
            f"{V1}/integrations/embrace/incidents:batch",
            json={"incidents": [{
                "external_id": texts["external_id"], "category": "Skadegörelse",
                "subcategory": "Klotter", "occurred_from": "2025-09-03 22:00", "area": "Bro",
                "description": texts["description"], "address": texts["address"],
            }]},
        )  # fmt: skip
    assert again.status_code == 200, again.text
    assert again.json()["items"][0]["result"] == "unchanged", again.text
    assert again.json()["items"][0]["incident_id"] == incident_id
    outputs["after_resend"] = api.get(f"{V1}/incidents/{incident_id}").text
    for where, body in outputs.items():
        assert SECRET not in body, where
