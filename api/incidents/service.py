"""Filing reports and reading incidents, within the access rules of api.access.policy."""

from __future__ import annotations

import datetime as dt
import math
from typing import Any

from sqlalchemy import Select, false, func, or_, select, true
from sqlalchemy.orm import Session

from api import localtime
from api.access import policy
from api.actor import Actor
from api.audit import service as audit
from api.categories.models import Category
from api.errors import Conflict, FieldError, Forbidden, Hidden, Invalid, NotFound
from api.incidents import areas, elsewhere, photo_reads, schemas, slots
from api.incidents.models import (
    Incident,
    IncidentMatch,
    IncidentVersion,
    Report,
)
from api.incidents.schemas import Precision
from api.incidents.thinning import thinned_reference
from api.localtime import STOCKHOLM, utcnow
from api.pagination import PageResult, paginate
from api.photos import service as photo_service
from api.records import get_or_404, not_found_message
from api.resources import reference
from api.settings import Settings
from api.structure.models import Municipality
from api.structure.service import ORGANISATIONS

# A phone's clock may run a little ahead; a time further into the future is a mistake.
FUTURE_TOLERANCE = dt.timedelta(minutes=10)
DUPLICATE_METRES = 100


# Scope ---------------------------------------------------------------------------------------


def _scoped(stmt: Select[Any], actor: Actor) -> Select[Any]:
    """The incidents the actor reads: their areas' (policy.readable_area_ids), and those of
    the reports they filed themselves."""
    areas = policy.readable_area_ids(actor)
    if areas is None:
        return stmt
    own = (
        Incident.report_id.in_(select(Report.id).where(Report.reporter_id == actor.user_id))
        if actor.user_id is not None
        else false()
    )
    return stmt.where(or_(Incident.area_id.in_(areas), own))


def get_incident(session: Session, incident_id: int, *, actor: Actor) -> Incident:
    incident = get_or_404(session, Incident, incident_id, "ingen händelse")
    visible = _scoped(select(Incident.id).where(Incident.id == incident_id), actor)
    if session.scalar(visible) is None or (
        # A withdrawn incident is gone for its readers; those who may change it still see it.
        incident.withdrawn_at is not None and not _changes(incident, actor)
    ):
        raise Hidden(not_found_message("ingen händelse", incident_id))
    return incident


def _changes(incident: Incident, actor: Actor) -> bool:
    """Whether the actor may correct or withdraw the incident (policy.can_edit_incident)."""
    return policy.can_edit_incident(
        actor, area_id=incident.area_id, reporter_id=incident.report.reporter_id
    )


def get_report(session: Session, report_id: int, *, actor: Actor) -> tuple[Report, list[Incident]]:
    """The report and those of its incidents the actor reads: a report often spans areas."""
    report = get_or_404(session, Report, report_id, "ingen rapport")
    visible = _scoped(select(Incident).where(Incident.report_id == report_id), actor).where(
        # A withdrawn one is gone but for those who may change it, as in the list.
        or_(Incident.withdrawn_at.is_(None), editable_by(actor))
    )
    incidents = list(session.scalars(visible.order_by(Incident.id)))
    if not incidents:
        raise Hidden(not_found_message("ingen rapport", report_id))
    return report, incidents


def list_incidents(
    session: Session, query: schemas.IncidentFilter, *, actor: Actor
) -> PageResult[Incident]:
    # Newest first: the last filed is what a group looks at first.
    return paginate(session, filtered(query, actor), Incident.id, query, descending=True)


def filtered(query: schemas.IncidentFilter, actor: Actor) -> Select[Any]:
    """The incidents the filters ask for, of those the actor reads."""
    stmt = _scoped(select(Incident), actor)
    conditions = [
        Incident.area_id == query.area if query.area is not None else None,
        Incident.place_id == query.place if query.place is not None else None,
        (
            Incident.family_code == query.category
            if query.category and "." not in query.category
            else Incident.category_code == query.category
        )
        if query.category
        else None,
        Incident.occurred_to >= query.since if query.since is not None else None,
        Incident.occurred_from < query.until if query.until is not None else None,
        Incident.organisation_id == query.organisation if query.organisation else None,
        Incident.assessment == query.assessment if query.assessment else None,
        Incident.certainty == query.certainty if query.certainty else None,
        Incident.police_reported == query.police_reported if query.police_reported else None,
        Incident.source == query.source if query.source else None,
        func.lower(Incident.description).contains(query.q.strip().lower(), autoescape=True)
        if query.q and query.q.strip()
        else None,
        _withdrawn(query.withdrawn, actor),
    ]
    return stmt.where(*(c for c in conditions if c is not None))


