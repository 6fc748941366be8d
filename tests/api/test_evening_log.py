"""An evening's live log over HTTP: posting and reading (oldest first, ``after=`` for what is
new), a closed log, the personal-data guard, retries with an Idempotency-Key, a post made an
observation with one tap (once, counted once in the group's figures), and who reads and
posts in which evening's log."""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

import httpx
from sqlalchemy import select, update

from api.evenings.models import LogPost
from api.localtime import utcnow
from api.retention import service as retention
from tests.support.evenings import close_evening, make_evening
from tests.support.people import People, as_, gid
from tests.support.servers import Server

V1 = "/api/v1"
TZ = ZoneInfo("Europe/Stockholm")
KUNGSANGEN = "EST områdesgrupp Kungsängen"
BRO = "EST områdesgrupp Bro"


def kungsangen_evening(server: Server, people: People, **kwargs: Any) -> int:
    return make_evening(
        server.database,
        municipality_id=people["municipality"]["id"],
        area_id=people["areas"]["Kungsängen"]["id"],
        **kwargs,
    )


def place_in(api: httpx.Client, people: People, area: str) -> dict[str, Any]:
    places = api.get(f"{V1}/places", params={"area": people["areas"][area]["id"]}).json()
    first: dict[str, Any] = places["items"][0]
    return first


def post(client: httpx.Client, evening: int, text: str, **more: Any) -> httpx.Response:
    return client.post(f"{V1}/evenings/{evening}/log", json={"text": text, **more})


def test_posts_are_read_oldest_first_and_after_gives_what_is_new(
    server: Server, api: httpx.Client, people: People
) -> None:
    evening = kungsangen_evening(server, people)
    place = place_in(api, people, "Kungsängen")
    with as_(server, people, "coordination") as convener:
        first = post(convener, evening, "Samling vid stationen, ett tjugotal", place_id=place["id"])
        assert first.status_code == 201, first.text
        second = post(
            convener,
            evening,
            "Mopeder på gångvägen",
            position={"lat": 59.4786, "lon": 17.7506},
            category="trafik",
        )
        assert second.status_code == 201, second.text
        third = post(convener, evening, "  Lugnt vid skolan nu  ")
        assert third.status_code == 201, third.text
        read = first.json()
        assert read["place"] == {"id": place["id"], "name": place["name"]}
        assert read["organisation"]["name"] == "Trygghets- och preventionsenheten"
        assert read["own"] is True and read["incident_id"] is None
        assert second.json()["category"]["code"] == "trafik"
        assert (second.json()["lat"], second.json()["lon"]) == (59.4786, 17.7506)
        assert third.json()["text"] == "Lugnt vid skolan nu"

        log = convener.get(f"{V1}/evenings/{evening}/log")
        assert log.status_code == 200, log.text
        body = log.json()
        assert body["open"] is True and body["may_post"] is True
        ids = [p["id"] for p in body["items"]]
        assert ids == sorted(ids) == [first.json()["id"], second.json()["id"], third.json()["id"]]
        newer = convener.get(f"{V1}/evenings/{evening}/log", params={"after": ids[0]}).json()
        assert [p["id"] for p in newer["items"]] == ids[1:]
        nothing = convener.get(f"{V1}/evenings/{evening}/log", params={"after": ids[-1]}).json()
        assert nothing["items"] == []
    # Read like any other list: in the audit log, as an export of the evening's posts.
    events = api.get(f"{V1}/audit-events", params={"action": "export"}).json()["items"]
    reads = [e for e in events if e["object_type"] == "log_posts"]
    assert reads and reads[0]["object_id"] == str(evening)


