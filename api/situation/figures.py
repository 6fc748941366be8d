"""The figures of a lägesbild: counts, changes, rhythms and hot spots of a group's scope in a
period, computed from the incidents in it.

What is counted, once for all figures:

- An incident belongs to a period when its window *begins* in it (local calendar days of the
  municipality's time zone, so a day is 23 or 25 hours when the clocks change).
- Withdrawn incidents are not counted; corrected ones count as they are now. A police report
  matched to one of the groups' observations (``api.integrations.police``) is the same
  event: the observation counts, the report does not, until the match is undone.
- An area group's scope is its area; the coordination and steering groups' is the municipality.
  Of it, only the areas the reader reads are counted (``api.access.policy.figure_areas``):
  a count is a read.
- The previous period has the same number of days and ends the day before; "last year" is the
  same calendar days a year earlier (29 February becomes the 28th).
- In the weekday × hour matrix an incident whose window is at most ``EXACT_WINDOW_HOURS``
  long counts once, at the window's midpoint; a longer window ("some time on Saturday")
  counts once under its midpoint's weekday as "tid okänd". Every incident is counted once.
- A hot spot (``hotspots.py``) shows two numbers and a trend that follows from them alone.
  Its count is the incidents it gathered: those within the radius of the incident it
  gathered around, less those a larger hot spot took first. Its previous count is the
  previous period's incidents gathered the same way: within the radius of the same
  incident, less those the larger hot spots' circles gathered first, in the same order. So
  the same incidents in both periods give the same two numbers, and "steady". The trend:
  new below ``MIN_COUNT`` before; growing at ``TREND_STEP`` or more and ``TREND_SHARE`` or
  more above it; shrinking likewise below; otherwise steady.

The cost follows the period, not the history: each query is a range on the indexed start
time, and only the incidents of the three periods (and the weekly counts of the chart) are
read.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from api import localtime
from api.categories.models import Category
from api.incidents import geo
from api.incidents.models import Incident
from api.integrations import police
from api.localtime import utcnow
from api.schemas_common import Ref
from api.situation import hotspots
from api.situation.schemas import (
    AreaRow,
    CategoryRow,
    Counts,
    FamilyRow,
    Figures,
    HotSpot,
    HotSpotTrend,
    OrganisationRow,
    PlaceRow,
    PoliceShare,
    Rules,
    WeekRow,
)
from api.situation.schemas import Period as PeriodModel
from api.structure.models import Area, Organisation, Place

EXACT_WINDOW_HOURS = 6
# A hot spot grows or shrinks by at least this many incidents and this share of before.
TREND_STEP = 2
TREND_SHARE = 0.25
CHART_WEEKS = 12
ASSESSMENT_WEIGHT = {"high": 3, "medium": 2, "low": 1}
NO_PLACE = "Ingen plats angiven"


@dataclass(frozen=True)
class Scope:
    municipality_id: int
    timezone: str
    area_id: int | None  # None: the whole municipality
    # The areas whose incidents may be counted for whoever reads the figures
    # (policy.figure_areas); None: every area. No default: every figure says whose it is.
    counted_areas: frozenset[int] | None
    participants: tuple[int, ...] = ()  # the organisations taking part in the group


@dataclass(frozen=True)
class Row:
    id: int
    category: str
    family: str
    area_id: int
    place_id: int | None
    organisation_id: int
    start: dt.datetime
    end: dt.datetime
    lat: float | None
    lon: float | None
    assessment: str | None
    police: str


def period(first: dt.date, last: dt.date, tz: ZoneInfo) -> PeriodModel:
    start = localtime.midnight(first, tz).astimezone(dt.UTC)
    end = localtime.midnight(last + dt.timedelta(days=1), tz).astimezone(dt.UTC)
    return PeriodModel(
        first_day=first, last_day=last, days=(last - first).days + 1, start=start, end=end
    )


def year_earlier(day: dt.date) -> dt.date:
    try:
        return day.replace(year=day.year - 1)
    except ValueError:  # 29 February
        return day.replace(year=day.year - 1, day=28)


def counted_conditions(scope: Scope) -> list[Any]:
    """What the lägesbild counts: the scope's incidents that stand, each event once, of the
    areas its reader reads. Every figure counted from the incidents starts from these."""
    conditions: list[Any] = [
        Incident.municipality_id == scope.municipality_id,
        Incident.withdrawn_at.is_(None),
        # A police report matched to an observation is the same event, counted once.
        ~police.counted_apart(),
    ]
    if scope.area_id is not None:
        conditions.append(Incident.area_id == scope.area_id)
    if scope.counted_areas is not None:
        conditions.append(Incident.area_id.in_(scope.counted_areas))
    return conditions


def rows(session: Session, scope: Scope, span: PeriodModel) -> list[Row]:
    stmt = select(
        Incident.id,
        Incident.category_code,
        Incident.family_code,
        Incident.area_id,
        Incident.place_id,
        Incident.organisation_id,
        Incident.occurred_from,
        Incident.occurred_to,
        Incident.lat,
        Incident.lon,
        Incident.assessment,
        Incident.police_reported,
    ).where(
        *counted_conditions(scope),
        Incident.occurred_from >= span.start,
        Incident.occurred_from < span.end,
    )
    return [
        Row(
            id=r[0],
            category=r[1],
            family=r[2],
            area_id=r[3],
            place_id=r[4],
            organisation_id=r[5],
            start=r[6],
            end=r[7],
            lat=r[8],
            lon=r[9],
            assessment=r[10].value if r[10] is not None else None,
            police=r[11].value,
        )
        for r in session.execute(stmt)
    ]


def _week_counts(
    session: Session, scope: Scope, mondays: Sequence[dt.date], tz: ZoneInfo, end: dt.datetime
) -> list[int]:
    """Incidents per local week, one query: a range scan with a sum per week. The last week
    ends at ``end`` (the period's end) when that comes first: no day after the period."""
    edges = [
        localtime.midnight(d, tz).astimezone(dt.UTC)
        for d in [*mondays, mondays[-1] + dt.timedelta(days=7)]
    ]
    edges[-1] = min(edges[-1], end)
    return span_counts(session, scope, edges)


def span_counts(session: Session, scope: Scope, edges: Sequence[dt.datetime]) -> list[int]:
    """What the lägesbild counts (``counted_conditions``) between each two consecutive
    instants of ``edges``, one query: a range scan with a sum per span."""
    sums = [
        func.sum(
            case(
                ((Incident.occurred_from >= a) & (Incident.occurred_from < b), 1),
                else_=0,
            )
        )
        for a, b in itertools.pairwise(edges)
    ]
    stmt = select(*sums).where(
        *counted_conditions(scope),
        Incident.occurred_from >= edges[0],
        Incident.occurred_from < edges[-1],
    )
    result = session.execute(stmt).one()
    return [int(v or 0) for v in result]


def month_counts(session: Session, scope: Scope, year: int) -> list[int]:
    """The incidents of each local calendar month of ``year``, counted as the lägesbild
    counts (its periods begin at local midnight too)."""
    tz = localtime.zone(scope.timezone)
    firsts = [dt.date(year, month, 1) for month in range(1, 13)] + [dt.date(year + 1, 1, 1)]
    return span_counts(
        session, scope, [localtime.midnight(d, tz).astimezone(dt.UTC) for d in firsts]
    )


def _three(counters: Sequence[Counter[Any]], key: Any) -> dict[str, int]:
    """A key's count in this period, the previous one and last year."""
    current, previous, last_year = counters
    return {"current": current[key], "previous": previous[key], "last_year": last_year[key]}


def _ordered(keys: Iterable[Any], current: Counter[Any], name: Any) -> list[Any]:
    return sorted(keys, key=lambda k: (-current[k], name(k)))


@dataclass(frozen=True)
class Counted:
    """An incident as a lägesbild counted it."""

    id: int
    category: str
    area: str
    occurred_from: dt.datetime


def compute(
    session: Session, scope: Scope, first: dt.date, last: dt.date, *, now: dt.datetime | None = None
) -> tuple[Figures, list[Counted]]:
    """The figures, and the incidents they count (in time order)."""
    tz = localtime.zone(scope.timezone)
    days = (last - first).days + 1
    this = period(first, last, tz)
    before = period(first - dt.timedelta(days=days), first - dt.timedelta(days=1), tz)
    a_year_ago = period(year_earlier(first), year_earlier(last), tz)
    cur = rows(session, scope, this)
    prev = rows(session, scope, before)
    past = rows(session, scope, a_year_ago)

    categories = {c.code: c.label_sv for c in session.scalars(select(Category))}
    areas = {
        a.id: a
        for a in session.scalars(select(Area).where(Area.municipality_id == scope.municipality_id))
    }
    place_ids = {r.place_id for r in (*cur, *prev, *past) if r.place_id is not None}
    places = (
        {p.id: p for p in session.scalars(select(Place).where(Place.id.in_(place_ids)))}
        if place_ids
        else {}
    )
    organisation_ids = {r.organisation_id for r in cur} | set(scope.participants)
    known = (
        list(session.scalars(select(Organisation).where(Organisation.id.in_(organisation_ids))))
        if organisation_ids
        else []
    )
    organisations = {o.id: o.name for o in known}
    # Those taking part in the group and still active. (When an organisation began to take
    # part is not known: the structure is registered when the system is set up.)
    expected = {o.id for o in known if o.active} & set(scope.participants)

    def label(code: str) -> str:
        return categories.get(code, code)

    # By family and category.
    fam = [Counter(r.family for r in rs) for rs in (cur, prev, past)]
    cat = [Counter(r.category for r in rs) for rs in (cur, prev, past)]
    families = [
        FamilyRow(
            code=f,
            name=label(f),
            **_three(fam, f),
            categories=[
                CategoryRow(code=c, name=label(c), **_three(cat, c))
                for c in _ordered(
                    [c for c in set().union(*cat) if c.split(".")[0] == f], cat[0], label
                )
            ],
        )
        for f in _ordered(set().union(*fam), fam[0], label)
    ]

    # By area and place.
    by_area = [Counter(r.area_id for r in rs) for rs in (cur, prev, past)]
    area_ids = (
        [scope.area_id]
        if scope.area_id is not None
        else [a.id for a in areas.values() if a.active] + list(set().union(*by_area))
    )
    area_rows = [
        AreaRow(id=a, name=areas[a].name if a in areas else str(a), **_three(by_area, a))
        for a in _ordered(
            dict.fromkeys(area_ids), by_area[0], lambda a: areas[a].name if a in areas else ""
        )
    ]
    # Every place counted in any of the three periods, as areas and categories are: a place
    # that had many before and none now is news too.
    by_place = [Counter(r.place_id for r in rs) for rs in (cur, prev, past)]

    def place_area(pid: int | None) -> str:
        if pid is None or pid not in places:
            return ""
        area = areas.get(places[pid].area_id)
        return area.name if area else ""

    place_rows = [
        PlaceRow(
            id=p,
            name=places[p].name if p is not None and p in places else NO_PLACE,
            area=place_area(p),
            **_three(by_place, p),
        )
        for p in sorted(
            set().union(*by_place),
            key=lambda p: (p is None, -by_place[0][p], places[p].name if p in places else ""),
        )
    ]

    # Weekday × hour, local time.
    weekday_hour = [[0] * 24 for _ in range(7)]
    unknown_hour = [0] * 7
    limit = dt.timedelta(hours=EXACT_WINDOW_HOURS)
    for r in cur:
        window = r.end - r.start
        middle = (r.start + window / 2).astimezone(tz)
        if window <= limit:
            weekday_hour[middle.weekday()][middle.hour] += 1
        else:
            unknown_hour[middle.weekday()] += 1

    # Weeks for the chart: the last CHART_WEEKS local weeks up to the period's end, and the
    # same weeks 52 weeks earlier.
    last_monday = last - dt.timedelta(days=last.weekday())
    mondays = [last_monday - dt.timedelta(weeks=k) for k in range(CHART_WEEKS - 1, -1, -1)]
    this_year = _week_counts(session, scope, mondays, tz, this.end)
    a_year = dt.timedelta(weeks=52)
    earlier = _week_counts(session, scope, [m - a_year for m in mondays], tz, this.end - a_year)
    # A week is whole when its last day is over and inside the period; otherwise its bar
    # counts only the days up to the earlier of the two.
    counted_until = min(this.end, now or utcnow())
    weeks = []
    for m, c, e in zip(mondays, this_year, earlier, strict=True):
        week_end = localtime.midnight(m + dt.timedelta(days=7), tz).astimezone(dt.UTC)
        complete = week_end <= counted_until
        through = (counted_until - dt.timedelta(microseconds=1)).astimezone(tz).date()
        weeks.append(
            WeekRow(
                monday=m,
                week=m.isocalendar().week,
                current=c,
                last_year=e,
                complete=complete,
                through=None if complete else max(m, through),
            )
        )

    spots = _hot_spots(cur, prev, categories, areas, places)

    police = Counter(r.police for r in cur)
    reporters = Counter(r.organisation_id for r in cur)
    figures = Figures(
        computed_at=now or utcnow(),
        area=Ref(id=scope.area_id, name=areas[scope.area_id].name)
        if scope.area_id is not None and scope.area_id in areas
        else None,
        period=this,
        previous=before,
        last_year=a_year_ago,
        rules=Rules(
            hot_spot_radius_m=hotspots.RADIUS_M,
            hot_spot_min_count=hotspots.MIN_COUNT,
            exact_window_hours=EXACT_WINDOW_HOURS,
            timezone=scope.timezone,
            hot_spot_trend=_trend_rule(),
        ),
        total=Counts(current=len(cur), previous=len(prev), last_year=len(past)),
        families=families,
        areas=area_rows,
        places=place_rows,
        weeks=weeks,
        weekday_hour=weekday_hour,
        unknown_hour=unknown_hour,
        hot_spots=spots,
        police=PoliceShare(
            yes=police["yes"],
            no=police["no"],
            unknown=police["unknown"],
            share=police["yes"] / len(cur) if cur else None,
        ),
        reporters=[
            OrganisationRow(id=o, name=organisations.get(o, str(o)), count=n)
            for o, n in sorted(
                reporters.items(), key=lambda item: (-item[1], organisations.get(item[0], ""))
            )
        ],
        silent=sorted(
            (Ref(id=o, name=organisations.get(o, str(o))) for o in expected if reporters[o] == 0),
            key=lambda ref: ref.name,
        ),
    )
    counted = [
        Counted(
            id=r.id,
            category=label(r.category),
            area=areas[r.area_id].name if r.area_id in areas else str(r.area_id),
            occurred_from=r.start,
        )
        for r in sorted(cur, key=lambda r: (r.start, r.id))
    ]
    return figures, counted


def _points(rs: Sequence[Row]) -> list[hotspots.Point]:
    located = [r for r in rs if r.lat is not None and r.lon is not None]
    xy = geo.project([r.lat for r in located], [r.lon for r in located])  # type: ignore[misc]
    return [
        hotspots.Point(r.id, x, y, ASSESSMENT_WEIGHT.get(r.assessment or "", 0))
        for r, (x, y) in zip(located, xy, strict=True)
    ]


def trend(count: int, previous: int) -> HotSpotTrend:
    if previous < hotspots.MIN_COUNT:
        return HotSpotTrend.new
    if count - previous >= TREND_STEP and count >= (1 + TREND_SHARE) * previous:
        return HotSpotTrend.growing
    if previous - count >= TREND_STEP and count <= (1 - TREND_SHARE) * previous:
        return HotSpotTrend.shrinking
    return HotSpotTrend.steady


def _trend_rule() -> str:
    """How a hot spot's figures and trend are counted, in words for the page."""
    share = round(TREND_SHARE * 100)
    return (
        f"Antal: händelserna inom {hotspots.RADIUS_M:.0f} meter från den händelse den heta "
        "platsen samlades kring, utom dem som en större het plats redan räknat. Förra: "
        "föregående periods händelser, räknade på samma sätt kring samma händelse. Ny: färre "
        f"än {hotspots.MIN_COUNT} förra perioden. Växande: minst {TREND_STEP} och {share} % "
        f"fler än förra. Minskande: minst {TREND_STEP} och {share} % färre. Annars oförändrad."
    )


def _most_common(values: Iterable[Any]) -> Any:
    counted = Counter(v for v in values if v is not None)
    if not counted:
        return None
    # Ties go to the smallest value, so the same data always names the same place.
    return min(counted, key=lambda v: (-counted[v], v))


def _hot_spots(
    cur: Sequence[Row],
    prev: Sequence[Row],
    categories: dict[str, str],
    areas: dict[int, Area],
    places: dict[int, Place],
) -> list[HotSpot]:
    by_id = {r.id: r for r in cur}
    spots = hotspots.clusters(_points(cur))
    # The previous period counted as the hot spots gathered this one's (see the module's
    # docstring), so that the trend follows from the two figures shown.
    before = hotspots.claimed(_points(prev), [c.seed for c in spots])
    found = []
    for cluster, previous in zip(spots, before, strict=True):
        members = [by_id[p.id] for p in cluster.members]
        x, y = cluster.centre
        lat, lon = geo.unproject(x, y)
        assessed = Counter(r.assessment for r in members)
        area_id = _most_common(r.area_id for r in members)
        place_id = _most_common(r.place_id for r in members)
        family = _most_common(r.family for r in members)
        found.append(
            HotSpot(
                rank=0,
                lat=round(lat, 6),
                lon=round(lon, 6),
                x=round(x, 1),
                y=round(y, 1),
                radius_m=hotspots.RADIUS_M,
                count=len(members),
                high=assessed["high"],
                medium=assessed["medium"],
                low=assessed["low"],
                previous=previous,
                trend=trend(len(members), previous),
                area=areas[area_id].name if area_id in areas else "",
                place=places[place_id].name if place_id in places else None,
                family=categories.get(family, family),
                incident_ids=[r.id for r in members],
            )
        )
    found.sort(key=lambda h: (-h.count, -h.high, -h.medium, h.incident_ids[0]))
    for rank, spot in enumerate(found, start=1):
        spot.rank = rank
    return found
