"""The reporter's own reports (#18) over HTTP: taking a withdrawal back (who may, its audit,
what is refused), "Mina rapporter" with each observation's status and unread feedback, and the
e-mail a reporter gets when feedback is recorded, read from a real SMTP server (aiosmtpd)."""

from __future__ import annotations

import time
from collections.abc import Iterator
from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import Any

import httpx
import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import select

from api.mail import OutgoingMail
from tests.support.factories import file_report
from tests.support.own_reports import feedback, filed, intervention
from tests.support.people import People, as_
from tests.support.servers import LiveServer, Server, free_port, settings_for
from web.embedded import create_embedded_app

V1 = "/api/v1"
PUBLIC = "https://est.example.se"
SEPTEMBER = {"first_day": "2025-09-01", "last_day": "2025-09-14"}


def mine(client: httpx.Client) -> dict[int, dict[str, Any]]:
    response = client.get(f"{V1}/me/reports")
    assert response.status_code == 200, response.text
    return {r["incident_id"]: r for r in response.json()["items"]}


# Taking a withdrawal back ---------------------------------------------------------------------


def test_the_reporter_takes_a_withdrawal_back_and_it_is_logged(
    server: Server, people: People, api: httpx.Client
) -> None:
    (incident,) = filed(server, people, "2025-09-03")
    with as_(server, people, "reporter") as reporter:
        not_yet = reporter.post(f"{V1}/incidents/{incident}/restore")
        assert not_yet.status_code == 409, not_yet.text
        assert not_yet.json()["code"] == "not_withdrawn"
        assert "inte återkallad" in not_yet.json()["detail"]
        gone = reporter.post(f"{V1}/incidents/{incident}/withdraw", json={"reason": "mistake"})
        assert gone.status_code == 200 and gone.json()["withdrawn"] is True
        assert gone.json()["may_restore"] is True and gone.json()["may_edit"] is False
        back = reporter.post(f"{V1}/incidents/{incident}/restore")
        assert back.status_code == 200, back.text
        read = back.json()
        assert (read["withdrawn"], read["withdrawn_reason"], read["may_restore"]) == (
            False,
            None,
            False,
        )
        assert read["may_edit"] is True
    # Counted again: in the lists of those who read Bro.
    with as_(server, people, "viewer") as viewer:
        listed = viewer.get(f"{V1}/incidents", params={"limit": 100}).json()["items"]
        assert incident in [i["id"] for i in listed]
    events = api.get(
        f"{V1}/audit-events", params={"object_type": "incidents", "limit": 200}
    ).json()["items"]
    done = [(e["action"], e["detail"]) for e in events if e["object_id"] == str(incident)]
    assert ("restore", "reason=mistake") in done and ("withdraw", "reason=mistake") in done
    (restored,) = [e for e in events if e["action"] == "restore"]
    assert restored["user_id"] == people["users"]["reporter"]["id"]


def test_a_convener_takes_it_back_and_others_may_not(server: Server, people: People) -> None:
    first, second = filed(server, people, "2025-09-03", "2025-09-04")
    with as_(server, people, "viewer") as viewer:
        # The viewer reads it but changes nothing: refused in the policy's words.
        refused = viewer.post(f"{V1}/incidents/{first}/restore")
        assert refused.status_code == 403, refused.text
        assert "Bara den som rapporterade" in refused.json()["detail"]
    with as_(server, people, "reporter") as reporter:
        for incident in (first, second):
            withdrawn = reporter.post(
                f"{V1}/incidents/{incident}/withdraw", json={"reason": "duplicate"}
            )
            assert withdrawn.status_code == 200
    with as_(server, people, "viewer") as viewer:
        # Once withdrawn it is gone for them, as for every reader who may not change it.
        assert viewer.post(f"{V1}/incidents/{first}/restore").status_code == 404
    with as_(server, people, "kungsangen") as other_area:
        assert other_area.post(f"{V1}/incidents/{first}/restore").status_code == 404
    with as_(server, people, "coordination") as convener:
        back = convener.post(f"{V1}/incidents/{first}/restore")
        assert back.status_code == 200, back.text
        assert back.json()["withdrawn"] is False
    with as_(server, people, "reporter") as reporter:
        assert reporter.get(f"{V1}/incidents/{second}").json()["withdrawn"] is True