def test_a_post_is_short_and_says_something_somewhere_in_the_municipality(
    server: Server, api: httpx.Client, people: People
) -> None:
    evening = kungsangen_evening(server, people)
    with as_(server, people, "coordination") as convener:
        assert post(convener, evening, "x" * 500).status_code == 201
        long = post(convener, evening, "x" * 501)
        assert long.status_code == 422
        assert long.json()["errors"][0]["field"] == "text"
        assert post(convener, evening, "   ").status_code == 422
        outside = post(convener, evening, "Här", position={"lat": 57.7, "lon": 11.97})
        assert outside.status_code == 422, outside.text
        assert outside.json()["errors"][0]["field"] == "position"
        unknown = post(convener, evening, "Här", category="finns.inte")
        assert unknown.status_code == 422
        assert unknown.json()["errors"][0]["field"] == "category"
        nowhere = post(convener, evening, "Här", place_id=2147483647)
        assert nowhere.status_code == 422
        assert nowhere.json()["errors"][0]["field"] == "place_id"


def test_the_personal_data_guard_stands_in_front_of_the_log(
    server: Server, api: httpx.Client, people: People
) -> None:
    evening = kungsangen_evening(server, people)
    with as_(server, people, "coordination") as convener:
        refused = post(convener, evening, "Ring mamman på 070-123 45 67")
        assert refused.status_code == 422, refused.text
        error = refused.json()["errors"][0]
        assert error["field"] == "text" and error["code"] == "personal_data"
        assert "telefonnummer" in error["message"]
        confirmed = post(
            convener, evening, "Ring mamman på 070-123 45 67", confirm_personal_data=True
        )
        assert confirmed.status_code == 201, confirmed.text
        # Made an observation, the text meets the guard again, as any incident's does.
        tap = convener.post(
            f"{V1}/evenings/{evening}/log/{confirmed.json()['id']}/observation",
            json={"category": "ordning.brak"},
        )
        assert tap.status_code == 422, tap.text
        assert tap.json()["errors"][0]["field"] == "text"
        assert tap.json()["errors"][0]["code"] == "personal_data"


def test_a_closed_log_reads_but_takes_no_posts(
    server: Server, api: httpx.Client, people: People
) -> None:
    evening = kungsangen_evening(server, people)
    with as_(server, people, "coordination") as convener:
        assert post(convener, evening, "Sista rundan klar").status_code == 201
        close_evening(server.database, evening)
        refused = post(convener, evening, "En till")
        assert refused.status_code == 409, refused.text
        assert "avslutad" in refused.json()["detail"]
        log = convener.get(f"{V1}/evenings/{evening}/log").json()
        assert log["open"] is False and len(log["items"]) == 1
    # So is one whose evening ended long ago, closed or not.
    old = kungsangen_evening(server, people, hours=-8)
    with as_(server, people, "coordination") as convener:
        assert post(convener, old, "Sent").status_code == 409


def test_a_phone_retrying_posts_once(server: Server, api: httpx.Client, people: People) -> None:
    evening = kungsangen_evening(server, people)
    with as_(server, people, "coordination") as convener:
        sent = [
            convener.post(
                f"{V1}/evenings/{evening}/log",
                json={"text": "Brand i papperskorg"},
                headers={"Idempotency-Key": "post-1"},
            )
            for _ in range(3)
        ]
        assert [s.status_code for s in sent] == [201, 201, 201]
        assert len({s.json()["id"] for s in sent}) == 1
        assert sent[2].headers["Idempotent-Replayed"] == "true"
        assert len(convener.get(f"{V1}/evenings/{evening}/log").json()["items"]) == 1


def _situation_total(client: httpx.Client, group: int) -> int:
    today = dt.datetime.now(TZ).date().isoformat()
    figures = client.get(
        f"{V1}/groups/{group}/situation", params={"first_day": today, "last_day": today}
    )
    assert figures.status_code == 200, figures.text
    return int(figures.json()["total"]["current"])


