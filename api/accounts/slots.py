"""What an account's Actor carries that a package above accounts knows (see api/slots.py)."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from api.actor import Actor
from api.slots import Slot

# The person's police areas and their role in each (#21): (police area id, role).
police_area_grants: Slot[[Session, int], tuple[tuple[int, str], ...]] = Slot(
    "accounts.police_area_grants", provider="api.policeareas"
)
# Their names, for the person's own answer (GET /auth/me): police area id → name.
police_area_names: Slot[[Session, tuple[int, ...]], dict[int, str]] = Slot(
    "accounts.police_area_names", provider="api.policeareas"
)
# A SCIM token (#22): the municipality's directory as an actor, and the token's row to touch
# (its model and id) when it has not been touched for a while; None when the token is not a
# valid SCIM token.
scim_token: Slot[[Session, str, str | None], tuple[Actor, tuple[type[Any], int] | None] | None] = (
    Slot("accounts.scim_token", provider="api.scim")
)
# The identity providers a municipality's people sign in through, those turned on (#22):
# the sign-in page's label of each (api.accounts.password_sign_in names them).
identity_providers: Slot[[Session, int], list[str]] = Slot(
    "accounts.identity_providers", provider="api.sso"
)
