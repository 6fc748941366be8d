"""The lägesbild pages as a browser without JavaScript (and htmx) uses them: the group's live
figures, writing a draft together, publishing, versions, and the projector, print and PDF."""

from __future__ import annotations

import datetime as dt
import html
import re
import time
from typing import Any
from zoneinfo import ZoneInfo

import httpx

from tests.support.factories import file_report
from tests.support.pages import browser_for, csrf_of
from tests.support.people import People
from tests.support.servers import Server

STOCKHOLM = ZoneInfo("Europe/Stockholm")
MONTHS_SV = (
    "januari", "februari", "mars", "april", "maj", "juni",
    "juli", "augusti", "september", "oktober", "november", "december",
)  # fmt: skip
COORDINATION = "EST samordningsgrupp"
KUNGSANGEN = "EST områdesgrupp Kungsängen"
BRO = "EST områdesgrupp Bro"


def today() -> dt.date:
    return dt.datetime.now(STOCKHOLM).date()


def sv(day: dt.date) -> str:
    return f"{day.day} {MONTHS_SV[day.month - 1]} {day.year}"


def local(day: dt.date, hour: int, minute: int = 0) -> str:
    """A time on a day, Swedish local time, as the API takes it."""
    return dt.datetime(day.year, day.month, day.day, hour, minute).isoformat(timespec="minutes")


def plant(server: Server, people: People) -> dict[str, int]:
    """Three incidents in the last few days (two in Bro, one in Kungsängen) and two in
    Kungsängen some forty days ago, outside the default 14 days."""
    bro, kungsangen = people["areas"]["Bro"]["id"], people["areas"]["Kungsängen"]["id"]
    d = today()
    file_report(
        server,
        people["tokens"]["admin"],
        {"area_id": bro, "occurred_from": local(d - dt.timedelta(days=1), 12)},
        {"area_id": bro, "occurred_from": local(d - dt.timedelta(days=3), 21, 30)},
        {"area_id": kungsangen, "occurred_from": local(d - dt.timedelta(days=2), 8, 15)},
        {"area_id": kungsangen, "occurred_from": local(d - dt.timedelta(days=40), 22)},
        {"area_id": kungsangen, "occurred_from": local(d - dt.timedelta(days=41), 23)},
    )
    return {"recent": 3, "recent_kungsangen": 1, "earlier": 2}


def total_of(page: str) -> int:
    """The first key figure: the number of incidents in the period."""
    found = re.search(
        r'<span class="key-value">(\d+)</span>\s*<span class="key-label">händelser?<', page
    )
    assert found, "no total among the key figures"
    return int(found[1])


def etag_of(page: str) -> str:
    found = re.search(r'name="etag" value="([^"]*)"', page)
    assert found, "no etag in the page"
    return html.unescape(found[1])


def textarea(page: str, name: str) -> str:
    found = re.search(rf'<textarea id="{name}"[^>]*>(.*?)</textarea>', page, re.S)
    assert found, f"no textarea {name}"
    return html.unescape(found[1])


def text_form(page: str, **texts: str) -> dict[str, str]:
    """The text form as the browser sends it: every field, as shown unless given."""
    return {
        "csrf_token": csrf_of(page),
        "etag": etag_of(page),
        **{name: texts.get(name, textarea(page, name)) for name in FIELDS},
    }


FIELDS = ("summary", "analysis", "assessment", "proposals")


def report_id_of(response: httpx.Response) -> int:
    assert response.status_code == 303, response.text[:500]
    found = re.fullmatch(r"/lagesbild/(\d+)", response.headers["location"])
    assert found, response.headers["location"]
    return int(found[1])


def api_draft(server: Server, token: str, group_id: int, summary: str = "") -> int:
    with server.client(token) as client:
        created = client.post(f"/api/v1/groups/{group_id}/situation-reports", json={})
        assert created.status_code == 201, created.text
        if summary:
            saved = client.patch(
                f"/api/v1/situation-reports/{created.json()['id']}",
                json={"summary": summary},
                headers={"If-Match": created.headers["ETag"]},
            )
            assert saved.status_code == 200, saved.text
    return int(created.json()["id"])


