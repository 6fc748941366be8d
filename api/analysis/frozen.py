"""The analysis a published lägesbild keeps (#23, point 10): computed when it is published,
of its group and period as its convener reads it (as its figures are counted), and read back
unchanged after, whatever is filed or corrected since. A new version gets its own when it is
published. ``freeze`` fills the slot api.situation.slots.frozen_analysis."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy.orm import Session

from api.actor import Actor
from api.analysis.schemas import Analysis
from api.errors import NotFound
from api.situation import service as situation
from api.situation.schemas import Status


def freeze(
    session: Session, group_id: int, first: dt.date, last: dt.date, actor: Actor, cell_m: int
) -> dict[str, Any]:
    """The group's analysis of the period as ``actor`` reads it, as JSON to keep."""
    from api.analysis import service  # SciPy is loaded where used (api.analysis.routes)

    found = service.analyse(session, group_id, first, last, actor=actor, cell_m=cell_m)
    return found.model_dump(mode="json")


def of_report(session: Session, report_id: int, *, actor: Actor) -> Analysis:
    """The analysis a published lägesbild keeps, to those who read the lägesbild."""
    report = situation.get_report(session, report_id, actor=actor)
    if report.status != Status.published:
        raise NotFound(
            "Ett utkast har ingen fryst analys; se gruppens analys för perioden.",
            code="draft_has_no_frozen_analysis",
        )
    if report.analysis_frozen is None:
        raise NotFound(
            "Lägesbilden publicerades innan analysen började sparas med den och har ingen "
            "fryst analys; se gruppens analys för perioden.",
            code="no_frozen_analysis",
        )
    return Analysis.model_validate(report.analysis_frozen)
