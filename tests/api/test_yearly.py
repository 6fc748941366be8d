"""The municipality's yearly lägesbild under lag (2023:196) over HTTP: made for a whole
year by a municipality-wide group only; its survey (the year's figures by area and category
against the year before, month by month, the police's statistics, the survey indicators)
counted as the hand counts here say; published (frozen), versioned and compared as any
lägesbild; the action plan that builds on it; and the police's statistics, entered as rows or
imported from Brå's CSV, with every bad line named."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from typing import Any

import httpx

from tests.support.people import People, as_
from tests.support.planted import KLOTTER, TZ, Spec, World, insert
from tests.support.servers import Server

V1 = "/api/v1"
STEERING = "EST styrgrupp"
COORDINATION = "EST samordningsgrupp"
BRO_GROUP = "EST områdesgrupp Bro"
BRAND = "skadegorelse.brand"
SAMLING = "samling.utomhus"


def made(response: httpx.Response, status: int = 200) -> Any:
    assert response.status_code == status, response.text
    return response.json()


def problem(response: httpx.Response, status: int, code: str) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    body: dict[str, Any] = response.json()
    assert body["code"] == code, body
    return body


def at(day: str, hour: int = 21) -> dt.datetime:
    return dt.datetime.combine(dt.date.fromisoformat(day), dt.time(hour), tzinfo=TZ)


# Incidents of 2025 and 2024 (and two just outside: the last evening of 2023 and the first
# minutes of 2026, local time), by area, category and month.
PLANTED = [
    ("2025-01-01", 0, "Bro", KLOTTER),  # the year's first minutes, local time
    ("2025-01-15", 21, "Bro", KLOTTER),
    ("2025-03-02", 21, "Bro", BRAND),
    ("2025-03-20", 21, "Kungsängen", KLOTTER),
    ("2025-06-30", 23, "Brunna", SAMLING),
    ("2025-12-31", 23, "Kungsängen", BRAND),  # the year's last hour
    ("2024-03-10", 21, "Bro", KLOTTER),
    ("2024-12-24", 21, "Brunna", KLOTTER),
    ("2023-12-31", 23, "Bro", KLOTTER),
    ("2026-01-01", 0, "Bro", KLOTTER),
]


def plant(server: Server, people: People) -> World:
    world = World.of(server, people)
    insert(
        server,
        world,
        [
            Spec(at(day, hour), area=area, category=category)
            for day, hour, area, category in PLANTED
        ],
    )
    return world


def counted(year: int) -> list[tuple[str, int, str, str]]:
    return [(d, h, a, c) for d, h, a, c in PLANTED if d.startswith(str(year))]


def test_a_yearly_lagesbild_is_made_counted_published_and_versioned(
    server: Server, people: People, api: httpx.Client
) -> None:
    world = plant(server, people)
    steering, bro = world.groups[STEERING], world.groups[BRO_GROUP]
    reports = f"{V1}/groups/{steering}/situation-reports"
    municipality = world.municipality_id

    # Only a municipality-wide group has one, and only of a whole year.
    refused = problem(
        api.post(f"{V1}/groups/{bro}/situation-reports", json={"kind": "year", "year": 2025}),
        422,
        "not_municipality_wide",
    )
    assert "hela kommunen" in refused["detail"] and refused["errors"][0]["field"] == "kind"
    problem(api.post(reports, json={"kind": "year"}), 422, "year_missing")
    problem(api.post(reports, json={"year": 2025}), 422, "year_not_asked")
    problem(
        api.post(reports, json={"kind": "year", "year": 2025, "first_day": "2025-02-01"}),
        422,
        "days_of_a_year",
    )

    # What the steering group keeps by hand, and the police's statistics.
    goal = made(
        api.post(
            f"{V1}/goals", json={"group_id": steering, "theme": "Trygghet", "title": "Tryggare"}
        ),
        201,
    )
    indicator = made(
        api.post(
            f"{V1}/goals/{goal['id']}/indicators",
            json={"name": "Känner sig trygga", "kind": "manual", "unit": "procent",
                  "direction": "increase"},
        ),
        201,
    )  # fmt: skip
    for year, value in ((2024, 61.0), (2025, 64.5)):
        made(
            api.put(
                f"{V1}/indicators/{indicator['id']}/values/{year}",
                json={"value": value, "source": f"Trygghetsmätningen {year}"},
            )
        )
    police = f"{V1}/municipalities/{municipality}/police-statistics"
    made(api.put(f"{police}/2024", json={"rows": [{"offence": "Skadegörelse", "count": 410}]}))
    made(
        api.put(
            f"{police}/2025",
            json={"rows": [{"offence": "Skadegörelse", "count": 380},
                           {"offence": "Narkotikabrott", "count": 95}]},
        )
    )  # fmt: skip

    draft = made(api.post(reports, json={"kind": "year", "year": 2025}), 201)
    assert (draft["kind"], draft["first_day"], draft["last_day"]) == (
        "year", "2025-01-01", "2025-12-31",
    )  # fmt: skip
    # One lägesbild of the year: a correction is a new version.
    problem(api.post(reports, json={"kind": "year", "year": 2025}), 409, "same_period")

    figures, survey = draft["figures"], draft["yearly"]
    this, before = counted(2025), counted(2024)
    assert figures["total"]["current"] == len(this) == 6
    assert figures["total"]["last_year"] == len(before) == 2
    assert {r["name"]: r["current"] for r in figures["areas"] if r["current"]} == dict(
        Counter(a for _d, _h, a, _c in this)
    )
    assert {r["name"]: r["last_year"] for r in figures["areas"] if r["last_year"]} == dict(
        Counter(a for _d, _h, a, _c in before)
    )
    assert {r["code"]: r["current"] for r in figures["families"]} == dict(
        Counter(c.split(".")[0] for _d, _h, _a, c in this)
    )
    by_month = Counter(int(d[5:7]) for d, _h, _a, _c in this)
    by_month_before = Counter(int(d[5:7]) for d, _h, _a, _c in before)
    assert [m["current"] for m in survey["months"]] == [by_month[m] for m in range(1, 13)]
    assert [m["last_year"] for m in survey["months"]] == [by_month_before[m] for m in range(1, 13)]
    assert all(m["complete"] for m in survey["months"])
    assert [(p["offence"], p["count"], p["previous"]) for p in survey["police"]] == [
        ("Skadegörelse", 380, 410),
        ("Narkotikabrott", 95, None),
    ]
    assert (survey["police_total"], survey["police_previous_total"]) == (475, 410)
    (kept,) = survey["indicators"]
    assert (kept["name"], kept["value"], kept["previous"], kept["source"]) == (
        "Känner sig trygga", 64.5, 61.0, "Trygghetsmätningen 2025",
    )  # fmt: skip

    # The texts: other relevant information is the yearly one's own.
    url = f"{V1}/situation-reports/{draft['id']}"
    etag = api.get(url).headers["etag"]
    saved = made(
        api.patch(
            url,
            json={"analysis": "Skadegörelsen minskar.", "other_information": "Skolans bild."},
            headers={"If-Match": etag},
        )
    )
    assert saved["other_information"] == "Skolans bild."
    etag = api.get(url).headers["etag"]
    problem(
        api.patch(url, json={"last_day": "2025-06-30"}, headers={"If-Match": etag}),
        422,
        "days_of_a_year",
    )
    personal = api.patch(
        url,
        json={"other_information": "Ring 070-123 45 67"},
        headers={"If-Match": api.get(url).headers["etag"]},
    )
    assert personal.status_code == 422 and "other_information" in personal.text
    period = made(
        api.post(
            f"{V1}/groups/{steering}/situation-reports",
            json={"first_day": "2025-09-01", "last_day": "2025-09-14"},
        ),
        201,
    )
    assert period["kind"] == "period" and period["yearly"] is None
    problem(
        api.patch(
            f"{V1}/situation-reports/{period['id']}",
            json={"other_information": "Något"},
            headers={"If-Match": api.get(f"{V1}/situation-reports/{period['id']}").headers["etag"]},
        ),
        422,
        "yearly_only",
    )

    # The action plan built on it; a period's lägesbild is none to build on.
    plan_body = {"group_id": steering, "title": "Åtgärdsprogram 2026–2027",
                 "period_start": "2026-01-01", "period_end": "2027-12-31"}  # fmt: skip
    problem(
        api.post(f"{V1}/plans", json={**plan_body, "situation_report_id": period["id"]}),
        422,
        "unknown_id",
    )
    plan = made(
        api.post(f"{V1}/plans", json={**plan_body, "situation_report_id": draft["id"]}), 201
    )
    assert plan["builds_on"] == {"id": draft["id"], "year": 2025, "version": 1,
                                 "group": {"id": steering, "name": STEERING}}  # fmt: skip

    # Published: frozen, figures and survey; later changes show in a new version only.
    published = made(api.post(f"{url}/publish"))
    assert published["status"] == "published" and published["kind"] == "year"
    assert [p["id"] for p in published["action_plans"]] == [plan["id"]]
    insert(server, world, [Spec(at("2025-05-05"), area="Bro", category=KLOTTER)])
    made(api.put(f"{police}/2025", json={"rows": [{"offence": "Skadegörelse", "count": 999}]}))
    made(
        api.put(
            f"{V1}/indicators/{indicator['id']}/values/2025", json={"value": 70, "source": "Ny"}
        )
    )
    again = made(api.get(url))
    assert again["figures"] == published["figures"] and again["yearly"] == published["yearly"]
    assert again["yearly"]["indicators"][0]["value"] == 64.5

    version = made(api.post(f"{url}/versions"), 201)
    assert (version["kind"], version["version"], version["other_information"]) == (
        "year", 2, "Skolans bild.",
    )  # fmt: skip
    assert version["figures"]["total"]["current"] == 7
    assert version["yearly"]["months"][4]["current"] == 1
    assert version["yearly"]["police"][0]["count"] == 999
    assert version["yearly"]["indicators"][0]["value"] == 70
    # The plan built on version 1 builds on the lägesbild, whichever version is read.
    assert [p["id"] for p in version["action_plans"]] == [plan["id"]]
    compared = made(api.get(f"{url}/comparison/{version['id']}"))
    assert {"label": "Totalt", "before": 6, "after": 7} in compared["counts"]
    listed = made(api.get(reports))
    assert {(r["kind"], r["version"]) for r in listed} == {("year", 1), ("year", 2), ("period", 1)}


def test_police_statistics_are_imported_from_bras_csv_every_bad_line_named(
    server: Server, people: People, api: httpx.Client
) -> None:
    municipality = people["municipality"]["id"]
    police = f"{V1}/municipalities/{municipality}/police-statistics"

    def upload(client: httpx.Client, text: str, encoding: str = "utf-8") -> httpx.Response:
        return client.post(
            police,
            files={"file": ("bra.csv", text.encode(encoding), "text/csv")},
            data={"source": "Brå, anmälda brott 2025"},
        )

    bad = (
        "Brottskod;Brottstyp;År;Antal\n"
        "0001;Skadegörelse;2025;1 234\n"
        "0002;Narkotikabrott;2025;många\n"
        "0003;Stöld;25;10\n"
        "0004;Skadegörelse;2025;12\n"
        "0005;Rån\n"
    )
    answer = problem(upload(api, bad), 422, "bad_rows")
    lines = {e["field"]: e for e in answer["errors"]}
    assert set(lines) == {"file.3", "file.4", "file.5", "file.6"}, lines
    assert lines["file.3"]["message"].startswith("Rad 3: antalet ”många”")
    assert lines["file.5"]["code"] == "duplicate" and "rad 2" in lines["file.5"]["message"]
    assert "4 rader" in answer["detail"]
    assert made(api.get(f"{police}/2025"))["rows"] == []  # nothing saved
    problem(upload(api, "Kommun;Antal\nUpplands-Bro;3\n"), 422, "missing_columns")

    # Brå's export as Excel saves it: Windows-1252, commas, the years side by side.
    good = 'Brottstyp,År,Antal\n"Skadegörelse, klotter",2025,"1 234"\nRån,2025,7\nRån,2024,9\n'
    imported = made(upload(api, good, "cp1252"))
    assert imported["rows"] == 3
    assert {(y["year"], y["total"]) for y in imported["years"]} == {(2025, 1241), (2024, 9)}
    year = made(api.get(f"{police}/2025"))
    assert [(r["offence"], r["count"], r["source"]) for r in year["rows"]] == [
        ("Skadegörelse, klotter", 1234, "Brå, anmälda brott 2025"),
        ("Rån", 7, "Brå, anmälda brott 2025"),
    ]
    # Imported again, the file's years are replaced, not doubled.
    made(upload(api, "Brottstyp;År;Antal\nRån;2025;8\n"))
    assert [(r["offence"], r["count"]) for r in made(api.get(f"{police}/2025"))["rows"]] == [
        ("Rån", 8)
    ]
    assert [r["count"] for r in made(api.get(f"{police}/2024"))["rows"]] == [9]
    problem(
        api.put(f"{police}/2025", json={"rows": [{"offence": "Rån", "count": 1},
                                                 {"offence": " rån ", "count": 2}]}),
        422,
        "duplicate_offence",
    )  # fmt: skip

    # Everyone of the municipality reads them; its administrators and the conveners of the
    # municipality-wide groups write them.
    for who, writes in (("reporter", False), ("kungsangen", False), ("steering", False),
                        ("coordination", True)):  # fmt: skip
        with as_(server, people, who) as client:
            read = made(client.get(f"{police}/2025"))
            assert read["may_write"] is writes, who
            assert made(client.get(police))["may_write"] is writes, who
            answer_put = client.put(f"{police}/2023", json={"rows": []})
            assert answer_put.status_code == (200 if writes else 403), (who, answer_put.text)
            assert upload(client, "Brottstyp;År;Antal\nRån;2023;1\n").status_code == (
                200 if writes else 403
            ), who
    # Another municipality's: as if there were none.
    assert (
        api.get(f"{V1}/municipalities/{municipality + 1000}/police-statistics").status_code == 404
    )
