"""The grant report: per association and term, the walks reported, the hours walked and the
person-hours (hours × walkers), the basis of the association grant; the walks held without a
report listed apart, as they do not count. Read per policy.can_read_walk_grants: those who
read the whole municipality see every association, an association's own people their own."""

from __future__ import annotations

import datetime as dt
import io

from sqlalchemy import select
from sqlalchemy.orm import Session

from api import localtime, spreadsheets
from api.access import policy
from api.actor import Actor
from api.errors import Forbidden
from api.localtime import STOCKHOLM, utcnow
from api.nightwalks import schemas
from api.nightwalks.models import NightWalk
from api.nightwalks.service import hours_of
from api.schemas_common import Ref
from api.structure.models import Organisation
from api.structure.schemas import OrganisationKind

CSV_COLUMNS = ["Förening", "Rapporterade vandringar", "Timmar", "Persontimmar"]


def grant_report(session: Session, term: str, *, actor: Actor) -> schemas.GrantReport:
    first, last = schemas.term_days(term)
    stmt = (
        select(NightWalk)
        .join(Organisation, Organisation.id == NightWalk.organisation_id)
        .where(
            NightWalk.starts_at >= localtime.midnight(first),
            NightWalk.starts_at < localtime.midnight(last + dt.timedelta(days=1)),
            NightWalk.cancelled_at.is_(None),
            Organisation.kind == OrganisationKind.association,
        )
        .order_by(Organisation.name, NightWalk.starts_at, NightWalk.id)
    )
    if not policy.can_read_walk_grants(actor, None):
        if not policy.can_read_walk_grants(actor, actor.organisation_id):
            raise Forbidden(
                "Bidragsunderlaget läses av dem som följer hela kommunen, och av en "
                "förenings egna för den egna föreningen."
            )
        stmt = stmt.where(NightWalk.organisation_id == actor.organisation_id)
    rows: dict[int, schemas.GrantRow] = {}
    hours: dict[int, tuple[float, float]] = {}
    unreported: list[schemas.UnreportedWalk] = []
    now = utcnow()
    for walk in session.scalars(stmt):
        organisation = Ref(id=walk.organisation.id, name=walk.organisation.name)
        if walk.reported_at is None:
            if walk.starts_at <= now:
                unreported.append(
                    schemas.UnreportedWalk(
                        id=walk.id,
                        organisation=organisation,
                        starts_at=walk.starts_at,
                        ends_at=walk.ends_at,
                        walkers=walk.walkers,
                    )
                )
            continue
        walked, person = hours.get(walk.organisation_id, (0.0, 0.0))
        hours[walk.organisation_id] = (
            walked + hours_of(walk),
            person + hours_of(walk) * walk.walkers,
        )
        count = rows[walk.organisation_id].walks if walk.organisation_id in rows else 0
        rows[walk.organisation_id] = schemas.GrantRow(
            organisation=organisation,
            walks=count + 1,
            hours=round(hours[walk.organisation_id][0], 2),
            person_hours=round(hours[walk.organisation_id][1], 2),
        )
    listed = list(rows.values())
    total = (
        schemas.GrantRow(
            organisation=Ref(id=0, name="Totalt"),
            walks=sum(r.walks for r in listed),
            hours=round(sum(h for h, _ in hours.values()), 2),
            person_hours=round(sum(p for _, p in hours.values()), 2),
        )
        if listed
        else None
    )
    return schemas.GrantReport(
        term=term,
        first_day=first,
        last_day=last,
        associations=listed,
        total=total,
        unreported=unreported,
    )


def _decimal(value: float) -> str:
    return f"{value:.2f}".replace(".", ",")


def csv_text(report: schemas.GrantReport) -> str:
    """The report as a CSV that Swedish Excel opens as it is (a byte-order mark, ";",
    decimal commas), every cell inert (api.spreadsheets): an association's name comes from
    outside. The walks without a report follow, apart, after an empty line."""
    out = io.StringIO()
    writer = spreadsheets.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    writer.writerows(_row(r) for r in report.associations)
    if report.total is not None:
        writer.writerow(_row(report.total))
    if report.unreported:
        writer.writerow([])
        writer.writerow(["Saknar rapport (räknas inte)", "Start", "Slut", "Vandrare"])
        writer.writerows(
            [w.organisation.name, _local(w.starts_at), _local(w.ends_at), str(w.walkers)]
            for w in report.unreported
        )
    return "\ufeff" + out.getvalue()


def _row(row: schemas.GrantRow) -> list[str]:
    return [row.organisation.name, str(row.walks), _decimal(row.hours), _decimal(row.person_hours)]


def _local(moment: dt.datetime) -> str:
    return f"{moment.astimezone(STOCKHOLM):%Y-%m-%d %H:%M}"