def api_report(server: Server, token: str, report_id: int) -> dict[str, Any]:
    with server.client(token) as client:
        response = client.get(f"/api/v1/situation-reports/{report_id}")
    assert response.status_code == 200, response.text
    result: dict[str, Any] = response.json()
    return result


def test_the_groups_page_shows_the_default_periods_figures_and_who_may_start_a_draft(
    server: Server, people: People
) -> None:
    planted = plant(server, people)
    group = people["groups"][COORDINATION]["id"]
    last = today()
    first = last - dt.timedelta(days=13)
    with browser_for(server, people, "coordination") as convener:
        page = convener.get(f"/grupper/{group}/lagesbild")
    assert page.status_code == 200, page.text[:500]
    assert total_of(page.text) == planted["recent"]
    line = re.search(r'<p class="period-line" id="period-line">(.*?)</p>', page.text, re.S)
    assert line
    assert f"{sv(first)} – {sv(last)}" in line[1]
    assert "14 dagar, hela kommunen" in line[1]
    charts = re.findall(r'<svg class="chart".*?</svg>', page.text, re.S)
    assert len(charts) >= 4
    for chart in charts:
        assert "<title" in chart and "<desc" in chart, chart[:200]
    assert "Skapa lägesbild för perioden" in page.text
    assert f'name="fran" value="{first.isoformat()}"' in page.text
    assert f'name="till" value="{last.isoformat()}"' in page.text

    with browser_for(server, people, "viewer") as viewer:
        seen = viewer.get(f"/grupper/{group}/lagesbild")
    assert seen.status_code == 200
    assert total_of(seen.text) == planted["recent"]
    assert len(re.findall(r'<svg class="chart"', seen.text)) >= 4
    assert "Skapa lägesbild för perioden" not in seen.text
    assert f'action="/grupper/{group}/lagesbild" method="post"' not in seen.text


def test_the_place_table_keeps_a_place_that_had_incidents_only_before(
    server: Server, people: People
) -> None:
    with server.client(people["tokens"]["admin"]) as admin:
        listed = admin.get("/api/v1/places", params={"limit": 200}).json()["items"]
    raby = next(p for p in listed if p["name"] == "Råby")
    earlier = local(today() - dt.timedelta(days=20), 12)  # the default 14 days' previous
    where = {"area_id": raby["area_id"], "place_id": raby["id"]}
    file_report(server, people["tokens"]["admin"], *[{**where, "occurred_from": earlier}] * 2)
    with browser_for(server, people, "coordination") as convener:
        page = convener.get(f"/grupper/{people['groups'][BRO]['id']}/lagesbild")
    assert page.status_code == 200, page.text[:500]
    table = re.search(r"<caption>Platser</caption>.*?</table>", page.text, re.S)
    assert table and '<th scope="col">I fjol</th>' in table[0]
    row = re.search(
        r'<th scope="row">Råby .*?</th><td[^>]*>(\d+)</td><td[^>]*>(\d+)</td><td[^>]*>(\d+)</td>',
        table[0],
    )
    assert row and row.groups() == ("0", "2", "0"), table[0]


def test_htmx_asks_for_only_the_figures_of_another_period(server: Server, people: People) -> None:
    planted = plant(server, people)
    group = people["groups"][COORDINATION]["id"]
    first, last = today() - dt.timedelta(days=45), today() - dt.timedelta(days=35)
    with browser_for(server, people, "coordination") as convener:
        part = convener.get(
            f"/grupper/{group}/lagesbild",
            params={"fran": first.isoformat(), "till": last.isoformat()},
            headers={"HX-Request": "true"},
        )
    assert part.status_code == 200, part.text[:500]
    assert "<html" not in part.text and "<h1" not in part.text
    assert part.text.lstrip().startswith('<div id="figures"')
    assert total_of(part.text) == planted["earlier"]
    assert f"{sv(first)} – {sv(last)}" in part.text and "11 dagar" in part.text
    assert f'name="fran" value="{first.isoformat()}"' in part.text


