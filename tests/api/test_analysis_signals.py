"""Unusual weeks, near-repeat and reporting intensity on planted data: what is planted is
found, and a history without it calls one at no more than the stated rate."""

from __future__ import annotations

import datetime as dt
import math
import time

import numpy as np

from api.analysis import nearrepeat, reporting, unusual

# Unusual weeks ------------------------------------------------------------------------------


def test_a_planted_unusual_week_is_flagged_with_its_usual_range() -> None:
    rng = np.random.default_rng(1996)
    baseline = rng.poisson(3, (1, 35)).astype(np.float64)
    for count, flagged in ((12.0, True), (4.0, False)):
        mean, threshold, p, judged, found = unusual.judge(np.asarray([count]), baseline)
        assert judged[0] and bool(found[0]) is flagged, (count, threshold, p)
        assert abs(mean[0] - baseline.mean()) < 1e-12
    # Overdispersed history: a count a Poisson history would flag is usual here.
    wild = np.asarray([[0, 0, 9, 1, 0, 8, 0, 2, 0, 10, 1, 0, 7, 0]], dtype=np.float64)
    assert not unusual.judge(np.asarray([9.0]), wild)[4][0]
    assert unusual.judge(np.asarray([9.0]), np.full((1, 14), wild.mean()))[4][0]


def test_too_little_history_or_too_few_incidents_are_not_flagged() -> None:
    short = np.full((1, 35), np.nan)
    short[0, :5] = 0
    assert not unusual.judge(np.asarray([20.0]), short)[3][0]  # not judged
    zeros = np.zeros((2, 14))
    # Nothing before in seven weeks or more: the minimum count decides.
    found = unusual.judge(np.asarray([float(unusual.MIN_COUNT), unusual.MIN_COUNT - 1.0]), zeros)
    assert found[4].tolist() == [True, False]


def test_a_poisson_history_flags_at_most_twice_the_stated_rate() -> None:
    rng = np.random.default_rng(2013)
    series = 20_000
    rate = 1 - unusual.LEVEL
    for mean in (1.0, 4.0, 15.0):
        baseline = rng.poisson(mean, (series, 35)).astype(np.float64)
        week = rng.poisson(mean, series).astype(np.float64)
        flagged = unusual.judge(week, baseline)[4].mean()
        assert flagged <= 2 * rate, (mean, flagged)


def test_the_weeks_tested_and_their_baseline() -> None:
    # A fortnight from a Wednesday: one complete week; a month: the last four.
    assert unusual.tested_weeks(dt.date(2025, 6, 4), dt.date(2025, 6, 17)) == [dt.date(2025, 6, 9)]
    month = unusual.tested_weeks(dt.date(2025, 5, 1), dt.date(2025, 6, 15))
    assert month == [dt.date(2025, 5, 19) + dt.timedelta(weeks=k) for k in range(4)]
    assert unusual.tested_weeks(dt.date(2025, 6, 10), dt.date(2025, 6, 15)) == []
    # The same week a year and five years back, by the date: a Monday.
    assert unusual.same_week(dt.date(2025, 6, 9), 1) == dt.date(2024, 6, 3)
    assert unusual.same_week(dt.date(2025, 6, 9), 5) == dt.date(2020, 6, 8)
    assert unusual.same_week(dt.date(2021, 3, 1), 1).weekday() == 0


# Near-repeat --------------------------------------------------------------------------------


