"""Residents' tips over HTTP: sent without signing in (202 and a receipt), refused as abuse
(honeypot, a form sent too fast or forged, the hour's limit per address), refused for personal
data and outside the municipality, in Swedish beside the field; moderated by the coordination
group only; accepted, a tip becomes an observation with source allmänheten that counts in the
lägesbild; decided once; rejected ones go with retention; a photo keeps no EXIF."""

from __future__ import annotations

import datetime as dt
import time
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select, update

from api.localtime import utcnow
from api.photos.models import Photo
from api.retention import service as retention
from api.structure.models import Municipality
from api.tips import abuse
from api.tips.models import PublicPost, Tip
from api.tips.schemas import PUBLIC_SOURCE
from tests.support.images import exif_of, photo
from tests.support.people import People, as_, gid
from tests.support.servers import Server

pytestmark = pytest.mark.jarfalla

V1 = "/api/v1"
PROBLEM = "application/problem+json"
BRO_CENTRUM = (59.5117, 17.6364)
STOCKHOLM_CITY = (59.3293, 18.0686)
KUNGSANGEN = (59.4786, 17.7506)
JAKOBSBERG = (59.4235, 17.833)  # Järfälla's
HOME = "Upplands-Bro kommun"


@pytest.fixture(autouse=True)
def _photos_apart(server: Server, tmp_path: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(server.settings, "photo_dir", str(tmp_path / "photos"))


def token(server: Server, seconds_ago: float = 10) -> str:
    return abuse.form_token(server.settings, now=time.time() - seconds_ago)


def hours_ago(hours: float) -> str:
    """A local time as the page's datetime-local field sends it."""
    return (dt.datetime.now() - dt.timedelta(hours=hours)).isoformat(timespec="minutes")


def home(server: Server) -> int:
    """Upplands-Bro, which the tips of these tests address (the demo holds Järfälla too)."""
    with server.database.session(write=False) as session:
        found = session.scalar(select(Municipality.id).where(Municipality.name == HOME))
    assert found is not None
    return found


def tip_form(client: httpx.Client, server: Server) -> dict[str, Any]:
    answer = client.get(f"{V1}/public/tip-form", params={"municipality_id": home(server)})
    assert answer.status_code == 200, answer.text
    form: dict[str, Any] = answer.json()
    return form


def send(client: httpx.Client, server: Server, **body: Any) -> httpx.Response:
    sent = {
        "municipality_id": home(server),
        "what": "vandalism",
        "description": "Klotter på tunneln under järnvägen.",
        "lat": BRO_CENTRUM[0],
        "lon": BRO_CENTRUM[1],
        "form_token": token(server),
        **body,
    }
    return client.post(f"{V1}/public/tips", json={k: v for k, v in sent.items() if v is not None})


def sent_tip(client: httpx.Client, server: Server, **body: Any) -> dict[str, Any]:
    response = send(client, server, **body)
    assert response.status_code == 202, response.text
    receipt: dict[str, Any] = response.json()
    return receipt


def errors_of(response: httpx.Response) -> dict[str, str]:
    assert response.headers["content-type"].startswith(PROBLEM), response.text
    return {e["field"]: e["message"] for e in response.json().get("errors", [])}


def pending(client: httpx.Client) -> list[dict[str, Any]]:
    response = client.get(f"{V1}/tips")
    assert response.status_code == 200, response.text
    items: list[dict[str, Any]] = response.json()["items"]
    return items


def test_a_resident_sends_a_tip_without_signing_in(
    server: Server, people: People, anon: httpx.Client
) -> None:
    form = tip_form(anon, server)
    assert form["municipality"] == "Upplands-Bro kommun"
    assert {w["value"] for w in form["whats"]} >= {"vandalism", "unsafe_place"}
    assert any(a["name"] == "Bro" and a["boundary"] for a in form["areas"])
    bro_centrum = next(p for p in form["places"] if p["name"] == "Bro centrum")
    assert bro_centrum["area"] == "Bro"
    receipt = sent_tip(
        anon, server, lat=None, lon=None, place_id=bro_centrum["id"], occurred_at=hours_ago(2)
    )
    assert receipt["message"].startswith("Tack")
    assert receipt["photo_url"] == f"{V1}/public/tips/{receipt['receipt']}/photos"
    # A photo with GPS: kept without any EXIF; the tip had a place, so its point is not used.
    added = anon.post(
        receipt["photo_url"],
        files={"file": ("bild.jpg", photo(lat=BRO_CENTRUM[0], lon=BRO_CENTRUM[1]), "image/jpeg")},
        data={"use_position": "true"},
    )
    assert added.status_code == 201, added.text
    assert added.json()["photos"] == 1 and not added.json()["position_used"]
    # Forged and unknown receipts add nothing.
    other = "1" if receipt["receipt"].endswith("0") else "0"
    forged = receipt["photo_url"].replace(receipt["receipt"], receipt["receipt"][:-1] + other)
    assert anon.post(forged, files={"file": ("b.jpg", photo(), "image/jpeg")}).status_code == 404
    # Nothing the resident sent is readable without moderating.
    assert anon.get(f"{V1}/tips").status_code == 401
    with as_(server, people, "coordination") as moderator:
        (tip,) = pending(moderator)
        assert tip["place"]["name"] == "Bro centrum" and tip["area"]["name"] == "Bro"
        assert tip["suggested_category"] == "skadegorelse" and len(tip["photos"]) == 1
        image = moderator.get(tip["photos"][0]["url"])
        assert image.headers["content-type"] == "image/jpeg"
        assert exif_of(image.content) == {}
        thumb = moderator.get(tip["photos"][0]["url"], params={"size": "thumb"})
        assert thumb.status_code == 200 and len(thumb.content) < len(image.content)
    # The resident's address is kept nowhere with the tip, nor in the log of its sending.
    with server.database.session(write=False) as session:
        # The tip alone counts against the address's hour: its photo came with its receipt.
        assert session.scalar(select(func.count()).select_from(PublicPost)) == 1


def test_a_photo_gives_its_position_to_a_tip_without_a_place(
    server: Server, people: People, anon: httpx.Client
) -> None:
    receipt = sent_tip(anon, server, lat=None, lon=None)
    added = anon.post(
        receipt["photo_url"],
        files={"file": ("bild.jpg", photo(lat=BRO_CENTRUM[0], lon=BRO_CENTRUM[1]), "image/jpeg")},
        data={"use_position": "true"},
    )
    assert added.status_code == 201 and added.json()["position_used"], added.text
    with as_(server, people, "coordination") as moderator:
        (tip,) = pending(moderator)
        assert tip["area"]["name"] == "Bro" and tip["lat"] == pytest.approx(BRO_CENTRUM[0])


def test_abuse_is_refused(server: Server, people: People, anon: httpx.Client) -> None:
    honey = send(anon, server, website="http://spam.example")
    assert honey.status_code == 422 and "form_token" in errors_of(honey)
    fast = send(anon, server, form_token=token(server, seconds_ago=0))
    assert fast.status_code == 422 and "fort" in errors_of(fast)["form_token"]
    forged = send(anon, server, form_token=f"{int(time.time()) - 10}.{'0' * 32}")
    assert forged.status_code == 422 and "Ladda om" in errors_of(forged)["form_token"]
    limit = server.settings.public_posts_per_hour
    for _ in range(limit):
        receipt = sent_tip(anon, server)
    # The last tip's photo is not refused by the hour's limit (its receipt limits it), and
    # a refused photo says why.
    added = anon.post(receipt["photo_url"], files={"file": ("b.jpg", photo(), "image/jpeg")})
    assert added.status_code == 201, added.text
    text = anon.post(receipt["photo_url"], files={"file": ("b.jpg", b"not a photo", "image/jpeg")})
    assert text.status_code == 422 and "bild" in " ".join(errors_of(text).values()).lower()
    over = send(anon, server)
    assert over.status_code == 429, over.text
    assert int(over.headers["Retry-After"]) > 0
    assert "Försök igen om" in over.json()["detail"]


def test_personal_data_and_places_outside_are_refused_beside_the_field(
    server: Server, people: People, anon: httpx.Client
) -> None:
    for text in ("Det var 19811218-9876 som klottrade.", "Ring mig på 070-123 45 67."):
        refused = send(anon, server, description=text)
        assert refused.status_code == 422, refused.text
        assert "description" in errors_of(refused)
    outside = send(anon, server, lat=STOCKHOLM_CITY[0], lon=STOCKHOLM_CITY[1])
    assert outside.status_code == 422
    assert "Upplands-Bro" in errors_of(outside)["lat"]
    future = send(anon, server, occurred_at=(dt.datetime.now() + dt.timedelta(days=2)).isoformat())
    assert "framtiden" in errors_of(future)["occurred_at"]
    old = send(anon, server, occurred_at=(dt.datetime.now() - dt.timedelta(days=200)).isoformat())
    assert "90 dagarna" in errors_of(old)["occurred_at"]


def test_only_the_coordination_group_moderates(
    server: Server, people: People, anon: httpx.Client
) -> None:
    sent_tip(anon, server)
    with as_(server, people, "coordination") as moderator:
        (tip,) = pending(moderator)
    for who in ("reporter", "kungsangen", "viewer"):
        with as_(server, people, who) as other:
            assert other.get(f"{V1}/tips").status_code == 403
            assert other.get(f"{V1}/tips/{tip['id']}").status_code == 403
            assert other.post(f"{V1}/tips/{tip['id']}/reject", json={}).status_code == 403
    with as_(server, people, "coordination") as moderator:
        assert moderator.get(f"{V1}/tips/2147483647").status_code == 404


def test_an_accepted_tip_counts_in_the_lagesbild_marked_as_from_the_public(
    server: Server, people: People, anon: httpx.Client
) -> None:
    coordination = gid(people, "EST samordningsgrupp")
    week_ago = (dt.date.today() - dt.timedelta(days=7)).isoformat()
    period = {"first_day": week_ago, "last_day": dt.date.today().isoformat()}
    receipt = sent_tip(anon, server, occurred_at=hours_ago(3))
    anon.post(receipt["photo_url"], files={"file": ("b.jpg", photo(), "image/jpeg")})
    with as_(server, people, "coordination") as moderator:
        before = moderator.get(f"{V1}/groups/{coordination}/situation", params=period).json()
        (tip,) = pending(moderator)
        bad = moderator.post(f"{V1}/tips/{tip['id']}/accept", json={"category": "nope"})
        assert bad.status_code == 422 and "category" in errors_of(bad)
        edited = moderator.post(
            f"{V1}/tips/{tip['id']}/accept",
            json={"category": "skadegorelse.klotter", "description": "Klotter på tunneln.",
                  "assessment": "high"},
        )  # fmt: skip
        assert edited.status_code == 200, edited.text
        accepted = edited.json()
        assert accepted["status"] == "accepted" and accepted["incident_id"]
        again = moderator.post(f"{V1}/tips/{tip['id']}/accept", json={"category": "ovrigt"})
        assert again.status_code == 409
        assert moderator.post(f"{V1}/tips/{tip['id']}/reject", json={}).status_code == 409
        incident = moderator.get(f"{V1}/incidents/{accepted['incident_id']}").json()
        assert incident["source"] == PUBLIC_SOURCE
        assert incident["organisation"]["name"] == "Allmänheten"
        assert (
            incident["area"]["name"] == "Bro" and incident["description"] == "Klotter på tunneln."
        )
        after = moderator.get(f"{V1}/groups/{coordination}/situation", params=period).json()
        assert after["total"]["current"] == before["total"]["current"] + 1
        assert {"name": "Allmänheten", "count": 1} in [
            {"name": r["name"], "count": r["count"]} for r in after["reporters"]
        ]
        # The photo went with it: the tip holds none any more.
        assert moderator.get(f"{V1}/tips/{tip['id']}/photos").json() == []
        decided = moderator.get(f"{V1}/tips", params={"status": "accepted"}).json()["items"]
        assert [t["id"] for t in decided] == [tip["id"]]
    with server.database.session(write=False) as session:
        moved = session.scalars(select(Photo)).one()
        assert (moved.owner_kind, moved.owner_id) == ("incident", accepted["incident_id"])
    # "Allmänheten" is no partner: not offered among the organisations, refused where a
    # partner is chosen (a walk's invitation, a group's membership).
    public = incident["organisation"]["id"]
    with as_(server, people, "admin") as admin:
        listed = admin.get(f"{V1}/organisations", params={"limit": 200}).json()["items"]
        assert "Allmänheten" not in [o["name"] for o in listed]
        joined = admin.put(f"{V1}/groups/{coordination}/organisations/{public}")
        assert joined.status_code in (404, 422), joined.text
    with as_(server, people, "coordination") as planner:
        walk = planner.post(
            f"{V1}/safety-walks",
            json={"area_id": people["areas"]["Bro"]["id"], "meeting_point": "Brohuset",
                  "starts_at": (dt.datetime.now(dt.UTC) + dt.timedelta(days=9)).isoformat(),
                  "invited_organisation_ids": [public]},
        )  # fmt: skip
        assert walk.status_code == 422 and "invited_organisation_ids.0" in errors_of(walk)


def test_rejected_tips_go_with_retention(
    server: Server, people: People, anon: httpx.Client
) -> None:
    receipt = sent_tip(anon, server)
    anon.post(receipt["photo_url"], files={"file": ("b.jpg", photo(), "image/jpeg")})
    sent_tip(anon, server)
    with as_(server, people, "coordination") as moderator:
        first, second = pending(moderator)
        rejected = moderator.post(f"{V1}/tips/{first['id']}/reject", json={"reason": "Dubblett."})
        assert rejected.status_code == 200 and rejected.json()["reject_reason"] == "Dubblett."
    days = server.settings.retain_rejected_days
    assert retention.run(server.database, server.settings).tips == 0  # type: ignore[union-attr]
    with server.database.session(write=True) as session:
        tip = session.get(Tip, first["id"])
        assert tip is not None and tip.moderated_at is not None
        tip.moderated_at = utcnow() - dt.timedelta(days=days + 1)
        for post in session.scalars(select(PublicPost)):
            post.at = utcnow() - dt.timedelta(hours=2)
    # Past the hour the limit looks back, but their tokens are still good: kept, so that a
    # second sending with one is still known as one.
    kept = retention.run(server.database, server.settings)
    assert kept is not None
    assert (kept.tips, kept.tip_photos, kept.public_posts) == (1, 1, 0)
    with server.database.session(write=True) as session:
        for post in session.scalars(select(PublicPost)):
            post.at = utcnow() - abuse.LIFETIME - dt.timedelta(minutes=1)
    done = retention.run(server.database, server.settings)
    assert done is not None
    assert (done.tips, done.public_posts) == (0, 2)
    with server.database.session(write=False) as session:
        assert session.get(Tip, first["id"]) is None
        assert session.get(Tip, second["id"]) is not None


def test_a_form_is_sent_once(server: Server, people: People, anon: httpx.Client) -> None:
    """A double click or a retry with the same form's token files no second tip; a refused
    sending does not use the token up."""
    once = token(server)
    guarded = send(anon, server, form_token=once, description="Ring mig på 070-123 45 67.")
    assert guarded.status_code == 422
    sent_tip(anon, server, form_token=once)
    again = send(anon, server, form_token=once)
    assert again.status_code == 409, again.text
    assert again.json()["code"] == "already_sent" and "redan skickat" in again.json()["detail"]
    # Two forms shown in the same second are two tokens.
    shown = time.time() - 10
    assert abuse.form_token(server.settings, now=shown) != abuse.form_token(
        server.settings, now=shown
    )
    with server.database.session(write=False) as session:
        assert session.scalar(select(func.count()).select_from(Tip)) == 1


def test_a_place_and_a_point_in_different_areas_are_refused(
    server: Server, people: People, anon: httpx.Client
) -> None:
    form = tip_form(anon, server)
    bro_centrum = next(p["id"] for p in form["places"] if p["name"] == "Bro centrum")
    mixed = send(anon, server, place_id=bro_centrum, lat=KUNGSANGEN[0], lon=KUNGSANGEN[1])
    assert mixed.status_code == 422, mixed.text
    assert "pekar på olika områden" in errors_of(mixed)["place_id"]
    sent_tip(anon, server, place_id=bro_centrum)  # the place and a point in Bro agree


def test_with_several_municipalities_the_resident_names_the_one_the_tip_is_for(
    server: Server, people: People, anon: httpx.Client
) -> None:
    listed = anon.get(f"{V1}/public/municipalities")
    assert listed.status_code == 200, listed.text
    towns = {t["name"]: t["id"] for t in listed.json()}
    assert set(towns) == {HOME, "Järfälla kommun"}
    jarfalla = towns["Järfälla kommun"]
    # None named: no falling back to whichever came first.
    for answer in (
        anon.get(f"{V1}/public/tip-form"),
        send(anon, server, municipality_id=None),
    ):
        assert answer.status_code == 422, answer.text
        assert errors_of(answer) == {
            "municipality_id": "Välj vilken kommun det gäller: här finns flera."
        }
    unknown = send(anon, server, municipality_id=99999)
    assert unknown.status_code == 422
    assert errors_of(unknown) == {"municipality_id": "Det finns ingen kommun med id 99999."}
    assert unknown.json()["errors"][0]["code"] == "unknown_id"
    # The form and the tip are the municipality's named; a point in another is refused.
    form = anon.get(f"{V1}/public/tip-form", params={"municipality_id": jarfalla}).json()
    assert form["municipality"] == "Järfälla kommun"
    assert any(p["name"] == "Jakobsbergs centrum" for p in form["places"])
    elsewhere = send(anon, server, municipality_id=jarfalla)  # Bro centrum's point
    assert elsewhere.status_code == 422
    assert elsewhere.json()["errors"][0]["code"] == "outside_municipality"
    sent_tip(anon, server, municipality_id=jarfalla, lat=JAKOBSBERG[0], lon=JAKOBSBERG[1])
    with server.database.session(write=False) as session:
        assert list(session.scalars(select(Tip.municipality_id))) == [jarfalla]
    # An inactive municipality takes none.
    with server.database.session(write=True) as session:
        session.execute(
            update(Municipality).where(Municipality.id == towns[HOME]).values(active=False)
        )
    inactive = send(anon, server)
    assert inactive.status_code == 422
    assert inactive.json()["errors"][0]["code"] == "inactive"
    assert [t["name"] for t in anon.get(f"{V1}/public/municipalities").json()] == [
        "Järfälla kommun"
    ]
    # One active municipality: nothing to name, as before.
    assert anon.get(f"{V1}/public/tip-form").json()["municipality"] == "Järfälla kommun"


def test_the_openapi_document_names_the_tips_municipality(anon: httpx.Client) -> None:
    document = anon.get("/api/openapi.json").json()
    body = document["components"]["schemas"]["TipCreate"]["properties"]["municipality_id"]
    assert "choose_municipality" in body["description"]
    assert "/api/v1/public/municipalities" in document["paths"]