def _withdrawn(wanted: bool, actor: Actor) -> Any:
    if not wanted:
        return Incident.withdrawn_at.is_(None)
    return Incident.withdrawn_at.is_not(None) & editable_by(actor)


def editable_by(actor: Actor) -> Any:
    """The incidents the actor may correct or withdraw (policy.incident_edit_scope), as a
    condition of a query: a withdrawn incident is read by them alone, in every list."""
    scope = policy.incident_edit_scope(actor)
    if scope.everywhere:
        return true()
    own = (
        Incident.report_id.in_(select(Report.id).where(Report.reporter_id == scope.reporter_id))
        if scope.reporter_id is not None
        else false()
    )
    return or_(Incident.area_id.in_(scope.area_ids), own)


def count(session: Session, query: schemas.IncidentFilter, *, actor: Actor) -> int:
    """How many incidents the filters give the actor: the rows an export holds."""
    stmt = filtered(query, actor).with_only_columns(func.count(Incident.id)).order_by(None)
    return session.scalar(stmt) or 0


# Filing --------------------------------------------------------------------------------------


def create_report(
    session: Session, data: schemas.ReportCreate, *, actor: Actor, source: str = "api"
) -> Report:
    if not policy.can_file_reports(actor):
        raise Forbidden(
            "Din roll kan inte rapportera händelser. Rapportörer och medlemmar i en EST-grupp kan."
        )
    organisation_id = data.organisation_id or actor.organisation_id
    if not policy.may_report_for(actor, organisation_id):
        raise Invalid.field(
            "organisation_id", "Du rapporterar för din egen organisation.", "other_organisation"
        )
    assert organisation_id is not None
    organisation = elsewhere.guest_organisation(session, actor, organisation_id) or reference(
        session,
        ORGANISATIONS,
        organisation_id,
        field_name="organisation_id",
    )
    municipality = session.get(Municipality, organisation.municipality_id)
    assert municipality is not None
    there = elsewhere.across_boundary(session, data, municipality, organisation, actor)
    if there is not None:
        municipality, organisation = there
    errors: list[FieldError] = []
    rows = []
    for index, item in enumerate(data.incidents):
        try:
            rows.append(incident_values(session, item, municipality, f"incidents.{index}."))
        except Invalid as exc:
            errors.extend(exc.errors)
    if errors:
        raise Invalid(
            "Rapporten sparades inte: rätta det som är markerat och skicka igen.", errors=errors
        )
    report = Report(organisation_id=organisation.id, reporter_id=actor.user_id, source=source)
    session.add(report)
    session.flush()
    for values in rows:
        session.add(
            Incident(
                **values,
                report_id=report.id,
                municipality_id=municipality.id,
                organisation_id=organisation.id,
                source=source,
            )
        )
    session.flush()
    session.refresh(report)
    return report


def incident_values(
    session: Session,
    item: schemas.IncidentCreate,
    municipality: Municipality,
    prefix: str,
    kept: frozenset[str] = frozenset(),
) -> dict[str, Any]:
    """``kept``: the fields a correction leaves as they were, which may since have been
    deactivated (a category, an area, a place) and still stand on an old incident."""
    errors: list[FieldError] = []

    def problem(field: str, message: str, code: str) -> None:
        errors.append(FieldError(prefix + field, message, code))

    category = session.get(Category, item.category)
    if category is None:
        problem("category", f"Det finns ingen kategori med koden {item.category}.", "unknown_id")
    elif not category.active and "category" not in kept:
        problem("category", f"Kategorin {category.label_sv} används inte längre.", "inactive")

    occurred_from, occurred_to = _window(item, problem)

    lat = lon = None
    if item.position is not None:
        lat, lon = elsewhere.wgs84(item.position)
        refused = areas.refusal(session, municipality, lat, lon)
        if refused is not None:
            problem("position", refused.message, "outside_municipality")
            lat = lon = None

    found = areas.where(session, item, municipality, lat, lon, problem, kept)
    area, place = found.area, found.place
    if errors:
        raise Invalid("Händelsen har fel.", errors=errors)
    assert area is not None and category is not None
    return {
        "category_code": category.code,
        "family_code": schemas.family_of(category.code),
        "occurred_from": occurred_from,
        "occurred_to": occurred_to,
        "precision": item.precision,
        "area_id": area.id,
        "area_from": found.area_from,
        "area_from_place": found.area_from_place,
        "place_id": place.id if place else None,
        "lat": lat,
        "lon": lon,
        "assessment": item.assessment,
        "certainty": item.certainty,
        "police_reported": item.police_reported,
        "description": item.description or None,
    }


