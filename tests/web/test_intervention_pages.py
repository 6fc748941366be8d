"""The intervention pages without JavaScript: the form with its errors beside the fields,
the intervention with its effect and follow-ups, and who sees which forms."""

from __future__ import annotations

import datetime as dt
import re

import httpx

from tests.support.pages import browser_for, csrf_of, form
from tests.support.people import People
from tests.support.planted import KLOTTER, POLICE, Spec, World, insert, midnight, offset
from tests.support.servers import Server

COORDINATION = "EST samordningsgrupp"


def field_errors(page: str) -> dict[str, str]:
    return dict(re.findall(r'<p class="field-error" id="([^"]+)-error"[^>]*>([^<]+)</p>', page))


def test_an_intervention_through_the_form_its_page_and_its_follow_up(
    server: Server, people: People
) -> None:
    group = people["groups"][COORDINATION]["id"]
    with browser_for(server, people, "coordination") as convener:
        blank = convener.get(f"/grupper/{group}/insatser/ny")
        assert blank.status_code == 200
        refused = convener.post(
            f"/grupper/{group}/insatser",
            data=form(blank.text, people, titel=" ", mal="point", kategorier=[], slut="sen"),
        )
        assert refused.status_code == 422
        errors = field_errors(refused.text)
        assert {"titel", "kategorier", "lat", "lon", "radie", "slut"} <= set(errors), errors
        # The API's own refusal lands beside its field too: the end before the start.
        backwards = convener.post(
            f"/grupper/{group}/insatser", data=form(blank.text, people, slut="2025-01-01")
        )
        assert backwards.status_code == 422
        assert "slut" in field_errors(backwards.text)
        made = convener.post(
            f"/grupper/{group}/insatser", data=form(blank.text, people), follow_redirects=False
        )
        assert made.status_code == 303, made.text[:500]
        url = made.headers["location"]
        assert re.fullmatch(r"/insatser/\d+", url)
        shown = convener.get(url).text
        assert "Slyröjning vid Fasanstigen" in shown
        assert "För få händelser" in shown  # nothing was filed in Bro then
        assert "resten av kommunen" in shown
        bad = convener.post(
            f"{url}/uppfoljning", data={"csrf_token": csrf_of(shown), "dag": "igår", "gjort": ""}
        )
        assert bad.status_code == 422
        assert set(field_errors(bad.text)) == {"dag", "gjort"}
        good = convener.post(
            f"{url}/uppfoljning",
            data={
                "csrf_token": csrf_of(shown),
                "dag": "2025-04-01",
                "gjort": "Röjt längs gångvägen.",
                "sett": "Ljusare, färre samlingar.",
            },
            follow_redirects=False,
        )
        assert good.status_code == 303
        status = convener.post(
            f"{url}/status",
            data={"csrf_token": csrf_of(shown), "status": "done"},
            follow_redirects=False,
        )
        assert status.status_code == 303
        again = convener.get(url).text
        assert "Röjt längs gångvägen." in again and "Genomförd" in again
        fragment = convener.get(f"{url}?veckor=4", headers={"HX-Request": "true"})
        assert fragment.text.lstrip().startswith('<div id="effect"')
        assert "4 veckorna före" in fragment.text
        listed = convener.get(f"/grupper/{group}").text
        assert "Slyröjning vid Fasanstigen" in listed


def test_who_sees_an_intervention_and_its_forms(server: Server, people: People) -> None:
    group = people["groups"][COORDINATION]["id"]
    with browser_for(server, people, "coordination") as convener:
        blank = convener.get(f"/grupper/{group}/insatser/ny").text
        url = convener.post(
            f"/grupper/{group}/insatser", data=form(blank, people), follow_redirects=False
        ).headers["location"]
    with browser_for(server, people, "viewer") as viewer:
        page = viewer.get(url)
        assert page.status_code == 200
        assert "Ny uppföljning" not in page.text and "Ändra status" not in page.text
        assert "Ny insats" not in viewer.get(f"/grupper/{group}").text
    with browser_for(server, people, "kungsangen") as member:
        assert member.get(url).status_code == 404
    with browser_for(server, people, "reporter") as reporter:
        assert reporter.get(url).status_code == 404


