"""A refused form's error summary (m4): the layout shows it once, above the page's content;
no page's template shows it a second time; the settings page says every field's message in one
round, each naming its field."""

from __future__ import annotations

import re
from pathlib import Path

from tests.support.cli import est
from tests.support.pages import browser_for, csrf_of
from tests.support.people import People
from tests.support.servers import Server

TEMPLATES = Path(__file__).parents[2] / "web" / "templates"
SUMMARY = "Det du skickade är inte sparat"
# The layouts: the one place each renders the summary of the page's ``errors``.
LAYOUTS = {"base.html", "public_base.html"}


def test_only_the_layouts_render_the_error_summary() -> None:
    calls = sorted(
        path.name
        for path in TEMPLATES.rglob("*.html")
        if path.name not in LAYOUTS
        and re.search(r"error_summary\(", path.read_text())
        and path.name != "_macros.html"
    )
    assert calls == [], f"the layout shows the summary; these show it again: {calls}"


def test_a_refused_form_shows_one_summary(server: Server, people: People) -> None:
    operator = "operator-summary@est.test"
    made = est(server.settings.database_url, "operator", "create", "--email", operator,
               "--name", "Op")  # fmt: skip
    assert made.returncode == 0, made.stderr
    people["tokens"]["operator-summary"] = server.token_for(operator)
    # (who, page, form's action, a refused form's fields)
    forms = (
        ("operator-summary", "/lokalpolisomraden", "/lokalpolisomraden", {"namn": ""}),
        ("operator-summary", "/plattform/kommuner", "/plattform/kommuner", {"namn": ""}),
        ("admin", "/kommun/installningar", "/kommun/installningar",
         {"namn": "", "tidszon": "Europe/Stockholm", "koordinatsystem": "EPSG:3011"}),
    )  # fmt: skip
    counts = {}
    for who, path, action, data in forms:
        with browser_for(server, people, who) as browser:
            page = browser.get(path)
            assert page.status_code == 200, (path, page.status_code)
            refused = browser.post(action, data={"csrf_token": csrf_of(page.text), **data})
            assert refused.status_code in (409, 422), (action, refused.status_code)
            counts[action] = refused.text.count(SUMMARY)
    assert counts == dict.fromkeys(counts, 1), counts


def test_the_settings_page_says_every_field_s_message_at_once(
    server: Server, people: People
) -> None:
    with browser_for(server, people, "admin") as admin:
        page = admin.get("/kommun/installningar")
        refused = admin.post(
            "/kommun/installningar",
            data={
                "csrf_token": csrf_of(page.text),
                "namn": "",
                "tidszon": "Europe/Stockholm",
                "koordinatsystem": "EPSG:3011",
                "narmaste_plats": "-3",
                "gallra_logg": "två",
            },
        )
        assert refused.status_code == 422
        text = refused.text
        # The page's own (not a number) and the API's (empty name, negative metres) together.
        for field in ("namn", "narmaste_plats", "gallra_logg"):
            assert f'id="{field}-error"' in text, field
        summary = text[text.index(SUMMARY) : text.index("</div>", text.index(SUMMARY))]
        assert "Loggen: Ange ett heltal." in summary
        assert "Namn: " in summary and "Avstånd till närmaste plats: " in summary
    # Nothing was saved.
    with browser_for(server, people, "admin") as admin:
        assert 'value="två"' not in admin.get("/kommun/installningar").text