def _scatter(rng: np.random.Generator, n: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    return rng.uniform(0, 6000, n), rng.uniform(0, 6000, n), rng.uniform(0, 168, n)


def test_a_planted_near_repeat_is_found() -> None:
    rng = np.random.default_rng(2008)
    xs, ys, days = _scatter(rng, 250)
    # Forty burglaries each followed by two within 90 m and 6 days.
    seeds = rng.integers(0, 250, 40)
    angle, reach = rng.uniform(0, 2 * math.pi, 80), rng.uniform(0, 90, 80)
    follow = np.repeat(seeds, 2)
    xs = np.concatenate([xs, xs[follow] + reach * np.cos(angle)])
    ys = np.concatenate([ys, ys[follow] + reach * np.sin(angle)])
    days = np.concatenate([days, days[follow] + rng.uniform(0, 6, 80)])
    kind = nearrepeat._kind("ordning.inbrott", "Inbrott", xs, ys, days)
    assert kind.tested and (kind.reach_m, kind.reach_days) == (100, 7), kind.cells
    assert kind.ratio is not None and kind.ratio > 2
    near = kind.cells[0]
    assert near.significant and near.p <= 0.002 and near.observed > near.expected
    # The same answer again: the permutations are seeded.
    assert nearrepeat._kind("ordning.inbrott", "Inbrott", xs, ys, days) == kind


def test_shuffled_times_find_near_repeat_at_the_level() -> None:
    # Places and times unrelated: the nearest, soonest cell is significant in about 5 % of
    # the series (at most the level with the binomial margin of 150 series).
    rng = np.random.default_rng(7)
    series, called = 150, 0
    for _ in range(series):
        result = nearrepeat.knox(
            *_scatter(rng, 200), permutations=199, seed=int(rng.integers(1_000_000_000))
        )
        called += bool(result.p[0, 0] < nearrepeat.LEVEL)
    assert called / series <= 0.05 + 2 * math.sqrt(0.05 * 0.95 / series), called


def test_a_large_field_is_sampled_and_its_planted_near_repeat_still_found() -> None:
    # A year of 40,000 burglaries over 6 × 6 km, and 4,000 of them each followed by two
    # within 90 m and 6 days: 48,000 events and some 15 million pairs within 400 m (tested
    # whole, before they were sampled, they took 23 s and 1.1 GB). A sample within the
    # bounds still finds the planted near-repeat (a ratio of 1.3 in the nearest cell).
    rng = np.random.default_rng(2026)
    xs, ys, days = (
        rng.uniform(0, 6000, 40_000),
        rng.uniform(0, 6000, 40_000),
        rng.uniform(0, 365, 40_000),
    )
    follow = np.repeat(rng.integers(0, 40_000, 4000), 2)
    angle, reach = rng.uniform(0, 2 * math.pi, 8000), rng.uniform(0, 90, 8000)
    xs = np.concatenate([xs, xs[follow] + reach * np.cos(angle)])
    ys = np.concatenate([ys, ys[follow] + reach * np.sin(angle)])
    days = np.concatenate([days, days[follow] + rng.uniform(0, 6, 8000)])
    started = time.perf_counter()
    kind = nearrepeat._kind("ordning.inbrott", "Inbrott", xs, ys, days)
    took = time.perf_counter() - started
    print(f"48,000 events: {kind.events:,} tested, {kind.pairs:,} pairs, {took:.2f} s")
    assert kind.sampled_from == 48_000 and 2000 < kind.events <= nearrepeat.MAX_EVENTS
    assert kind.pairs <= nearrepeat.MAX_PAIRS and kind.permutations >= 200
    assert (kind.reach_m, kind.reach_days) == (100, 7) and kind.ratio is not None
    assert kind.ratio > 1.2 and kind.cells[0].p <= 0.005
    assert took < 5, took
    # The same sample and answer again, whatever order the events come in.
    shuffled = rng.permutation(48_000)
    again = nearrepeat._kind(
        "ordning.inbrott", "Inbrott", xs[shuffled], ys[shuffled], days[shuffled]
    )
    assert again == kind


def test_many_events_close_together_are_sampled_within_the_pair_bound() -> None:
    # 3,000 events in a square of 250 m: every pair is close (4.5 million of them).
    rng = np.random.default_rng(5)
    xs, ys, days = rng.uniform(0, 250, 3000), rng.uniform(0, 250, 3000), rng.uniform(0, 365, 3000)
    kind = nearrepeat._kind("skadegorelse", "Skadegörelse", xs, ys, days)
    assert (
        kind.sampled_from == 3000 and kind.pairs <= nearrepeat.MAX_PAIRS < kind.pairs + kind.events
    )
    assert kind.pairs == kind.events * (kind.events - 1) // 2


def test_too_few_events_are_not_tested() -> None:
    rng = np.random.default_rng(3)
    kind = nearrepeat._kind("skadegorelse", "Skadegörelse", *_scatter(rng, 5))
    assert not kind.tested and kind.cells == [] and kind.reach_m is None


# Reporting intensity ------------------------------------------------------------------------


def test_a_planted_reporting_change_is_found_and_a_steady_partner_is_not() -> None:
    rng = np.random.default_rng(40)
    steady = rng.poisson(6, 26).astype(np.float64)
    # From week 16 on the school files three times as many.
    school = np.concatenate([rng.poisson(3, 16), rng.poisson(9, 10)]).astype(np.float64)
    split, p = reporting.change_week(np.stack([steady, school]))
    tests = 2 * (26 - 2 * reporting.MIN_SIDE + 1)
    assert p[1] * tests < reporting.LEVEL and abs(int(split[1]) - 16) <= 1, (split, p)
    assert p[0] * tests >= reporting.LEVEL, p


def test_steady_reporters_are_flagged_at_most_at_the_level() -> None:
    rng = np.random.default_rng(1945)
    series = rng.poisson(5, (1000, 26)).astype(np.float64)
    _split, p = reporting.change_week(series)
    tests = 26 - 2 * reporting.MIN_SIDE + 1
    assert (np.minimum(1, p * tests) < reporting.LEVEL).mean() <= reporting.LEVEL
