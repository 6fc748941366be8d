"""What retention (api.retention.service) takes of the safety walks.

- A rejected pin goes ``EST_RETAIN_REJECTED_DAYS`` after it was rejected, as a rejected tip
  does, with any photo of it: it was never part of a walk.
- A walk whose day lies before the incidents' text cut-off (its municipality's own period,
  else ``EST_RETAIN_INCIDENT_TEXT_MONTHS``: api.retention.cutoffs) loses its pins' comments
  and its findings' photos. Until then the accepted pins stay with the walk's report: the
  next year's walk follows up the findings they led to, and the residents' words say why a
  finding was made. The cut-off is the incidents' own, so nothing
  residents wrote outlives what the municipality's staff wrote about the same places; a year's
  walk is well inside it (24 months by default). The pins' places and points, and the findings
  (what, where, who fixes it, its status), stay: they are about places, not persons, and the
  follow-up needs them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from sqlalchemy import ColumnElement, Select, delete, exists, func, select, update
from sqlalchemy.orm import Session

from api.photos import service as photos
from api.photos.models import Photo
from api.photos.schemas import PhotoOwner
from api.safetywalks.models import Finding, SafetyWalk, WalkInput
from api.settings import Settings
from api.tips.schemas import Moderation

# SQL: the moment (a walk's start) of a row of the municipality is before that municipality's
# text cutoff (``api.retention.cutoffs.Cutoffs.text``, which the run passes).
Before = Callable[[Any, Any], ColumnElement[bool]]
THINNED_COMMENT = "Texten är gallrad enligt kommunens gallringsbeslut."
BATCH = 500


def _rejected(rejected_before: dt.datetime) -> list[ColumnElement[bool]]:
    return [WalkInput.status == Moderation.rejected, WalkInput.moderated_at < rejected_before]


def _old_walks(text_before: Before) -> Select[Any]:
    return select(SafetyWalk.id).where(
        text_before(SafetyWalk.municipality_id, SafetyWalk.starts_at)
    )


def _old_pins(text_before: Before) -> list[ColumnElement[bool]]:
    old_walks = _old_walks(text_before)
    return [WalkInput.walk_id.in_(old_walks), WalkInput.comment != THINNED_COMMENT]


def _old_findings_with_photos(text_before: Before) -> list[ColumnElement[bool]]:
    old_walks = _old_walks(text_before)
    held = exists().where(
        Photo.owner_kind == PhotoOwner.finding.value, Photo.owner_id == Finding.id
    )
    return [Finding.walk_id.in_(old_walks), held]


def count(session: Session, *, text_before: Before, rejected_before: dt.datetime) -> int:
    """How many pins and findings a run now would take (or thin)."""

    def counted(model: Any, conditions: list[ColumnElement[bool]]) -> int:
        return int(session.scalar(select(func.count()).select_from(model).where(*conditions)) or 0)

    return (
        counted(WalkInput, _rejected(rejected_before))
        + counted(WalkInput, _old_pins(text_before))
        + counted(Finding, _old_findings_with_photos(text_before))
    )


def thin(
    session: Session,
    settings: Settings,
    *,
    text_before: Before,
    rejected_before: dt.datetime,
) -> int:
    """One batch of each: rejected pins deleted, old walks' pins' comments and findings'
    photos removed. How many pins and findings it took (0: nothing left to take)."""
    rejected = list(
        session.scalars(select(WalkInput.id).where(*_rejected(rejected_before)).limit(BATCH))
    )
    if rejected:
        # A finding may answer a pin later rejected: it stays, without the link.
        session.execute(update(Finding).where(Finding.input_id.in_(rejected)).values(input_id=None))
        photos.remove_for(session, PhotoOwner.walk_input, rejected, settings)
        session.execute(delete(WalkInput).where(WalkInput.id.in_(rejected)))
    old = list(session.scalars(select(WalkInput.id).where(*_old_pins(text_before)).limit(BATCH)))
    if old:
        photos.remove_for(session, PhotoOwner.walk_input, old, settings)
        session.execute(
            update(WalkInput).where(WalkInput.id.in_(old)).values(comment=THINNED_COMMENT)
        )
    pictured = list(
        session.scalars(
            select(Finding.id).where(*_old_findings_with_photos(text_before)).limit(BATCH)
        )
    )
    if pictured:
        photos.remove_for(session, PhotoOwner.finding, pictured, settings)
    session.flush()
    return len(rejected) + len(old) + len(pictured)
