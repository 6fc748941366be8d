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
        # The other municipality's agreement is not theirs to read.
        other = admin.get(f"/lokalpolisomraden/{pair.police_area_id}/avtal/{pair.a.id}")
        assert other.status_code == 404
        # Their police area page: the agreement, no lägesbild (they are not in its group).
        area = admin.get(f"/lokalpolisomraden/{pair.police_area_id}").text
        assert "Kommun Öst" in area and 'id="lagesbild"' not in area


def test_a_person_outside_the_police_area_is_offered_nothing(server: Server, pair: Pair) -> None:
    with _browser(server, pair.a.member) as member:
        assert 'href="/lokalpolisomraden"' not in member.get("/").text
        refused = member.get("/lokalpolisomraden")
        assert refused.status_code == 403 and "Bara " in refused.text
        assert member.get(f"/lokalpolisomraden/{pair.police_area_id}").status_code == 403