def test_a_bad_period_is_told_beside_its_field(server: Server, people: People) -> None:
    group = people["groups"][COORDINATION]["id"]
    url = f"/grupper/{group}/lagesbild"
    d = today()
    with browser_for(server, people, "coordination") as convener:
        reversed_ = convener.get(
            url, params={"fran": d.isoformat(), "till": (d - dt.timedelta(days=3)).isoformat()}
        )
        assert reversed_.status_code == 422, reversed_.text[:500]
        assert re.search(r'<p class="field-error" id="till-error"[^>]*>[^<]+</p>', reversed_.text)
        assert 'aria-describedby="till-error"' in reversed_.text

        word = convener.get(url, params={"fran": "igår"})
        assert word.status_code == 422, word.text[:500]
        assert re.search(r'<p class="field-error" id="fran-error"[^>]*>[^<]*ÅÅÅÅ-MM-DD', word.text)
        assert 'value="igår"' in word.text  # what was typed stays in the field

        # A first day after today alone: the period would end today, before it begins.
        ahead = convener.get(url, params={"fran": (d + dt.timedelta(days=2)).isoformat()})
        assert ahead.status_code == 422, ahead.text[:500]
        told = re.search(r'<p class="field-error" id="fran-error"[^>]*>([^<]+)</p>', ahead.text)
        assert told and "efter i dag" in told[1] and "före" not in told[1], ahead.text[:2000]

        # Longer than the API takes: its own 422 is shown beside the field too.
        too_long = convener.get(
            url, params={"fran": (d - dt.timedelta(days=400)).isoformat(), "till": d.isoformat()}
        )
        assert too_long.status_code == 422, too_long.text[:500]
        assert re.search(r'<p class="field-error" id="fran-error"[^>]*>[^<]*366', too_long.text)

        # Creating a draft for a reversed period is refused, not a server error.
        page = convener.get(url)
        refused = convener.post(
            url,
            data={
                "csrf_token": csrf_of(page.text),
                "fran": d.isoformat(),
                "till": (d - dt.timedelta(days=3)).isoformat(),
            },
        )
        assert refused.status_code == 422, refused.text[:500]
    with server.client(people["tokens"]["coordination"]) as client:
        assert client.get(f"/api/v1/groups/{group}/situation-reports").json() == []


def test_starting_a_second_lagesbild_of_the_same_days_points_to_the_first(
    server: Server, people: People
) -> None:
    group = people["groups"][COORDINATION]["id"]
    d = today()
    period = {"fran": (d - dt.timedelta(days=6)).isoformat(), "till": d.isoformat()}
    with browser_for(server, people, "coordination") as convener:
        page = convener.get(f"/grupper/{group}/lagesbild", params=period)
        first = report_id_of(
            convener.post(
                f"/grupper/{group}/lagesbild", data={"csrf_token": csrf_of(page.text), **period}
            )
        )
        page = convener.get(f"/grupper/{group}/lagesbild", params=period)
        again = convener.post(
            f"/grupper/{group}/lagesbild", data={"csrf_token": csrf_of(page.text), **period}
        )
    assert again.status_code == 409, again.text[:500]
    assert "<h1>Lägesbild för" in again.text  # the group's page, not an error page
    told = re.search(r'<p class="form-error" role="alert" id="refused">(.*?)</p>', again.text, re.S)
    assert told, again.text[:2000]
    assert f"lägesbild {first}, version 1, ett utkast" in html.unescape(told[1])
    assert (
        f'<a href="/lagesbild/{first}">Öppna lägesbilden för {sv(d - dt.timedelta(days=6))}'
        in (told[1])
    )
    assert 'aria-describedby="refused"' in again.text
    assert total_of(again.text) == 0  # the figures of the period are still there
    with server.client(people["tokens"]["coordination"]) as client:
        listed = client.get(f"/api/v1/groups/{group}/situation-reports").json()
    assert [r["id"] for r in listed] == [first]