def _window(item: schemas.IncidentCreate, problem: Any) -> tuple[dt.datetime, dt.datetime]:
    start, end = item.occurred_from, item.occurred_to
    if item.precision is Precision.day:
        # Some time that day (or those days), in Swedish days.
        first = start.astimezone(STOCKHOLM).date()
        # An end at midnight is the end of the day before (how a day is stored), so that a
        # stored window read back is the same window.
        closing = end - dt.timedelta(microseconds=1) if end and end > start else start
        last = closing.astimezone(STOCKHOLM).date()
        start = localtime.midnight(first).astimezone(dt.UTC)
        end = localtime.midnight(last + dt.timedelta(days=1)).astimezone(dt.UTC)
    elif item.precision is Precision.part_of_day and end is None:
        problem("occurred_to", "Ange när tidsfönstret slutar.", "required")
    end = end or start
    if start > utcnow() + FUTURE_TOLERANCE:
        problem("occurred_from", "Tiden ligger i framtiden.", "in_future")
    return start, end


# Possible duplicates ----------------------------------------------------------------------


# Two people seldom give the same minute for the same event: windows this near overlap.
DUPLICATE_TOLERANCE = dt.timedelta(minutes=60)


def possible_duplicates(session: Session, incident: Incident, *, actor: Actor) -> list[int]:
    """Incidents of the same family, within about 100 m, whose windows overlap (give or take
    an hour): pointed out, never merged or refused. Without a point, the same named place
    stands in for 100 m."""
    stmt = _scoped(select(Incident), actor).where(
        Incident.id != incident.id,
        Incident.family_code == incident.family_code,
        Incident.withdrawn_at.is_(None),
        Incident.occurred_from <= incident.occurred_to + DUPLICATE_TOLERANCE,
        Incident.occurred_to >= incident.occurred_from - DUPLICATE_TOLERANCE,
    )
    if incident.lat is not None and incident.lon is not None:
        # A box around the point first (an index can use it), then the true distance.
        dlat = DUPLICATE_METRES / 111_320
        dlon = dlat / max(math.cos(math.radians(incident.lat)), 0.01)
        stmt = stmt.where(
            Incident.lat.between(incident.lat - dlat, incident.lat + dlat),
            Incident.lon.between(incident.lon - dlon, incident.lon + dlon),
        )
        found = [
            other.id
            for other in session.scalars(stmt.order_by(Incident.id).limit(50))
            if _metres(incident, other) <= DUPLICATE_METRES
        ]
        return found[:10]
    if incident.place_id is not None:
        stmt = stmt.where(Incident.place_id == incident.place_id)
        return list(
            session.scalars(stmt.with_only_columns(Incident.id).order_by(Incident.id).limit(10))
        )
    return []


def _metres(a: Incident, b: Incident) -> float:
    assert a.lat is not None and a.lon is not None and b.lat is not None and b.lon is not None
    # Haversine: exact enough at 100 m.
    p1, p2 = math.radians(a.lat), math.radians(b.lat)
    dp, dl = p2 - p1, math.radians(b.lon - a.lon)
    h = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * 6_371_000 * math.asin(math.sqrt(h))


# Corrections and withdrawal ----------------------------------------------------------------

# The incident's free text: what someone wrote or a source sent, where personal data can
# stand. A withdrawal for personal data blanks all of it, and the same in its history
# (whose versions may hold any of them, under these names).
FREE_TEXT = ("description", "address", "external_id")


