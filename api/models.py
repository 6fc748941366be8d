"""Every domain's models, imported in one place for Alembic and the tests."""

from api.accounts.models import AuthSession, Membership, ServiceToken, SignInFailure, User
from api.audit.models import AuditEvent
from api.categories.models import Category
from api.evenings.models import Evening, LogPost, Shift
from api.guards.models import GuardReport
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
from api.nightwalks.models import Host, NightWalk, NightWalkHost
from api.photos.models import Photo
from api.policeareas.models import (
    PoliceArea,
    PoliceAreaMember,
    SharingAgreement,
    SharingAgreementVersion,
    police_area_municipalities,
)
from api.retention.models import AuditDeletionPermit
from api.safetywalks.models import Finding, SafetyWalk, SafetyWalkOrganisation, WalkInput
from api.scim.models import ScimGroup, ScimGroupMember, ScimToken, ScimUser
from api.situation.models import SituationReport, SituationReportIncident
from api.sso.models import OidcGroupMapping, OidcIdentity, OidcProvider
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
from api.tips.models import PublicPost, Tip

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
    "Evening",
    "Feedback",
    "FeedbackOrganisation",
    "FeedbackSeen",
    "Finding",
    "FollowUp",
    "Goal",
    "Group",
    "GroupOrganisation",
    "GuardReport",
    "Host",
    "IdempotentRequest",
    "ImportFile",
    "Incident",
    "IncidentMatch",
    "IncidentVersion",
    "Indicator",
    "IndicatorValue",
    "Intervention",
    "InterventionIncident",
    "LogPost",
    "Meeting",
    "MeetingAttendee",
    "MeetingOrganisation",
    "Membership",
    "Municipality",
    "NightWalk",
    "NightWalkHost",
    "OidcGroupMapping",
    "OidcIdentity",
    "OidcProvider",
    "Organisation",
    "OutgoingMail",
    "Photo",
    "Place",
    "Plan",
    "PlanReview",
    "PoliceArea",
    "PoliceAreaMember",
    "PublicPost",
    "Report",
    "SafetyWalk",
    "SafetyWalkOrganisation",
    "ScimGroup",
    "ScimGroupMember",
    "ScimToken",
    "ScimUser",
    "ServiceToken",
    "SharingAgreement",
    "SharingAgreementVersion",
    "Shift",
    "SignInFailure",
    "SituationReport",
    "SituationReportIncident",
    "SyncState",
    "Tip",
    "User",
    "WalkInput",
    "police_area_municipalities",
]
