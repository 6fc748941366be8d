"""Photos of observations (#20) through the API: a phone's JPEG comes back without any EXIF,
its position offered and used only with consent on an incident without a point; other
formats come back as JPEG; what is no photo, too large or a decompression bomb is refused in
Swedish; a reader outside the incident's scope sees none of them; retention and a
withdrawal for personal data take them, and a sweep the files no row holds."""

from __future__ import annotations

import io
import os
import struct
import time
import zlib
from pathlib import Path
from typing import Any

import httpx
import pytest
from PIL import Image
from sqlalchemy import select

from api.audit.models import IncidentReading
from api.localtime import utcnow
from api.photos.models import Photo
from api.retention import service as retention
from tests.support.factories import file_report
from tests.support.images import exif_of, not_an_image, photo
from tests.support.people import People, as_
from tests.support.servers import Server

V1 = "/api/v1"
SPOT = {"lat": 59.5141, "lon": 17.6243}  # in Bro
ELSEWHERE = {"lat": 59.5120, "lon": 17.6300}  # in Bro too

# Where the database makes no difference (what Pillow does with a file), SQLite only.
sqlite_only = pytest.mark.parametrize("backend", ["sqlite"], scope="session")


def _incident(server: Server, people: People, **fields: Any) -> int:
    bro = people["areas"]["Bro"]["id"]
    filed = file_report(server, people["tokens"]["reporter"], {"area_id": bro, **fields})
    return int(filed["incidents"][0]["id"])


def _add(
    client: httpx.Client, incident: int, data: bytes, *, name: str = "IMG_0001.jpg", **form: str
) -> httpx.Response:
    return client.post(
        f"{V1}/incidents/{incident}/photos",
        files={"file": (name, data, "image/jpeg")},
        data=form,
    )


def _files(server: Server, photo_id: int) -> list[Path]:
    """The photo's files (full and thumbnail) as they stand in the directory."""
    with server.database.session(write=False) as session:
        key = session.scalar(select(Photo.key).where(Photo.id == photo_id))
    return sorted(Path(server.settings.photo_dir).glob(f"{key}.*"))


def _readers(server: Server, incident: int) -> list[int | None]:
    """Who the audit log says read the incident's detail."""
    with server.database.session(write=False) as session:
        stmt = select(IncidentReading.user_id).where(IncidentReading.incident_id == incident)
        return list(session.scalars(stmt))


def _image(data: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(data))
    image.load()
    return image