def read(session: Session, incident: Incident, *, actor: Actor) -> schemas.IncidentRead:
    """The incident as the caller reads it: with the incidents that may describe the same
    event, whether they may change it, what came of it (a slot, filled by interventions) and
    its matches to police reports."""
    read = schemas.IncidentRead.model_validate(incident)
    read.possible_duplicates = possible_duplicates(session, incident, actor=actor)
    read.may_edit = may_edit(incident, actor=actor)
    read.may_restore = incident.restorable and _changes(incident, actor)
    read.outcomes = slots.outcomes(session, incident.id)
    read.matches = [schemas.MatchRead.model_validate(m) for m in matches(session, incident)]
    read.photos = photo_reads.reads(session, [incident.id])[incident.id]
    return read


def read_report(
    session: Session, report: Report, incidents: list[Incident], *, actor: Actor
) -> schemas.ReportRead:
    read_ = schemas.ReportRead.model_validate(report)
    read_.notice = elsewhere.filed_elsewhere(session, report, actor)
    read_.incidents = [read(session, incident, actor=actor) for incident in incidents]
    return read_


def may_edit(incident: Incident, *, actor: Actor) -> bool:
    return incident.withdrawn_at is None and _changes(incident, actor)


def _may_change(incident: Incident, actor: Actor) -> None:
    policy.require_edit_incident(
        actor, area_id=incident.area_id, reporter_id=incident.report.reporter_id
    )


def editable(session: Session, incident_id: int, actor: Actor) -> Incident:
    incident = get_incident(session, incident_id, actor=actor)
    _may_change(incident, actor)
    if incident.withdrawn_at is not None:
        raise Conflict("Händelsen är återkallad och kan inte ändras.", code="withdrawn")
    return incident


def snapshot(incident: Incident | Any) -> dict[str, Any]:
    """The incident as it was, for its history: an ORM object, or a row of its table."""
    return {
        "category": incident.category_code,
        "occurred_from": incident.occurred_from.isoformat(),
        "occurred_to": incident.occurred_to.isoformat(),
        "precision": incident.precision.value,
        "area_id": incident.area_id,
        "place_id": incident.place_id,
        "lat": incident.lat,
        "lon": incident.lon,
        "assessment": incident.assessment.value if incident.assessment else None,
        "certainty": incident.certainty.value if incident.certainty else None,
        "police_reported": incident.police_reported.value,
        "description": incident.description,
        "address": incident.address,
        "organisation_id": incident.organisation_id,
    }


def update_incident(
    session: Session, incident_id: int, data: schemas.IncidentUpdate, *, actor: Actor
) -> Incident:
    incident = editable(session, incident_id, actor)
    sent = data.model_dump(exclude_unset=True, exclude={"confirm_personal_data"})
    before = snapshot(incident)
    position = None
    if incident.lat is not None and incident.lon is not None:
        position = {"lat": incident.lat, "lon": incident.lon}
    state = {
        "category": incident.category_code,
        "occurred_from": incident.occurred_from,
        "occurred_to": incident.occurred_to,
        "precision": incident.precision,
        "area_id": incident.area_id,
        "place_id": incident.place_id,
        "position": position,
        "assessment": incident.assessment or schemas.Assessment.medium,
        "certainty": incident.certainty or schemas.Certainty.observed,
        "police_reported": incident.police_reported,
        "description": incident.description,
        # A description already filed was looked at then; only a new one is looked at now.
        "confirm_personal_data": data.confirm_personal_data or "description" not in sent,
        **sent,
    }
    if "place_id" in sent and "area_id" not in sent and sent["place_id"] is not None:
        state["area_id"] = None  # the new place says which area
    if "position" in sent and not {"area_id", "place_id"} & sent.keys() and _by_point(incident):
        state["area_id"] = None  # the point said which area: the new point says it again
    try:
        merged = schemas.IncidentCreate.model_validate(state)
    except ValueError as exc:
        raise Invalid(f"Ändringen går inte ihop med händelsen: {exc}") from exc
    municipality = session.get(Municipality, incident.municipality_id)
    assert municipality is not None
    kept = frozenset(k for k in ("category", "area_id", "place_id") if k not in sent)
    values = incident_values(session, merged, municipality, "", kept)
    if incident.assessment is None and "assessment" not in sent:
        values["assessment"] = None
    if incident.certainty is None and "certainty" not in sent:
        values["certainty"] = None
    if values["area_id"] == incident.area_id and not {"area_id", "place_id", "position"} & set(
        sent
    ):
        # The area as it was: what decided it then still stands.
        values["area_from"] = incident.area_from
        values["area_from_place"] = incident.area_from_place
    changed = {k: v for k, v in values.items() if getattr(incident, k) != v}
    if not changed:
        return incident
    session.add(
        IncidentVersion(
            incident_id=incident.id,
            version=incident.version,
            data=before,
            changed_by=actor.user_id,
        )
    )
    for key, value in changed.items():
        setattr(incident, key, value)
    incident.version += 1
    session.flush()
    session.refresh(incident)
    return incident


