"""Two versions of one lägesbild side by side: what their texts, counts and incidents
differ in."""

from __future__ import annotations

from sqlalchemy.orm import Session

from api.actor import Actor
from api.errors import NotFound
from api.situation.schemas import (
    TEXT_FIELDS,
    Comparison,
    CountChange,
    Figures,
    SituationReportSummary,
    TextChange,
)
from api.situation.service import figures_and_incidents, get_report


def compare(session: Session, report_id: int, other_id: int, *, actor: Actor) -> Comparison:
    one = get_report(session, report_id, actor=actor)
    other = get_report(session, other_id, actor=actor)
    if other.series_id != one.series_id:
        raise NotFound(
            f"Lägesbild {other_id} är inte en version av lägesbild {report_id}.",
            code="not_a_version",
        )
    before, after = sorted((one, other), key=lambda r: r.version)
    (fb, counted_b), (fa, counted_a) = (
        figures_and_incidents(session, before, actor),
        figures_and_incidents(session, after, actor),
    )
    ids_b, ids_a = {c.id for c in counted_b}, {c.id for c in counted_a}
    texts = [
        TextChange(field=f, before=getattr(before, f), after=getattr(after, f))
        for f in TEXT_FIELDS
        if getattr(before, f) != getattr(after, f)
    ]
    return Comparison(
        before=SituationReportSummary.model_validate(before),
        after=SituationReportSummary.model_validate(after),
        texts=texts,
        counts=_count_changes(fb, fa),
        incidents_added=sorted(ids_a - ids_b),
        incidents_removed=sorted(ids_b - ids_a),
    )


def _count_changes(before: Figures, after: Figures) -> list[CountChange]:
    def flat(f: Figures) -> dict[str, int]:
        counts = {"Totalt": f.total.current, "Heta platser": len(f.hot_spots)}
        counts.update({f"Kategori: {row.name}": row.current for row in f.families})
        counts.update({f"Område: {row.name}": row.current for row in f.areas})
        return counts

    b, a = flat(before), flat(after)
    return [
        CountChange(label=label, before=b.get(label, 0), after=a.get(label, 0))
        for label in dict.fromkeys([*b, *a])
        if b.get(label, 0) != a.get(label, 0)
    ]
