"""Safety walks over HTTP (#20): planned by the area's planners and read by its readers and
the invited organisations; residents' pins through the public link (token, closing time,
abuse guard, personal-data guard), moderated once; findings filed by an invited
organisation's reporter, with a photo that comes back without EXIF; a finding as a proposed
intervention of the walk's group, once; and the report with last year's findings as they
stand today."""

from __future__ import annotations

import datetime as dt
import time
from typing import Any

import httpx
import pytest
from sqlalchemy import select

from api.interventions.models import Intervention
from api.localtime import utcnow
from api.photos.models import Photo
from api.retention import service as retention
from api.safetywalks.models import SafetyWalk, WalkInput
from api.safetywalks.retention import THINNED_COMMENT
from api.tips import abuse
from api.tips.models import PublicPost
from tests.support.images import exif_of, photo
from tests.support.people import People, as_, oid
from tests.support.servers import Server

V1 = "/api/v1"
FIELD_GROUP = "Fältgruppen"
GUARDS = "Rapid Säkerhet"  # the reporter's organisation
STREETS = "Avdelningen för gata park trafik"
BRO_CENTRE = (59.5117, 17.6364)


def area(people: People, name: str) -> int:
    return int(people["areas"][name]["id"])


def soon(days: int = 10) -> str:
    return (dt.datetime.now(dt.UTC) + dt.timedelta(days=days)).isoformat()


def plan(client: httpx.Client, people: People, **body: Any) -> dict[str, Any]:
    sent = {
        "area_id": area(people, "Bro"),
        "starts_at": soon(),
        "meeting_point": "Brohuset",
        "route": [list(BRO_CENTRE)],
        **body,
    }
    response = client.post(f"{V1}/safety-walks", json=sent)
    assert response.status_code == 201, response.text
    walk: dict[str, Any] = response.json()
    return walk


def pin(server: Server, walk: dict[str, Any], **body: Any) -> httpx.Response:
    sent = {
        "token": walk["public_token"],
        "form_token": abuse.form_token(server.settings, now=time.time() - 10),
        "comment": "Mörkt vid gångtunneln.",
        "lat": BRO_CENTRE[0],
        "lon": BRO_CENTRE[1],
        **body,
    }
    with server.client() as anonymous:
        return anonymous.post(f"{V1}/safety-walks/{walk['id']}/input", json=sent)


def test_a_walk_is_planned_read_by_its_readers_and_hidden_from_others(
    server: Server, people: People
) -> None:
    with as_(server, people, "coordination") as planner:
        walk = plan(
            planner, people, invited_organisation_ids=[oid(people, FIELD_GROUP)], title="Bro 2026"
        )
        assert walk["may_plan"] and walk["may_file_findings"] and walk["public_token"]
        assert walk["group"]["name"] == "EST områdesgrupp Bro"
        assert [o["name"] for o in walk["invited"]] == [FIELD_GROUP]
        listed = planner.get(f"{V1}/safety-walks", params={"when": "upcoming"}).json()
        assert [w["id"] for w in listed["items"]] == [walk["id"]]
        # A new link ends the old one.
        changed = planner.patch(f"{V1}/safety-walks/{walk['id']}", json={"new_link": True}).json()
        assert changed["public_token"] != walk["public_token"]
        outside = planner.post(
            f"{V1}/safety-walks",
            json={
                "area_id": area(people, "Bro"),
                "starts_at": soon(),
                "meeting_point": "Brohuset",
                "route": [[59.33, 18.06]],
                "route_place_ids": [999_999],
            },
        )
        assert outside.status_code == 422
        assert {e["field"] for e in outside.json()["errors"]} >= {"route.0", "route_place_ids.0"}
    # An area group's member of another area, and an organisation not invited: 404.
    for who in ("kungsangen", "reporter"):
        with as_(server, people, who) as other:
            assert other.get(f"{V1}/safety-walks/{walk['id']}").status_code == 404
            assert other.get(f"{V1}/safety-walks").json()["items"] == []
    # Not a planner of Bro: 403.
    with as_(server, people, "kungsangen") as member:
        refused = member.post(
            f"{V1}/safety-walks",
            json={"area_id": area(people, "Bro"), "starts_at": soon(), "meeting_point": "X"},
        )
        assert refused.status_code == 403


