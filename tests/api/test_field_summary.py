"""What happened in the field since the last meeting (#19, point 5): per evening its shifts,
log posts, observations from the log and night walks, per guard report day its rounds and
observations; on the next meeting's agenda ("Kvällar och bevakning sedan förra mötet") and in
the lägesbild of the period, each counted for its reader's scope. Expected values are worked
out here from what the test planted."""

from __future__ import annotations

import datetime as dt
from typing import Any

from tests.support import field
from tests.support.field import local, service_token
from tests.support.people import People, as_, gid
from tests.support.servers import Server

V1 = "/api/v1"
COORDINATION = "EST samordningsgrupp"
KUNGSANGEN = "EST områdesgrupp Kungsängen"
STEERING = "EST styrgrupp"
TODAY = field.today()
BRO_DAY = TODAY - dt.timedelta(days=4)
WHOLE_DAY = TODAY - dt.timedelta(days=3)
GUARD_DAY = TODAY - dt.timedelta(days=2)
PERIOD = {
    "first_day": (TODAY - dt.timedelta(days=13)).isoformat(),
    "last_day": TODAY.isoformat(),
}


def _ids(report: dict[str, Any]) -> list[int]:
    return [int(i["id"]) for i in report["incidents"]]


def _field(server: Server, people: People, who: str, group: str) -> Any:
    """The field's figures of the group's lägesbild for PERIOD, as ``who`` reads them."""
    with as_(server, people, who) as client:
        figures = client.get(f"{V1}/groups/{gid(people, group)}/situation", params=PERIOD)
    assert figures.status_code == 200, figures.text
    return figures.json()["field"]


def _plant(server: Server, people: People) -> None:
    """Three evenings: Bro's, the whole municipality's and Kungsängen's; a night walk; a
    guard report. Observations in Bro and Kungsängen, one of them later withdrawn."""
    bro = field.evening(server, people, BRO_DAY, "Bro")
    whole = field.evening(server, people, WHOLE_DAY, None, kind="valborg")
    kungsangen = field.evening(server, people, WHOLE_DAY, "Kungsängen")
    field.shift(server, people, bro, "Fältgruppen", persons=3)
    field.shift(server, people, bro, "Polisen, lokalpolisområde", persons=2)
    field.shift(server, people, whole, "Rapid Säkerhet", persons=2)
    field.shift(server, people, kungsangen, "Fältgruppen", persons=4)

    # Bro: three posts, one made an observation in Bro.
    (bro_seen,) = _ids(field.observed(server, people, BRO_DAY, "Bro"))
    field.post(server, bro, incident_id=bro_seen)
    field.post(server, bro)
    field.post(server, bro)
    # The whole municipality's: one observation in Bro, one in Kungsängen, one withdrawn.
    in_bro, in_kva, gone = _ids(
        field.observed(server, people, WHOLE_DAY, "Bro", "Kungsängen", "Kungsängen")
    )
    for incident in (in_bro, in_kva, gone):
        field.post(server, whole, incident_id=incident)
    with as_(server, people, "admin") as admin:
        withdrawn = admin.post(f"{V1}/incidents/{gone}/withdraw", json={"reason": "mistake"})
        assert withdrawn.status_code == 200, withdrawn.text
    # Kungsängen: one post, an observation there.
    (kva_seen,) = _ids(field.observed(server, people, WHOLE_DAY, "Kungsängen"))
    field.post(server, kungsangen, incident_id=kva_seen)
    # A walk on Bro's evening of four for three hours, whose report holds one observation;
    # a cancelled one does not count.
    walked = field.observed(server, people, BRO_DAY, "Bro")
    field.walk(server, people, bro, walkers=4, hours=3, report_id=walked["id"])
    field.walk(server, people, bro, walkers=5, hours=2, cancelled=True)

    token = service_token(server, people)
    seen = {
        "category": "Klotter",
        "occurred_from": local(GUARD_DAY, 22).isoformat(),
        "assessment": "Låg",
    }
    field.guard_day(
        server,
        token,
        GUARD_DAY,
        [(21, 23, "Bro centrum"), (25, 26, "Kungsängens station")],
        [
            {**seen, "external_id": "G-1", "area": "Bro"},
            {**seen, "external_id": "G-2", "area": "Kungsängen"},
        ],
    )