def test_one_tap_makes_a_post_an_observation_once(
    server: Server, api: httpx.Client, people: People
) -> None:
    evening = kungsangen_evening(server, people)
    place = place_in(api, people, "Kungsängen")
    group = gid(people, KUNGSANGEN)
    before = _situation_total(api, group)
    with as_(server, people, "coordination") as convener:
        sent = post(
            convener, evening, "Klotter på tunneln", place_id=place["id"], category="skadegorelse"
        ).json()
        url = f"{V1}/evenings/{evening}/log/{sent['id']}/observation"
        first = convener.post(url, json={})
        assert first.status_code == 201, first.text
        incident = first.json()
        assert incident["description"] == "Klotter på tunneln"
        assert incident["category"]["code"] == "skadegorelse"
        assert incident["place"]["id"] == place["id"]
        assert incident["area"]["id"] == people["areas"]["Kungsängen"]["id"]
        assert incident["organisation"]["name"] == "Trygghets- och preventionsenheten"
        assert dt.datetime.fromisoformat(incident["occurred_from"]) == dt.datetime.fromisoformat(
            sent["created_at"]
        )
        assert first.headers["location"] == f"{V1}/incidents/{incident['id']}"
        again = convener.post(url, json={"category": "trafik"})
        assert again.status_code == 200, again.text
        assert again.json()["id"] == incident["id"]
        log = convener.get(f"{V1}/evenings/{evening}/log").json()
        assert log["items"][0]["incident_id"] == incident["id"]
    assert _situation_total(api, group) == before + 1


def test_a_post_without_a_category_asks_for_one_and_carries_its_point(
    server: Server, api: httpx.Client, people: People
) -> None:
    evening = kungsangen_evening(server, people)
    with as_(server, people, "coordination") as convener:
        sent = post(convener, evening, "Glaskross", position={"lat": 59.4786, "lon": 17.7506})
        url = f"{V1}/evenings/{evening}/log/{sent.json()['id']}/observation"
        missing = convener.post(url, json={})
        assert missing.status_code == 422, missing.text
        assert missing.json()["errors"][0]["field"] == "category"
        assert "kategori" in missing.json()["detail"]
        made = convener.post(url, json={"category": "skadegorelse.glaskross", "assessment": "high"})
        assert made.status_code == 201, made.text
        assert (made.json()["lat"], made.json()["lon"]) == (59.4786, 17.7506)
        assert made.json()["assessment"] == "high"
        # Without a place or a point, the evening's area says where.
        bare = post(convener, evening, "Bråk", category="ordning.brak").json()
        tapped = convener.post(f"{V1}/evenings/{evening}/log/{bare['id']}/observation", json={})
        assert tapped.status_code == 201, tapped.text
        assert tapped.json()["area"]["id"] == people["areas"]["Kungsängen"]["id"]
        other = kungsangen_evening(server, people)
        wrong = convener.post(f"{V1}/evenings/{other}/log/{bare['id']}/observation", json={})
        assert wrong.status_code == 404


