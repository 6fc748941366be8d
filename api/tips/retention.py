"""Retention of residents' tips (called by api.retention.service's run and dry run).

- A decided tip (rejected, or accepted) goes ``retain_rejected_days`` after its moderation:
  a rejected one with its photos; of an accepted one only the row, since the observation it
  became (and the photos moved to it) holds what counts, under the incidents' retention.
- A tip still pending after PENDING_DAYS goes too, with its photos: what nobody moderated in
  three months no longer describes the place as it is, and its text (which no moderator has
  read for personal data) should not wait forever.
- The per-address limit's sendings go once the hour the limit looks back has passed, and
  the form's token they were sent with is no longer good (one sending per token).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import and_, delete, func, or_, select
from sqlalchemy.orm import Session

from api.photos import service as photos
from api.photos.schemas import PhotoOwner
from api.settings import Settings
from api.tips import abuse
from api.tips.models import PublicPost, Tip
from api.tips.schemas import Moderation

PENDING_DAYS = 90


def _due(settings: Settings, now: dt.datetime) -> Any:
    decided_before = now - dt.timedelta(days=settings.retain_rejected_days)
    return or_(
        and_(Tip.status != Moderation.pending, Tip.moderated_at < decided_before),
        and_(
            Tip.status == Moderation.pending,
            Tip.received_at < now - dt.timedelta(days=PENDING_DAYS),
        ),
    )


def count(session: Session, settings: Settings, now: dt.datetime) -> tuple[int, int]:
    """(tips, sendings) a run would delete now."""
    tips = session.scalar(select(func.count()).select_from(Tip).where(_due(settings, now)))
    posts = session.scalar(
        select(func.count()).select_from(PublicPost).where(abuse.forgettable(now))
    )
    return int(tips or 0), int(posts or 0)


def run(session: Session, settings: Settings, now: dt.datetime) -> tuple[int, int, int]:
    """Deletes what is due: (tips, their photos, sendings)."""
    ids = list(session.scalars(select(Tip.id).where(_due(settings, now))))
    removed = photos.remove_for(session, PhotoOwner.tip, ids, settings) if ids else 0
    if ids:
        session.execute(delete(Tip).where(Tip.id.in_(ids)))
    return len(ids), removed, abuse.forget_old(session)
