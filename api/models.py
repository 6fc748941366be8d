"""Every domain's models, imported in one place for Alembic and the tests."""

from api.accounts.models import AuthSession, Membership, ServiceToken, SignInFailure, User
from api.audit.models import AuditEvent
from api.categories.models import Category
from api.incidents.models import (
    IdempotentRequest,
    Incident,
    IncidentMatch,
    IncidentVersion,
    Report,
)
from api.integrations.models import CategoryMapping, ImportFile, SyncState
from api.interventions.models import (
    Feedback,
    FeedbackOrganisation,
    FollowUp,
    Intervention,
    InterventionIncident,
)
from api.meetings.models import Decision, Meeting, MeetingAttendee, MeetingOrganisation
from api.situation.models import SituationReport, SituationReportIncident
from api.structure.models import (
    Area,
    Group,
    GroupOrganisation,
    Municipality,
    Organisation,
    Place,
)

__all__ = [
    "Area",
    "AuditEvent",
    "AuthSession",
    "Category",
    "CategoryMapping",
    "Decision",
    "Feedback",
    "FeedbackOrganisation",
    "FollowUp",
    "Group",
    "GroupOrganisation",
    "IdempotentRequest",
    "ImportFile",
    "Incident",
    "IncidentMatch",
    "IncidentVersion",
    "Intervention",
    "InterventionIncident",
    "Meeting",
    "MeetingAttendee",
    "MeetingOrganisation",
    "Membership",
    "Municipality",
    "Organisation",
    "Place",
    "Report",
    "ServiceToken",
    "SignInFailure",
    "SituationReport",
    "SituationReportIncident",
    "SyncState",
    "User",
]
