"""The filing form without JavaScript, and its fragment for htmx: the reporter's own area to
start with, a point that decides the area, removing that asks first, the incident added in
place, and nothing typed lost on a refusal."""

from __future__ import annotations

import re

import httpx

from tests.support.factories import file_report
from tests.support.pages import browser_for, csrf_of, found, opened_form
from tests.support.people import People
from tests.support.servers import Server

# A square around Bro's centre (WGS 84, GeoJSON order: lon, lat): a boundary made for the test.
BRO_SQUARE = [[17.60, 59.49], [17.68, 59.49], [17.68, 59.53], [17.60, 59.53], [17.60, 59.49]]


def chosen_area(page: str, index: int = 0) -> str:
    select = found(rf'(<select id="h{index}-omrade".*?</select>)', page, re.S)
    selected = re.search(r'<option value="(\d*)"[^>]*selected', select)
    return selected[1] if selected else ""


def two(people: People) -> dict[str, str]:
    bro = str(people["areas"]["Bro"]["id"])
    return {
        "antal": "2",
        "h0-kategori": "skadegorelse.klotter",
        "h0-nar": "nu",
        "h0-omrade": bro,
        "h0-bedomning": "low",
        "h0-beskrivning": "Klotter på busskuren",
        "h1-kategori": "ordning.brak",
        "h1-nar": "nu",
        "h1-omrade": bro,
        "h1-bedomning": "high",
        "h1-beskrivning": "Bråk vid stationen",
    }


def test_the_reporters_own_area_is_chosen_to_start_with(server: Server, people: People) -> None:
    with browser_for(server, people, "reporter") as browser:
        assert chosen_area(browser.get("/rapportera").text) == str(people["areas"]["Bro"]["id"])
    with browser_for(server, people, "kungsangen") as browser:
        page = browser.get("/rapportera").text
        assert chosen_area(page) == str(people["areas"]["Kungsängen"]["id"])
    # A member of no area group has no own area: none is chosen for them.
    with browser_for(server, people, "coordination") as browser:
        page = browser.get("/rapportera").text
        assert chosen_area(page) == ""
        assert ">Välj område</option>" in page


def test_a_point_decides_the_area_when_none_is_chosen(
    server: Server, people: People, api: httpx.Client, web: httpx.Client
) -> None:
    bro = people["areas"]["Bro"]
    point = {"h0-koordsys": "EPSG:4326", "h0-lat": "59,5117", "h0-lon": "17,6364"}
    one = {
        "antal": "1",
        "h0-kategori": "skadegorelse.klotter",
        "h0-nar": "nu",
        "h0-omrade": "",
        "h0-bedomning": "medium",
        **point,
        "atgard": "skicka",
    }
    with browser_for(server, people, "reporter") as browser:
        # Bro's own boundary, so the point (not the nearest place) decides.
        api.patch(
            f"/api/v1/areas/{bro['id']}",
            json={"boundary": {"type": "Polygon", "coordinates": [BRO_SQUARE]}},
        ).raise_for_status()
        sent = browser.post("/rapportera", data={**opened_form(browser), **one})
        assert sent.status_code == 303, sent.text
        # The page says what decided the area, where the reporter did not choose it.
        done = browser.get(sent.headers["location"])
        assert "Området bestämdes av punkten." in done.text
    report_id = sent.headers["location"].split("?")[0].rsplit("/", 1)[1]
    filed = api.get(f"/api/v1/reports/{report_id}").json()["incidents"]
    assert [i["area"]["name"] for i in filed] == ["Bro"]
    assert "Området bestämdes av punkten." in web.get(f"/handelser/{filed[0]['id']}").text


