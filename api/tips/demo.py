"""The demo's tips from residents: a few waiting in the coordination group's queue, and one
accepted last week, which the lägesbild counts as an observation from the public."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import Session

from api import localtime
from api.actor import SYSTEM, Actor
from api.incidents.schemas import Assessment
from api.structure.models import Place
from api.tips import service
from api.tips.models import Tip
from api.tips.schemas import TipAccept

# Days ago, hour, what, place, text.
PENDING = (
    (1, 22, "gathering", "Bro centrum", "Ett gäng som står vid stationens entré varje kväll "
     "och skriker åt folk som går förbi."),
    (2, 20, "unsafe_place", "Örnstigen", "Gångtunneln är helt mörk, två lampor är trasiga."),
    (3, 23, "traffic", "Finnsta", "Mopeder kör i hög fart på gång- och cykelvägen."),
    (5, 19, "vandalism", "Råbyskolan", "Nytt klotter på skolans gavel mot parkeringen."),
)  # fmt: skip
ACCEPTED = (8, 21, "fire", "Råby", "Det brann i en papperskorg vid lekplatsen.")
ACCEPTED_AS = "skadegorelse.brand"


def _tip(session: Session, today: dt.date, row: tuple[int, int, str, str, str]) -> Tip:
    days, hour, what, place_name, text = row
    place = session.scalar(select(Place).where(Place.name == place_name))
    assert place is not None, place_name
    day = today - dt.timedelta(days=days)
    at = dt.datetime.combine(day, dt.time(hour, 0), tzinfo=localtime.STOCKHOLM)
    tip = Tip(
        municipality_id=place.area.municipality_id,
        what=what,
        description=text,
        occurred_at=at.astimezone(dt.UTC),
        area_id=place.area_id,
        place_id=place.id,
        received_at=(at + dt.timedelta(minutes=40)).astimezone(dt.UTC),
    )
    session.add(tip)
    session.flush()
    return tip


def load_demo_tips(session: Session, *, today: dt.date, actor: Actor = SYSTEM) -> int:
    """The demo's tips, if there are none yet; how many were made."""
    if session.scalar(select(Tip.id).limit(1)) is not None:
        return 0
    for row in PENDING:
        _tip(session, today, row)
    accepted = _tip(session, today, ACCEPTED)
    body = TipAccept(category=ACCEPTED_AS, assessment=Assessment.medium)
    service.make_observation(session, accepted, body, actor=actor)
    # Decided the day after it came, as a group that meets often would.
    accepted.moderated_at = accepted.received_at + dt.timedelta(days=1)
    session.flush()
    return len(PENDING) + 1