def test_residents_pin_through_the_link_and_planners_moderate_once(
    server: Server, people: People
) -> None:
    with as_(server, people, "coordination") as planner:
        walk = plan(planner, people)
    with server.client() as anonymous:
        public = anonymous.get(f"{V1}/public/safety-walks/{walk['public_token']}")
        assert public.status_code == 200, public.text
        shown = public.json()
        assert shown["input_open"] and shown["form_token"] and shown["area"] == "Bro"
        assert "Bro centrum" in [p["name"] for p in shown["places"]]
        assert "inputs_pending" not in shown and "public_token" not in shown
        assert anonymous.get(f"{V1}/public/safety-walks/{'x' * 32}").status_code == 404

    sent = pin(server, walk)
    assert sent.status_code == 202, sent.text
    assert set(sent.json()) == {"message"}
    assert pin(server, walk, token="y" * 32).status_code == 404
    assert pin(server, walk, website="http://spam").status_code == 422
    too_fast = pin(server, walk, form_token=abuse.form_token(server.settings))
    assert too_fast.status_code == 422 and too_fast.json()["errors"][0]["code"] == "too_fast"
    guarded = pin(server, walk, comment="Ring Kalle, pnr 19811218-9876.")
    assert guarded.status_code == 422, guarded.text
    assert pin(server, walk, lat=59.33, lon=18.06).status_code == 422
    assert pin(server, walk, lat=None, lon=None).status_code == 422
    second = pin(server, walk, comment="Buskarna skymmer.", lat=None, lon=None, place_id=None)
    assert second.status_code == 422
    place = shown["places"][0]["id"]
    # A place of the walk's area and a point in another area: one answer, not two.
    mixed = pin(server, walk, lat=59.4786, lon=17.7506, place_id=place)
    assert mixed.status_code == 422 and mixed.json()["errors"][0]["code"] == "mismatch"
    once = abuse.form_token(server.settings, now=time.time() - 10)
    assert pin(server, walk, lat=None, lon=None, place_id=place, form_token=once).status_code == 202
    again = pin(server, walk, lat=None, lon=None, place_id=place, form_token=once)
    assert again.status_code == 409 and again.json()["code"] == "already_sent"

    with as_(server, people, "coordination") as planner:
        items = planner.get(f"{V1}/safety-walks/{walk['id']}/input").json()["items"]
        assert [i["status"] for i in items] == ["pending", "pending"]
        first, other = items
        base = f"{V1}/safety-walks/{walk['id']}/input"
        assert planner.post(f"{base}/{first['id']}/accept").json()["status"] == "accepted"
        assert planner.post(f"{base}/{first['id']}/accept").status_code == 409
        rejected = planner.post(f"{base}/{other['id']}/reject", json={"reason": "Dubblett"})
        assert rejected.json()["reject_reason"] == "Dubblett"
        assert planner.post(f"{base}/{other['id']}/reject").status_code == 409
        assert planner.get(f"{V1}/safety-walks/{walk['id']}").json()["inputs_accepted"] == 1
        # Closed: the walk's input ended yesterday.
        planner.patch(
            f"{V1}/safety-walks/{walk['id']}",
            json={"input_until": (dt.datetime.now(dt.UTC) - dt.timedelta(days=1)).isoformat()},
        )
    closed = pin(server, walk)
    assert closed.status_code == 409 and "tas inte emot längre" in closed.json()["detail"]


