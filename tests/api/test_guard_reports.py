"""The guard company's daily reports (#19, point 4): pushed by its service token (sent again,
the day is replaced and its observations updated by their ids, never filed twice; each bad
observation answered by its index with a Swedish reason), filed on the form by its own
people, read by those who read the whole municipality and by the company's own people, every
read logged, personal data refused."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import func, select

from api.audit.models import AuditEvent, IncidentReading
from api.guards.models import GuardReport
from api.incidents.models import Incident
from tests.support.field import GUARDS, local, service_token, today
from tests.support.people import People, as_, oid
from tests.support.servers import Server

V1 = "/api/v1"


DAY = today() - dt.timedelta(days=2)


def _round(day: dt.date, start: float = 21, end: float = 23) -> dict[str, Any]:
    return {
        "starts_at": local(day, start).isoformat(),
        "ends_at": local(day, end).isoformat(),
        "route": "Bro centrum – Finnsta – Råby",
    }


def _seen(external_id: str, **fields: Any) -> dict[str, Any]:
    return {
        "external_id": external_id,
        "category": "Klotter",
        "occurred_from": local(DAY, 22).isoformat(),
        "occurred_to": local(DAY, 22.5).isoformat(),
        "place": "Finnsta",
        "assessment": "Medel",
        "description": "Nytt klotter på gaveln.",
        **fields,
    }


def _push(server: Server, token: str, body: dict[str, Any], source: str = "rapid") -> Any:
    with server.client(token) as client:
        return client.put(f"{V1}/integrations/{source}/guard-reports/{DAY}", json=body)


def _count(server: Server, model: Any) -> int:
    with server.database.session(write=False) as session:
        return int(session.scalar(select(func.count()).select_from(model)) or 0)


def test_pushing_the_same_day_twice_replaces_it_and_files_nothing_twice(
    server: Server, people: People
) -> None:
    token = service_token(server, people)
    first = _push(
        server,
        token,
        {
            "rounds": [_round(DAY), _round(DAY, 24.5, 26)],
            "summary": "Två rundor, lugnt.",
            "observations": [_seen("R-1"), _seen("R-2", place="Råby", category="samling.inomhus")],
        },
    )
    assert first.status_code == 201, first.text
    answer = first.json()
    assert answer["created"] is True
    assert answer["observations_created"] == 2
    report = answer["guard_report"]
    assert report["organisation"]["name"] == GUARDS
    assert report["day"] == DAY.isoformat()
    assert len(report["rounds"]) == 2
    assert {o["external_id"] for o in report["observations"]} == {"R-1", "R-2"}
    assert first.headers["Location"] == f"{V1}/guard-reports/{report['id']}"

    again = _push(
        server,
        token,
        {
            "rounds": [_round(DAY)],
            "summary": "En runda.",
            "observations": [
                _seen("R-1", description="Klotter på gaveln, sanerat."),
                _seen("R-2", place="Råby", category="samling.inomhus"),
            ],
        },
    )
    assert again.status_code == 200, again.text
    second = again.json()
    assert second["created"] is False
    assert second["guard_report"]["id"] == report["id"]
    assert (second["observations_updated"], second["observations_unchanged"]) == (1, 1)
    assert [r["result"] for r in second["items"]] == ["updated", "unchanged"]
    assert len(second["guard_report"]["rounds"]) == 1
    assert second["guard_report"]["summary"] == "En runda."
    assert second["guard_report"]["report_id"] == report["report_id"]
    assert _count(server, GuardReport) == 1
    assert _count(server, Incident) == 2
    described = {o["external_id"]: o["description"] for o in second["guard_report"]["observations"]}
    assert described["R-1"] == "Klotter på gaveln, sanerat."

    # One withdrawn in the source: withdrawn here, the day keeps the other.
    withdrawn = _push(
        server,
        token,
        {"observations": [_seen("R-2", place="Råby", category="samling.inomhus", withdrawn=True)]},
    )
    assert withdrawn.status_code == 200, withdrawn.text
    assert withdrawn.json()["items"][0]["result"] == "updated"
    assert [o["external_id"] for o in withdrawn.json()["guard_report"]["observations"]] == ["R-1"]
    assert _count(server, Incident) == 2


def test_bad_observations_come_back_by_index_with_a_swedish_reason(
    server: Server, people: People
) -> None:
    token = service_token(server, people)
    response = _push(
        server,
        token,
        {
            "observations": [
                _seen("R-1"),
                _seen("R-2", category="Finns inte"),
                _seen("R-3", place="", area=""),
                _seen("R-4", organisation="Polisen, lokalpolisområde"),
                _seen("R-1"),
            ]
        },
    )
    assert response.status_code == 201, response.text
    answer = response.json()
    assert answer["observations_created"] == 1
    assert answer["observations_rejected"] == 4
    results = {item["index"]: item for item in answer["items"]}
    assert results[0]["result"] == "created"
    for index in (1, 2, 3, 4):
        assert results[index]["result"] == "rejected"
        assert results[index]["reason"]
    assert "Område saknas" in results[2]["reason"]
    assert "bevakningsrapportens egna" in results[3]["reason"]
    assert "fanns redan" in results[4]["reason"]
    assert len(answer["guard_report"]["observations"]) == 1


def test_personal_data_is_refused_in_every_free_text(server: Server, people: People) -> None:
    token = service_token(server, people)
    in_summary = _push(server, token, {"summary": "Ring 070-123 45 67 om larmet."})
    assert in_summary.status_code == 422
    in_round = _push(server, token, {"rounds": [{**_round(DAY), "note": "kontakt a.b@example.se"}]})
    assert in_round.status_code == 422
    seen = _push(server, token, {"observations": [_seen("R-9", description="Pelle 19850312-9879")]})
    assert seen.status_code == 201
    assert seen.json()["items"][0]["result"] == "rejected"
    assert "personnummer" in seen.json()["items"][0]["reason"]
    with as_(server, people, "reporter") as reporter:
        filed = reporter.post(
            f"{V1}/guard-reports",
            json={"day": (DAY - dt.timedelta(days=1)).isoformat(), "summary": "Ring 0701234567"},
        )
    assert filed.status_code == 422
    assert filed.json()["errors"][0]["field"].endswith("summary")


def test_another_sources_token_is_refused_and_only_a_guard_company_pushes(
    server: Server, people: People
) -> None:
    token = service_token(server, people, source="rapid")
    assert _push(server, token, {}, source="embrace").status_code == 403
    police = service_token(
        server, people, source="polisdata", organisation="Polisen, lokalpolisområde"
    )
    refused = _push(server, police, {}, source="polisdata")
    assert refused.status_code == 403
    assert "bevakningsföretags" in refused.json()["detail"]
    assert _count(server, GuardReport) == 0


def test_the_form_is_the_guard_companys_own(server: Server, people: People) -> None:
    body = {
        "day": DAY.isoformat(),
        "rounds": [_round(DAY)],
        "summary": "Lugn kväll.",
        "observations": [
            {
                "category": "skadegorelse.klotter",
                "occurred_from": local(DAY, 22).isoformat(),
                "area_id": people["areas"]["Bro"]["id"],
                "assessment": "low",
            }
        ],
    }
    # The coordination group's convener is of another organisation: refused.
    with as_(server, people, "coordination") as convener:
        refused = convener.post(f"{V1}/guard-reports", json=body)
        assert refused.status_code == 403
        assert convener.get(f"{V1}/guard-reports").json()["may_file"] is False
    with as_(server, people, "reporter") as reporter:
        assert reporter.get(f"{V1}/guard-reports").json()["may_file"] is True
        filed = reporter.post(f"{V1}/guard-reports", json=body)
        assert filed.status_code == 201, filed.text
        report = filed.json()
        assert report["source"] == "web"
        assert len(report["observations"]) == 1
        twice = reporter.post(f"{V1}/guard-reports", json=body)
        assert twice.status_code == 409
        assert twice.json()["errors"][0]["field"] == "day"
        # A round on another day is refused beside its field.
        later = {**body, "day": (DAY - dt.timedelta(days=3)).isoformat(), "observations": []}
        wrong = reporter.post(f"{V1}/guard-reports", json=later)
        assert wrong.status_code == 422
        assert wrong.json()["errors"][0]["field"] == "rounds.0.starts_at"
        future = reporter.post(
            f"{V1}/guard-reports",
            json={"day": (today() + dt.timedelta(days=3)).isoformat()},
        )
        assert future.status_code == 422


def test_reads_are_scoped_and_logged(server: Server, people: People) -> None:
    token = service_token(server, people)
    pushed = _push(server, token, {"rounds": [_round(DAY)], "observations": [_seen("R-1")]})
    guard_id = pushed.json()["guard_report"]["id"]
    # Those who read the whole municipality, and the company's own people, read it.
    for who in ("coordination", "viewer", "steering", "reporter"):
        with as_(server, people, who) as client:
            listed = client.get(f"{V1}/guard-reports", params={"from": DAY.isoformat()})
            assert [g["id"] for g in listed.json()["items"]] == [guard_id], who
            assert listed.json()["items"][0]["observations"] == 1
            assert client.get(f"{V1}/guard-reports/{guard_id}").status_code == 200, who
    # An area group's member of another organisation does not.
    with as_(server, people, "kungsangen") as member:
        assert member.get(f"{V1}/guard-reports").json()["items"] == []
        assert member.get(f"{V1}/guard-reports/{guard_id}").status_code == 404
    # Filters.
    with as_(server, people, "coordination") as convener:
        none = convener.get(
            f"{V1}/guard-reports", params={"to": (DAY - dt.timedelta(days=1)).isoformat()}
        )
        assert none.json()["items"] == []
        other = convener.get(
            f"{V1}/guard-reports",
            params={"organisation": oid(people, "Polisen, lokalpolisområde")},
        )
        assert other.json()["items"] == []
    with server.database.session(write=False) as session:
        reads = session.scalars(
            select(AuditEvent).where(
                AuditEvent.action == "read", AuditEvent.object_type == "guard_reports"
            )
        ).all()
        readings = session.scalar(select(func.count()).select_from(IncidentReading))
    assert any(r.object_id == str(guard_id) for r in reads)
    assert any(r.object_id is None and r.rows is not None for r in reads)
    assert readings and readings >= 4
