"""What an incident's read carries that a package above incidents knows (see api/slots.py)."""

from __future__ import annotations

from sqlalchemy.orm import Session

from api.incidents.schemas import Outcome
from api.slots import Slot

# What came of the incident: the interventions it is linked to and the feedback told to
# reporters about them.
outcomes: Slot[[Session, int], list[Outcome]] = Slot(
    "incidents.outcomes", provider="api.interventions"
)

# The copies of an incident's free text that a package above keeps (the evening's log post it
# was made from), blanked with the incident's own when it is withdrawn for personal data.
blank_copies: Slot[[Session, int], None] = Slot("incidents.blank_copies", provider="api.evenings")
