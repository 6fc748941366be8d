"""The synthetic incidents later issues and the benchmarks build on: reproducible, and with
the rhythms they claim."""

from __future__ import annotations

from collections import Counter
from zoneinfo import ZoneInfo

from bench.generate import HOT_SPOTS, incidents

STOCKHOLM = ZoneInfo("Europe/Stockholm")


def test_the_same_seed_gives_the_same_incidents() -> None:
    assert list(incidents(200, seed=3)) == list(incidents(200, seed=3))
    assert list(incidents(200, seed=3)) != list(incidents(200, seed=4))


def test_hot_spots_weekends_evenings_and_summer_show() -> None:
    items = list(incidents(5000, seed=1))
    places = Counter(i.place for i in items)
    # About four in five fall in a hot spot; Bro centrum is the largest.
    assert 0.75 < sum(n for p, n in places.items() if p) / len(items) < 0.85
    named = Counter({p: n for p, n in places.items() if p})
    assert named.most_common(1)[0][0] == HOT_SPOTS[0].place
    local = [i.occurred_from.astimezone(STOCKHOLM) for i in items if i.precision == "exact"]
    weekdays = Counter(t.weekday() for t in local)
    assert weekdays[5] > 1.4 * weekdays[0]  # Saturday over Monday
    hours = Counter(t.hour for t in local)
    assert hours[20] > 5 * hours[5]  # the evening over the early morning
    months = Counter(t.month for t in local)
    assert months[7] > 1.5 * months[1]  # July over January