def test_a_withdrawal_for_personal_data_is_not_taken_back(server: Server, people: People) -> None:
    bro = people["areas"]["Bro"]["id"]
    report = file_report(
        server,
        people["tokens"]["reporter"],
        {"area_id": bro, "occurred_from": "2025-09-03T21:30", "description": "Klotter på muren"},
    )
    incident = report["incidents"][0]["id"]
    with as_(server, people, "reporter") as reporter:
        gone = reporter.post(
            f"{V1}/incidents/{incident}/withdraw", json={"reason": "personal_data"}
        )
        assert gone.status_code == 200
        assert gone.json()["description"] is None and gone.json()["may_restore"] is False
        refused = reporter.post(f"{V1}/incidents/{incident}/restore")
        assert refused.status_code == 409, refused.text
        assert refused.json()["code"] == "personal_data_removed"
        assert "personuppgifter" in refused.json()["detail"]
        assert reporter.get(f"{V1}/incidents/{incident}").json()["withdrawn"] is True


# Mina rapporter -------------------------------------------------------------------------------


def test_own_reports_carry_their_status_and_unread_feedback(server: Server, people: People) -> None:
    # October's stays out of September's lägesbild: it stays new.
    new, counted, linked, told = filed(
        server, people, "2025-10-20", "2025-09-03", "2025-09-04", "2025-09-05"
    )
    with as_(server, people, "reporter") as reporter:
        first = reporter.get(f"{V1}/me/reports", params={"limit": 3}).json()
        rest = reporter.get(first["next"]).json()
        assert rest["next"] is None
        listed = first["items"] + rest["items"]
        # Newest filed first; all new.
        assert [r["incident_id"] for r in listed] == [told, linked, counted, new]
        assert {r["status"] for r in listed} == {"new"}
        assert listed[0]["category"] and listed[0]["area"] == "Bro"
    with as_(server, people, "coordination") as convener:
        draft = convener.post(
            f"{V1}/groups/{people['groups']['EST samordningsgrupp']['id']}/situation-reports",
            json=SEPTEMBER,
        ).json()
        with as_(server, people, "reporter") as reporter:
            # A draft is not yet the group's picture.
            assert {r["status"] for r in mine(reporter).values()} == {"new"}
        published = convener.post(f"{V1}/situation-reports/{draft['id']}/publish")
        assert published.status_code == 200, published.text
        feedback(convener, intervention(convener, people, [linked]), to_reporters=False)
        answered = intervention(convener, people, [told])
        feedback(convener, answered, to_reporters=True)
    with as_(server, people, "reporter") as reporter:
        own = mine(reporter)
        assert {i: r["status"] for i, r in own.items()} == {
            new: "new",
            counted: "in_situation",
            linked: "in_intervention",
            told: "fed_back",
        }
        assert [i for i, r in own.items() if r["unread_feedback"]] == [told]
        assert own[told]["fed_back_on"] == "2025-10-02"
        seen = reporter.post(f"{V1}/me/reports/{told}/seen")
        assert seen.status_code == 204, seen.text
        assert not any(r["unread_feedback"] for r in mine(reporter).values())
        # Someone else's observation has no marker to move.
        assert reporter.post(f"{V1}/me/reports/999999/seen").status_code == 404
    with as_(server, people, "coordination") as convener:
        feedback(convener, answered, to_reporters=True)
        assert convener.post(f"{V1}/me/reports/{told}/seen").status_code == 404
        assert mine(convener) == {}
    with as_(server, people, "reporter") as reporter:
        assert mine(reporter)[told]["unread_feedback"] is True


# The e-mail when feedback arrives -------------------------------------------------------------


class Inbox:
    """What the SMTP server received."""

    def __init__(self) -> None:
        self.messages: list[tuple[list[str], EmailMessage]] = []

    async def handle_DATA(self, _server: Any, _session: Any, envelope: Any) -> str:
        parsed = message_from_bytes(envelope.content, _class=EmailMessage, policy=policy.default)
        self.messages.append((list(envelope.rcpt_tos), parsed))
        return "250 Message accepted for delivery"

    def wait(self, count: int, seconds: float = 10) -> None:
        deadline = time.monotonic() + seconds
        while len(self.messages) < count and time.monotonic() < deadline:
            time.sleep(0.05)
        assert len(self.messages) >= count, self.messages


@pytest.fixture
def smtp() -> Iterator[tuple[Inbox, int]]:
    inbox = Inbox()
    port = free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield inbox, port
    finally:
        controller.stop()