def test_a_walk_is_held_only_once_started_and_reported_only_once_held(
    server: Server, people: People
) -> None:
    """The walk's states follow each other, whichever field would break the order; once
    held, its link takes no more pins and says so."""
    with as_(server, people, "coordination") as planner:
        walk = plan(planner, people)
        url = f"{V1}/safety-walks/{walk['id']}"

        def refused(body: dict[str, Any], field: str, words: str) -> None:
            answer = planner.patch(url, json=body)
            assert answer.status_code == 422, answer.text
            errors = {e["field"]: e["message"] for e in answer.json()["errors"]}
            assert words in errors[field], errors

        refused({"held": True}, "held", "först när den har börjat")
        refused({"reported": True}, "reported", "först när vandringen är genomförd")
        refused({"held": True, "reported": True}, "held", "först när den har börjat")
        assert planner.get(url).json()["held_at"] is None

        started = (dt.datetime.now(dt.UTC) - dt.timedelta(hours=1)).isoformat()
        held = planner.patch(url, json={"starts_at": started, "held": True})
        assert held.status_code == 200 and held.json()["held_at"], held.text
        # Held: the start cannot move to the future, nor a report go unmarked while held.
        refused({"starts_at": soon()}, "starts_at", "markerad som genomförd")
        reported = planner.patch(url, json={"reported": True})
        assert reported.status_code == 200 and reported.json()["reported_at"]
        refused({"held": False}, "held", "ta först bort den markeringen")
        # A new link on a held walk is allowed (a leaked link can always be ended).
        assert planner.patch(url, json={"new_link": True}).status_code == 200
        token = planner.get(url).json()["public_token"]
        # Unmarked in order, the walk may be planned again.
        assert planner.patch(url, json={"reported": False, "held": False}).status_code == 200
        assert planner.patch(url, json={"starts_at": soon()}).status_code == 200
        assert planner.patch(url, json={"starts_at": started, "held": True}).status_code == 200

    # Held (whatever the last day for pins says): closed, and the link says so.
    with server.client() as anonymous:
        shown = anonymous.get(f"{V1}/public/safety-walks/{token}").json()
    assert not shown["input_open"] and shown["held"] and shown["started"]
    closed = pin(server, {**walk, "public_token": token})
    assert closed.status_code == 409 and "har genomförts" in closed.json()["detail"]
    # Started but not marked held: closed too.
    with as_(server, people, "coordination") as planner:
        other = plan(planner, people, starts_at=started)
    with server.client() as anonymous:
        shown = anonymous.get(f"{V1}/public/safety-walks/{other['public_token']}").json()
    assert not shown["input_open"] and not shown["held"] and shown["started"]
    early = pin(server, other)
    assert early.status_code == 409 and "har redan börjat" in early.json()["detail"]


def test_the_public_limit_per_address(server: Server, people: People) -> None:
    with as_(server, people, "coordination") as planner:
        walk = plan(planner, people)
    key = abuse.address_key(server.settings, "127.0.0.1")
    with server.database.session(write=True) as session:
        session.add_all(
            PublicPost(address_key=key, kind="walk_input")
            for _ in range(server.settings.public_posts_per_hour)
        )
    over = pin(server, walk)
    assert over.status_code == 429 and over.headers["Retry-After"]
    assert over.json()["detail"].startswith("Många synpunkter har skickats"), over.text


