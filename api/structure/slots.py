"""What a municipality's deactivation does that a package above structure knows (see
api/slots.py)."""

from __future__ import annotations

from sqlalchemy.orm import Session

from api.slots import Slot

# A municipality is deactivated (README "Deactivating a municipality"): the sessions of
# those who act in it alone and its organisations' service tokens end at once.
municipality_closed: Slot[[Session, int], None] = Slot(
    "structure.municipality_closed", provider="api.accounts"
)