def test_who_reads_and_posts_in_an_evenings_log(
    server: Server, api: httpx.Client, people: People
) -> None:
    users = people["users"]
    # Rut of Rapid Säkerhet, a member of the Bro area group.
    made = api.put(
        f"{V1}/groups/{gid(people, BRO)}/memberships/{users['reporter']['id']}",
        json={"role": "member"},
    )
    assert made.status_code in (200, 201), made.text
    evening = kungsangen_evening(server, people)
    with as_(server, people, "coordination") as convener:
        assert post(convener, evening, "Lugnt").status_code == 201
    log = f"{V1}/evenings/{evening}/log"
    with as_(server, people, "reporter") as bro:
        assert bro.get(log).status_code == 404
        assert post(bro, evening, "Hej").status_code == 404
        assert bro.get(f"{log}/stream").status_code == 404
    with as_(server, people, "viewer") as viewer:
        read = viewer.get(log)
        assert read.status_code == 200 and read.json()["may_post"] is False
        refused = post(viewer, evening, "Hej")
        assert refused.status_code == 403, refused.text
        assert "loggen" in refused.json()["detail"]
    with as_(server, people, "kungsangen") as member:
        read = member.get(log)
        assert read.status_code == 200 and read.json()["may_post"] is False
    # On shift (everyone of Rapid Säkerhet), Rut reads and posts in Kungsängen's log.
    shift = kungsangen_evening(
        server, people, shifts=[(people["organisations"]["Rapid Säkerhet"]["id"], None)]
    )
    with as_(server, people, "reporter") as guard:
        read = guard.get(f"{V1}/evenings/{shift}/log")
        assert read.status_code == 200 and read.json()["may_post"] is True
        sent = post(guard, shift, "Rond klar vid Kungsängens station")
        assert sent.status_code == 201, sent.text
        assert sent.json()["organisation"]["name"] == "Rapid Säkerhet"
    # A person on shift by name, not by organisation.
    named = kungsangen_evening(
        server,
        people,
        shifts=[(people["organisations"]["Upplands-Brohus"]["id"], users["kungsangen"]["id"])],
    )
    with as_(server, people, "kungsangen") as member:
        assert post(member, named, "Trapphuset låst igen").status_code == 201


def test_old_posts_go_with_the_incidents_text_and_observations_keep_their_link(
    server: Server, api: httpx.Client, people: People
) -> None:
    evening = kungsangen_evening(server, people)
    with as_(server, people, "coordination") as convener:
        sent = [
            post(convener, evening, text, category="ordning.brak", **more).json()
            for text, more in (
                ("Bråk vid busshållplatsen", {"position": {"lat": 59.4786, "lon": 17.7506}}),
                ("Lugnt igen", {}),
                ("Nytt bråk", {}),
            )
        ]
        tapped = convener.post(
            f"{V1}/evenings/{evening}/log/{sent[0]['id']}/observation", json={}
        ).json()
    months = server.settings.retain_incident_text_months
    old = utcnow() - dt.timedelta(days=31 * months + 2)
    with server.database.session(write=True) as session:
        session.execute(
            update(LogPost)
            .where(LogPost.id.in_([sent[0]["id"], sent[1]["id"]]))
            .values(created_at=old)
        )
    dry = retention.run(server.database, server.settings, dry_run=True)
    assert dry is not None and dry.log_posts == 2
    done = retention.run(server.database, server.settings)
    assert done is not None and done.log_posts == 2
    with server.database.session(write=False) as session:
        left = {p.id: p for p in session.scalars(select(LogPost))}
    assert set(left) == {sent[0]["id"], sent[2]["id"]}
    kept = left[sent[0]["id"]]
    assert kept.incident_id == tapped["id"]
    assert (kept.text, kept.lat, kept.lon, kept.author_id) == ("", None, None, None)
    assert left[sent[2]["id"]].text == "Nytt bråk"
    again = retention.run(server.database, server.settings)
    assert again is not None and again.log_posts == 0


def test_an_observation_withdrawn_for_personal_data_takes_the_posts_text_too(
    server: Server, api: httpx.Client, people: People
) -> None:
    evening = kungsangen_evening(server, people)
    with as_(server, people, "coordination") as convener:
        sent = post(
            convener,
            evening,
            "Anna Svensson sprejade på väggen",
            category="skadegorelse.klotter",
            position={"lat": 59.4786, "lon": 17.7506},
        ).json()
        incident = convener.post(
            f"{V1}/evenings/{evening}/log/{sent['id']}/observation", json={}
        ).json()
        withdrawn = convener.post(
            f"{V1}/incidents/{incident['id']}/withdraw", json={"reason": "personal_data"}
        )
        assert withdrawn.status_code == 200, withdrawn.text
        kept = convener.get(f"{V1}/evenings/{evening}/log").json()["items"][0]
    assert (kept["text"], kept["lat"], kept["lon"]) == ("", None, None)
    assert kept["incident_id"] == incident["id"]