def test_findings_photos_interventions_and_the_report(server: Server, people: People) -> None:
    guards = oid(people, GUARDS)
    with as_(server, people, "coordination") as planner:
        last_year = plan(
            planner,
            people,
            starts_at=(dt.datetime.now(dt.UTC) - dt.timedelta(days=360)).isoformat(),
            invited_organisation_ids=[guards],
        )
        walk = plan(planner, people, invited_organisation_ids=[guards])
    # The invited organisation's reporter reads the walk and files a finding.
    with as_(server, people, "reporter") as reporter:
        got = reporter.get(f"{V1}/safety-walks/{walk['id']}").json()
        assert got["may_file_findings"] and not got["may_plan"] and got["public_token"] is None
        base = f"{V1}/safety-walks/{last_year['id']}/findings"
        filed = {
            "kind": "lighting",
            "description": "Trasig lampa vid gångtunneln.",
            "responsible_organisation_id": guards,
        }
        retry = {"Idempotency-Key": "fynd-1"}
        old = reporter.post(base, json=filed, headers=retry)
        assert old.status_code == 201, old.text
        finding = old.json()
        assert old.headers["Location"] == f"{base}/{finding['id']}"
        # The phone's retry on a bad connection files it once.
        again = reporter.post(base, json=filed, headers=retry)
        assert again.headers["Idempotent-Replayed"] == "true"
        assert again.json()["id"] == finding["id"]
        assert finding["status"] == "open" and finding["may_update"]
        added = reporter.post(
            f"{base}/{finding['id']}/photos",
            files={"file": ("lampa.jpg", photo(lat=BRO_CENTRE[0], lon=BRO_CENTRE[1]))},
            data={"use_position": "true"},
        )
        assert added.status_code == 201, added.text
        assert added.json()["offered_point"] == {"lat": BRO_CENTRE[0], "lon": BRO_CENTRE[1]}
        served = reporter.get(added.json()["url"])
        assert served.headers["content-type"] == "image/jpeg"
        assert served.headers["x-content-type-options"] == "nosniff"
        assert exif_of(served.content) == {}
        assert reporter.get(added.json()["url"], params={"size": "thumb"}).status_code == 200
        listed = reporter.get(f"{base}/{finding['id']}").json()
        assert listed["lat"] == BRO_CENTRE[0] and len(listed["photos"]) == 1
        # The organisation that fixes it sets the status.
        fixed = reporter.patch(
            f"{base}/{finding['id']}", json={"status": "fixed", "status_note": "Bytt lampa."}
        )
        assert fixed.status_code == 200 and fixed.json()["status"] == "fixed"
        refused = reporter.post(f"{base}/{finding['id']}/intervention", json={})
        assert refused.status_code == 403
    with as_(server, people, "kungsangen") as other:
        assert other.get(f"{base}/{finding['id']}").status_code == 404

    with as_(server, people, "coordination") as planner:
        proposed = planner.post(f"{base}/{finding['id']}/intervention", json={})
        assert proposed.status_code == 201, proposed.text
        assert proposed.json()["intervention"]["name"] == "Belysning: Bro"
        assert planner.post(f"{base}/{finding['id']}/intervention").status_code == 409
        intervention_id = proposed.json()["intervention"]["id"]
        assert planner.get(f"{V1}/interventions/{intervention_id}").json()["status"] == "proposed"
        report = planner.get(f"{V1}/safety-walks/{walk['id']}/report")
        assert report.status_code == 200, report.text
        shown = report.json()
        assert shown["previous_walk"]["id"] == last_year["id"]
        assert [f["status"] for f in shown["previous_findings"]] == ["fixed"]
        assert shown["findings"] == [] and shown["inputs"] == []
    with server.database.session(write=False) as session:
        intervention = session.scalar(select(Intervention))
        assert intervention is not None and intervention.status == "proposed"
        assert intervention.type == "lighting" and intervention.target_kind == "point"
        walk_row = session.get(SafetyWalk, last_year["id"])
        assert walk_row is not None and intervention.group_id == walk_row.group_id


