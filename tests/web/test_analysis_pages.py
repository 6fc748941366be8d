"""The analysis page as a browser without JavaScript (and htmx) uses it: the significant hot
spots on the map beside the lägesbild's, the emerging classes, each method explained, a bad
period told beside its field, and the lägesbild's link to it."""

from __future__ import annotations

import datetime as dt
import random
import re

import pytest
from sqlalchemy import update

from api.analysis import nearrepeat
from api.situation.models import SituationReport
from tests.support.pages import browser_for
from tests.support.people import People, as_
from tests.support.planted import TZ, Spec, World, insert, offset
from tests.support.servers import Server
from tests.support.signals import plant_signals

COORDINATION = "EST samordningsgrupp"
LAST = dt.date(2025, 6, 15)
FIRST = LAST - dt.timedelta(days=13)


def _plant(server: Server, people: People) -> None:
    """Fifteen incidents within 40 m in Bro in the period: a new, significant hot spot."""
    world = World.of(server, people)
    rng = random.Random(5)
    hot = offset(world.centres["Bro"], 300, 45)
    specs = [
        Spec(
            at=dt.datetime(2025, 6, rng.randint(2, 15), rng.randrange(24), tzinfo=TZ),
            where=offset(hot, rng.uniform(0, 40), rng.uniform(0, 360)),
        )
        for _ in range(15)
    ]
    insert(server, world, specs)


def test_the_analysis_page_shows_and_explains_both_methods(server: Server, people: People) -> None:
    _plant(server, people)
    group = people["groups"][COORDINATION]["id"]
    period = {"fran": FIRST.isoformat(), "till": LAST.isoformat()}
    with browser_for(server, people, "coordination") as convener:
        situation = convener.get(f"/grupper/{group}/lagesbild", params=period)
        page = convener.get(f"/grupper/{group}/analys", params=period)
        fragment = convener.get(
            f"/grupper/{group}/analys", params=period, headers={"HX-Request": "true"}
        )
        bad = convener.get(
            f"/grupper/{group}/analys", params={"fran": LAST.isoformat(), "till": FIRST.isoformat()}
        )
    assert f'href="/grupper/{group}/analys?fran={FIRST}&amp;till={LAST}"' in situation.text
    assert page.status_code == 200, page.text[:500]
    text = page.text
    assert "<h1>Analys för EST samordningsgrupp</h1>" in text
    # The map draws the significant cells beside the lägesbild's numbered hot spot.
    chart = re.search(r'<svg class="chart".*?</svg>', text, re.S)
    assert chart and 'class="map-cell"' in chart[0] and 'class="map-marker"' in chart[0]
    assert "signifikant heta rutor (Gi*)" in chart[0]
    zones = re.search(r"varandra, den starkaste först</caption>.*?</table>", text, re.S)
    assert zones and zones[0].count("<tr>") >= 2
    # Named by the nearest place, not by a coordinate.
    assert "Ruta vid" not in zones[0] and "(Bro)" in zones[0], zones[0]
    assert "<strong>Ny: " in text  # the emerging class, in Swedish, with its meaning
    assert "het bara i det senaste tidssteget" in text
    for explained in ("Getis-Ord Gi*", "Benjamini", "Mann–Kendall", "binomialfördelningen"):
        assert explained in text, explained
    # htmx swaps the analysis alone.
    assert fragment.status_code == 200
    assert "<h1>" not in fragment.text and 'id="analysis"' in fragment.text
    # A period that ends before it begins is told beside its field.
    assert bad.status_code == 422
    assert 'aria-invalid="true"' in bad.text and "före" in bad.text


