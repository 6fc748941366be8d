"""The police area's pages (#21), as a browser without JavaScript sees them: the menu offers
them to those the API lets read a police area; the police area's lägesbild shows its
municipalities side by side; an agreement is read by both sides and changed by the
municipality's administrator, its history beside it."""

from __future__ import annotations

import re

import httpx
import pytest

from tests.support.pages import csrf_of
from tests.support.policeareas import Pair, agree, make_pair, plant, sweref
from tests.support.servers import Server, http_client


@pytest.fixture
def pair(server: Server, api: httpx.Client) -> Pair:
    return make_pair(server, api)


def _browser(server: Server, email: str) -> httpx.Client:
    return http_client(
        base_url=server.url,
        timeout=60,
        cookies={"est_session": server.token_for(email)},
        follow_redirects=True,
    )


def test_the_police_area_page_shows_the_municipalities_side_by_side(
    server: Server, pair: Pair
) -> None:
    plant(server, pair.a, "a1", category="skadegorelse.klotter", area="Norr",
          where=sweref(660_010, 6_597_010), description="Hemligt i Väst")  # fmt: skip
    plant(server, pair.b, "b1", category="skadegorelse.glaskross", area="Centrum",
          where=sweref(670_100, 6_590_100), description="Delad text i Öst")  # fmt: skip
    agree(server, pair, pair.a, categories=["skadegorelse"], precision="grid_250")
    agree(server, pair, pair.b, categories=["skadegorelse"], precision="point", free_text=True)
    with _browser(server, pair.police) as police:
        home = police.get("/").text
        assert 'href="/lokalpolisomraden"' in home
        # The account menu's groups: the police area's too (GET /auth/me's police_areas),
        # whatever municipality they act in.
        menu = re.search(r'<ul class="account-groups">.*?</ul>', home, re.S)
        assert menu is not None
        assert (
            f'<a href="/lokalpolisomraden/{pair.police_area_id}">Lokalpolisområde Test</a>'
            in menu[0]
        )
        assert "(sammankallande)" in menu[0]
        listing = police.get("/lokalpolisomraden").text
        assert "Lokalpolisområde Test" in listing and "Nytt lokalpolisområde" not in listing
        path = f"/lokalpolisomraden/{pair.police_area_id}"
        page = police.get(path, params={"fran": "2026-11-16", "till": "2026-11-22"})
        assert page.status_code == 200, page.text
        text = page.text
        assert 'class="police-columns"' in text
        columns = re.findall(r'<article class="police-column"[^>]*>\s*<h3[^>]*>([^<]+)</h3>', text)
        assert columns == ["Kommun Väst", "Kommun Öst"]
        assert "Ruta om 250 meter" in text and "Exakt punkt" in text
        assert "Delad text i Öst" in text and "Hemligt i Väst" not in text
        # The map: Väst's cell and Öst's point, and the description says which is which.
        drawn = re.search(r'<svg class="chart" data-map="police".*?</svg>', text, re.S)
        assert drawn is not None
        assert drawn[0].count('class="map-cell"') == 1 and drawn[0].count('class="map-point"') == 1
        assert "Kommun Väst: 1 ruta om 250 meter med 1 händelse" in drawn[0]
        assert "Kommun Öst: 1 händelse som punkter" in drawn[0]
        # The convener manages the group from the page.
        assert 'action="/lokalpolisomraden/' in text and "Lägg till eller ändra roll" in text
        # The period's fragment, for htmx.
        fragment = police.get(
            path,
            params={"fran": "2026-11-16", "till": "2026-11-22"},
            headers={"HX-Request": "true"},
        )
        assert fragment.text.lstrip().startswith('<div id="lagesbild">')
        # The officer reads an agreement, without the form.
        agreement = police.get(f"{path}/avtal/{pair.a.id}").text
        assert "Delningsavtal: Kommun Väst" in agreement and "Spara avtalet" not in agreement


