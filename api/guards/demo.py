"""The demo's guard reports (#19): Rapid Säkerhet's reports of the last three days, each with
its rounds and two observations, filed as the form files them (one report per day)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import Session

from api import localtime
from api.guards.models import GuardReport
from api.guards.service import FORM
from api.incidents import service as incident_service
from api.incidents.models import Incident, Report
from api.incidents.schemas import Assessment, IncidentCreate, Precision
from api.structure.models import Municipality, Organisation, Place

COMPANY = "Rapid Säkerhet"
DAYS = 3
# (start, end as hours after the day's midnight, route, note)
ROUNDS = (
    (21.0, 23.0, "Bro centrum – Finnsta – Råby", "Lugnt vid stationen."),
    (24.5, 26.5, "Kungsängens station – Kungsängen centrum", ""),
)
# (hours after midnight, place, category, assessment, what was seen)
SEEN = (
    (22.0, "Råby", "samling.inomhus", Assessment.medium, "Grupp om sex ungdomar i trapphus."),
    (25.0, "Kungsängens station", "skadegorelse.klotter", Assessment.low, "Klotter i tunneln."),
)
SUMMARIES = (
    "Två rundor. Lugn kväll i Bro, nytt klotter vid Kungsängens station.",
    "Två rundor. Samling i trapphus i Råby, annars lugnt.",
    "Två rundor. Inga larm; klotter anmält till Upplands-Brohus.",
)


def load_demo_guard_reports(session: Session, *, today: dt.date) -> int:
    """The reports, unless the company has some already; how many were made."""
    company = session.scalar(select(Organisation).where(Organisation.name == COMPANY))
    if company is None or session.scalar(
        select(GuardReport.id).where(GuardReport.organisation_id == company.id).limit(1)
    ):
        return 0
    municipality = session.get(Municipality, company.municipality_id)
    assert municipality is not None
    places = {p.name: p.id for p in session.scalars(select(Place))}
    tz = localtime.zone(municipality.timezone)
    made = 0
    for back in range(DAYS, 0, -1):
        day = today - dt.timedelta(days=back)
        midnight = localtime.midnight(day, tz)

        def at(hours: float, midnight: dt.datetime = midnight) -> dt.datetime:
            return (midnight + dt.timedelta(hours=hours)).astimezone(dt.UTC)

        report = Report(organisation_id=company.id, source="demo")
        session.add(report)
        session.flush()
        for hours, place, category, assessment, text in SEEN:
            if place not in places or at(hours) > localtime.utcnow():
                continue
            values = incident_service.incident_values(
                session,
                IncidentCreate(
                    category=category,
                    occurred_from=at(hours),
                    occurred_to=at(hours + 0.5),
                    precision=Precision.part_of_day,
                    place_id=places[place],
                    assessment=assessment,
                    description=text,
                ),
                municipality,
                "",
            )
            session.add(
                Incident(
                    **values,
                    report_id=report.id,
                    municipality_id=municipality.id,
                    organisation_id=company.id,
                    source="demo",
                )
            )
        session.add(
            GuardReport(
                municipality_id=municipality.id,
                organisation_id=company.id,
                day=day,
                rounds=[
                    {
                        "starts_at": at(start).isoformat(),
                        "ends_at": at(end).isoformat(),
                        "route": route,
                        "note": note or None,
                    }
                    for start, end, route, note in ROUNDS
                ],
                summary=SUMMARIES[back - 1],
                report_id=report.id,
                source=FORM,
            )
        )
        made += 1
    session.flush()
    return made