def test_two_people_saving_the_same_draft_see_the_difference_and_nothing_is_lost(
    server: Server, people: People
) -> None:
    group = people["groups"][COORDINATION]["id"]
    d = today()
    with browser_for(server, people, "coordination") as convener:
        page = convener.get(f"/grupper/{group}/lagesbild")
        created = convener.post(
            f"/grupper/{group}/lagesbild",
            data={
                "csrf_token": csrf_of(page.text),
                "fran": (d - dt.timedelta(days=6)).isoformat(),
                "till": d.isoformat(),
            },
        )
        report_id = report_id_of(created)
        draft = convener.get(f"/lagesbild/{report_id}")
        assert draft.status_code == 200
        assert f"{sv(d - dt.timedelta(days=6))} – {sv(d)}" in draft.text
        stale = text_form(draft.text)

        theirs = "Klotter ökar kraftigt vid stationen"
        saved = convener.post(f"/lagesbild/{report_id}", data={**stale, "summary": theirs})
        assert saved.status_code == 303, saved.text[:500]
        assert saved.headers["location"] == f"/lagesbild/{report_id}?sparad=1"
        after = convener.get(saved.headers["location"])
        assert "Texten är sparad." in after.text
        assert textarea(after.text, "summary") == theirs
        assert etag_of(after.text) != stale["etag"]

        mine = "Klotter minskar kraftigt vid skolan"
        clash = convener.post(f"/lagesbild/{report_id}", data={**stale, "summary": mine})
        assert clash.status_code == 409, clash.text[:500]
        box = re.search(r'<div[^>]*id="conflict"[^>]*>(.*?)</div>', clash.text, re.S)
        assert box, "no conflict box"
        assert "<del>ökar</del>" in box[1] and "<ins>minskar</ins>" in box[1]
        assert "<del>stationen</del>" in box[1] and "<ins>skolan</ins>" in box[1]
        assert "<del>Klotter" not in box[1] and "<ins>Klotter" not in box[1]
        assert textarea(clash.text, "summary") == mine
        assert api_report(server, people["tokens"]["coordination"], report_id)["summary"] == theirs

        # The page came back with the current etag: saving again on purpose works.
        again = convener.post(f"/lagesbild/{report_id}", data=text_form(clash.text))
        assert again.status_code == 303, again.text[:500]
    assert api_report(server, people["tokens"]["coordination"], report_id)["summary"] == mine


