"""The reporter's own observations and what came of them (#18): "Mina rapporter" on the start
page, and the e-mail that tells a reporter feedback arrived.

Composed here, above incidents, the lägesbild and interventions, since the status of an
observation is decided by all three (the layers: tests/test_architecture.py).
"""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from api.accounts.models import User
from api.actor import Actor
from api.errors import Forbidden, Hidden
from api.incidents.models import Incident, Report
from api.interventions.models import Feedback, FeedbackSeen, Intervention, InterventionIncident
from api.interventions.schemas import OwnReport, OwnReportQuery, ReportStatus
from api.localtime import utcnow
from api.mail import OutgoingMail
from api.pagination import PageResult, paginate
from api.situation.models import SituationReportIncident

SUBJECT = "Återkoppling på det du rapporterat till EST"
BODY = (
    "Hej!\n\n"
    "Det har kommit återkoppling på en händelse som du har rapporterat till EST.\n\n"
    "Läs den här (du loggar in som vanligt):\n{link}\n\n"
    "Vill du inte få de här meddelandena kan du stänga av dem under Konto i EST.\n"
)


def _reporter(actor: Actor) -> int:
    if actor.kind != "user" or actor.user_id is None:
        raise Forbidden("Bara en inloggad person har egna rapporter.")
    return actor.user_id


def own_reports(session: Session, query: OwnReportQuery, *, actor: Actor) -> PageResult[OwnReport]:
    """The caller's own observations, newest filed first (ids grow with filing), each with
    its furthest step."""
    user_id = _reporter(actor)
    mine = (
        select(Incident)
        .join(Report, Report.id == Incident.report_id)
        .where(Report.reporter_id == user_id)
    )
    result = paginate(session, mine, Incident.id, query, descending=True)
    incidents: list[Incident] = list(result.items)
    ids = [incident.id for incident in incidents]
    # Published lägesbilder alone store the incidents they counted.
    counted = set(
        session.scalars(
            select(SituationReportIncident.incident_id).where(
                SituationReportIncident.incident_id.in_(ids)
            )
        )
    )
    linked = set(
        session.scalars(
            select(InterventionIncident.incident_id).where(
                InterventionIncident.incident_id.in_(ids)
            )
        )
    )
    told = {
        row.incident_id: row
        for row in session.execute(
            select(
                InterventionIncident.incident_id,
                func.max(Feedback.id).label("latest"),
                func.max(Feedback.told_on).label("told_on"),
            )
            .join(Feedback, Feedback.intervention_id == InterventionIncident.intervention_id)
            .where(InterventionIncident.incident_id.in_(ids), Feedback.to_reporters.is_(True))
            .group_by(InterventionIncident.incident_id)
        )
    }
    seen = {
        incident_id: feedback_id
        for incident_id, feedback_id in session.execute(
            select(FeedbackSeen.incident_id, FeedbackSeen.feedback_id).where(
                FeedbackSeen.user_id == user_id, FeedbackSeen.incident_id.in_(ids)
            )
        )
    }
    found = []
    for incident in incidents:
        feedback = told.get(incident.id)
        if feedback is not None:
            status = ReportStatus.fed_back
        elif incident.id in linked:
            status = ReportStatus.in_intervention
        elif incident.id in counted:
            status = ReportStatus.in_situation
        else:
            status = ReportStatus.new
        found.append(
            OwnReport(
                incident_id=incident.id,
                report_id=incident.report_id,
                category=incident.category.label_sv,
                area=incident.area.name,
                place=incident.place.name if incident.place else None,
                occurred_from=incident.occurred_from,
                occurred_to=incident.occurred_to,
                precision=incident.precision.value,
                filed_at=incident.created_at,
                status=status,
                withdrawn=incident.withdrawn_at is not None,
                unread_feedback=feedback is not None and feedback.latest > seen.get(incident.id, 0),
                fed_back_on=feedback.told_on if feedback is not None else None,
            )
        )
    return PageResult(found, result.next_cursor)


def _latest_feedback(session: Session, incident_id: int) -> int:
    latest = session.scalar(
        select(func.max(Feedback.id))
        .join(
            InterventionIncident,
            InterventionIncident.intervention_id == Feedback.intervention_id,
        )
        .where(InterventionIncident.incident_id == incident_id, Feedback.to_reporters.is_(True))
    )
    return latest or 0


def mark_seen(session: Session, incident_id: int, *, actor: Actor) -> None:
    """The caller has read the feedback on their own observation, as it stands now."""
    user_id = _reporter(actor)
    own = session.scalar(
        select(Incident.id)
        .join(Report, Report.id == Incident.report_id)
        .where(Incident.id == incident_id, Report.reporter_id == user_id)
    )
    if own is None:
        raise Hidden(f"Du har ingen rapporterad händelse {incident_id}.")
    latest = _latest_feedback(session, incident_id)
    marker = session.get(FeedbackSeen, (user_id, incident_id))
    if marker is None:
        session.add(FeedbackSeen(user_id=user_id, incident_id=incident_id, feedback_id=latest))
    elif marker.feedback_id != latest:
        marker.feedback_id = latest
        marker.seen_at = utcnow()
    session.flush()


def queue_feedback_mail(session: Session, intervention: Intervention, *, actor: Actor) -> int:
    """Feedback told to reporters was recorded: an e-mail to each reporter of the linked
    observations who has not turned it off (the one recording it aside), into the outbox
    (api.mail), sent once the request has committed. How many were queued."""
    rows = session.execute(
        select(User, func.min(Incident.id), func.count(Incident.id))
        .join(Report, Report.reporter_id == User.id)
        .join(Incident, Incident.report_id == Report.id)
        .join(InterventionIncident, InterventionIncident.incident_id == Incident.id)
        .where(
            InterventionIncident.intervention_id == intervention.id,
            User.feedback_email.is_(True),
            User.active.is_(True),
        )
        .group_by(User.id)
    )
    queued = 0
    for user, first, count in rows:
        if user.id == actor.user_id:
            continue
        # One observation: straight to it; several: to the start page's "Mina rapporter".
        path = f"/handelser/{first}" if count == 1 else "/#mina-rapporter"
        session.add(OutgoingMail(to_address=user.email, subject=SUBJECT, body=BODY, path=path))
        queued += 1
    session.flush()
    return queued