def test_numbers_that_are_no_numbers_are_told_beside_their_fields(
    server: Server, people: People
) -> None:
    """float() reads "nan", "inf" and "1e400", and str.isdigit() passes "²": none of them
    may reach the API as a number, or the page as a 500."""
    group = people["groups"][COORDINATION]["id"]
    with browser_for(server, people, "coordination") as convener:
        blank = convener.get(f"/grupper/{group}/insatser/ny").text
        for values, field in (
            ({"mal": "point", "lat": "nan", "lon": "17,63", "radie": "200"}, "lat"),
            ({"mal": "point", "lat": "59,51", "lon": "inf", "radie": "200"}, "lon"),
            ({"mal": "point", "lat": "59,51", "lon": "17,63", "radie": "1e400"}, "radie"),
            ({"mal": "place", "plats": "1", "radie": "nan"}, "radie"),
            ({"mal": "area", "omrade": "²"}, "omrade"),
            ({"agare": "³"}, "agare"),
            ({"handelser": "12, ¹"}, "handelser"),
        ):
            refused = convener.post(
                f"/grupper/{group}/insatser", data=form(blank, people, **values)
            )
            assert refused.status_code == 422, (values, refused.text[:300])
            assert field in field_errors(refused.text), (values, field_errors(refused.text))
        assert convener.get(f"/grupper/{group}/insatser/ny").status_code == 200


def test_the_effect_shows_the_weighted_displacement_with_its_explanation(
    server: Server, people: People, api: httpx.Client
) -> None:
    """A circle whose incidents fell while its ring's rose: the WDD and the WDQ are shown
    and read as displacement, with the method and its sources."""
    world = World.of(server, people)
    centre = world.centres["Bro"]
    start = dt.date(2025, 3, 3)

    def at(days: int, n: int) -> list[dt.datetime]:
        return [midnight(start + dt.timedelta(days=days + k % 13)) for k in range(n)]

    specs = [Spec(t, offset(centre, 50, 10 * k)) for k, t in enumerate(at(-14, 20))]
    specs += [Spec(t, offset(centre, 50, 10 * k)) for k, t in enumerate(at(0, 6))]
    specs += [Spec(t, offset(centre, 150, 10 * k)) for k, t in enumerate(at(-14, 4))]
    specs += [Spec(t, offset(centre, 150, 10 * k)) for k, t in enumerate(at(0, 12))]
    specs += [Spec(t, offset(centre, 1500, 7 * k)) for k, t in enumerate(at(-14, 30))]
    specs += [Spec(t, offset(centre, 1500, 7 * k)) for k, t in enumerate(at(0, 30))]
    insert(server, world, specs)
    made = api.post(
        "/api/v1/interventions",
        json={
            "group_id": world.groups[COORDINATION],
            "title": "Kameror vid torget",
            "type": "guards",
            "owner_organisation_id": world.organisations[POLICE],
            "target": {
                "kind": "point",
                "area_id": world.areas["Bro"],
                "lat": centre[0],
                "lon": centre[1],
                "radius_m": 100,
            },
            "categories": [KLOTTER],
            "planned_start": start.isoformat(),
        },
    )
    assert made.status_code == 201, made.text
    with browser_for(server, people, "coordination") as convener:
        shown = convener.get(f"/insatser/{made.json()['id']}?veckor=2").text
    # WDD = (6 − 20) − (30 − 30) + (12 − 4) = −6; WDQ = (12/30 − 4/30) / (6/30 − 20/30).
    assert "Viktad undanträngningsskillnad (WDD): −6 händelser" in shown, shown
    assert "(zonen −14, runt zonen +8)" in shown
    assert "Viktad undanträngningskvot (WDQ): −0,57" in shown
    assert "en del av problemet kan ha flyttat" in shown
    assert "Wheeler & Ratcliffe (2018)" in shown and "Bowers & Johnson (2003)" in shown