def test_a_member_writes_the_convener_publishes_and_then_it_is_locked(
    server: Server, people: People, api: httpx.Client
) -> None:
    planted = plant(server, people)
    group = people["groups"][KUNGSANGEN]["id"]
    # The coordinator also convenes the Kungsängen group, to publish its lägesbild.
    made = api.put(
        f"/api/v1/groups/{group}/memberships/{people['users']['coordination']['id']}",
        json={"role": "convener"},
    )
    assert made.status_code in {200, 201}, made.text
    with browser_for(server, people, "kungsangen") as member:
        live = member.get(f"/grupper/{group}/lagesbild")
        assert live.status_code == 200, live.text[:500]
        assert total_of(live.text) == planted["recent_kungsangen"]  # the area only
        assert "Kungsängen)" in live.text
        report_id = report_id_of(
            member.post(
                f"/grupper/{group}/lagesbild",
                data={"csrf_token": csrf_of(live.text), "fran": "", "till": ""},
            )
        )
        draft = member.get(f"/lagesbild/{report_id}")
        assert draft.status_code == 200
        assert 'id="publish"' not in draft.text and "/publicera" not in draft.text
        assert "Gruppens sammankallande publicerar lägesbilden." in draft.text
        stale = text_form(draft.text, summary="Lugnt i Kungsängen centrum.")
        saved = member.post(f"/lagesbild/{report_id}", data=stale)
        assert saved.status_code == 303, saved.text[:500]

        with browser_for(server, people, "coordination") as convener:
            page = convener.get(f"/lagesbild/{report_id}")
            assert 'id="publish"' in page.text
            form = re.search(r'<form action="/lagesbild/\d+/publicera".*?</form>', page.text, re.S)
            assert form
            published = convener.post(
                f"/lagesbild/{report_id}/publicera",
                data={"csrf_token": csrf_of(form[0]), "etag": etag_of(form[0])},
            )
            assert published.status_code == 303, published.text[:500]
            assert published.headers["location"] == f"/lagesbild/{report_id}"
            shown = convener.get(published.headers["location"])
        assert "<textarea" not in shown.text
        assert "Publicerad" in shown.text and 'id="locked"' in shown.text
        assert "Lugnt i Kungsängen centrum." in shown.text

        late = member.post(f"/lagesbild/{report_id}", data={**stale, "summary": "Ändrat efteråt."})
        assert late.status_code == 409, late.text[:500]
        message = re.search(r'<p class="form-error" role="alert">([^<]+)</p>', late.text)
        assert message and "publicerad" in message[1]
    stored = api_report(server, people["tokens"]["kungsangen"], report_id)
    assert stored["status"] == "published"
    assert stored["summary"] == "Lugnt i Kungsängen centrum."


def test_a_new_version_and_the_comparison_of_its_text_and_figures(
    server: Server, people: People
) -> None:
    group = people["groups"][COORDINATION]["id"]
    bro = people["areas"]["Bro"]["id"]
    token = people["tokens"]["coordination"]
    file_report(
        server,
        people["tokens"]["admin"],
        {"area_id": bro, "occurred_from": local(today() - dt.timedelta(days=2), 14)},
    )
    first = api_draft(server, token, group, summary="Lugnt i Bro under perioden")
    with server.client(token) as client:
        assert client.post(f"/api/v1/situation-reports/{first}/publish").status_code == 200
    # Reported late: the published version does not count it, the new one does.
    file_report(
        server,
        people["tokens"]["admin"],
        {"area_id": bro, "occurred_from": local(today() - dt.timedelta(days=3), 20)},
    )
    with browser_for(server, people, "coordination") as convener:
        page = convener.get(f"/lagesbild/{first}")
        assert "Skapa en ny version" in page.text
        second = report_id_of(
            convener.post(f"/lagesbild/{first}/ny-version", data={"csrf_token": csrf_of(page.text)})
        )
        assert second != first
        draft = convener.get(f"/lagesbild/{second}")
        assert "version 2" in draft.text
        assert textarea(draft.text, "summary") == "Lugnt i Bro under perioden"
        assert total_of(draft.text) == 2
        saved = convener.post(
            f"/lagesbild/{second}",
            data=text_form(draft.text, summary="Oroligt i Bro under helgen"),
        )
        assert saved.status_code == 303, saved.text[:500]

        twice = convener.post(
            f"/lagesbild/{first}/ny-version", data={"csrf_token": csrf_of(page.text)}
        )
        assert twice.status_code == 409, twice.text[:500]
        assert "redan ett utkast" in twice.text

        compared = convener.get(f"/lagesbild/{second}/jamfor/{first}")
    assert compared.status_code == 200, compared.text[:500]
    assert "Version 1 och 2" in compared.text
    diff = re.search(r'<p class="diff">(.*?)</p>', compared.text, re.S)
    assert diff
    assert "<del>Lugnt</del>" in diff[1] and "<ins>Oroligt</ins>" in diff[1]
    assert "<del>perioden</del>" in diff[1] and "<ins>helgen</ins>" in diff[1]
    assert re.search(r"<th scope=\"row\">Totalt</th><td>1</td><td>2</td>", compared.text)
    assert "1 händelse har tillkommit" in compared.text


