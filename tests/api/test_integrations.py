"""Incidents in from a mapping tool (issue #7): pushed in batches by a service token, and
uploaded as the tool's export (CSV and GeoJSON in every variant INTEGRATION.md lists),
previewed, then confirmed. What a row becomes is checked against the incident the API
answers afterwards; what cannot be filed is rejected with its line and a Swedish reason."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import text

from api.incidents import geo
from tests.support.factories import file_report
from tests.support.people import People
from tests.support.servers import Server

V1 = "/api/v1"
SAMPLE = Path(__file__).resolve().parents[1] / "data" / "embrace-export-sample.csv"
HEADER = (
    "Händelse-ID;Rapport-ID;Kategori;Underkategori;Inträffade från;Inträffade till;Område;"
    "Plats;Adress;Latitud;Longitud;N;E;Koordinatsystem;Bedömning;Säkerhet;Polisanmäld;"
    "Beskrivning;Organisation;Rapporterad"
)


def service_token(server: Server, people: People, source: str = "embrace") -> str:
    with server.client(people["tokens"]["admin"]) as admin:
        created = admin.post(
            f"{V1}/service-tokens",
            json={
                "source": source,
                "organisation_id": people["organisations"]["Rapid Säkerhet"]["id"],
            },
        )
    assert created.status_code == 201, created.text
    token: str = created.json()["token"]
    return token


def item(external_id: str, **fields: Any) -> dict[str, Any]:
    return {
        "external_id": external_id,
        "category": "Skadegörelse",
        "subcategory": "Klotter",
        "occurred_from": "2025-03-01 22:00",
        "occurred_to": "2025-03-02 06:00",
        "area": "Bro",
        "lat": 59.5089,
        "lon": 17.6431,
        "assessment": "Medel",
        **fields,
    }


def push(client: httpx.Client, *items: dict[str, Any], source: str = "embrace") -> Any:
    response = client.post(
        f"{V1}/integrations/{source}/incidents:batch", json={"incidents": list(items)}
    )
    assert response.status_code == 200, response.text
    return response.json()


def incident(server: Server, people: People, incident_id: int) -> dict[str, Any]:
    with server.client(people["tokens"]["admin"]) as admin:
        response = admin.get(f"{V1}/incidents/{incident_id}")
    assert response.status_code == 200, response.text
    found: dict[str, Any] = response.json()
    return found


# Push --------------------------------------------------------------------------------------


def test_a_batch_is_created_then_unchanged_then_updated_with_its_history(
    server: Server, people: People
) -> None:
    token = service_token(server, people)
    with server.client(token) as tool:
        first = push(tool, item("E-1"), item("E-2", category="trafik", subcategory=None))
        assert (first["created"], first["updated"], first["unchanged"], first["rejected"]) == (
            2, 0, 0, 0,
        )  # fmt: skip
        assert [(i["index"], i["external_id"], i["result"]) for i in first["items"]] == [
            (0, "E-1", "created"),
            (1, "E-2", "created"),
        ]
        ids = [i["incident_id"] for i in first["items"]]
        # The same batch again changes nothing.
        again = push(tool, item("E-1"), item("E-2", category="trafik", subcategory=None))
        assert [i["result"] for i in again["items"]] == ["unchanged", "unchanged"]
        assert [i["incident_id"] for i in again["items"]] == ids
        # A changed item is updated in place, its earlier version kept.
        changed = push(tool, item("E-1", assessment="Hög", description="Nu större."))
        assert changed["items"][0] == {
            "index": 0, "external_id": "E-1", "result": "updated", "incident_id": ids[0],
            "reason": None,
        }  # fmt: skip
    now = incident(server, people, ids[0])
    assert (now["assessment"], now["description"], now["version"]) == ("high", "Nu större.", 2)
    assert (now["source"], now["external_id"]) == ("embrace", "E-1")
    # The token's organisation files what names none.
    assert now["organisation"]["name"] == "Rapid Säkerhet"
    assert now["occurred_from"] == "2025-03-01T21:00:00Z"  # 22:00 in Stockholm, winter
    assert (now["precision"], now["category"]["code"]) == ("part_of_day", "skadegorelse.klotter")
    with server.client(people["tokens"]["admin"]) as admin:
        history = admin.get(f"{V1}/incidents/{ids[0]}/history").json()
    assert [v["version"] for v in history] == [1]
    assert history[0]["data"]["assessment"] == "medium"


def test_each_item_is_answered_and_duplicates_in_a_batch_are_rejected(
    server: Server, people: People
) -> None:
    token = service_token(server, people)
    with server.client(token) as tool:
        answer = push(
            tool,
            item("A"),
            item("A", description="Samma id igen."),
            item("B", category="Buskörning", subcategory=None),
            item("C", occurred_from="igår"),
            item("D", lat=59.33, lon=18.07),
            {"external_id": "E", "category": "trafik", "occurred_from": "2025-03-01",
             "area": "Brunna", "colour": "röd"},
            {"category": "trafik"},
            item("F", assessment=True),
            item("G"),
        )  # fmt: skip
    results = {(i["index"], i["external_id"]): (i["result"], i["reason"]) for i in answer["items"]}
    assert [i["index"] for i in answer["items"]] == list(range(9)), "answered in the batch's order"
    assert (answer["created"], answer["rejected"]) == (2, 7), answer
    assert results[(0, "A")] == ("created", None)
    assert results[(1, "A")][0] == "rejected"
    assert "fanns redan på index 0" in results[(1, "A")][1]
    assert results[(2, "B")] == (
        "rejected",
        'okänd kategori "Buskörning" — lägg till den i kategorimappningen för källan embrace',
    )
    assert "2021-03-04 21:30" in results[(3, "C")][1]
    assert "utanför Upplands-Bro" in results[(4, "D")][1]
    assert results[(5, "E")] == ("rejected", "okända fält: colour.")
    assert results[(6, None)] == ("rejected", "Händelse-ID saknas.")
    assert results[(7, "F")][0] == "rejected"
    assert results[(8, "G")] == ("created", None)


def test_a_batch_over_the_limit_is_refused_whole(server: Server, people: People) -> None:
    token = service_token(server, people)
    with server.client(token) as tool:
        response = tool.post(
            f"{V1}/integrations/embrace/incidents:batch",
            json={"incidents": [item(f"N{i}") for i in range(501)]},
        )
        assert response.status_code == 413, response.text
        assert response.headers["content-type"].startswith("application/problem+json")
        assert "högst 500" in response.json()["detail"]
        # Nothing of it was filed.
        assert push(tool, item("N0"))["items"][0]["result"] == "created"


def test_pushed_batches_keep_the_planners_statistics_fresh(server: Server, people: People) -> None:
    """Where autovacuum is off or behind (it is off on the CI machine's cluster), batches
    pushed one by one would be looked up on statistics that never saw them; once a quarter
    of the incidents, and over a thousand, are new since the last ANALYZE, a batch runs it."""
    if server.backend != "postgresql":
        pytest.skip("the planner's statistics are PostgreSQL's")
    statistics = text(
        "SELECT coalesce(last_analyze > :since, false) FROM pg_stat_user_tables"
        " WHERE relid = 'incidents'::regclass"
    )
    with server.database.session(write=False) as session:
        since = session.scalar(text("SELECT now()"))
    token = service_token(server, people)
    refreshed = False
    with server.client(token) as tool:
        for batch in range(6):
            answer = push(tool, *(item(f"P{batch}-{n}") for n in range(500)))
            assert answer["created"] == 500
            ids = [i["incident_id"] for i in answer["items"]]
            assert len(set(ids)) == 500 and ids == sorted(ids)
            with server.database.session(write=False) as session:
                refreshed = bool(session.scalar(statistics, {"since": since}))
            if refreshed:
                break
            # The server's counters reach pg_stat_user_tables within a second.
            time.sleep(1.1)
    assert refreshed, "no batch refreshed the statistics"


def test_only_the_sources_own_token_pushes(server: Server, people: People) -> None:
    other = service_token(server, people, source="annat")
    with server.client(other) as tool:
        refused = tool.post(
            f"{V1}/integrations/embrace/incidents:batch", json={"incidents": [item("X")]}
        )
        assert refused.status_code == 403
    with server.client(people["tokens"]["coordination"]) as person:
        refused = person.post(
            f"{V1}/integrations/embrace/incidents:batch", json={"incidents": [item("X")]}
        )
        assert refused.status_code == 403


# Category mappings ---------------------------------------------------------------------------


def test_an_unknown_category_is_imported_once_it_is_mapped(server: Server, people: People) -> None:
    token = service_token(server, people)
    sent = item("M-1", category="Buskörning", subcategory=None)
    with server.client(token) as tool:
        assert push(tool, sent)["items"][0]["result"] == "rejected"
    with server.client(people["tokens"]["admin"]) as admin:
        mapped = admin.put(
            f"{V1}/category-mappings",
            json={"source": "embrace", "name": "Buskörning", "category": "trafik.olovlig_korning"},
        )
        assert mapped.status_code == 201, mapped.text
        again = admin.put(
            f"{V1}/category-mappings",
            json={
                "source": "embrace",
                "name": " BUSKÖRNING ",
                "category": "trafik.olovlig_korning",
            },
        )
        assert again.status_code == 200 and again.json()["id"] == mapped.json()["id"]
        unknown = admin.put(
            f"{V1}/category-mappings",
            json={"source": "embrace", "name": "Fyrverkerier", "category": "finns.inte"},
        )
        assert unknown.status_code == 422
        assert [m["name"] for m in admin.get(f"{V1}/category-mappings").json()] == ["BUSKÖRNING"]
    with server.client(token) as tool:
        created = push(tool, sent)["items"][0]
    assert created["result"] == "created"
    assert incident(server, people, created["incident_id"])["category"]["code"] == (
        "trafik.olovlig_korning"
    )
    with server.client(people["tokens"]["admin"]) as admin:
        assert admin.delete(f"{V1}/category-mappings/{mapped.json()['id']}").status_code == 204
        assert admin.get(f"{V1}/category-mappings", params={"source": "embrace"}).json() == []


# Files -----------------------------------------------------------------------------------------


def upload(
    client: httpx.Client, content: bytes, filename: str = "export.csv", **form: Any
) -> httpx.Response:
    return client.post(
        f"{V1}/imports",
        files={"file": (filename, content, "text/csv")},
        data={"source": "embrace"} | form,
    )


def test_the_sample_export_is_previewed_then_imported_once(server: Server, people: People) -> None:
    content = SAMPLE.read_bytes()
    assert content.startswith(b"\xef\xbb\xbf")  # UTF-8 with a byte-order mark, ";"
    with server.client(people["tokens"]["coordination"]) as convener:
        previewed = upload(convener, content)
        assert previewed.status_code == 201, previewed.text
        preview = previewed.json()
        assert preview["status"] == "preview" and preview["format"] == "csv"
        assert {k: preview["preview"][k] for k in ("rows", "created", "rejected")} == {
            "rows": 5, "created": 5, "rejected": 0,
        }  # fmt: skip
        # Nothing is imported by the preview.
        assert convener.get(f"{V1}/incidents").json()["items"] == []
        done = convener.post(f"{V1}/imports/{preview['id']}/confirm")
        assert done.status_code == 200, done.text
        assert done.json()["result"]["created"] == 5
        assert done.json()["status"] == "imported"
        twice = convener.post(f"{V1}/imports/{preview['id']}/confirm")
        assert twice.status_code == 409
        listed = convener.get(f"{V1}/incidents", params={"limit": 10}).json()["items"]
        # The same file again: all unchanged.
        again = upload(convener, content).json()["preview"]
        assert (again["unchanged"], again["created"]) == (5, 0)
    by_id = {i["external_id"]: i for i in listed}
    assert set(by_id) == {"EMB-100231", "EMB-100232", "EMB-100240", "EMB-100241", "EMB-100250"}
    graffiti = by_id["EMB-100231"]
    assert graffiti["category"]["code"] == "skadegorelse.klotter"
    assert (graffiti["lat"], graffiti["lon"]) == (59.5089, 17.6431)  # decimal comma
    assert graffiti["organisation"]["name"] == "Upplands-Brohus"
    assert graffiti["place"]["name"] == "Råbystigen"
    mopeds = by_id["EMB-100240"]  # a day alone
    assert mopeds["precision"] == "day"
    assert (mopeds["occurred_from"], mopeds["occurred_to"]) == (
        "2021-03-04T23:00:00Z", "2021-03-05T23:00:00Z",
    )  # fmt: skip
    assert mopeds["police_reported"] == "yes"
    drugs = by_id["EMB-100241"]
    assert drugs["description"] == (
        'Misstänkt överlämning vid busshållplatsen; "samma bil som förra veckan".'
    )
    assert (drugs["certainty"], drugs["lat"]) == ("suspected", None)
    lamp = by_id["EMB-100250"]
    assert (lamp["address"], lamp["assessment"]) == ("Fasanstigen 2", "low")
    assert lamp["reported_at"] == "2021-03-08T16:30:00Z"


def csv_file(*lines: str, delimiter: str = ";", encoding: str = "utf-8") -> bytes:
    header = HEADER.replace(";", delimiter)
    return ("\r\n".join([header, *lines]) + "\r\n").encode(encoding)


def imported(
    server: Server,
    people: People,
    content: bytes,
    name: str = "f.csv",
    source: str = "embrace",
) -> Any:
    with server.client(people["tokens"]["admin"]) as admin:
        previewed = upload(admin, content, name, source=source)
        assert previewed.status_code == 201, previewed.text
        done = admin.post(f"{V1}/imports/{previewed.json()['id']}/confirm")
        assert done.status_code == 200, done.text
        result = done.json()["result"]
        listed = admin.get(f"{V1}/incidents", params={"limit": 100}).json()["items"]
    return result, {i["external_id"]: i for i in listed}


def test_every_variant_of_the_export_is_read(server: Server, people: People) -> None:
    """Comma-separated Windows-1252 with quoted line breaks and delimiters, blank lines,
    trailing empty columns, the date forms, summer and winter time, SWEREF 99 TM and
    SWEREF 99 18 00, Ja/ja/JA."""
    n_tm, e_tm = geo.from_wgs84("EPSG:3006", 59.5161, 17.6285)
    n_local, e_local = geo.from_wgs84("EPSG:3011", 59.4786, 17.7506)
    n_comma, e_comma = (f"{v:.2f}".replace(".", ",") for v in (n_local, e_local))
    rows = [
        "V1,,Skadegörelse,Klotter,2024-07-01 21:30,,Bro,,,,,,,,Hög,Observerat,JA,"
        '"Klotter på vägg, ""stort"",\nsyns från vägen",Upplands-Brohus,,,',
        "",
        f"V2,,samling,,2024-01-15T23:10,2024-01-16T01:00,Bro,,,,,{n_tm:.2f},{e_tm:.2f},"
        "SWEREF 99 TM,2,misstänkt,ja,,Rapid Säkerhet,",
        # N and E with a decimal comma, quoted since the file is comma-separated.
        f"V3,,Trafik,Olovlig körning (moped / EPA / cross),2024-10-27,,Kungsängen,,,,,"
        f'"{n_comma}","{e_comma}",SWEREF 99 18 00,,,Ja,,Rapid Säkerhet,',
        "V4,,trafik.ovrigt,,2024-03-31T03:30+02:00,,Kungsängen,,,,,,,,,,Nej,,Rapid Säkerhet,",
        "V5,,Otrygg plats,Dålig eller trasig belysning,2024-10-27 02:30,,Brunna,,,,,,,,låg,,"
        "nej,,Rapid Säkerhet,2024-10-27 08:00",
    ]
    content = csv_file(*rows, delimiter=",", encoding="cp1252")
    result, by_id = imported(server, people, content)
    assert (result["created"], result["rejected"]) == (5, 0), result
    assert result["warnings"] == ["Filen är inte UTF-8 och lästes som Windows-1252."]
    first = by_id["V1"]
    assert first["description"] == 'Klotter på vägg, "stort",\nsyns från vägen'
    assert (first["occurred_from"], first["precision"]) == ("2024-07-01T19:30:00Z", "exact")
    assert (first["police_reported"], first["assessment"]) == ("yes", "high")
    second = by_id["V2"]
    assert (second["area"]["name"], second["certainty"]) == ("Bro", "suspected")
    assert second["lat"] == pytest.approx(59.5161, abs=1e-6)
    assert second["lon"] == pytest.approx(17.6285, abs=1e-6)
    assert (second["occurred_from"], second["occurred_to"]) == (
        "2024-01-15T22:10:00Z", "2024-01-16T00:00:00Z",
    )  # fmt: skip
    assert (second["category"]["code"], second["assessment"]) == ("samling", "medium")
    third = by_id["V3"]
    assert third["area"]["name"] == "Kungsängen"
    assert third["lat"] == pytest.approx(59.4786, abs=1e-6)
    # A whole day, the day the clocks go back: 25 hours.
    assert (third["occurred_from"], third["occurred_to"]) == (
        "2024-10-26T22:00:00Z", "2024-10-27T23:00:00Z",
    )  # fmt: skip
    assert by_id["V4"]["occurred_from"] == "2024-03-31T01:30:00Z"
    # 02:30 on the night the clocks go back happens twice; the first (summer time) is taken.
    fifth = by_id["V5"]
    assert fifth["occurred_from"] == "2024-10-27T00:30:00Z"
    assert (fifth["reported_at"], fifth["assessment"], fifth["certainty"]) == (
        "2024-10-27T07:00:00Z", "low", None,
    )  # fmt: skip


def test_rejected_rows_have_their_line_and_a_reason(server: Server, people: People) -> None:
    content = csv_file(
        "R1;;Skadegörelse;;2024-03-31 02:30;;Bro;;;;;;;;;;;;Rapid Säkerhet;",
        "R2;;Buskörning;;2024-05-01 22:00;;Bro;;;;;;;;;;;;Rapid Säkerhet;",
        'R3;;Trafik;;2024-05-01;;Bro;;;;;;;;;;;"två\nrader";Okänd AB;',
        "R4;;Trafik;;2024-05-01;;Kista;;;;;;;;;;;;Rapid Säkerhet;",
        "R5;;Trafik;;2024-05-01;;;;;;;6600000;150000;;;;;;Rapid Säkerhet;",
        "R6;;Trafik;;2030-05-01;;Bro;;;;;;;;;;;;Rapid Säkerhet;",
        "R7;;Trafik;;2024-05-01;;Bro;;;;;;;;;;;ring 070-123 45 67;Rapid Säkerhet;",
        ";;Trafik;;2024-05-01;;Bro;;;;;;;;;;;;Rapid Säkerhet;",
        "R8;;Trafik;;2024-05-01;;Bro;;;;;;;;;;;;Rapid Säkerhet;",
        "R8;;Trafik;;2024-05-02;;Bro;;;;;;;;;;;;Rapid Säkerhet;",
    )
    with server.client(people["tokens"]["admin"]) as admin:
        preview = upload(admin, content).json()["preview"]
    reasons = {r["index"]: r["reason"] for r in preview["rejected_rows"]}
    assert (preview["rows"], preview["created"], preview["rejected"]) == (10, 1, 9)
    assert "finns inte" in reasons[2] and "sommartid" in reasons[2]
    assert reasons[3].startswith('okänd kategori "Buskörning"')
    assert reasons[4] == 'okänd organisation "Okänd AB" — lägg till den i kommunens aktörer.'
    assert reasons[6].startswith('okänt område "Kista"')  # R3 took lines 4 and 5
    assert "Koordinatsystem saknas" in reasons[7]
    assert "framtiden" in reasons[8]
    assert "telefonnummer" in reasons[9]
    assert reasons[10] == "Händelse-ID saknas."
    assert reasons[12] == (
        "Händelse-ID R8 fanns redan på rad 11: samma händelse två gånger i en import tas inte "
        "med andra gången."
    )


def test_a_file_without_the_needed_columns_is_refused_whole(server: Server, people: People) -> None:
    with server.client(people["tokens"]["admin"]) as admin:
        for content in (b"", b"a;b;c\r\n1;2;3\r\n", "Händelse-ID;Kategori\r\n".encode()):
            refused = upload(admin, content)
            assert refused.status_code == 422, refused.text
            (error,) = refused.json()["errors"]
            assert error["field"] == "file"


def test_a_geojson_export_is_read(server: Server, people: People) -> None:
    collection = {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "id": "G-1",
                "geometry": {"type": "Point", "coordinates": [17.6431, 59.5089]},
                "properties": {"Kategori": "Skadegörelse", "Underkategori": "Klotter",
                               "Område": "Bro", "Inträffade från": "2024-05-01 22:00",
                               "Organisation": "Upplands-Brohus", "Bedömning": 3},
            },
            {
                "type": "Feature",
                "geometry": {"type": "Point", "coordinates": [17.6285, 59.5161]},
                "properties": {"external_id": "G-2", "category": "samling", "area": "Bro",
                               "occurred_from": "2024-05-02", "organisation": "Rapid Säkerhet"},
            },
            {"type": "Feature", "geometry": {"type": "LineString", "coordinates": []},
             "properties": {"external_id": "G-3"}},
        ],
    }  # fmt: skip
    content = json.dumps(collection, ensure_ascii=False).encode()
    with server.client(people["tokens"]["admin"]) as admin:
        previewed = upload(admin, content, "export.geojson")
        assert previewed.status_code == 201, previewed.text
        preview = previewed.json()
        assert preview["format"] == "geojson"
        assert (preview["preview"]["created"], preview["preview"]["rejected"]) == (2, 1)
        assert preview["preview"]["rejected_rows"][0]["index"] == 3
        admin.post(f"{V1}/imports/{preview['id']}/confirm")
        listed = admin.get(f"{V1}/incidents").json()["items"]
    by_id = {i["external_id"]: i for i in listed}
    assert (by_id["G-1"]["lat"], by_id["G-1"]["lon"]) == (59.5089, 17.6431)
    assert by_id["G-1"]["assessment"] == "high"
    assert by_id["G-2"]["precision"] == "day"


def test_who_may_import(server: Server, people: People) -> None:
    for who in ("reporter", "kungsangen", "viewer", "steering"):
        with server.client(people["tokens"][who]) as person:
            assert upload(person, SAMPLE.read_bytes()).status_code == 403, who


# Out --------------------------------------------------------------------------------------------


def test_the_csv_export_opens_in_swedish_excel_and_reads_back_in(
    server: Server, people: People
) -> None:
    imported(server, people, SAMPLE.read_bytes())
    with server.client(people["tokens"]["coordination"]) as convener:
        response = convener.get(f"{V1}/incidents.csv")
        assert response.status_code == 200, response.text
        assert response.headers["content-type"] == "text/csv; charset=utf-8"
        assert "handelser.csv" in response.headers["content-disposition"]
        raw = response.content
        assert raw.startswith(b"\xef\xbb\xbf")
        lines = raw.decode("utf-8-sig").split("\r\n")
        header = lines[0].split(";")
        assert header[:6] == [
            "Händelse-ID", "Källa", "Källans ID", "Kategori", "Underkategori", "Inträffade från",
        ]  # fmt: skip
        rows = [dict(zip(header, line.split(";"), strict=True)) for line in lines[1:] if line]
        by_source_id = {r["Källans ID"]: r for r in rows}
        graffiti = by_source_id["EMB-100231"]
        assert (graffiti["Kategori"], graffiti["Underkategori"]) == ("Skadegörelse", "Klotter")
        assert graffiti["Inträffade från"] == "2021-03-01 22:00"  # local time, as read in
        assert (graffiti["Latitud"], graffiti["Longitud"]) == ("59,508900", "17,643100")
        assert (graffiti["Bedömning"], graffiti["Polisanmäld"]) == ("Medel", "Nej")
        # Read back in as another source: every row is read.
        back_response = upload(convener, raw, "handelser.csv", source="tillbaka")
        assert back_response.status_code == 201, back_response.text
        back = back_response.json()["preview"]
        assert (back["created"], back["rejected"]) == (5, 0), back
    # An area group's member exports their area only.
    with server.client(people["tokens"]["kungsangen"]) as member:
        lines = member.get(f"{V1}/incidents.csv").content.decode("utf-8-sig").splitlines()
    assert len(lines) == 2 and ";Kungsängen;" in lines[1]


def test_the_csv_export_says_vet_ej_and_is_named_for_its_area_and_period(
    server: Server, people: People
) -> None:
    bro = people["areas"]["Bro"]["id"]
    file_report(
        server,
        people["tokens"]["coordination"],
        {"area_id": bro, "category": "skadegorelse.klotter", "police_reported": "unknown",
         "occurred_from": "2026-11-10T21:30"},
        {"area_id": bro, "category": "skadegorelse.klotter", "police_reported": "yes",
         "occurred_from": "2026-11-11T21:30"},
    )  # fmt: skip
    with server.client(people["tokens"]["coordination"]) as convener:
        # November in Stockholm: from 1 November 00:00 up to (not including) 1 December.
        period = {"since": "2026-10-31T23:00:00Z", "until": "2026-11-30T23:00:00Z"}
        response = convener.get(f"{V1}/incidents.csv", params={"area": bro, **period})
        assert response.status_code == 200, response.text
        disposition = response.headers["content-disposition"]
        assert 'filename="handelser-bro-2026-11-01--2026-11-30.csv"' in disposition
        assert "filename*=UTF-8''h%C3%A4ndelser-Bro-2026-11-01--2026-11-30.csv" in disposition
        lines = response.content.decode("utf-8-sig").split("\r\n")
        header = lines[0].split(";")
        rows = [dict(zip(header, line.split(";"), strict=True)) for line in lines[1:] if line]
        assert sorted(r["Polisanmäld"] for r in rows) == ["Ja", "Vet ej"]
        # Read back in, "Vet ej" is unknown again.
        back = upload(convener, response.content, "handelser.csv", source="tillbaka")
        assert back.status_code == 201, back.text
        assert back.json()["preview"]["created"] == 2
        kungsangen = people["areas"]["Kungsängen"]["id"]
        named = {
            "handelser.csv": {},
            "handelser-kungsangen.csv": {"area": kungsangen},
            "handelser-fran-2026-11-01.csv": {"since": period["since"]},
            "handelser-till-2026-11-30.csv": {"until": period["until"]},
        }
        for name, params in named.items():
            response = convener.get(f"{V1}/incidents.csv", params=params)
            assert f'filename="{name}"' in response.headers["content-disposition"], params


# Police reports -------------------------------------------------------------------------------


def test_police_reports_are_matched_so_the_lagesbild_counts_an_event_once(
    server: Server, people: People
) -> None:
    bro = people["areas"]["Bro"]["id"]
    at = (59.5089, 17.6431)
    north_60m = (at[0] + 60 / 111_320, at[1])
    filed = file_report(
        server,
        people["tokens"]["coordination"],
        # The groups' own: klotter at a tunnel one evening, and a fight elsewhere.
        {"area_id": bro, "category": "skadegorelse.klotter",
         "position": {"lat": at[0], "lon": at[1]}, "occurred_from": "2025-06-10T21:30"},
        {"area_id": bro, "category": "ordning.brak", "position": {"lat": 59.52, "lon": 17.62},
         "occurred_from": "2025-06-11T01:00"},
    )  # fmt: skip
    graffiti = filed["incidents"][0]["id"]
    police_file = csv_file(
        # Vandalism 60 m away that evening: the same event.
        f"P1;;Skadegörelse;;2025-06-10 21:00;2025-06-10 22:00;Bro;;;{north_60m[0]};"
        f"{north_60m[1]};;;;;;;Anmäld skadegörelse;Polisen, lokalpolisområde;",
        # Disorder at the same spot: another family.
        f"P2;;Ordningsstörning och brott;;2025-06-10 21:15;;Bro;;;{at[0]};{at[1]};;;;;;;;"
        "Polisen, lokalpolisområde;",
        # Vandalism half a kilometre away, and at the spot two days later.
        "P3;;Skadegörelse;;2025-06-10 21:30;;Bro;;;59.5134;17.6431;;;;;;;;"
        "Polisen, lokalpolisområde;",
        f"P4;;Skadegörelse;;2025-06-12 21:30;;Bro;;;{at[0]};{at[1]};;;;;;;;"
        "Polisen, lokalpolisområde;",
    )
    group = people["groups"]["EST samordningsgrupp"]["id"]
    period = {"first_day": "2025-06-08", "last_day": "2025-06-14"}

    def total() -> int:
        with server.client(people["tokens"]["coordination"]) as convener:
            figures = convener.get(f"{V1}/groups/{group}/situation", params=period).json()
        return int(figures["total"]["current"])

    assert total() == 2
    with server.client(people["tokens"]["admin"]) as admin:
        previewed = admin.post(
            f"{V1}/imports",
            files={"file": ("polisen.csv", police_file, "text/csv")},
            data={"source": "polisen"},
        ).json()
        assert previewed["preview"]["created"] == 4, previewed
        admin.post(f"{V1}/imports/{previewed['id']}/confirm")
        reports = {
            i["external_id"]: i
            for i in admin.get(f"{V1}/incidents", params={"source": "polisen"}).json()["items"]
        }
    assert {i["police_reported"] for i in reports.values()} == {"yes"}
    # Two observations and four police reports, one of them the same as the graffiti.
    assert total() == 5
    with server.client(people["tokens"]["coordination"]) as convener:
        police = convener.get(f"{V1}/incidents/{reports['P1']['id']}").json()
        (match,) = police["matches"]
        assert (match["police_incident_id"], match["observation_id"]) == (
            reports["P1"]["id"], graffiti,
        )  # fmt: skip
        assert match["distance_m"] == pytest.approx(60, abs=2)
        # Shown on the observation too.
        assert convener.get(f"{V1}/incidents/{graffiti}").json()["matches"] == [match]
        for other in ("P2", "P3", "P4"):
            assert convener.get(f"{V1}/incidents/{reports[other]['id']}").json()["matches"] == []
        # A reporter of another area may not undo it; the convener may.
        with server.client(people["tokens"]["kungsangen"]) as member:
            refused = member.post(f"{V1}/incidents/{graffiti}/matches/{match['id']}/undo")
            assert refused.status_code == 404
        undone = convener.post(f"{V1}/incidents/{graffiti}/matches/{match['id']}/undo")
        assert undone.status_code == 200, undone.text
        assert undone.json()["undone_at"] is not None
    assert total() == 6
    # Imported again: the undone match stays undone.
    result, _ = imported(server, people, police_file, "polisen.csv", source="polisen")
    assert result["unchanged"] == 4
    assert total() == 6


def test_a_police_report_counts_again_when_its_observation_is_withdrawn(
    server: Server, people: People
) -> None:
    bro = people["areas"]["Bro"]["id"]
    filed = file_report(
        server,
        people["tokens"]["coordination"],
        {"area_id": bro, "category": "trafik", "occurred_from": "2025-06-10T21:30",
         "position": {"lat": 59.5089, "lon": 17.6431}},
    )  # fmt: skip
    police_file = csv_file(
        "P9;;Trafik;;2025-06-10 21:40;;Bro;;;59,5090;17,6431;;;;;;;;Polisen, lokalpolisområde;"
    )
    with server.client(people["tokens"]["admin"]) as admin:
        kept = upload(admin, police_file, "polisen.csv", source="polisen").json()
        admin.post(f"{V1}/imports/{kept['id']}/confirm")
    group = people["groups"]["EST samordningsgrupp"]["id"]
    period = {"first_day": "2025-06-10", "last_day": "2025-06-10"}
    with server.client(people["tokens"]["coordination"]) as convener:

        def total() -> int:
            figures = convener.get(f"{V1}/groups/{group}/situation", params=period).json()
            return int(figures["total"]["current"])

        assert total() == 1
        withdrawn = convener.post(
            f"{V1}/incidents/{filed['incidents'][0]['id']}/withdraw", json={"reason": "mistake"}
        )
        assert withdrawn.status_code == 200, withdrawn.text
        assert total() == 1  # now the police report's


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("a.csv", b"H\x00ndelse-ID;Kategori\r\n"),
        ("a.csv", b'"' + b"x" * 200_000 + b'";a\r\n'),
        ("a.csv", bytes(range(256)) * 10),
        ("a.csv", "Händelse-ID;Kategori;Inträffade från\r\n".encode("utf-16")),
        (
            "a.csv",
            ('Händelse-ID;Kategori;Inträffade från\r\nA;"' + "x" * 200_000 + '";x\r\n').encode(),
        ),
        ("a.csv", 'Händelse-ID;Kategori;Inträffade från\r\nA;"trafik;2024-01-01\r\n'.encode()),
        ("a.geojson", b'{"type":"FeatureCollection","features":[{"type":'),
        ("a.geojson", b"[1,2,3]"),
        (
            "a.geojson",
            b'{"type":"FeatureCollection","features":[5,"x",{"type":"Feature",'
            b'"properties":[1]},{"type":"Feature","geometry":{"type":"Point","coordinates":'
            b'["a",1]},"properties":{"external_id":{"a":1},"category":["x"]}}]}',
        ),
    ],
)
def test_broken_files_get_a_clear_answer(
    server: Server, people: People, name: str, content: bytes
) -> None:
    with server.client(people["tokens"]["admin"]) as admin:
        response = upload(admin, content, name)
        assert response.status_code in (201, 422), response.text
        if response.status_code == 201:
            preview = response.json()["preview"]
            assert preview["created"] == 0
            assert all(r["reason"] for r in preview["rejected_rows"])
        else:
            assert response.json()["errors"][0]["field"] == "file"
        assert admin.get(f"{V1}/incidents").json()["items"] == []