# The interventions' and meetings' own tests run on both backends; this one only adds a status.
@pytest.mark.parametrize("backend", ["sqlite"], scope="session")
def test_a_proposed_intervention_waits_for_the_group(
    server: Server, people: People, api: httpx.Client
) -> None:
    """A finding's proposal is on the group's next agenda, has no effect verdict however long
    ago its day, is decided (planned) by the group, and is never a proposal again."""
    with as_(server, people, "coordination") as planner:
        walk = plan(planner, people)
        base = f"{V1}/safety-walks/{walk['id']}/findings"
        finding = planner.post(
            base,
            json={
                "kind": "vegetation",
                "description": "Buskarna skymmer gångvägen.",
                "responsible_organisation_id": oid(people, STREETS),
            },
        ).json()
        proposed = planner.post(
            f"{base}/{finding['id']}/intervention", json={"title": "Röj buskarna"}
        )
        assert proposed.status_code == 201, proposed.text
    intervention = f"{V1}/interventions/{proposed.json()['intervention']['id']}"
    long_ago = (dt.date.today() - dt.timedelta(days=70)).isoformat()
    moved = api.patch(intervention, json={"planned_start": long_ago})
    assert moved.status_code == 200 and moved.json()["status"] == "proposed", moved.text
    assert moved.json()["type"] == "clearing" and moved.json()["target"]["kind"] == "area"
    # It knows the walk and the finding it came from (through the interventions' slot).
    source = moved.json()["from_walk"]
    assert source["walk_id"] == walk["id"] and source["finding_id"] == finding["id"], source
    effect = api.get(f"{intervention}/effect", params={"weeks": 4})
    assert effect.status_code == 200 and effect.json()["verdict"] == "not_yet", effect.text
    assert effect.json()["summary"].startswith("Insatsen har inte börjat än."), effect.text

    group = walk["group"]["id"]
    starts = dt.datetime.now(dt.UTC) + dt.timedelta(days=2)
    meeting = api.post(f"{V1}/groups/{group}/meetings", json={"starts_at": starts.isoformat()})
    assert meeting.status_code == 201, meeting.text
    titles = [item["title"] for item in meeting.json()["agenda"]]
    assert "Förslag att besluta: Röj buskarna" in titles, titles

    decided = api.patch(intervention, json={"status": "planned"})
    assert decided.status_code == 200 and decided.json()["status"] == "planned"
    back = api.patch(intervention, json={"status": "proposed"})
    assert back.status_code == 422 and back.json()["errors"][0]["field"] == "status"


def test_retention_takes_rejected_pins_and_old_walks_words_and_photos(
    server: Server, people: People
) -> None:
    with as_(server, people, "coordination") as planner:
        old = plan(planner, people, starts_at=(utcnow() - dt.timedelta(days=3 * 365)).isoformat())
        young = plan(planner, people)
        finding = planner.post(
            f"{V1}/safety-walks/{old['id']}/findings",
            json={
                "kind": "litter",
                "description": "Skräp vid stationen.",
                "responsible_organisation_id": oid(people, STREETS),
            },
        ).json()
        added = planner.post(
            f"{V1}/safety-walks/{old['id']}/findings/{finding['id']}/photos",
            files={"file": ("skrap.jpg", photo(size=(64, 48)))},
        )
        assert added.status_code == 201, added.text
    long_ago = utcnow() - dt.timedelta(days=server.settings.retain_rejected_days + 1)
    with server.database.session(write=True) as session:

        def pin_row(walk: dict[str, Any], status: str, moderated: dt.datetime | None) -> None:
            session.add(
                WalkInput(
                    walk_id=walk["id"],
                    sender="resident",
                    comment=f"{status} {walk['id']}",
                    status=status,
                    moderated_at=moderated,
                    lat=BRO_CENTRE[0],
                    lon=BRO_CENTRE[1],
                )
            )

        pin_row(young, "rejected", long_ago)  # goes: rejected long enough ago
        pin_row(young, "rejected", utcnow())  # stays, for now
        pin_row(young, "accepted", long_ago)  # stays with the young walk's report
        pin_row(old, "accepted", long_ago)  # its comment goes with the old walk's
    dry = retention.run(server.database, server.settings, dry_run=True)
    assert dry is not None and dry.safety_walks == 3
    done = retention.run(server.database, server.settings)
    assert done is not None and done.safety_walks == 3
    with server.database.session(write=False) as session:
        left = {(p.walk_id, p.status, p.comment) for p in session.scalars(select(WalkInput))}
        assert left == {
            (young["id"], "rejected", f"rejected {young['id']}"),
            (young["id"], "accepted", f"accepted {young['id']}"),
            (old["id"], "accepted", THINNED_COMMENT),
        }
        assert session.scalar(select(Photo.id)) is None
    again = retention.run(server.database, server.settings)
    assert again is not None and again.safety_walks == 0