def test_projector_print_and_pdf(server: Server, people: People) -> None:
    planted = plant(server, people)
    group = people["groups"][COORDINATION]["id"]
    report_id = api_draft(
        server, people["tokens"]["coordination"], group, summary="Klotter i Bro & Kungsängen"
    )
    last = today()
    first = last - dt.timedelta(days=13)
    with browser_for(server, people, "coordination") as convener:
        show = convener.get(f"/lagesbild/{report_id}/visning")
        assert show.status_code == 200, show.text[:500]
        assert total_of(show.text) == planted["recent"]
        assert "Klotter i Bro &amp; Kungsängen" in show.text
        # A projector view of its own: no site menu, the map big beside its hot spots, the
        # weeks; every part reached from the head.
        assert len(re.findall(r'<svg class="chart"', show.text)) == 2
        assert 'data-map="projector"' in show.text and 'aria-labelledby="veckor-t"' in show.text
        assert "projector.css" in show.text and "est.css" not in show.text
        assert 'aria-label="Huvudmeny"' not in show.text
        assert f'<a href="/lagesbild/{report_id}">Tillbaka</a>' in show.text
        for part in ("siffror", "heta", "veckor"):
            assert f'href="#{part}"' in show.text and f'id="{part}"' in show.text

        printed = convener.get(f"/lagesbild/{report_id}/utskrift")
        assert printed.status_code == 200, printed.text[:500]
        assert total_of(printed.text) == planted["recent"]
        assert f"{sv(first)} – {sv(last)}" in printed.text
        assert "Klotter i Bro &amp; Kungsängen" in printed.text

        started = time.monotonic()
        pdf = convener.get(f"/lagesbild/{report_id}.pdf")
        took = time.monotonic() - started
    assert pdf.status_code == 200, pdf.text[:500]
    assert pdf.headers["content-type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")
    assert took < 10, f"the PDF took {took:.1f} s"
    name = f"lagesbild-est-samordningsgrupp-{first.isoformat()}-{last.isoformat()}-v1.pdf"
    disposition = pdf.headers["content-disposition"]
    assert re.search(r"filename\*?=(UTF-8'')?\"?" + re.escape(name), disposition), disposition

    with browser_for(server, people, "kungsangen") as outsider:
        refused = outsider.get(f"/lagesbild/{report_id}.pdf")
    assert refused.status_code == 404
    assert refused.headers["content-type"].startswith("text/html")
    assert not refused.content.startswith(b"%PDF")
    assert "Klotter i Bro" not in refused.text


def test_those_outside_a_group_do_not_see_its_lagesbild(server: Server, people: People) -> None:
    coordination = people["groups"][COORDINATION]["id"]
    bro_group = people["groups"][BRO]["id"]
    report_id = api_draft(
        server, people["tokens"]["coordination"], coordination, summary="Hemlig bedömning"
    )
    urls = [
        f"/grupper/{bro_group}/lagesbild",
        f"/grupper/{coordination}/lagesbild",
        f"/lagesbild/{report_id}",
        f"/lagesbild/{report_id}/visning",
        f"/lagesbild/{report_id}/utskrift",
        f"/lagesbild/{report_id}/jamfor/{report_id}",
    ]
    for who in ("kungsangen", "reporter"):
        with browser_for(server, people, who) as browser:
            for url in urls:
                response = browser.get(url)
                assert response.status_code == 404, (who, url, response.status_code)
                assert "Hemlig bedömning" not in response.text
            # Nor may they write in it.
            token = csrf_of(browser.get("/").text)
            posted = browser.post(
                f"/lagesbild/{report_id}",
                data={"csrf_token": token, "etag": "*", "summary": "Intrång"},
            )
            assert posted.status_code == 404, (who, posted.status_code)
    summary = api_report(server, people["tokens"]["coordination"], report_id)["summary"]
    assert summary == "Hemlig bedömning"


