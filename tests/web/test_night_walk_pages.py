"""Night walks through the pages without JavaScript: an association's person books a walk
(refused beside the field with too few walkers), reports it after with an observation block
added, reports again without filing twice; the hosts register; the grant report as a page,
a CSV and a PDF; and those who book nothing get no form."""

from __future__ import annotations

import datetime as dt
import re

import httpx

from tests.support.pages import browser_for, csrf_of, found
from tests.support.people import People, oid
from tests.support.servers import Server, http_client
from tests.support.walks import (
    SISTERS,
    WALKERS,
    add_host,
    association_token,
    book,
    make_evening,
    past_friday,
    stamp,
    walk_body,
)

TRAINED = dt.date(2020, 1, 18)


def _browser(server: Server, token: str) -> httpx.Client:
    return http_client(base_url=server.url, timeout=60, cookies={"est_session": token})


def test_an_association_books_and_reports_a_walk(
    server: Server, api: httpx.Client, people: People
) -> None:
    day = past_friday()
    evening = make_evening(server, people, day)
    walkers = oid(people, WALKERS)
    host = add_host(api, walkers, "Vera Värd", TRAINED)
    token = association_token(server, api, people, WALKERS, "vandrare@est.test")
    with _browser(server, token) as browser:
        listing = browser.get("/nattvandringar")
        assert listing.status_code == 200
        assert "Boka en nattvandring" in listing.text and "Vera Värd" in listing.text
        csrf = csrf_of(listing.text)
        form = {
            "csrf_token": csrf,
            "forening": str(walkers),
            "kvall": str(evening),
            "vandrare": "2",
            "vard": str(host["id"]),
            "start": "19:00",
            "slut": "00:30",
            "rutt": "Bro centrum – Råby",
        }
        refused = browser.post("/nattvandringar", data=form)
        assert refused.status_code == 422
        assert re.search(
            r'id="vandrare-error"[^>]*>En nattvandring behöver minst tre vandrare\.', refused.text
        )
        assert 'value="Bro centrum – Råby"' in refused.text  # kept in the form
        booked = browser.post(
            "/nattvandringar", data=form | {"vandrare": "4"}, follow_redirects=False
        )
        assert booked.status_code == 303, booked.text[:500]
        url = booked.headers["location"].split("?")[0]
        page = browser.get(url).text
        assert "Vandringen är bokad." not in page  # only after the redirect's ?sparat
        assert "Rapportera vandringen" in page
        assert "Vera Värd" in page

        more = browser.post(
            f"{url}/rapport",
            data={"csrf_token": csrf, "antal": "1", "atgard": "lagg-till", "start": "19:10"},
        )
        assert more.status_code == 200 and 'id="iakttagelse-2"' in more.text
        assert 'value="19:10"' in more.text
        report = {
            "csrf_token": csrf,
            "atgard": "skicka",
            "start": "19:10",
            "slut": "00:10",
            "vandrare": "5",
            "sett": "Lugnt vid stationen.",
            "antal": "2",
            "o0-kategori": "skadegorelse.klotter",
            "o0-tid": "21:15",
            "o0-omrade": str(people["areas"]["Bro"]["id"]),
            "o0-plats": "",
            "o0-bedomning": "medium",
            "o0-text": "Ny klotter på tunneln.",
            **{f"o1-{name}": "" for name in ("kategori", "tid", "omrade", "plats", "text")},
        }
        no_time = browser.post(f"{url}/rapport", data=report | {"o0-tid": ""})
        assert no_time.status_code == 422 and 'id="o0-tid-error"' in no_time.text
        sent = browser.post(f"{url}/rapport", data=report, follow_redirects=False)
        assert sent.status_code == 303, sent.text[:500]
        done = browser.get(sent.headers["location"]).text
        assert "Rapporten är sparad." in done and "1 iakttagelse rapporterade" in done
        assert "5 tim, 25 persontimmar" in done
        again = browser.post(
            f"{url}/rapport", data=report | {"sett": "Lugnt hela kvällen."}, follow_redirects=False
        )
        assert again.status_code == 303
        done = browser.get(url).text
        assert "Lugnt hela kvällen." in done and "1 iakttagelse rapporterade" in done
        assert "redan rapporterade som händelser" in done