def _bomb() -> bytes:
    """A PNG of 20000 × 20000 pixels of one colour: a few kilobytes that decode to 50 MB
    (400 million pixels), made without ever holding them."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        return (
            struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))
        )

    side = 20_000
    packer = zlib.compressobj(9)
    row = b"\x00" * (1 + side // 8)
    body = b"".join(packer.compress(row) for _ in range(side)) + packer.flush()
    header = struct.pack(">IIBBBBB", side, side, 1, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", body) + chunk(b"IEND", b"")
    )


@sqlite_only
def test_a_phone_photo_comes_back_without_exif_and_its_point_only_with_consent(
    server: Server, people: People
) -> None:
    bare = _incident(server, people)
    pointed = _incident(server, people, position=ELSEWHERE)
    jpeg = photo(lat=SPOT["lat"], lon=SPOT["lon"])
    assert exif_of(jpeg)  # planted: make, model, time and the position
    with as_(server, people, "reporter") as reporter:
        added = _add(reporter, bare, jpeg)
        assert added.status_code == 201, added.text
        body = added.json()
        assert body["offered_point"] == pytest.approx(SPOT, abs=1e-5)
        assert body["point_used"] is False
        assert added.headers["location"] == body["url"]
        assert body["url"] == f"{V1}/incidents/{bare}/photos/{body['id']}"
        # Not asked: the incident keeps no point.
        assert reporter.get(f"{V1}/incidents/{bare}").json()["lat"] is None

        full = reporter.get(body["url"])
        assert full.status_code == 200 and full.headers["content-type"] == "image/jpeg"
        assert exif_of(full.content) == {}
        assert "public" not in full.headers["cache-control"]
        assert "private" in full.headers["cache-control"]
        assert full.headers["x-content-type-options"] == "nosniff"
        assert max(_image(full.content).size) <= server.settings.photo_max_side
        thumb = reporter.get(body["url"], params={"size": "thumb"})
        assert exif_of(thumb.content) == {}
        assert max(_image(thumb.content).size) <= server.settings.photo_thumb_side

        # Asked, on an incident without a point: the point, through a correction.
        consented = _add(reporter, bare, jpeg, use_position="true")
        assert consented.status_code == 201 and consented.json()["point_used"] is True
        incident = reporter.get(f"{V1}/incidents/{bare}").json()
        assert (incident["lat"], incident["lon"]) == pytest.approx((SPOT["lat"], SPOT["lon"]))
        assert incident["version"] == 2 and incident["area"]["name"] == "Bro"
        assert [p["id"] for p in incident["photos"]] == [body["id"], consented.json()["id"]]
        assert len(reporter.get(f"{V1}/incidents/{bare}/history").json()) == 1

        # Asked, on an incident that has a point: it stays.
        kept = _add(reporter, pointed, jpeg, use_position="true")
        assert kept.status_code == 201 and kept.json()["point_used"] is False
        assert reporter.get(f"{V1}/incidents/{pointed}").json()["lat"] == ELSEWHERE["lat"]


@sqlite_only
def test_other_formats_become_jpeg_and_what_is_no_photo_is_refused_in_swedish(
    server: Server, people: People, monkeypatch: pytest.MonkeyPatch
) -> None:
    incident = _incident(server, people)
    with as_(server, people, "reporter") as reporter:
        for kind in ("PNG", "WEBP"):
            added = _add(reporter, incident, photo(image_format=kind, size=(300, 200)))
            assert added.status_code == 201, (kind, added.text)
            got = reporter.get(added.json()["url"])
            assert _image(got.content).format == "JPEG" and exif_of(got.content) == {}

        script = _add(reporter, incident, not_an_image(), name="bild.jpg")
        assert script.status_code == 422
        assert script.headers["content-type"] == "application/problem+json"
        assert "bild" in script.json()["errors"][0]["message"].lower()

        started = time.monotonic()
        bomb = _add(reporter, incident, _bomb(), name="bomb.png")
        assert bomb.status_code == 422, bomb.text
        assert time.monotonic() - started < 5

        # Far over the photo limit: refused by the body limit before the body is read.
        far_over = _add(reporter, incident, bytes(server.settings.photo_max_bytes + 100_000))
        assert far_over.status_code == 413, far_over.text
        assert far_over.headers["content-type"] == "application/problem+json"
        assert "större än" in far_over.json()["detail"]
        # Over it: refused by the photo's processing, having read one byte past it.
        monkeypatch.setattr(server.settings, "photo_max_bytes", 4096)
        over = _add(reporter, incident, photo(size=(400, 300)))
        assert over.status_code == 413 and "för stor" in over.json()["detail"]
        assert len(reporter.get(f"{V1}/incidents/{incident}/photos").json()) == 2


def test_only_the_incidents_readers_see_its_photos_and_only_its_correctors_change_them(
    server: Server, people: People
) -> None:
    incident = _incident(server, people)
    with as_(server, people, "reporter") as reporter:
        added = _add(reporter, incident, photo(size=(300, 200)))
        assert added.status_code == 201, added.text
    url = added.json()["url"]
    with as_(server, people, "kungsangen") as outsider:
        assert outsider.get(f"{V1}/incidents/{incident}/photos").status_code == 404
        assert outsider.get(url).status_code == 404
        assert outsider.delete(url).status_code == 404
    with as_(server, people, "viewer") as viewer:
        assert viewer.get(url, params={"size": "thumb"}).status_code == 200
        assert _readers(server, incident) == []  # shown beside the incident, read with it
        assert viewer.get(url).status_code == 200
        assert _readers(server, incident) == [people["users"]["viewer"]["id"]]
        assert _add(viewer, incident, photo(size=(300, 200))).status_code == 403
        assert viewer.delete(url).status_code == 403
    with as_(server, people, "reporter") as reporter:
        # Another incident's photo is not this one's.
        other = _incident(server, people)
        assert (
            reporter.get(f"{V1}/incidents/{other}/photos/{added.json()['id']}").status_code == 404
        )
        files = _files(server, added.json()["id"])
        assert len(files) == 2
        assert reporter.delete(url).status_code == 204
        assert reporter.get(url).status_code == 404
        assert reporter.get(f"{V1}/incidents/{incident}/photos").json() == []
    assert not any(path.exists() for path in files)


def test_retention_and_a_withdrawal_for_personal_data_take_the_photos_and_strays_go(
    server: Server, people: People
) -> None:
    old = _incident(server, people, occurred_from="2023-09-05T21:30")
    young = _incident(server, people)
    withdrawn = _incident(server, people)
    with as_(server, people, "reporter") as reporter:
        ids = [
            _add(reporter, incident, photo(size=(300, 200))).json()["id"]
            for incident in (old, young, withdrawn)
        ]
        files = {ident: _files(server, ident) for ident in ids}
        gone = reporter.post(
            f"{V1}/incidents/{withdrawn}/withdraw", json={"reason": "personal_data"}
        )
        assert gone.status_code == 200 and gone.json()["photos"] == []
    assert not any(path.exists() for path in files[ids[2]])
    directory = Path(server.settings.photo_dir)
    stray, fresh = directory / f"{'a' * 32}.jpg", directory / f"{'b' * 32}.thumb.jpg"
    for path in (stray, fresh):
        path.write_bytes(b"left by a rollback")
    hours_ago = time.time() - 2 * 3600
    os.utime(stray, (hours_ago, hours_ago))

    dry = retention.run(server.database, server.settings, dry_run=True)
    assert dry is not None and (dry.photos, dry.photo_files) == (1, 1)
    done = retention.run(server.database, server.settings, now=utcnow())
    assert done is not None and (done.photos, done.photo_files) == (1, 1)
    assert not stray.exists() and fresh.exists()
    with as_(server, people, "reporter") as reporter:
        assert reporter.get(f"{V1}/incidents/{old}").json()["photos"] == []
        assert len(reporter.get(f"{V1}/incidents/{young}").json()["photos"]) == 1
    assert not any(path.exists() for path in files[ids[0]])
    assert len(files[ids[1]]) == 2 and all(path.exists() for path in files[ids[1]])
    fresh.unlink()
