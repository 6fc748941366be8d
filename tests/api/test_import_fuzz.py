"""The importer fed what hypothesis makes up: random bytes, CSV in random encodings and
delimiters with quotes, line breaks and huge fields, JSON of any shape, and JSON nested
deep. Every file gets either a clean answer about the file as a whole (a 4xx with its
reason) or a row-by-row result in which every refused row says why; never an unhandled
exception. Run in dry-run mode against the real database of each backend (the rows are
read, looked up and checked as in a real import, and nothing is written).

Also the same through HTTP for a few files, and the upload's size limit (413)."""

from __future__ import annotations

import io
import json
import string
from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from api.actor import SYSTEM
from api.errors import DomainError
from api.integrations import imports, rows
from tests.support.factories import make_municipality
from tests.support.pages import csrf_of
from tests.support.people import Demo
from tests.support.servers import Server

HEADERS = [*sorted(rows.CSV_HEADERS), "okänd kolumn", "", "Kategori", " händelse-id "]
REQUIRED = ["Händelse-ID", "Kategori", "Inträffade från"]
ENCODINGS = ("utf-8", "utf-8-sig", "cp1252", "latin-1", "utf-16")
FUZZ = settings(
    max_examples=120,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)

cell_text = st.one_of(
    st.text(max_size=40),
    st.sampled_from(
        [
            "2026-11-20 21:30",
            "20/11/2026",
            "1,5",
            "59,51; 17,63",
            "Bro",
            "Låg",
            "ja",
            '"',
            "\n",
            "Klotter",
            "skadegorelse.klotter",
            "6590000",
            "1620000",
            "Kungsängen",
            "EPSG:3006",
            "2026-02-30 10:00",
            "2026-03-29 02:30",
            "-1e308",
            "nan",
        ]
    ),
    # Past the reader's longest field (an unclosed quote looks like this).
    st.integers(min_value=1, max_value=130_000).map(lambda n: "x" * n),
)


@st.composite
def csv_files(draw: st.DrawFn) -> tuple[bytes, str]:
    delimiter = draw(st.sampled_from([";", ",", "\t", "|"]))
    header = draw(st.lists(st.sampled_from(HEADERS), min_size=0, max_size=8))
    if draw(st.booleans()):
        # Mostly a header the importer takes, so that the rows themselves are read.
        header = draw(st.permutations([*REQUIRED, *header[:4]]))
    lines = [header, *draw(st.lists(st.lists(cell_text, max_size=10), max_size=6))]

    def cell(value: str) -> str:
        if draw(st.booleans()) or any(c in value for c in f'{delimiter}"\n'):
            return '"' + value.replace('"', '""') + '"'
        return value

    text = draw(st.sampled_from(["\r\n", "\n"])).join(
        delimiter.join(cell(c) for c in line) for line in lines
    )
    encoding = draw(st.sampled_from(ENCODINGS))
    data = text.encode(encoding, errors="replace")
    if draw(st.booleans()):
        cut = draw(st.integers(min_value=0, max_value=len(data)))
        data = data[:cut]  # cut off mid-character or mid-quote
    return data, draw(st.sampled_from(["export.csv", "export.txt", "export"]))


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=10), children, max_size=4)
    ),
    max_leaves=20,
)


@st.composite
def geojson_files(draw: st.DrawFn) -> tuple[bytes, str]:
    properties = st.dictionaries(
        st.sampled_from(HEADERS) | st.text(max_size=10), json_values | cell_text, max_size=6
    )
    feature = st.fixed_dictionaries(
        {"type": st.sampled_from(["Feature", "Point", 7])},
        optional={
            "properties": properties | json_values,
            "geometry": st.fixed_dictionaries(
                {"type": st.sampled_from(["Point", "Polygon"])},
                optional={"coordinates": json_values | st.lists(st.floats(), max_size=3)},
            )
            | json_values,
        },
    )
    document: Any = draw(
        st.fixed_dictionaries(
            {"type": st.just("FeatureCollection"), "features": st.lists(feature, max_size=5)}
        )
        | json_values
    )
    data = json.dumps(document).encode()  # NaN and Infinity too: not JSON, but written
    if draw(st.booleans()):
        data = data[: draw(st.integers(min_value=0, max_value=len(data)))]
    return data, draw(st.sampled_from(["export.geojson", "export.json", "export"]))