def test_changing_a_drafts_period_through_the_form(server: Server, people: People) -> None:
    planted = plant(server, people)
    group = people["groups"][COORDINATION]["id"]
    report_id = api_draft(server, people["tokens"]["coordination"], group)
    first, last = today() - dt.timedelta(days=45), today() - dt.timedelta(days=35)
    with browser_for(server, people, "coordination") as convener:
        page = convener.get(f"/lagesbild/{report_id}").text
        assert total_of(page) == planted["recent"]
        form = {"csrf_token": csrf_of(page), "etag": etag_of(page)}
        empty = convener.post(f"/lagesbild/{report_id}/period", data={**form, "fran": ""})
        assert empty.status_code == 422, empty.text[:500]
        assert re.search(r'<p class="field-error" id="fran-error"[^>]*>[^<]+</p>', empty.text)
        changed = convener.post(
            f"/lagesbild/{report_id}/period",
            data={**form, "fran": first.isoformat(), "till": last.isoformat()},
        )
        assert changed.status_code == 303, changed.text[:500]
        assert changed.headers["location"] == f"/lagesbild/{report_id}"
        shown = convener.get(changed.headers["location"]).text
        assert total_of(shown) == planted["earlier"]
        assert f"{sv(first)} – {sv(last)}" in shown
        # The etag it was sent with is stale now: told beside the field, nothing changed.
        stale = convener.post(
            f"/lagesbild/{report_id}/period",
            data={**form, "fran": today().isoformat(), "till": today().isoformat()},
        )
        assert stale.status_code == 422, stale.text[:500]
        # Not about either day: said above the form.
        assert re.search(r'<p class="form-error" role="alert">[^<]*sparat[^<]*</p>', stale.text)
    stored = api_report(server, people["tokens"]["coordination"], report_id)
    assert (stored["first_day"], stored["last_day"]) == (first.isoformat(), last.isoformat())


def test_a_reversed_period_in_a_drafts_form_is_told(server: Server, people: People) -> None:
    group = people["groups"][COORDINATION]["id"]
    report_id = api_draft(server, people["tokens"]["coordination"], group)
    with browser_for(server, people, "coordination") as convener:
        page = convener.get(f"/lagesbild/{report_id}").text
        refused = convener.post(
            f"/lagesbild/{report_id}/period",
            data={
                "csrf_token": csrf_of(page),
                "etag": etag_of(page),
                "fran": "2026-02-05",
                "till": "2026-02-01",
            },
        )
    assert refused.status_code == 422
    assert "Sista dagen ligger före den första." in refused.text


def test_a_text_that_looks_like_it_names_someone_needs_a_confirmation(
    server: Server, people: People
) -> None:
    group = people["groups"][COORDINATION]["id"]
    report_id = api_draft(server, people["tokens"]["coordination"], group)
    text = "Mejla anna.andersson@example.se om klottret."
    with browser_for(server, people, "coordination") as convener:
        page = convener.get(f"/lagesbild/{report_id}").text
        refused = convener.post(f"/lagesbild/{report_id}", data=text_form(page, proposals=text))
        assert refused.status_code == 422, refused.text[:500]
        assert re.search(r'id="proposals-error"[^>]*>[^<]*e-postadress', refused.text)
        assert 'name="bekrafta"' in refused.text
        assert textarea(refused.text, "proposals") == text  # kept, to correct or confirm
        assert api_report(server, people["tokens"]["coordination"], report_id)["proposals"] == ""
        confirmed = convener.post(
            f"/lagesbild/{report_id}",
            data={**text_form(refused.text, proposals=text), "bekrafta": "ja"},
        )
        assert confirmed.status_code == 303, confirmed.text[:500]
    assert api_report(server, people["tokens"]["coordination"], report_id)["proposals"] == text