def test_the_page_shows_unusual_weeks_near_repeat_and_reporting(
    server: Server, people: People, monkeypatch: pytest.MonkeyPatch
) -> None:
    plant_signals(server, World.of(server, people), FIRST, LAST)
    group = people["groups"][COORDINATION]["id"]
    period = {"fran": FIRST.isoformat(), "till": LAST.isoformat()}
    with browser_for(server, people, "coordination") as convener:
        text = convener.get(f"/grupper/{group}/analys", params=period).text
    with as_(server, people, "coordination") as client:
        made = client.post(
            f"/api/v1/groups/{group}/meetings", json={"starts_at": f"{LAST.isoformat()}T18:00"}
        )
        assert made.status_code == 201, made.text
    with browser_for(server, people, "coordination") as convener:
        meeting = convener.get(f"/moten/{made.json()['id']}").text
    # The agenda says it and links the analysis's unusual weeks.
    assert "Ovanligt många vecka 24" in meeting and "Skadegörelse i Bro (11, brukar" in meeting
    link = f'href="/grupper/{group}/analys?fran={FIRST}&amp;till={LAST}#ovanliga-veckor"'
    assert link in meeting, meeting
    unusual = re.search(r'id="ovanliga-veckor".*?</section>', text, re.S)
    assert unusual and "<strong>Vecka 24</strong>" in unusual[0]
    assert re.search(r"Skadegörelse i Bro</th>\s*<td[^>]*>11</td>", unusual[0]), unusual[0]
    near = re.search(r'id="nara-upprepning".*?</section>', text, re.S)
    assert near and "en händelse höjer risken för en till inom 100 m i 7 dagar" in near[0]
    assert "<caption>Inbrott: par av händelser, observerat / väntat</caption>" in near[0]
    assert "Testat på ett slumpurval" not in near[0]
    reporting = re.search(r'id="rapportering".*?</section>', text, re.S)
    assert reporting and "Fler rapporter från Hembla sedan vecka 22" in reporting[0]
    for explained in ("Farrington", "Noufaily", "Knox", "Bonferroni"):
        assert explained in text, explained
    # No coordinates: places and areas by name.
    assert not re.search(r"\d+,\d{4} N", text)
    # Where a kind has more events than are tested, the page says a sample was.
    monkeypatch.setattr(nearrepeat, "MAX_EVENTS", 50)
    with browser_for(server, people, "coordination") as convener:
        sampled = convener.get(f"/grupper/{group}/analys", params=period).text
    near = re.search(r'id="nara-upprepning".*?</section>', sampled, re.S)
    assert near and "Testat på ett slumpurval av 50 av 60 händelser." in near[0], near


def test_a_published_lagesbild_shows_the_analysis_it_was_published_with(
    server: Server, people: People
) -> None:
    _plant(server, people)
    group = people["groups"][COORDINATION]["id"]
    days = {"first_day": FIRST.isoformat(), "last_day": LAST.isoformat()}
    with as_(server, people, "coordination") as client:
        made = client.post(f"/api/v1/groups/{group}/situation-reports", json=days)
        assert made.status_code == 201, made.text
        report = made.json()["id"]
        with browser_for(server, people, "coordination") as convener:
            draft = convener.get(f"/lagesbild/{report}").text
            draft_analysis = convener.get(f"/lagesbild/{report}/analys")
        published = client.post(f"/api/v1/situation-reports/{report}/publish")
        assert published.status_code == 200, published.text
    with browser_for(server, people, "viewer") as viewer:
        page = viewer.get(f"/lagesbild/{report}").text
        show = viewer.get(f"/lagesbild/{report}/visning").text
        frozen = viewer.get(f"/lagesbild/{report}/analys")
    # A draft links the group's analysis of its period; its own analysis page says why not.
    assert (
        f'href="/grupper/{group}/analys?fran={FIRST}&amp;till={LAST}">Analys av perioden' in draft
    )
    assert "som den var vid publiceringen" not in draft
    assert draft_analysis.status_code == 200
    assert "Ett utkast har ingen fryst analys" in draft_analysis.text
    assert 'id="signifikanta"' not in draft_analysis.text
    # Published, it links the analysis it keeps, on its page and on the projector's sheet.
    link = f'href="/lagesbild/{report}/analys">Analys (som den var vid publiceringen)</a>'
    assert link in page and link in show
    assert frozen.status_code == 200, frozen.text[:500]
    text = frozen.text
    assert "<h1>Analys av lägesbilden för EST samordningsgrupp</h1>" in text
    assert f'<a href="/lagesbild/{report}">' in text  # back to the lägesbild
    # The same page as the group's analysis, without its period's form: the planted cluster
    # on the map beside the lägesbild's frozen hot spot, each method explained.
    assert f'action="/grupper/{group}/analys"' not in text
    chart = re.search(r'<svg class="chart".*?</svg>', text, re.S)
    assert chart and 'class="map-cell"' in chart[0] and 'class="map-marker"' in chart[0]
    for section in ("signifikanta", "framvaxande", "ovanliga-veckor", "nara-upprepning"):
        assert f'id="{section}"' in text, section
    assert "Getis-Ord Gi*" in text and "Knox" in text

    # One published before the analysis was kept with it says so.
    with server.database.session(write=True) as session:
        session.execute(
            update(SituationReport).where(SituationReport.id == report).values(analysis_frozen=None)
        )
    with browser_for(server, people, "viewer") as viewer:
        old = viewer.get(f"/lagesbild/{report}/analys")
    assert old.status_code == 200 and "publicerades innan analysen" in old.text
    assert 'id="signifikanta"' not in old.text
