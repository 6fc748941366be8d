"""The evening in the field, as the API reads and writes it."""

from __future__ import annotations

import enum


class EveningKind(enum.StrEnum):
    """An ordinary weekend evening, or a named risk evening (api.swedish.EVENING_KINDS)."""

    weekend = "weekend"
    valborg = "valborg"
    school_end = "school_end"
    halloween = "halloween"
    new_year = "new_year"
    other = "other"


# Evenings, their briefing and shifts (api.evenings.service) ---------------------------------


# The live log (api.evenings.log) -------------------------------------------------------------