def _fore(page: str) -> dict[str, str]:
    """The texts the form was loaded with (sent back so the page can tell what changed)."""
    return {
        f"{name}_fore": html.unescape(found[1])
        for name in FIELDS
        if (found := re.search(rf'name="{name}_fore" value="([^"]*)"', page))
    }


def test_two_people_changing_different_fields_both_keep_their_change(
    server: Server, people: People
) -> None:
    group = people["groups"][COORDINATION]["id"]
    report_id = api_draft(server, people["tokens"]["coordination"], group, summary="Lugnt.")
    with (
        browser_for(server, people, "coordination") as first,
        browser_for(server, people, "admin") as second,
    ):
        page_one = first.get(f"/lagesbild/{report_id}").text
        page_two = second.get(f"/lagesbild/{report_id}").text
        assert len(_fore(page_one)) == 4
        saved = first.post(
            f"/lagesbild/{report_id}",
            data={**text_form(page_one, analysis="Mest kvällstid."), **_fore(page_one)},
        )
        assert saved.status_code == 303, saved.text[:300]
        # The second person loaded the page before that save and changes another field.
        merged = second.post(
            f"/lagesbild/{report_id}",
            data={**text_form(page_two, proposals="Mer belysning."), **_fore(page_two)},
        )
        assert merged.status_code == 303, merged.text[:500]
        # The same field changed by both: told, not overwritten.
        clash = second.post(
            f"/lagesbild/{report_id}",
            data={**text_form(page_two, analysis="Mest dagtid."), **_fore(page_two)},
        )
        assert clash.status_code == 409, clash.text[:300]
        assert 'id="conflict"' in clash.text
    stored = api_report(server, people["tokens"]["coordination"], report_id)
    assert (stored["summary"], stored["analysis"], stored["proposals"]) == (
        "Lugnt.",
        "Mest kvällstid.",
        "Mer belysning.",
    )


def _pages_of(document: Any, tag: str) -> list[set[int]]:
    """For each page, the ids of the boxes' elements with ``tag`` laid out on it."""
    pages: list[set[int]] = []
    for page in document.pages:
        found: set[int] = set()
        stack = [page._page_box]
        while stack:
            box = stack.pop()
            if getattr(box, "element_tag", None) == tag:
                found.add(id(box.element))
            stack.extend(getattr(box, "children", []))
        pages.append(found)
    return pages


def test_in_print_no_heading_or_table_head_stands_alone_at_a_pages_foot() -> None:
    """WeasyPrint with print.css, the hot-spot section's shape (heading, map, table): pushed
    down the page a little further each time, the heading stays with the map and the table's
    head with its first row (#18 trial: the head stood alone at the foot of page 1)."""
    import weasyprint  # type: ignore[import-untyped]

    from web.rendering import PRINT_CSS

    rows = "".join(f"<tr><td>{i}</td><td>Plats {i}</td></tr>" for i in range(30))
    css = weasyprint.CSS(filename=str(PRINT_CSS))
    for spacer in range(170, 262, 2):
        html = (
            f'<div style="height:{spacer}mm"></div><h2>Heta platser</h2>'
            '<div class="split split-map"><figure class="chart-figure"><div style="height:20mm">'
            '</div></figure><div class="table-scroll"><table class="list compact stack">'
            '<caption class="visually-hidden">Heta platser i perioden</caption>'
            f"<thead><tr><th>Nr</th><th>Plats</th></tr></thead><tbody>{rows}</tbody></table>"
            "</div></div>"
        )
        document = weasyprint.HTML(string=html).render(stylesheets=[css])
        tags = ("thead", "tbody", "h2", "figure")
        laid = zip(*(_pages_of(document, t) for t in tags), strict=True)
        for number, (head, body, heading, figure) in enumerate(laid):
            assert not head or body, f"{spacer} mm: the table head alone on page {number + 1}"
            assert not heading or figure, f"{spacer} mm: the heading alone on page {number + 1}"