def _by_point(incident: Incident) -> bool:
    return incident.place_id is None and incident.area_from in (
        schemas.AreaFrom.boundary,
        schemas.AreaFrom.nearest_place,
        schemas.AreaFrom.nearest_area,
    )


def withdraw_incident(
    session: Session,
    incident_id: int,
    data: schemas.Withdrawal,
    *,
    actor: Actor,
    settings: Settings,
) -> Incident:
    incident = get_incident(session, incident_id, actor=actor)
    _may_change(incident, actor)
    if incident.withdrawn_at is not None:
        return incident  # already withdrawn: a retry changes nothing
    incident.withdrawn_at = utcnow()
    incident.withdrawn_reason = data.reason
    if data.reason is schemas.WithdrawReason.personal_data:
        # What must not stay does not stay: no free text in the incident, none in its history.
        # The source's reference leaves a digest, as retention's does, so that the source
        # sending the incident again finds it instead of filing its text anew.
        reference = incident.external_id
        for name in FREE_TEXT:
            setattr(incident, name, None)
        if reference is not None:
            incident.external_id = thinned_reference(reference)
        for version in session.scalars(
            select(IncidentVersion).where(IncidentVersion.incident_id == incident.id)
        ):
            version.data = {
                **version.data,
                **dict.fromkeys(k for k in FREE_TEXT if k in version.data),
            }
        slots.blank_copies(session, incident.id)
        # A photo is personal data as the text is (#20).
        photo_service.remove_for(session, photo_reads.OWNER, [incident.id], settings)
    audit.record(
        session,
        action="withdraw",
        object_type="incidents",
        object_id=incident.id,
        detail=f"reason={data.reason.value}",
    )
    session.flush()
    return incident


def history(session: Session, incident_id: int, *, actor: Actor) -> list[IncidentVersion]:
    """Earlier versions may hold what a correction took out: only those who may change the
    incident read them."""
    incident = get_incident(session, incident_id, actor=actor)
    _may_change(incident, actor)
    stmt = select(IncidentVersion).where(IncidentVersion.incident_id == incident_id)
    return list(session.scalars(stmt.order_by(IncidentVersion.version.desc())))


# Police reports matched to observations -------------------------------------------------------


def matches(session: Session, incident: Incident) -> list[IncidentMatch]:
    return list(
        session.scalars(
            select(IncidentMatch)
            .where(
                or_(
                    IncidentMatch.incident_id == incident.id,
                    IncidentMatch.observation_id == incident.id,
                )
            )
            .order_by(IncidentMatch.id)
        )
    )


def undo_match(session: Session, incident_id: int, match_id: int, *, actor: Actor) -> IncidentMatch:
    """The police report counts again in the lägesbild, and is not matched again."""
    incident = get_incident(session, incident_id, actor=actor)
    found = session.get(IncidentMatch, match_id)
    if found is None or incident.id not in (found.incident_id, found.observation_id):
        raise NotFound(f"Händelse {incident_id} har ingen matchning {match_id}.")
    _may_change(incident, actor)
    if incident.withdrawn_at is not None:
        raise Forbidden("Händelsen är återkallad och ändras inte längre.")
    if found.undone_at is None:
        found.undone_at = utcnow()
        found.undone_by_id = actor.user_id
        session.flush()
    return found