def test_the_administrator_changes_the_agreement_and_sees_its_history(
    server: Server, pair: Pair
) -> None:
    path = f"/lokalpolisomraden/{pair.police_area_id}/avtal/{pair.b.id}"
    with _browser(server, pair.b.admin) as admin:
        page = admin.get(path)
        assert page.status_code == 200, page.text
        assert "Spara avtalet" in page.text and "Inga ändringar ännu" in page.text
        sent = admin.post(
            path,
            data={
                "csrf_token": csrf_of(page.text),
                "kategori": ["ordning", "skadegorelse.klotter"],
                "precision": "grid_250",
            },
        )
        assert sent.status_code == 200, sent.text
        assert "Avtalet är sparat." in sent.text
        assert "Admin Kommun Öst" in sent.text and "Inget avtal" in sent.text
        refused = admin.post(
            path,
            data={"csrf_token": csrf_of(page.text), "kategori": ["x.y"], "precision": "area"},
        )
        assert refused.status_code == 422 and "Okänd kategori" in refused.text
        # The other municipality's agreement is not theirs to read: they are told so.
        other = admin.get(f"/lokalpolisomraden/{pair.police_area_id}/avtal/{pair.a.id}")
        assert other.status_code == 403
        assert "Ett delningsavtal läser bara kommunens administratörer" in other.text
        # Their police area page: the agreement, the other municipality's said in words, no
        # lägesbild (they are not in its group), and who is in the group, read-only.
        area = admin.get(f"/lokalpolisomraden/{pair.police_area_id}").text
        assert "Kommun Öst" in area and 'id="lagesbild"' not in area
        assert "Kommun Väst: avtalet läser bara kommunens administratörer" in area
        assert "Polis Test" in area and "Lägg till eller ändra roll" not in area
        assert "/ta-bort" not in area


def test_the_operator_is_told_what_they_do_not_read(server: Server, pair: Pair) -> None:
    from api.accounts.models import User

    email = "operator@test.example"
    with server.database.session(write=True) as session:
        session.add(
            User(name="Operatör", email=email, email_key=email, is_operator=True, is_admin=True)
        )
    with _browser(server, email) as operator:
        area = operator.get(f"/lokalpolisomraden/{pair.police_area_id}").text
        for name in ("Kommun Väst", "Kommun Öst"):
            assert f"{name}: avtalet läser bara kommunens administratörer" in area
        agreement = operator.get(f"/lokalpolisomraden/{pair.police_area_id}/avtal/{pair.a.id}")
        assert agreement.status_code == 403
        assert "Ett delningsavtal läser bara" in agreement.text


def test_the_last_convener_is_kept_and_removing_oneself_is_asked_again(
    server: Server, pair: Pair
) -> None:
    path = f"/lokalpolisomraden/{pair.police_area_id}"
    with _browser(server, pair.police) as police:
        page = police.get(path).text
        me = re.search(r'/grupp/(\d+)/ta-bort"[^>]*>.*?Ta bort mig', page, re.S)
        assert me is not None
        remove = f"{path}/grupp/{me[1]}/ta-bort"
        # Without JavaScript: the first press asks again.
        asked = police.post(remove, data={"csrf_token": csrf_of(page)})
        assert asked.status_code == 200 and "Vill du ta bort dig själv ur gruppen?" in asked.text
        assert 'name="bekrafta" value="ja"' in asked.text
        # Confirmed, the API refuses: the message stands beside the group's form, once.
        refused = police.post(remove, data={"csrf_token": csrf_of(page), "bekrafta": "ja"})
        assert refused.status_code == 409
        assert "Lokalpolisområdet behöver minst en sammankallande" in refused.text
        assert refused.text.count("Det du skickade är inte sparat") == 1
        demoted = police.post(f"{path}/grupp", data={"csrf_token": csrf_of(page),
                              "epost": pair.police, "roll": "member"})  # fmt: skip
        assert demoted.status_code == 409
        assert "Lokalpolisområdet behöver minst en sammankallande" in demoted.text


def test_a_bad_period_is_said_beside_the_date_fields(server: Server, pair: Pair) -> None:
    path = f"/lokalpolisomraden/{pair.police_area_id}"
    with _browser(server, pair.police) as police:
        bad = {"fran": "2026-12-05", "till": "2026-01-01"}
        page = police.get(path, params=bad)
        assert page.status_code == 200, page.text
        text = page.text
        assert "Delningsavtal" in text and 'id="fran-error"' in text
        assert "Perioden börjar efter att den slutar." in text
        assert 'value="2026-12-05"' in text and 'value="2026-01-01"' in text
        fragment = police.get(path, params=bad, headers={"HX-Request": "true"}).text
        assert fragment.lstrip().startswith('<div id="lagesbild">') and "fran-error" in fragment


def test_a_person_outside_the_police_area_is_offered_nothing(server: Server, pair: Pair) -> None:
    with _browser(server, pair.a.member) as member:
        assert 'href="/lokalpolisomraden"' not in member.get("/").text
        refused = member.get("/lokalpolisomraden")
        assert refused.status_code == 403 and "Bara " in refused.text
        assert member.get(f"/lokalpolisomraden/{pair.police_area_id}").status_code == 403
