"""The personal data guard. Its detector, on the ways people write numbers: what a person
reads as a personal identity number, a phone number or an e-mail address is found however it
is spaced, dashed or disguised, and times, dates, counts and postal codes are not. And over
HTTP: every free text the finding of issue #17 named (and more) refuses it, beside its field.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from stdnum.se import personnummer

from api.interventions.models import Intervention
from api.meetings.models import Meeting
from api.privacy import findings, normalised, warning
from tests.support.people import People, as_, gid
from tests.support.servers import Server

PNR, SAM, PHONE, EMAIL = (
    "ett personnummer", "ett samordningsnummer", "ett telefonnummer", "en e-postadress"
)  # fmt: skip
NBSP, ZWSP, THIN = "\u00a0", "\u200b", "\u2009"


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("ring 070-123 45 67", PHONE),
        ("070 - 123 45 67", PHONE),
        ("+46 (0)70-123 45 67", PHONE),
        ("+46 (0)70 123 45 67", PHONE),
        ("0046701234567", PHONE),
        ("070/123 45 67", PHONE),
        ("070.123.45.67", PHONE),
        ("08-123 45 67", PHONE),
        ("(070) 123 45 67", PHONE),
        ("+46 70 123 45 67", PHONE),
        ("+44 20 7946 0958", PHONE),  # a British number
        (f"070{NBSP}123{NBSP}45{NBSP}67", PHONE),
        (f"+46{NBSP}70{THIN}123\u202f45{NBSP}67", PHONE),  # thin and narrow spaces
        (f"0{ZWSP}70-123 45 67", PHONE),  # a zero-width space inside
        ("070\u2013123 45 67", PHONE),  # an en dash
        ("０７０-１２３ ４５ ６７", PHONE),  # full-width digits
        ("pnr 19811218-9876", PNR),
        ("811218–9876", PNR),  # an en dash
        ("811218\u22129876", PNR),  # a minus sign
        ("811278-9873", SAM),  # a coordination number (day + 60)
        ("19811278-9873", SAM),  # the same with the century
        ("198112789873", SAM),
        ("121212/1212", PNR),
        ("121212.1212", PNR),
        ("121212 1212", PNR),
        ("1212121212", PNR),
        ("121212+1212", PNR),  # over a hundred years old
        ("191212121212", PNR),
        ("19121212-1212", PNR),
        (f"121212{NBSP}-{NBSP}1212", PNR),
        (f"12{ZWSP}1212-12\u200d12", PNR),  # zero-width space and joiner
        ("12\u202e1212-1212", PNR),  # a bidi override
        ("１２１２１２-１２１２", PNR),  # full-width digits
        ("١٢١٢١٢-١٢١٢", PNR),  # Arabic-Indic digits
        ("mejla a.b@example.se", EMAIL),
        ("ånna.svensson@exämple.se", EMAIL),
        ("anna＠example.se", EMAIL),  # a full-width at sign
        (f"anna.s{ZWSP}@example.se", EMAIL),
    ],
)
def test_found(text: str, kind: str) -> None:
    assert [f.kind for f in findings(text)] == [kind]


# Each kind as people write it; the personnummer read out in groups ("12 12 12-1212") was
# taken by the phone matcher and named "ett telefonnummer" (issue #18).
FORMATS = {
    PNR: [
        "{d}-{s}", "{c}{d}-{s}", "{d}{s}", "{c}{d}{s}", "{d} {s}", "{d}+{s}",
        "{d[0]}{d[1]} {d[2]}{d[3]} {d[4]}{d[5]}-{s}",
        "{d[0]}{d[1]}-{d[2]}{d[3]}-{d[4]}{d[5]}-{s}",
        "{c}{d[0]}{d[1]} {d[2]}{d[3]} {d[4]}{d[5]}-{s}",
        "{c}{d[0]}{d[1]} {d[2]}{d[3]}{d[4]}{d[5]}-{s}",
        "{d}-{s[0]}{s[1]} {s[2]}{s[3]}", "{c}{d} - {s}", "pnr: {d}-{s}.", "({c}{d}-{s})",
    ],
    PHONE: [
        "070-123 45 67", "070 123 45 67", "0701234567", "+46 70 123 45 67", "08-123 45 67",
        "08 123 45 67", "0046 8 123 45 67", "(08) 123 45 67", "070-12 34 567",
    ],
    EMAIL: ["anna@example.se", "a.b+c@sub.example.se", "ANNA@EXAMPLE.SE", "a_b@ex-ample.se"],
}  # fmt: skip
# Born 2001-02-03 (whose grouped date the phone matcher reads as a number), 1985-03-12, and
# a coordination number of each (day + 60); all with a right check digit.
IDENTITIES = [
    ("20", "010203", "2380", PNR),
    ("19", "850312", "1231", PNR),
    ("20", "010263", "2387", SAM),
    ("19", "850372", "1238", SAM),
]


@pytest.mark.parametrize(("century", "date", "serial", "kind"), IDENTITIES)
@pytest.mark.parametrize("written", FORMATS[PNR])
def test_an_identity_number_is_named_for_its_kind_however_it_is_written(
    written: str, century: str, date: str, serial: str, kind: str
) -> None:
    text = written.format(c=century, d=date, s=serial)
    assert [f.kind for f in findings(f"Hen heter {text} enligt grannen")] == [kind], text


@pytest.mark.parametrize("kind", [PHONE, EMAIL])
def test_a_phone_number_and_an_e_mail_address_are_named_for_their_kind(kind: str) -> None:
    for text in FORMATS[kind]:
        assert [f.kind for f in findings(f"kontakt {text} i kväll")] == [kind], text


@pytest.mark.parametrize(
    ("text", "named"),
    [
        # Each also a valid phone number to the phone matcher: the identity number names it.
        ("01 02 03-2380", [(PNR, "01 02 03-2380")]),
        ("01-02-03-2380", [(PNR, "01-02-03-2380")]),
        ("2001 0203-2380", [(PNR, "2001 0203-2380")]),
        ("010203-23 80", [(PNR, "010203-23 80")]),
        ("01 02 63-2387", [(SAM, "01 02 63-2387")]),
        # A phone number inside an e-mail address is the address.
        ("sms 0701234567@sms.example.se", [(EMAIL, "0701234567@sms.example.se")]),
        # Side by side, each its own.
        (
            "01 02 03-2380, 070-123 45 67, 850372-1238, a@example.se",
            [(PNR, "01 02 03-2380"), (SAM, "850372-1238"), (PHONE, "070-123 45 67"),
             (EMAIL, "a@example.se")],
        ),
    ],
)  # fmt: skip
def test_overlapping_matches_are_named_by_the_most_specific_kind(
    text: str, named: list[tuple[str, str]]
) -> None:
    assert [(f.kind, f.text) for f in findings(text)] == named


def test_a_phone_number_grouped_like_a_date_stays_a_phone_number() -> None:
    # Both hold the digits of a valid personnummer (070112-2335, 081214-5670) by chance: their
    # groups are not a date's, so each stays what it is written as.
    assert personnummer.is_valid("070112-2335") and personnummer.is_valid("081214-5670")
    assert [f.kind for f in findings("ring 070-112 23 35")] == [PHONE]
    assert [f.kind for f in findings("ring 08-12 14 56 70")] == [PHONE]


def test_all_of_a_text_is_found() -> None:
    found = findings("Anna Svensson 19121212-1212 tel 070-123 45 67, anna@example.se")
    assert [(f.kind, f.text) for f in found] == [
        (PNR, "19121212-1212"),
        (PHONE, "070-123 45 67"),
        (EMAIL, "anna@example.se"),
    ]


@pytest.mark.parametrize(
    "text",
    [
        "811218-9877",  # the checksum does not hold
        "811278-9874",  # nor here, a coordination number's
        "811299-9876",  # no such day, nor day + 60
        "kl 0930-1100",
        "0930-1100",
        "Kl 21:30–23:00",
        "kl 21.30–23.00 den 4/3",
        "kl 09.30-11.00",
        "ca 15 personer",
        "2026-03-04",
        "2026-03-04 21:30",
        "20260304",
        "4 mars 2021 21:30",
        "2000-01-01 — 2000-12-31",
        "1999-2025",
        "196 30",
        "Postnummer 196 30 Kungsängen",
        "Storgatan 12",
        "Enköpingsvägen 112 B",
        "klotter 2026-11-20 kl 21:30 vid busskur 12",
        "år 2024 och 2025, busslinje 557 mot 565",
        "5 ungdomar, 15-17 år, mellan 20-23",
        "mellan 2100 och 2300",
        "v. 12 2026",
        "1234567890",
        "ring 112",
        "EMB-20260304-0003",  # a tool's identifier whose digits pass the check by chance
        "EMB20260304-0003",
        "1981-12-18-9876",  # an ISO date and four digits: a date and a time or a number
        "2026-03-04 2130",
        "kl 21 30 12-1212",
        "",
    ],
)
def test_not_found(text: str) -> None:
    assert findings(text) == []


def test_text_is_normalised_before_it_is_read() -> None:
    assert normalised(f"1\u200b2{NBSP}3\u20134/5.6") == "12 3-4-5-6"


def test_the_warning_names_the_field_and_what_was_found() -> None:
    message = warning(findings("tel 070-123 45 67"), "Ansvarig", "ta bort uppgiften")
    assert message.startswith("Ansvarig ser ut att innehålla ett telefonnummer (070-123 45 67).")
    assert message.endswith("ta bort uppgiften.")


# Over HTTP --------------------------------------------------------------------------------

V1 = "/api/v1"
PERSON = "Anna Svensson 19121212-1212 tel 070-123 45 67"
COORDINATION = "EST samordningsgrupp"
STEERING = "EST styrgrupp"
DAY = (dt.date.today() - dt.timedelta(days=3)).isoformat()


@dataclass(frozen=True)
class Write:
    method: str
    path: str
    body: dict[str, Any]
    headers: dict[str, str]


def _made(response: httpx.Response) -> dict[str, Any]:
    assert response.status_code in (200, 201), response.text
    made: dict[str, Any] = response.json()
    return made


def _intervention(people: People, **changes: Any) -> dict[str, Any]:
    return {
        "group_id": gid(people, COORDINATION),
        "title": "Väktare vid Bro centrum helgkvällar",
        "type": "guards",
        "owner_organisation_id": people["organisations"]["Polisen, lokalpolisområde"]["id"],
        "responsible": "Kim Kvällsvakt",
        "target": {"kind": "area", "area_id": people["areas"]["Bro"]["id"]},
        "categories": ["skadegorelse.klotter"],
        "planned_start": DAY,
        **changes,
    }


def _an_intervention(api: httpx.Client, people: People) -> int:
    return int(_made(api.post(f"{V1}/interventions", json=_intervention(people)))["id"])


def _a_meeting(api: httpx.Client, people: People) -> tuple[int, str]:
    made = api.post(
        f"{V1}/groups/{gid(people, COORDINATION)}/meetings",
        json={"starts_at": f"{DAY}T13:00", "agenda": [{"title": "Övriga frågor"}]},
    )
    return int(_made(made)["id"]), made.headers["etag"]


def _a_draft(api: httpx.Client, people: People) -> tuple[int, str]:
    made = api.post(f"{V1}/groups/{gid(people, COORDINATION)}/situation-reports", json={})
    return int(_made(made)["id"]), made.headers["etag"]


def _a_goal(api: httpx.Client, people: People) -> int:
    body = {"group_id": gid(people, STEERING), "theme": "ANDT", "title": "Färre langare"}
    return int(_made(api.post(f"{V1}/goals", json=body))["id"])


Setup = Callable[[httpx.Client, People, str], Write]


def _post(path: str, body: dict[str, Any]) -> Write:
    return Write("POST", path, body, {})


# Each: who writes, what (given the text), and where the refusal must stand.
CASES: dict[str, tuple[str, Setup, str]] = {
    "incident description": (
        "coordination",
        lambda api, people, text: _post(
            f"{V1}/reports",
            {
                "incidents": [
                    {
                        "category": "skadegorelse.klotter",
                        "occurred_from": f"{DAY}T21:30",
                        "area_id": people["areas"]["Bro"]["id"],
                        "assessment": "low",
                        "description": text,
                    }
                ]
            },
        ),
        "incidents.0.description",
    ),
    **{
        f"intervention {field}": (
            "coordination",
            lambda api, people, text, field=field: _post(  # type: ignore[misc]
                f"{V1}/interventions", _intervention(people, **{field: text})
            ),
            field,
        )
        for field in ("title", "description", "responsible")
    },
    "intervention responsible, changed": (
        "coordination",
        lambda api, people, text: Write(
            "PATCH",
            f"{V1}/interventions/{_an_intervention(api, people)}",
            {"responsible": text},
            {},
        ),
        "responsible",
    ),
    **{
        f"follow-up {field}": (
            "coordination",
            lambda api, people, text, field=field: _post(  # type: ignore[misc]
                f"{V1}/interventions/{_an_intervention(api, people)}/follow-ups",
                {"day": DAY, "done": "Väktare på plats", field: text},
            ),
            field,
        )
        for field in ("done", "seen")
    },
    "feedback to reporters": (
        "coordination",
        lambda api, people, text: _post(
            f"{V1}/interventions/{_an_intervention(api, people)}/feedback",
            {"told_on": DAY, "channel": "phone", "text": text, "to_reporters": True},
        ),
        "text",
    ),
    "meeting location": (
        "coordination",
        lambda api, people, text: _post(
            f"{V1}/groups/{gid(people, COORDINATION)}/meetings",
            {"starts_at": f"{DAY}T13:00", "location": text},
        ),
        "location",
    ),
    "meeting agenda": (
        "coordination",
        lambda api, people, text: _post(
            f"{V1}/groups/{gid(people, COORDINATION)}/meetings",
            {"starts_at": f"{DAY}T13:00", "agenda": [{"title": "Bro", "note": text}]},
        ),
        "agenda.0.note",
    ),
    **{
        f"meeting {field}, changed": (
            "coordination",
            lambda api, people, text, field=field, value=value: (  # type: ignore[misc]
                lambda made: Write(
                    "PATCH",
                    f"{V1}/meetings/{made[0]}",
                    {field: value(text)},
                    {"If-Match": made[1]},
                )
            )(_a_meeting(api, people)),
            where,
        )
        for field, value, where in (
            ("minutes", lambda text: text, "minutes"),
            ("location", lambda text: text, "location"),
            ("agenda", lambda text: [{"title": text}], "agenda.0.title"),
        )
    },
    "decision": (
        "coordination",
        lambda api, people, text: _post(
            f"{V1}/meetings/{_a_meeting(api, people)[0]}/decisions", {"text": text}
        ),
        "text",
    ),
    "decision's intervention": (
        "coordination",
        lambda api, people, text: _post(
            f"{V1}/meetings/{_a_meeting(api, people)[0]}/decisions",
            {
                "text": "Väktare i Bro",
                "intervention": {
                    key: value
                    for key, value in _intervention(people, responsible=text).items()
                    if key != "group_id"
                },
            },
        ),
        "intervention.responsible",
    ),
    **{
        f"lägesbild {field}": (
            "coordination",
            lambda api, people, text, field=field: (  # type: ignore[misc]
                lambda made: Write(
                    "PATCH",
                    f"{V1}/situation-reports/{made[0]}",
                    {field: text},
                    {"If-Match": made[1]},
                )
            )(_a_draft(api, people)),
            field,
        )
        for field in ("summary", "analysis", "assessment", "proposals")
    },
    "goal description": (
        "steering",
        lambda api, people, text: _post(
            f"{V1}/goals",
            {
                "group_id": gid(people, STEERING),
                "theme": "ANDT",
                "title": "Färre langare",
                "description": text,
            },
        ),
        "description",
    ),
    "assignment title": (
        "steering",
        lambda api, people, text: _post(
            f"{V1}/assignments",
            {
                "goal_id": _a_goal(api, people),
                "to_group_id": gid(people, COORDINATION),
                "title": text,
                "due": DAY,
            },
        ),
        "title",
    ),
    "place name": (
        "admin",
        lambda api, people, text: _post(
            f"{V1}/places", {"area_id": people["areas"]["Bro"]["id"], "name": text}
        ),
        "name",
    ),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_a_free_text_that_names_someone_is_refused_beside_its_field(
    server: Server, people: People, case: str
) -> None:
    who, setup, field = CASES[case]
    with as_(server, people, who) as api:
        write = setup(api, people, PERSON)
        refused = api.request(write.method, write.path, json=write.body, headers=write.headers)
        assert refused.status_code == 422, refused.text
        assert refused.headers["content-type"].startswith("application/problem+json")
        problem = refused.json()
        assert problem["code"] == "personal_data", problem
        (error,) = problem["errors"]
        assert (error["field"], error["code"]) == (field, "personal_data"), error
        assert "ett personnummer (19121212-1212)" in error["message"]
        assert "ett telefonnummer (070-123 45 67)" in error["message"]
        # The same write without the numbers goes through (with the same If-Match, so the
        # refused one changed nothing): it was the numbers that were refused.
        harmless = json.loads(json.dumps(write.body).replace(PERSON, "Anna Svensson"))
        accepted = api.request(write.method, write.path, json=harmless, headers=write.headers)
        assert accepted.status_code in (200, 201), accepted.text


def test_the_message_names_the_field(server: Server, people: People) -> None:
    with as_(server, people, "coordination") as api:
        refused = api.post(
            f"{V1}/interventions", json=_intervention(people, responsible="tel 070-123 45 67")
        )
    (error,) = refused.json()["errors"]
    assert error["message"].startswith(
        "Ansvarig ser ut att innehålla ett telefonnummer (070-123 45 67)."
    )
    assert error["message"].endswith("ta bort uppgiften.")  # nothing here confirms it


def test_where_the_body_may_confirm_it_the_confirmation_lets_it_through(
    server: Server, people: People
) -> None:
    with as_(server, people, "coordination") as api:
        draft, etag = _a_draft(api, people)
        refused = api.patch(
            f"{V1}/situation-reports/{draft}", json={"summary": PERSON}, headers={"If-Match": etag}
        )
        assert refused.status_code == 422
        assert "bekräfta" in refused.json()["errors"][0]["message"]
        confirmed = api.patch(
            f"{V1}/situation-reports/{draft}",
            json={"summary": PERSON, "confirm_personal_data": True},
            headers={"If-Match": etag},
        )
        assert confirmed.status_code == 200, confirmed.text
        # Elsewhere the flag is no field at all, so it cannot slip anything through.
        sneaked = api.post(
            f"{V1}/interventions",
            json={**_intervention(people, title=PERSON), "confirm_personal_data": True},
        )
        assert sneaked.status_code == 422


@pytest.mark.parametrize("field", ["address", "external_id", "report_id", "description"])
def test_an_imported_row_with_personal_data_is_rejected(
    server: Server, people: People, field: str
) -> None:
    with server.client(people["tokens"]["admin"]) as admin:
        token = _made(
            admin.post(
                f"{V1}/service-tokens",
                json={
                    "source": "embrace",
                    "organisation_id": people["organisations"]["Rapid Säkerhet"]["id"],
                },
            )
        )["token"]
    row = {
        "external_id": "E-1",
        "category": "skadegorelse.klotter",
        "occurred_from": f"{DAY} 21:30",
        "area": "Bro",
        field: PERSON,
    }
    with server.client(token) as tool:
        answer = _made(
            tool.post(f"{V1}/integrations/embrace/incidents:batch", json={"incidents": [row]})
        )
    (result,) = answer["items"]
    assert result["result"] == "rejected", result
    assert "ett personnummer (19121212-1212)" in result["reason"]


def test_text_already_stored_stays_readable(server: Server, people: People) -> None:
    # Text written before the guard, or before a newer libphonenumber knew a number range:
    # it was looked at when it was written, and an agenda built from it is not refused.
    with as_(server, people, "coordination") as api:
        meeting, _etag = _a_meeting(api, people)
        intervention = _an_intervention(api, people)
        with server.database.session(write=True) as session:
            stored = session.get(Meeting, meeting)
            assert stored is not None
            stored.agenda = [{"kind": "other", "title": PERSON, "note": PERSON, "ref_id": None}]
            due = session.get(Intervention, intervention)
            assert due is not None
            due.title = PERSON
        read = api.get(f"{V1}/meetings/{meeting}")
        assert read.status_code == 200, read.text
        assert read.json()["agenda"][0]["note"] == PERSON
        built = api.post(
            f"{V1}/groups/{gid(people, COORDINATION)}/meetings", json={"starts_at": f"{DAY}T15:00"}
        )
        assert built.status_code == 201, built.text
        assert f"Uppföljning: {PERSON}" in [item["title"] for item in built.json()["agenda"]]
