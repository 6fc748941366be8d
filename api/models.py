"""Every domain's models, imported in one place for Alembic and the tests."""

from api.accounts.models import AuthSession, Membership, ServiceToken, SignInFailure, User
from api.audit.models import AuditEvent
from api.categories.models import Category
from api.idempotency import IdempotentRequest
from api.incidents.models import (
    Incident,
    IncidentMatch,
    IncidentVersion,
    Report,
)
from api.integrations.models import CategoryMapping, ImportFile, SyncState
from api.interventions.models import (
    Feedback,
    FeedbackOrganisation,
    FeedbackSeen,
    FollowUp,
    Intervention,
    InterventionIncident,
)
from api.mail import OutgoingMail
from api.meetings.models import Decision, Meeting, MeetingAttendee, MeetingOrganisation
from api.retention.models import AuditDeletionPermit
from api.situation.models import SituationReport, SituationReportIncident
from api.steering.models import (
    Activity,
    ActivityPartner,
    ActivityReview,
    Assignment,
    AssignmentEvent,
    Goal,
    Indicator,
    IndicatorValue,
    Plan,
    PlanReview,
)
from api.structure.models import (
    Area,
    Group,
    GroupOrganisation,
    Municipality,
    Organisation,
    Place,
)

__all__ = [
    "Activity",
    "ActivityPartner",
    "ActivityReview",
    "Area",
    "Assignment",
    "AssignmentEvent",
    "AuditDeletionPermit",
    "AuditEvent",
    "AuthSession",
    "Category",
    "CategoryMapping",
    "Decision",
    "Feedback",
    "FeedbackOrganisation",
    "FeedbackSeen",
    "FollowUp",
    "Goal",
    "Group",
    "GroupOrganisation",
    "IdempotentRequest",
    "ImportFile",
    "Incident",
    "IncidentMatch",
    "IncidentVersion",
    "Indicator",
    "IndicatorValue",
    "Intervention",
    "InterventionIncident",
    "Meeting",
    "MeetingAttendee",
    "MeetingOrganisation",
    "Membership",
    "Municipality",
    "Organisation",
    "OutgoingMail",
    "Place",
    "Plan",
    "PlanReview",
    "Report",
    "ServiceToken",
    "SignInFailure",
    "SituationReport",
    "SituationReportIncident",
    "SyncState",
    "User",
]
