from __future__ import annotations

import enum


class InputFrom(enum.StrEnum):
    """Who put a pin before a walk."""

    resident = "resident"  # boende
    business = "business"  # näringsidkare


class FindingKind(enum.StrEnum):
    """What a finding is about, as walks find them."""

    lighting = "lighting"  # belysning
    vegetation = "vegetation"  # buskar och sly
    path = "path"  # gångväg, trappa
    vandalism = "vandalism"  # skadegörelse, klotter
    litter = "litter"  # skräp, nedskräpning
    signage = "signage"  # skyltning, orienterbarhet
    other = "other"  # annat


class FindingStatus(enum.StrEnum):
    """Where the responsible organisation has got with a finding."""

    open = "open"  # ej åtgärdat
    in_progress = "in_progress"  # påbörjat
    fixed = "fixed"  # åtgärdat
    declined = "declined"  # åtgärdas inte