@pytest.fixture
def mailing(server: Server, smtp: tuple[Inbox, int]) -> Iterator[Server]:
    """The same database served by an app that sends e-mail to the test's SMTP server."""
    settings = settings_for(
        str(server.settings.database_url),
        smtp_host="127.0.0.1",
        smtp_port=smtp[1],
        smtp_from="est@kommun.example.se",
        public_url=PUBLIC,
    )
    live = LiveServer(create_embedded_app(settings)).start()
    try:
        yield Server(live.url, server.database, server.backend, settings)
    finally:
        live.stop()


def settled(server: Server, seconds: float = 10) -> list[OutgoingMail]:
    """The outbox once the sending after the response has finished: what still waits."""
    deadline = time.monotonic() + seconds
    while (left := waiting(server)) and time.monotonic() < deadline:
        time.sleep(0.05)
    return left


def waiting(server: Server) -> list[OutgoingMail]:
    with server.database.session(write=False) as session:
        found = list(session.scalars(select(OutgoingMail)))
        session.expunge_all()
    return found


def test_the_reporter_is_mailed_when_feedback_arrives_and_can_turn_it_off(
    mailing: Server, people: People, smtp: tuple[Inbox, int]
) -> None:
    inbox, _port = smtp
    (incident,) = filed(mailing, people, "2025-09-03")
    with as_(mailing, people, "coordination") as convener:
        answered = intervention(convener, people, [incident])
        # Told only to an organisation: the reporter is not told, and gets no e-mail.
        feedback(convener, answered, to_reporters=False)
        feedback(convener, answered, to_reporters=True)
    inbox.wait(1)
    ((recipients, message),) = inbox.messages
    assert recipients == [people["users"]["reporter"]["email"]]
    assert message["To"] == people["users"]["reporter"]["email"]
    assert message["From"] == "est@kommun.example.se"
    assert message["Subject"] == "Återkoppling på det du rapporterat till EST"
    body = message.get_content()
    assert f"{PUBLIC}/handelser/{incident}" in body
    # Nothing anyone wrote: not the feedback's text.
    assert "sanerat" not in body
    assert settled(mailing) == []

    with as_(mailing, people, "reporter") as reporter:
        off = reporter.patch(f"{V1}/auth/me", json={"feedback_email": False})
        assert off.status_code == 200, off.text
        assert off.json()["feedback_email"] is False
        assert reporter.get(f"{V1}/auth/me").json()["feedback_email"] is False
    with as_(mailing, people, "coordination") as convener:
        feedback(convener, answered, to_reporters=True)
    time.sleep(1)
    assert len(inbox.messages) == 1 and settled(mailing) == []


def test_feedback_is_recorded_when_smtp_is_down_and_the_mail_waits(
    mailing: Server, people: People, smtp: tuple[Inbox, int]
) -> None:
    inbox, port = smtp
    (incident,) = filed(mailing, people, "2025-09-03")
    with as_(mailing, people, "coordination") as convener:
        answered = intervention(convener, people, [incident])
    # Nothing listens on the port any more.
    controller_down = mailing.settings.model_copy(update={"smtp_port": free_port()})
    live = LiveServer(create_embedded_app(controller_down)).start()
    try:
        down = Server(live.url, mailing.database, mailing.backend, controller_down)
        with as_(down, people, "coordination") as convener:
            feedback(convener, answered, to_reporters=True)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and not any(m.attempts for m in waiting(mailing)):
            time.sleep(0.05)
        (kept,) = waiting(mailing)
        assert kept.attempts == 1 and kept.to_address == people["users"]["reporter"]["email"]
    finally:
        live.stop()
    assert inbox.messages == []
    # With SMTP back, a server's own round (EST_SMTP_RETRY_MINUTES) sends what waited,
    # without anyone recording feedback again.
    retrying = mailing.settings.model_copy(update={"smtp_retry_minutes": 0.01})
    live = LiveServer(create_embedded_app(retrying)).start()
    try:
        inbox.wait(1)
        assert [r for r, _m in inbox.messages] == [[people["users"]["reporter"]["email"]]]
        assert settled(mailing) == []
    finally:
        live.stop()
    # The next feedback sends its own at once.
    with as_(mailing, people, "coordination") as convener:
        feedback(convener, answered, to_reporters=True)
    inbox.wait(2)
    assert [r for r, _m in inbox.messages] == [[people["users"]["reporter"]["email"]]] * 2
    assert settled(mailing) == []
    del port
