"""Demo night walks: the trained hosts of the demo's associations (the 95 trained in January
2020 were some of theirs), and a walk last Friday evening, reported, with what was seen filed
as observations. Through the services, so the demo obeys the rules of a walk."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import Session

from api.actor import SYSTEM, Actor
from api.evenings.models import Evening
from api.evenings.schemas import EveningKind
from api.incidents.schemas import Assessment
from api.localtime import STOCKHOLM, midnight
from api.nightwalks import hosts as host_register
from api.nightwalks import schemas, service
from api.nightwalks.models import Host, NightWalk
from api.structure.models import Area, Organisation, Place

WALKERS = "Nattvandrare (föreningar)"
SISTERS = "Systerskap i Bro"
# Made-up names of hosts, trained in January 2020.
DEMO_HOSTS = {
    WALKERS: [
        ("Amir Vandravärd", dt.date(2020, 1, 18)),
        ("Britt Vandravärd", dt.date(2020, 1, 18)),
        ("Carlos Vandravärd", dt.date(2020, 1, 25)),
    ],
    SISTERS: [("Dunja Vandravärd", dt.date(2020, 1, 25))],
}


def _at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=STOCKHOLM).astimezone(dt.UTC)


def last_friday(today: dt.date) -> dt.date:
    """The Friday before ``today`` (a week back on a Friday: its evening is not over)."""
    return today - dt.timedelta(days=(today.weekday() - 4) % 7 or 7)


def _evening(session: Session, organisation: Organisation, day: dt.date) -> Evening:
    """The evening of ``day`` (as the evenings' demo seeds it), else one made here: an
    ordinary weekend evening of the whole municipality."""
    found = session.scalars(
        select(Evening)
        .where(
            Evening.municipality_id == organisation.municipality_id,
            Evening.starts_at >= midnight(day),
            Evening.starts_at < midnight(day + dt.timedelta(days=1)),
        )
        .order_by(Evening.area_id.is_not(None), Evening.id)
    ).first()
    if found is not None:
        return found
    evening = Evening(
        municipality_id=organisation.municipality_id,
        area_id=None,
        kind=EveningKind.weekend,
        starts_at=_at(day, 18),
        ends_at=_at(day, 18) + dt.timedelta(hours=8),
        notes="",
        watch=[],
    )
    session.add(evening)
    session.flush()
    return evening


def load_demo_walks(session: Session, *, today: dt.date, actor: Actor = SYSTEM) -> int:
    """The demo's hosts and last Friday's reported walk, unless there are walks already:
    the number of walks made."""
    if session.scalar(select(NightWalk.id).limit(1)) is not None:
        return 0
    organisations = {
        o.name: o
        for o in session.scalars(select(Organisation).where(Organisation.name.in_(DEMO_HOSTS)))
    }
    if WALKERS not in organisations:
        return 0
    for name, hosts in DEMO_HOSTS.items():
        organisation = organisations.get(name)
        if organisation is None:
            continue
        known = set(
            session.scalars(select(Host.name).where(Host.organisation_id == organisation.id))
        )
        for host, trained_on in hosts:
            if host not in known:
                host_register.create_host(
                    session,
                    organisation.id,
                    schemas.HostCreate(name=host, trained_on=trained_on),
                    actor=actor,
                )
    walkers = organisations[WALKERS]
    friday = last_friday(today)
    evening = _evening(session, walkers, friday)
    host_ids = list(
        session.scalars(
            select(Host.id).where(Host.organisation_id == walkers.id).order_by(Host.id).limit(2)
        )
    )
    walk = service.book(
        session,
        schemas.NightWalkCreate(
            evening_id=evening.id,
            organisation_id=walkers.id,
            walkers=5,
            host_ids=host_ids,
            starts_at=_at(friday, 19),
            ends_at=_at(friday, 23),
            route="Bro centrum – Råby – Finnsta – stationen",
        ),
        actor=actor,
    )
    bro = session.scalar(select(Area.id).where(Area.name == "Bro"))
    place = session.scalar(select(Place.id).where(Place.name == "Bro centrum"))
    # The association's report is filed by one of its own people, as on a phone.
    filer = Actor(
        "user",
        label="Demo: nattvandrare",
        organisation_id=walkers.id,
        municipality_id=walkers.municipality_id,
        municipality_ids=(walkers.municipality_id,),
        is_admin=True,
    )
    service.report(
        session,
        walk.id,
        schemas.NightWalkReport(
            started_at=_at(friday, 19, 15),
            ended_at=_at(friday, 23, 30),
            walkers=6,
            seen="Lugn kväll i stort. Ungdomar samlades vid Bro centrum vid 21-tiden och "
            "skingrades av sig själva; ny klotter i gångtunneln mot Råby.",
            observations=[
                schemas.Observation(
                    category="samling.centrum",
                    at=_at(friday, 21),
                    area_id=bro,
                    place_id=place,
                    assessment=Assessment.medium,
                    text="Ett tiotal ungdomar vid entrén, skingrades av sig själva.",
                ),
                schemas.Observation(
                    category="skadegorelse.klotter",
                    at=_at(friday, 22, 10),
                    area_id=bro,
                    assessment=Assessment.low,
                    text="Ny klotter i gångtunneln mot Råby.",
                ),
            ],
        ),
        actor=filer,
    )
    return 1