def test_the_lagesbild_sums_up_the_evenings_for_the_whole_municipality(
    server: Server, people: People
) -> None:
    _plant(server, people)
    summary = _field(server, people, "coordination", COORDINATION)
    assert [e["area"]["name"] if e["area"] else None for e in summary["evenings"]] == [
        "Bro",
        None,
        "Kungsängen",
    ]
    bro, whole, kungsangen = summary["evenings"]
    assert (bro["shifts"], bro["people"], bro["posts"], bro["observations"]) == (2, 5, 3, 1)
    assert bro["organisations"] == ["Fältgruppen", "Polisen, lokalpolisområde"]
    assert (bro["walks"], bro["walkers"], bro["walk_hours"], bro["walk_observations"]) == (
        1,
        4,
        3.0,
        1,
    )
    # The withdrawn observation is not counted; its post is.
    assert (whole["whole"], whole["posts"], whole["observations"]) == (True, 3, 2)
    assert (kungsangen["posts"], kungsangen["observations"]) == (1, 1)
    totals = {k: summary[k] for k in ("shifts", "people", "posts", "observations", "walks")}
    assert totals == {"shifts": 4, "people": 11, "posts": 7, "observations": 4, "walks": 1}
    (guard,) = summary["guard_days"]
    assert (guard["day"], guard["rounds"], guard["observations"]) == (GUARD_DAY.isoformat(), 2, 2)
    assert guard["id"] is not None
    assert (summary["guard_rounds"], summary["guard_observations"]) == (2, 2)


def test_an_area_reader_counts_their_area_and_the_whole_municipalitys_observations_there(
    server: Server, people: People
) -> None:
    _plant(server, people)
    summary = _field(server, people, "kungsangen", KUNGSANGEN)
    # Not Bro's evening; the whole municipality's, only its observation in Kungsängen.
    whole, kungsangen = summary["evenings"]
    assert whole["area"] is None and whole["whole"] is False
    assert (whole["shifts"], whole["posts"], whole["observations"]) == (0, 0, 1)
    assert whole["organisations"] == []
    assert kungsangen["whole"] is True
    assert (kungsangen["shifts"], kungsangen["people"], kungsangen["posts"]) == (1, 4, 1)
    assert (summary["posts"], summary["observations"], summary["walks"]) == (1, 2, 0)
    # The guard report: only its observation in Kungsängen, not its rounds nor its id.
    (guard,) = summary["guard_days"]
    assert (guard["id"], guard["rounds"], guard["observations"]) == (None, None, 1)


def test_nothing_in_the_field_adds_nothing(server: Server, people: People) -> None:
    assert _field(server, people, "coordination", COORDINATION) is None
    with as_(server, people, "coordination") as convener:
        meeting = convener.post(
            f"{V1}/groups/{gid(people, COORDINATION)}/meetings",
            json={"starts_at": f"{TODAY + dt.timedelta(days=1)}T10:00"},
        ).json()
    assert all(item["kind"] != "field" for item in meeting["agenda"])


def test_the_next_meetings_agenda_names_the_field_for_its_group(
    server: Server, people: People
) -> None:
    _plant(server, people)
    starts = f"{TODAY + dt.timedelta(days=1)}T10:00"
    with as_(server, people, "coordination") as convener:
        made = convener.post(
            f"{V1}/groups/{gid(people, COORDINATION)}/meetings", json={"starts_at": starts}
        )
        assert made.status_code == 201, made.text
    (item,) = [i for i in made.json()["agenda"] if i["kind"] == "field"]
    assert item["title"] == "Kvällar och bevakning sedan förra mötet"
    assert item["note"] == (
        "3 kvällar: 4 pass (3 organisationer, 11 personer), 7 loggposter, "
        "4 iakttagelser ur loggen. 1 nattvandring (4 vandrare, 3 timmar), 1 iakttagelse. "
        "Bevakning: 1 dagrapport, 2 rundor, 2 iakttagelser."
    )
    assert (item["first_day"], item["last_day"]) == (PERIOD["first_day"], PERIOD["last_day"])

    with as_(server, people, "kungsangen") as member:
        made = member.post(
            f"{V1}/groups/{gid(people, KUNGSANGEN)}/meetings", json={"starts_at": starts}
        )
        assert made.status_code == 201, made.text
    (item,) = [i for i in made.json()["agenda"] if i["kind"] == "field"]
    assert item["note"] == (
        "2 kvällar: 1 pass (1 organisation, 4 personer), 1 loggpost, "
        "2 iakttagelser ur loggen. Bevakning: 1 dagrapport, 1 iakttagelse."
    )

    # The steering group's agenda is about strategy: no evenings on it.
    with as_(server, people, "admin") as admin:
        made = admin.post(
            f"{V1}/groups/{gid(people, STEERING)}/meetings", json={"starts_at": starts}
        )
        assert made.status_code == 201, made.text
    assert all(i["kind"] != "field" for i in made.json()["agenda"])
