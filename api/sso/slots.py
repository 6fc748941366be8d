"""What single sign-on's writes tell a package above it (see api/slots.py)."""

from __future__ import annotations

from sqlalchemy.orm import Session

from api.slots import Slot

# A group mapping of a municipality was added or removed: the memberships SCIM provisioning
# gives by the mappings follow (api.scim.groups.reapply_all).
mappings_changed: Slot[[Session, int], None] = Slot("sso.mappings_changed", provider="api.scim")
