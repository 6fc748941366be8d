"""Two classes of page that must not be reached the wrong way.

A page only for a capability (``me.can``, as the menu offers it) refuses anyone the API gives
no such capability, rather than showing a form the API refuses when sent (web.deps.requires).

A page with styles or scripts of its own (its template fills base.html's ``head`` or
``scripts`` block, or is a standalone page) arrives by a full page load however it is
linked: a boosted link (htmx swaps in the body alone) is answered with ``HX-Redirect`` to the
same address (web.rendering.needs_full_load).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.support.pages import browser_for, csrf_of, found, planned_meeting
from tests.support.people import PEOPLE, People
from tests.support.servers import Server, settings_for
from web.rendering import needs_full_load

TEMPLATES = Path(__file__).resolve().parents[2] / "web" / "templates"
BOOSTED = {"HX-Request": "true", "HX-Boosted": "true"}

# Each page the menu offers only for a capability, and that capability.
CAPABILITY_PAGES = {
    # A municipality's own data: not for one acting in none (a platform operator).
    "/handelser": "read_municipality",
    "/karta": "read_municipality",
    "/organisationer": "read_municipality",
    # The form is refused at once, not after it is sent.
    "/rapportera": "file_reports",
    "/import": "import_files",
    "/import/kategorier": "import_files",
    "/admin/logg": "read_audit_log",
    "/styrning": "read_steering",
    "/moten": "read_meetings",
    "/integritet/andra": "set_privacy_notice",
    "/bevakning": "read_guard_reports",
    "/kvallar": "read_evenings",
    "/tips": "moderate_tips",
    "/trygghetsvandringar": "read_safety_walks",
    "/lokalpolisomraden": "read_police_areas",
    "/kommun/installningar": "manage_municipality",
    "/plattform/kommuner": "operate_platform",
}


def test_menu_capability_pages_are_all_checked() -> None:
    # Every capability the menu asks about has its pages here.
    base = (TEMPLATES / "base.html").read_text()
    for capability in set(CAPABILITY_PAGES.values()) - {"set_privacy_notice"}:
        assert f'"{capability}" in me.can' in base, capability


@pytest.mark.parametrize("who", sorted(PEOPLE))
def test_a_page_for_a_capability_refuses_those_without_it(
    server: Server, people: People, who: str
) -> None:
    with browser_for(server, people, who) as browser:
        me = browser.get(
            "/api/v1/auth/me", headers={"Authorization": f"Bearer {people['tokens'][who]}"}
        ).json()
        for path, capability in CAPABILITY_PAGES.items():
            answer = browser.get(path)
            if capability in me["can"]:
                assert answer.status_code == 200, (who, path)
            else:
                assert answer.status_code == 403, (who, path, answer.status_code)
                assert "Fel 403" in answer.text and "Bara " in answer.text, (who, path)


def test_a_refused_upload_is_refused_by_the_page_too(server: Server, people: People) -> None:
    with browser_for(server, people, "reporter") as reporter:
        csrf = csrf_of(reporter.get("/rapportera").text)
        sent = reporter.post(
            "/import",
            data={"csrf_token": csrf, "kalla": "embrace"},
            files={"fil": ("export.csv", b"x", "text/csv")},
        )
        assert sent.status_code == 403


def own_head_templates() -> list[str]:
    """The page templates that need a full load, by their own blocks."""
    from web.rendering import make_templates

    # The app's own environment: pages use its filters and global macros.
    env = make_templates(settings_for("sqlite://")).env
    names = []
    for template in sorted(TEMPLATES.glob("*.html")):
        if template.name.startswith("_") or template.name == "base.html":
            continue
        if needs_full_load(env.get_template(template.name).blocks):
            names.append(template.name)
    return names


def test_the_pages_with_their_own_head_are_known() -> None:
    # A new such page needs a case below, a page of it to ask for.
    needing = set(own_head_templates())
    assert {"report.html", "map.html", "meeting_projector.html"} <= needing
    assert "index.html" not in needing and "incidents.html" not in needing


def test_a_boosted_link_to_a_page_with_its_own_head_loads_it_whole(
    server: Server, people: People
) -> None:
    with browser_for(server, people, "coordination") as convener:
        meeting = planned_meeting(convener, people)
        pages = ["/rapportera", "/karta?dagar=30", f"{meeting}/projektor"]
        for path in pages:
            boosted = convener.get(path, headers=BOOSTED, follow_redirects=False)
            assert boosted.status_code == 204, (path, boosted.status_code)
            assert boosted.headers["hx-redirect"] == path
            assert boosted.text == ""
            # Unboosted, a fragment or a plain page: as before.
            assert convener.get(path).status_code == 200
        # A page without a head of its own is boosted as before.
        plain = convener.get("/handelser", headers=BOOSTED)
        assert plain.status_code == 200 and "<body" in plain.text


def test_a_refused_form_leads_to_its_first_error(server: Server, people: People) -> None:
    # The meeting's decision, far down its page: a summary at the top links to the message,
    # and the field takes the focus, once.
    with browser_for(server, people, "coordination") as convener:
        meeting = planned_meeting(convener, people)
        page = convener.get(meeting).text
        assert 'class="error-summary"' not in page and "autofocus" not in page
        refused = convener.post(
            f"{meeting}/beslut", data={"csrf_token": csrf_of(page), "beslut": ""}
        )
        assert refused.status_code == 422
        text = refused.text
        summary = found(r'(<div class="error-summary".*?</div>)', text, re.S)
        assert "Det du skickade är inte sparat" in summary
        assert '<a href="#beslut-error">Skriv beslutet.</a>' in summary
        assert 'id="beslut-error"' in text
        field = found(r'(<textarea id="nytt-beslut"[^>]*>)', text)
        assert "autofocus" in field and 'aria-invalid="true"' in field
        assert text.count("autofocus") == 1
        assert text.index("error-summary") < text.index('id="nytt-beslut"')
    # A group of choices without one control: its message takes the focus.
    with browser_for(server, people, "reporter") as reporter:
        form = reporter.get("/rapportera").text
        sent = reporter.post(
            "/rapportera",
            data={
                "csrf_token": csrf_of(form),
                "nyckel": found(r'name="nyckel" value="([^"]+)"', form),
                "oppnad": found(r'name="oppnad" value="([^"]+)"', form),
                "antal": "1",
                "h0-kategori": "skadegorelse.klotter",
                "h0-nar": "nu",
                "h0-omrade": str(people["areas"]["Bro"]["id"]),
                "atgard": "skicka",
            },
        )
        assert sent.status_code == 422
        assert '<p class="field-error" id="h0-bedomning-error" tabindex=-1 autofocus>' in sent.text
        assert sent.text.count("autofocus") == 1


def test_the_report_form_says_what_is_required(server: Server, people: People) -> None:
    with browser_for(server, people, "reporter") as reporter:
        form = reporter.get("/rapportera").text
    assert "Fält märkta (obligatoriskt) måste fyllas i." in form
    for legend in ("Vad hände?", "När?", "Hur mycket otrygghet skapar det?"):
        assert f'{legend} <span class="required-mark">(obligatoriskt)</span>' in form, legend
    assert re.search(r'<select id="h0-kategori" name="h0-kategori" required', form)
    for group in ("nar", "bedomning"):
        radios = re.findall(rf'<input type="radio" name="h0-{group}"[^>]*>', form)
        assert radios and all(r.endswith("required>") for r in radios), group
    # Not required: what the form can do without.
    assert not re.search(r'name="h0-(omrade|plats|beskrivning)"[^>]* required', form)