def test_removing_an_incident_asks_first(server: Server, people: People) -> None:
    with browser_for(server, people, "reporter") as browser:
        fields = {**opened_form(browser), **two(people)}
        asked = browser.post("/rapportera", data={**fields, "atgard": "ta-bort-0"})
        assert asked.status_code == 200
        assert 'value="bekrafta-ta-bort-0"' in asked.text and "Ja, ta bort händelse 1" in asked.text
        # Nothing is gone yet, and "Behåll" keeps both.
        assert "Klotter på busskuren" in asked.text and "Bråk vid stationen" in asked.text
        kept = browser.post("/rapportera", data={**fields, "atgard": "behall"})
        assert 'id="handelse-2"' in kept.text and "Klotter på busskuren" in kept.text
        assert "bekrafta-ta-bort" not in kept.text

        removed = browser.post("/rapportera", data={**fields, "atgard": "bekrafta-ta-bort-0"})
        assert 'id="handelse-2"' not in removed.text
        assert "Klotter på busskuren" not in removed.text
        assert re.search(r'name="h0-beskrivning"[^>]*>Bråk vid stationen', removed.text)
        assert 'name="antal" value="1" id="antal"' in removed.text


def test_an_incident_taken_out_on_the_page_is_not_filed(server: Server, people: People) -> None:
    with browser_for(server, people, "reporter") as browser:
        # Taken out with JavaScript: the block stays in the form, marked, with half its fields.
        data = {**opened_form(browser), **two(people), "h0-bort": "ja", "h0-kategori": ""}
        sent = browser.post("/rapportera", data={**data, "atgard": "skicka"})
        assert sent.status_code == 303, sent.text
        done = browser.get(sent.headers["location"]).text
        assert "med 1 händelse" in done and "Bråk" in done and "Klotter" not in done


def test_enter_sends_the_form_first_button_is_send(server: Server, people: People) -> None:
    with browser_for(server, people, "reporter") as browser:
        data = {**opened_form(browser), **two(people), "atgard": "behall"}
        page = browser.post("/rapportera", data=data)
    form = found(r'(<form action="/rapportera".*?</form>)', page.text, re.S)
    # The first submit button of the form is what Enter in a field presses.
    first = found(r'(<button type="submit"[^>]*>)', form)
    assert 'value="skicka"' in first


def test_a_refused_send_keeps_everything_typed(server: Server, people: People) -> None:
    with browser_for(server, people, "reporter") as browser:
        data = {**opened_form(browser), **two(people), "h1-bedomning": "", "atgard": "skicka"}
        refused = browser.post("/rapportera", data=data)
    assert refused.status_code == 422
    assert 'id="h1-bedomning-error"' in refused.text
    for text in ("Klotter på busskuren", "Bråk vid stationen"):
        assert text in refused.text
    assert 'value="skadegorelse.klotter" selected' in refused.text
    assert 'value="ordning.brak" selected' in refused.text


def test_adding_in_place_answers_the_new_block_only(server: Server, people: People) -> None:
    bro = str(people["areas"]["Bro"]["id"])
    with browser_for(server, people, "reporter") as browser:
        data = {
            **opened_form(browser),
            **two(people),
            "h1-nar": "dag",
            "h1-dag": "2026-11-20",
            "h1-koordsys": "EPSG:4326",
            "h1-lat": "59,5117",
            "h1-lon": "17,6364",
        }
        added = browser.post("/rapportera/handelse", data=data, headers={"HX-Request": "true"})
        # Without htmx the same button gives the whole form back, one longer.
        whole = browser.post("/rapportera/handelse", data=data)
    assert added.status_code == 200
    html = added.text
    assert "<html" not in html and html.count('<fieldset class="incident-block"') == 1
    assert 'id="handelse-3"' in html and 'name="h2-kategori"' in html
    assert '<input type="hidden" name="antal" value="3" id="antal" hx-swap-oob="true">' in html
    # Place, point and time are the previous incident's; what happened is left to choose.
    assert f'<option value="{bro}" selected>' in html
    assert 'name="h2-nar" value="dag" checked' in html and 'value="2026-11-20"' in html
    assert 'value="59,5117"' in html and 'value="17,6364"' in html
    assert 'value="ordning.brak" selected' not in html
    assert whole.status_code == 200 and "<html" in whole.text
    assert whole.text.count('<fieldset class="incident-block"') == 3