def test_the_hosts_register_page(server: Server, api: httpx.Client, people: People) -> None:
    walkers = oid(people, WALKERS)
    token = association_token(server, api, people, WALKERS, "vandrare@est.test")
    with _browser(server, token) as browser:
        page = browser.get(f"/foreningar/{walkers}/vandravardar")
        assert page.status_code == 200 and "Inga vandravärdar registrerade." in page.text
        csrf = csrf_of(page.text)
        refused = browser.post(
            f"/foreningar/{walkers}/vandravardar",
            data={"csrf_token": csrf, "namn": "Vera 811218-9876", "utbildad": "2020-01-18"},
        )
        assert refused.status_code == 422 and 'id="namn-error"' in refused.text
        added = browser.post(
            f"/foreningar/{walkers}/vandravardar",
            data={"csrf_token": csrf, "namn": "Vera Värd", "utbildad": "2020-01-18"},
            follow_redirects=False,
        )
        assert added.status_code == 303
        text = browser.get(added.headers["location"]).text
        assert "Vandravärden är tillagd." in text and "18 januari 2020" in text
        host = found(r'id="vard-(\d+)"', text)
        browser.post(
            f"/foreningar/{walkers}/vandravardar/{host}",
            data={"csrf_token": csrf, "aktiv": "nej"},
        )
        assert "Inaktiv" in browser.get(f"/foreningar/{walkers}/vandravardar").text
        other = browser.get(f"/foreningar/{oid(people, SISTERS)}/vandravardar")
        assert other.status_code == 403
    with browser_for(server, people, "reporter") as reporter:
        assert reporter.get(f"/foreningar/{walkers}/vandravardar").status_code == 403
        listing = reporter.get("/nattvandringar")
        assert listing.status_code == 200 and "Boka en nattvandring" not in listing.text


def test_the_grant_report_as_page_csv_and_pdf(
    server: Server, api: httpx.Client, people: People
) -> None:
    day = past_friday()
    evening = make_evening(server, people, day)
    walkers = oid(people, WALKERS)
    host = add_host(api, walkers, "Vera Värd", TRAINED)
    walk = book(api, walk_body(evening, walkers, day, [host["id"]], walkers=4))
    reported = api.post(
        f"/api/v1/night-walks/{walk['id']}/report",
        json={"started_at": stamp(day, 19), "ended_at": stamp(day, 22, 30), "walkers": 4},
    )
    assert reported.status_code == 200, reported.text
    term = f"{day.year}-{'VT' if day.month <= 6 else 'HT'}"
    with browser_for(server, people, "viewer") as viewer:
        page = viewer.get("/nattvandringar/bidrag", params={"termin": term})
        assert page.status_code == 200
        row = found(r"<tr><td>Nattvandrare \(föreningar\)</td>(.*?)</tr>", page.text)
        assert row == "<td>1</td><td>3,5</td><td>14</td>"
        assert f'href="/nattvandringar/bidrag.pdf?termin={term}"' in page.text
        wrong = viewer.get("/nattvandringar/bidrag", params={"termin": "1999-XY"})
        assert wrong.status_code == 422 and 'id="termin-error"' in wrong.text
        csv = viewer.get("/nattvandringar/bidrag.csv", params={"termin": term})
        assert csv.status_code == 200 and csv.headers["content-type"].startswith("text/csv")
        assert "Nattvandrare (föreningar);1;3,50;14,00" in csv.content.decode("utf-8-sig")
        pdf = viewer.get("/nattvandringar/bidrag.pdf", params={"termin": term})
        assert pdf.status_code == 200 and pdf.headers["content-type"] == "application/pdf"
        assert pdf.content.startswith(b"%PDF")
        walks = viewer.get("/nattvandringar").text
        assert f'href="/nattvandringar/{walk["id"]}"' in walks and "Rapporterad" in walks
        shown = viewer.get(f"/nattvandringar/{walk['id']}").text
        assert "Vera Värd" not in shown and "Rapportera vandringen" not in shown
