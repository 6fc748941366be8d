from __future__ import annotations

import enum

# The source of an observation made from an accepted tip (and its reports'): the lägesbild
# marks what residents sent by it.
PUBLIC_SOURCE = "allmänheten"


class Moderation(enum.StrEnum):
    """Where a resident's tip or pin stands in the moderation queue."""

    pending = "pending"  # väntar
    accepted = "accepted"  # godkänd
    rejected = "rejected"  # avvisad


class TipWhat(enum.StrEnum):
    """What a resident says it is about, in their words; the moderator picks the category."""

    unsafe_place = "unsafe_place"  # otrygg plats (mörkt, buskigt)
    vandalism = "vandalism"  # skadegörelse, klotter
    gathering = "gathering"  # grupperingar, stök
    drugs = "drugs"  # droger
    traffic = "traffic"  # mopeder, trafik
    fire = "fire"  # brand
    other = "other"  # annat
