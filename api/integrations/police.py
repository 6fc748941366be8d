"""Police reports (source ``polisen``): the same shape of file as the mapping tool's,
marked as reported to the police, and matched against the groups' own observations, so
that the lägesbild does not count one event twice.

A police report and an observation are the same event when they are of the same category
family, lie within ``MATCH_M`` metres of each other (in SWEREF 99 TM; without a point on
either, filed at the same named place), and their time windows overlap, give or take
``TOLERANCE`` (people rarely give the same minute). Of several, the nearest is taken, then
the nearest in time. The match is kept beside the two incidents and shown on both; the
lägesbild counts the observation and leaves the police report out while the match stands.
Undone, the report counts again, and is not matched again when imported again.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable

from sqlalchemy import Exists, and_, exists, or_, select
from sqlalchemy.orm import Session

from api.incidents import geo
from api.incidents.models import Incident, IncidentMatch

SOURCE = "polisen"
MATCH_M = 100.0
TOLERANCE = dt.timedelta(minutes=60)
# Degrees a little wider than MATCH_M this far north, for the index's first cut.
_LAT_DEG = 0.0012
_LON_DEG = 0.0024


def match(session: Session, incident_ids: Iterable[int]) -> int:
    """Match the police reports among ``incident_ids`` that have never been matched; the
    number matched."""
    ids = list(incident_ids)
    if not ids:
        return 0
    reports = session.scalars(
        select(Incident).where(
            Incident.id.in_(ids),
            Incident.source == SOURCE,
            Incident.withdrawn_at.is_(None),
            ~exists().where(IncidentMatch.incident_id == Incident.id),
        )
    ).all()
    found = 0
    for report in reports:
        best = _nearest(session, report)
        if best is not None:
            observation, distance = best
            session.add(
                IncidentMatch(
                    incident_id=report.id, observation_id=observation.id, distance_m=distance
                )
            )
            found += 1
    session.flush()
    return found


def _nearest(session: Session, report: Incident) -> tuple[Incident, float | None] | None:
    where = [
        Incident.municipality_id == report.municipality_id,
        Incident.source != SOURCE,
        Incident.withdrawn_at.is_(None),
        Incident.family_code == report.family_code,
        Incident.occurred_from <= report.occurred_to + TOLERANCE,
        Incident.occurred_to >= report.occurred_from - TOLERANCE,
    ]
    if report.lat is not None and report.lon is not None:
        near = and_(
            Incident.lat.between(report.lat - _LAT_DEG, report.lat + _LAT_DEG),
            Incident.lon.between(report.lon - _LON_DEG, report.lon + _LON_DEG),
        )
        at_place = (
            and_(Incident.lat.is_(None), Incident.place_id == report.place_id)
            if report.place_id is not None
            else None
        )
        where.append(or_(near, at_place) if at_place is not None else near)
    elif report.place_id is not None:
        where.append(Incident.place_id == report.place_id)
    else:
        return None
    candidates = session.scalars(select(Incident).where(*where)).all()
    scored: list[tuple[float, float, Incident, float | None]] = []
    for candidate in candidates:
        distance = _metres(report, candidate)
        if distance is not None and distance > MATCH_M:
            continue
        apart = abs((candidate.occurred_from - report.occurred_from).total_seconds())
        scored.append((distance if distance is not None else MATCH_M, apart, candidate, distance))
    if not scored:
        return None
    scored.sort(key=lambda s: (s[0], s[1], s[2].id))
    return scored[0][2], scored[0][3]


def _metres(a: Incident, b: Incident) -> float | None:
    if a.lat is None or a.lon is None or b.lat is None or b.lon is None:
        return None
    (ax, ay), (bx, by) = geo.project([a.lat, b.lat], [a.lon, b.lon])
    return round(math.hypot(ax - bx, ay - by), 1)


def counted_apart() -> Exists:
    """The condition that an incident is a police report matched to an observation that
    still stands: the lägesbild leaves it out."""
    observation = Incident.__table__.alias("observation")
    return exists().where(
        IncidentMatch.incident_id == Incident.id,
        IncidentMatch.undone_at.is_(None),
        IncidentMatch.observation_id == observation.c.id,
        observation.c.withdrawn_at.is_(None),
    )
