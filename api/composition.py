"""The composition root: where the packages above fill the slots of those below (api/slots.py).

Every way in calls ``compose`` before it serves or writes anything: the API app
(``api.app.create_api_app``), the command line (``api.cli.main``) and the demo activity
(``api.demo_activity.load_demo_incidents``). Calling it again changes nothing.

The layers, and why they stand in that order: README, "Layers"; ``tests/test_architecture.py``
holds the order and checks it.
"""

from __future__ import annotations

from api.accounts import service as accounts
from api.accounts import slots as account_slots
from api.analysis import frozen as frozen_analysis
from api.evenings import log as evening_log
from api.incidents import slots as incident_slots
from api.interventions import service as interventions
from api.interventions import slots as intervention_slots
from api.meetings import field
from api.meetings import service as meetings
from api.policeareas import service as police_areas
from api.safetywalks import findings as walk_findings
from api.scim import groups as scim_groups
from api.scim import tokens as scim_tokens
from api.situation import slots as situation_slots
from api.sso import service as sso
from api.sso import slots as sso_slots
from api.steering import assignments
from api.steering import yearly as steering_yearly
from api.structure import slots as structure_slots


def compose() -> None:
    account_slots.police_area_grants.fill(police_areas.police_area_grants)
    structure_slots.municipality_closed.fill(accounts.municipality_closed)
    account_slots.police_area_names.fill(police_areas.police_area_names)
    account_slots.identity_providers.fill(sso.enabled_labels)
    incident_slots.outcomes.fill(interventions.outcomes)
    incident_slots.blank_copies.fill(evening_log.blank_posts_of)
    intervention_slots.decided_at.fill(meetings.decided_at)
    intervention_slots.served.fill(assignments.served)
    intervention_slots.check_serves.fill(assignments.check_serves)
    intervention_slots.from_walk.fill(walk_findings.from_walk)
    situation_slots.field_summary.fill(field.field_summary)
    situation_slots.survey_indicators.fill(steering_yearly.survey_indicators)
    situation_slots.action_plans.fill(steering_yearly.action_plans)
    situation_slots.frozen_analysis.fill(frozen_analysis.freeze)
    account_slots.scim_token.fill(scim_tokens.resolve)
    sso_slots.mappings_changed.fill(scim_groups.reapply_all)