def test_a_point_typed_beside_the_area_the_form_started_with_decides_the_area(
    server: Server, people: People, api: httpx.Client
) -> None:
    # The trial: the reporter's own area (Kungsängen) preselected, a point in Bro typed (no
    # JavaScript to clear the area): the point decides, as the field's hint says. An area the
    # reporter chose themselves still contradicts the point and is refused beside it.
    bro, kungsangen = (str(people["areas"][name]["id"]) for name in ("Bro", "Kungsängen"))
    api.patch(
        f"/api/v1/areas/{bro}", json={"boundary": {"type": "Polygon", "coordinates": [BRO_SQUARE]}}
    ).raise_for_status()
    with browser_for(server, people, "kungsangen") as browser:
        page = browser.get("/rapportera").text
        assert chosen_area(page) == kungsangen
        assert f'name="h0-forvalt" value="{kungsangen}"' in page
        one = {
            "antal": "1",
            "h0-kategori": "skadegorelse.klotter",
            "h0-nar": "nu",
            "h0-omrade": kungsangen,
            "h0-forvalt": kungsangen,
            "h0-koordsys": "EPSG:4326",
            "h0-lat": "59,5117",
            "h0-lon": "17,6364",
            "h0-bedomning": "medium",
            "atgard": "skicka",
        }
        chose = browser.post("/rapportera", data={**opened_form(browser), **one, "h0-forvalt": ""})
        assert chose.status_code == 422 and "pekar på olika områden" in chose.text
        sent = browser.post("/rapportera", data={**opened_form(browser), **one})
        assert sent.status_code == 303, sent.text
    report_id = sent.headers["location"].split("?")[0].rsplit("/", 1)[1]
    filed = api.get(f"/api/v1/reports/{report_id}").json()["incidents"]
    assert [i["area"]["name"] for i in filed] == ["Bro"]


def test_a_place_in_another_area_decides_the_area(
    server: Server, people: People, api: httpx.Client
) -> None:
    # The trial: the reporter's own area (Bro) preselected, a named place in Kungsängen chosen.
    with browser_for(server, people, "reporter") as browser:
        page = browser.get("/rapportera").text
        bro = str(people["areas"]["Bro"]["id"])
        kungsangen = str(people["areas"]["Kungsängen"]["id"])
        assert chosen_area(page) == bro
        place = found(
            rf'<optgroup label="Kungsängen"><option value="(\d+)" data-area="{kungsangen}"', page
        )
        one = {
            "antal": "1",
            "h0-kategori": "skadegorelse.klotter",
            "h0-nar": "nu",
            "h0-omrade": bro,
            "h0-plats": place,
            "h0-bedomning": "medium",
            "atgard": "skicka",
        }
        sent = browser.post("/rapportera", data={**opened_form(browser), **one})
        assert sent.status_code == 303, sent.text
    report_id = sent.headers["location"].split("?")[0].rsplit("/", 1)[1]
    filed = api.get(f"/api/v1/reports/{report_id}").json()["incidents"]
    assert [(i["area"]["name"], i["place"]["id"]) for i in filed] == [("Kungsängen", int(place))]


def test_correcting_to_a_place_in_another_area_moves_the_incident(
    server: Server, people: People, api: httpx.Client
) -> None:
    bro = str(people["areas"]["Bro"]["id"])
    filed = file_report(server, people["tokens"]["reporter"], {"area_id": int(bro)})
    incident = filed["incidents"][0]
    url = f"/handelser/{incident['id']}/andra"
    with browser_for(server, people, "reporter") as browser:
        form = browser.get(url).text
        place = found(r'<optgroup label="Kungsängen"><option value="(\d+)"', form)
        values = {
            "csrf_token": csrf_of(form),
            "kategori": incident["category"]["code"],
            "omrade": bro,  # as the form shows it: the incident's area before
            "plats": place,
            "bedomning": "medium",
            "sakerhet": "observed",
            "polis": "unknown",
            "beskrivning": "",
        }
        saved = browser.post(url, data=values)
        assert saved.status_code == 303, saved.text
    now = api.get(f"/api/v1/incidents/{incident['id']}").json()
    assert (now["area"]["name"], now["place"]["id"]) == ("Kungsängen", int(place))
