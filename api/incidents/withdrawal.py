"""Taking a withdrawal back (issue #18): a withdrawal is one tap from a phone, and a wrong tap
must not lose an observation. Those who may withdraw an incident may restore it
(``policy.can_restore_incident``); it then counts again in lists and draft figures as before.

An incident withdrawn for personal data is not restored: that withdrawal blanked its free
text, in its history too (``service.withdraw_incident``), and a source sending it again is
kept out by its digest (``api.integrations.engine``). Restored, it would count as filed
while no longer saying what was filed; the reporter files it anew, without the personal data.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from api.access import policy
from api.actor import Actor
from api.audit import service as audit
from api.errors import Conflict
from api.incidents.models import Incident
from api.incidents.service import get_incident


def restore_incident(session: Session, incident_id: int, *, actor: Actor) -> Incident:
    incident = get_incident(session, incident_id, actor=actor)
    policy.require_restore_incident(
        actor, area_id=incident.area_id, reporter_id=incident.report.reporter_id
    )
    if incident.withdrawn_at is None:
        raise Conflict("Händelsen är inte återkallad.", code="not_withdrawn")
    if not incident.restorable:
        raise Conflict(
            "Händelsen återkallades för att den innehöll personuppgifter och dess text är "
            "borttagen; den kan inte tas tillbaka. Rapportera den på nytt utan personuppgifter.",
            code="personal_data_removed",
        )
    reason = incident.withdrawn_reason
    incident.withdrawn_at = None
    incident.withdrawn_reason = None
    audit.record(
        session,
        action="restore",
        object_type="incidents",
        object_id=incident.id,
        detail=f"reason={reason.value if reason else ''}",
    )
    session.flush()
    return incident
