"""A walk's report: the walk, the pins accepted before it, its findings with their photos and
status, and the area's previous walk with the status of its findings today — what a year's
walk follows up from the last one."""

from __future__ import annotations

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session

from api.access import policy
from api.actor import Actor
from api.safetywalks import findings, inputs, walks
from api.safetywalks import schemas as s
from api.safetywalks.models import SafetyWalk


def previous_walk(session: Session, walk: SafetyWalk) -> SafetyWalk | None:
    """The latest walk in the same area before this one (typically last year's)."""
    return session.scalar(
        select(SafetyWalk)
        .where(
            SafetyWalk.area_id == walk.area_id,
            or_(
                SafetyWalk.starts_at < walk.starts_at,
                and_(SafetyWalk.starts_at == walk.starts_at, SafetyWalk.id < walk.id),
            ),
        )
        .order_by(SafetyWalk.starts_at.desc(), SafetyWalk.id.desc())
        .limit(1)
    )


def report(session: Session, walk_id: int, *, actor: Actor) -> s.WalkReport:
    walk = walks.walk_for(session, walk_id, actor)
    before = previous_walk(session, walk)
    # Shown to those who read it: one invited to this year's walk only may not read last
    # year's.
    if before is not None and not policy.can_read_safety_walk(
        actor, area_id=before.area_id, invited=walks.invited_ids(before)
    ):
        before = None
    return s.WalkReport(
        walk=walks.read(session, walk, actor=actor),
        inputs=[inputs.read(p) for p in inputs.accepted(session, walk.id)],
        findings=findings.read_many(session, walk, findings.of_walk(session, walk.id), actor=actor),
        previous_walk=walks.read(session, before, actor=actor) if before else None,
        previous_findings=findings.read_many(
            session, before, findings.of_walk(session, before.id), actor=actor
        )
        if before
        else [],
    )