@st.composite
def deep_files(draw: st.DrawFn) -> tuple[bytes, str]:
    """JSON nested deep (a million levels took the server past 20 GB), at the top, inside a
    feature or its geometry, with brackets of either kind, closed or cut off."""
    depth = draw(st.integers(min_value=1, max_value=20_000))
    opening = draw(st.sampled_from([b"[", b'{"a":', b'[{"b":[', b'["]",']))
    closing = {b"[": b"]", b'{"a":': b"}", b'[{"b":[': b"]}]", b'["]",': b"]"}[opening]
    inner = opening * depth + b"1" + closing * draw(st.integers(min_value=0, max_value=depth))
    where = draw(st.sampled_from(["top", "properties", "geometry", "features"]))
    document = {
        "top": inner,
        "properties": b'{"features": [{"type": "Feature", "properties": {"x": ' + inner + b"}}]}",
        "geometry": b'{"features": [{"type": "Feature", "geometry": {"type": "Point", '
        b'"coordinates": ' + inner + b"}}]}",
        "features": b'{"type": "FeatureCollection", "features": ' + inner + b"}",
    }[where]
    return document, draw(st.sampled_from(["export.geojson", "export.json", "export"]))


files = st.one_of(
    csv_files(),
    geojson_files(),
    deep_files(),
    st.tuples(st.binary(max_size=3000), st.sampled_from(["x.csv", "x.geojson", "x"])),
    st.tuples(
        st.text(string.printable, max_size=500).map(str.encode), st.sampled_from(["x.csv", "x"])
    ),
)


def _import(server: Server, data: bytes, filename: str) -> None:
    """One file through the importer; refusals are domain errors (4xx), rows have reasons."""
    refused: DomainError | None = None
    with server.database.session(write=True) as session:
        try:
            _format, summary = imports.import_file(
                session,
                "embrace",
                io.BytesIO(data),
                filename,
                organisation_id=None,
                actor=SYSTEM,
                dry_run=True,
            )
        except DomainError as exc:
            refused = exc
        finally:
            session.rollback()
    if refused is not None:
        assert 400 <= refused.status < 500
        assert refused.detail.strip()
        return
    assert summary.rows == (
        summary.created + summary.updated + summary.unchanged + summary.rejected
    )
    for row in summary.rejected_rows:
        assert row.reason and row.reason.strip(), row


@FUZZ
@given(file=files)
def test_the_importer_answers_any_file_cleanly(
    server: Server, demo: Demo, file: tuple[bytes, str]
) -> None:
    _import(server, *file)


@pytest.mark.parametrize(
    "data",
    [
        b"\xff\xfe\x00\x00garbage",
        "Händelse-ID;Kategori;Inträffade från\n1;Klotter;2026-11-20 21:30\n".encode("utf-16"),
        b'{"type": "FeatureCollection", "features": [{"type": "Feature", "properties": '
        + b'{"x": "'
        + b"y" * 200_000
        + b'"}}]}',
        b"H\xe4ndelse-ID;Kategori;Intr\xe4ffade fr\xe5n\n" + b'1;"' + b"z" * 150_000 + b"\n",
        # Nested a million levels deep (2 MB): refused at the depth limit, before ijson.
        b'{"type": "FeatureCollection", "features": [' + b"[" * 1_000_000 + b"]" * 1_000_000,
    ],
)
def test_odd_files_through_http_get_a_4xx_or_a_preview(
    api: httpx.Client, demo: Demo, data: bytes
) -> None:
    answer = api.post(
        "/api/v1/imports", data={"source": "embrace"}, files={"file": ("export", data)}
    )
    assert answer.status_code in {201, 400, 413, 422}, answer.text
    assert answer.headers["content-type"].startswith(
        "application/json" if answer.status_code == 201 else "application/problem+json"
    )


def test_bodies_and_uploads_over_their_limits_get_413(
    server: Server, api: httpx.Client, web: httpx.Client
) -> None:
    make_municipality(api)  # whose administrator imports
    limit = server.settings.max_upload_bytes
    big = b"x" * (limit + 1)
    upload = api.post("/api/v1/imports", data={"source": "embrace"}, files={"file": ("e", big)})
    assert upload.status_code == 413
    assert upload.headers["content-type"].startswith("application/problem+json")
    assert "MB" in upload.json()["detail"]
    # The pages: a form larger than any form, and a file larger than the upload limit.
    form = web.post(
        "/tips/1/avvisa",  # a form without a photo (a photo form takes more: web/app.py)
        content=b"a=" + b"x" * server.settings.max_body_bytes,
        headers={"content-type": "application/x-www-form-urlencoded"},
    )
    assert form.status_code == 413 and "Begäran är större än" in form.text
    # A file just over the limit is answered beside the file field; one far over it, by
    # the body limit before it is read.
    csrf = csrf_of(web.get("/import").text)
    fields = {"kalla": "embrace", "csrf_token": csrf}
    page = web.post("/import", files={"fil": ("e.csv", big)}, data=fields)
    assert page.status_code == 422 and 'id="fil-error"' in page.text
    assert f"Filen är större än {limit // (1024 * 1024)} MB" in page.text
    huge = web.post("/import", files={"fil": ("e.csv", big + b"x" * 100_000)}, data=fields)
    assert huge.status_code == 413 and "Begäran är större än" in huge.text
