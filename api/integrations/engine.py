"""Incidents in from a mapping tool: pushed in batches by its service token, or read from
its export file (``files``). Both go through ``apply``: each item is read (``rows``), checked
as a report filed here would be (``api.incidents``), and created, updated (its earlier
version kept) or left unchanged by ``(source, external_id)``; what cannot be filed is
rejected with its index or line and a reason in Swedish.

Written in chunks with the bare SQL of the tables, not one ORM object per incident, so that
a file of a million rows imports in constant memory; the audit log gets one line per import
with its counts (``api.audit``), where a report filed here gets one per incident.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from itertools import islice
from typing import Any

from sqlalchemy import Table, bindparam, insert, select, text, update
from sqlalchemy.orm import Session

from api import tenancy
from api.actor import Actor
from api.audit import service as audit
from api.errors import Forbidden, Invalid, NotFound
from api.incidents import service as incident_service
from api.incidents.models import Incident, IncidentVersion, Report
from api.incidents.schemas import PoliceReported
from api.incidents.thinning import thinned_reference
from api.integrations import police, rows, schemas
from api.integrations.rows import Item
from api.localtime import utcnow
from api.structure.models import Municipality, Organisation

CHUNK = 1000


# Sources of our own: what people file on the pages, through the API, and the demo.
RESERVED_SOURCES = frozenset({"web", "api", "demo"})


# How many rejected items an answer lists one by one (all are counted).
MAX_LISTED = 1000


# The columns an import sets, compared to tell an update from an unchanged row.
_COMPARED = (
    "category_code", "family_code", "occurred_from", "occurred_to", "precision", "area_id",
    "place_id", "lat", "lon", "assessment", "certainty", "police_reported", "description",
    "address", "reported_at", "organisation_id",
)  # fmt: skip


@dataclass
class Outcome:
    counts: dict[str, int] = field(
        default_factory=lambda: dict.fromkeys(("created", "updated", "unchanged", "rejected"), 0)
    )
    items: list[schemas.ItemResult] = field(default_factory=list)

    def add(self, item: schemas.ItemResult, *, listed: bool) -> None:
        self.counts[item.result] += 1
        if listed and len(self.items) < MAX_LISTED:
            self.items.append(item)


def check_source(source: str) -> None:
    if source in RESERVED_SOURCES:
        raise Invalid.field(
            "source",
            f"Källan {source} är den här tjänstens egen; välj ett namn för verktyget, till "
            "exempel embrace.",
            "reserved_source",
        )


def municipality_of(session: Session, organisation_id: int) -> Municipality:
    organisation = session.get(Organisation, organisation_id)
    if organisation is None:
        raise NotFound(f"Det finns ingen organisation med id {organisation_id}.")
    municipality = session.get(Municipality, organisation.municipality_id)
    assert municipality is not None
    return municipality


def only_municipality(session: Session) -> Municipality:
    return municipality_for(session, None, actor=None)


def municipality_for(
    session: Session, organisation_id: int | None, *, actor: Actor | None
) -> Municipality:
    """The municipality rows are imported into (and whose category mappings they are read
    with): the organisation's; else the one the actor acts in; else, for the system (the
    command line, a sync), the installation's only municipality (#21)."""
    if organisation_id is not None:
        return municipality_of(session, organisation_id)
    if actor is not None and actor.municipality_id is not None:
        own = session.get(Municipality, actor.municipality_id)
        if own is not None:
            return own
    scope = tenancy.bound(session)
    if scope is not None and len(scope) == 1:
        bound_to = session.get(Municipality, next(iter(scope)))
        if bound_to is not None:
            return bound_to
    found = list(session.scalars(select(Municipality).order_by(Municipality.id).limit(2)))
    if not found:
        raise Invalid("Det finns ingen kommun att importera till.")
    if len(found) > 1:
        raise Invalid(
            "Det finns flera kommuner: ange organisationen raderna hör till.",
            code="municipality_required",
        )
    return found[0]


def apply(
    session: Session,
    source: str,
    items: Iterable[Item],
    *,
    municipality: Municipality,
    organisation_id: int | None,
    actor: Actor,
    dry_run: bool = False,
    list_all: bool = False,
    unit: str = "index",
) -> Outcome:
    """Import ``items`` from ``source``; with ``dry_run``, say what would happen and write
    nothing. ``list_all``: answer every item (a pushed batch), else only the rejected ones."""
    check_source(source)
    lookup = rows.Lookup.load(session, source, municipality)
    outcome = Outcome()
    seen = _Seen(session)
    reports: dict[tuple[int, str | None], int] = {}
    try:
        for number, chunk in enumerate(_chunks(items, CHUNK), start=1):
            if not dry_run and _statistics_wanted(session, number):
                _refresh_statistics(session)
            _apply_chunk(
                session,
                chunk,
                lookup=lookup,
                organisation_id=organisation_id,
                seen=seen,
                reports=reports,
                outcome=outcome,
                dry_run=dry_run,
                list_all=list_all,
                unit=unit,
            )
    finally:
        seen.drop()
    if not dry_run:
        counts = outcome.counts
        audit.record(
            session,
            action="import",
            object_type="incidents",
            detail=f"{source}: {counts['created']} nya, {counts['updated']} ändrade, "
            f"{counts['unchanged']} oförändrade, {counts['rejected']} avvisade",
            actor=actor,
        )
    return outcome


# The chunks after which PostgreSQL's statistics are refreshed: a file imports in one
# transaction, so autovacuum never sees the rows, and a planner that still thinks the
# table is empty looks a chunk's ids up by scanning every row written so far (137 ms a
# chunk at 300,000 rows; 3 ms once it knows).
ANALYZE_AFTER = frozenset(4**k for k in range(1, 12))


def _statistics_wanted(session: Session, chunk: int) -> bool:
    """Before the first chunk, whether what others committed has made PostgreSQL's
    statistics stale; later, whether this import's own rows have (ANALYZE_AFTER)."""
    if session.get_bind().dialect.name != "postgresql":
        return False
    return chunk in ANALYZE_AFTER or (chunk == 1 and _statistics_stale(session))


def _refresh_statistics(session: Session) -> None:
    # The table's owner's to do: a request's tenant role would be skipped (api.tenancy).
    with tenancy.as_database_user(session):
        session.execute(text("ANALYZE incidents"))


def _statistics_stale(session: Session) -> bool:
    """Whether a quarter of the incidents (and over a thousand) changed since the
    statistics were taken. Autovacuum keeps them fresh where it runs; where it is off or
    behind, batches pushed one by one into a table the planner has never seen measured are
    looked up by scanning every row of the source (300 ms a batch at 900,000 rows, seen
    with autovacuum off). The counters see only what is committed: an import's own rows
    are ANALYZE_AFTER's."""
    stale = session.scalar(
        text(
            "SELECT n_mod_since_analyze > greatest(1000, (n_live_tup - n_mod_since_analyze) / 4)"
            " FROM pg_stat_user_tables WHERE relid = 'incidents'::regclass"
        )
    )
    return bool(stale)


def _chunks(items: Iterable[Item], size: int) -> Iterator[list[Item]]:
    iterator = iter(items)
    while chunk := list(islice(iterator, size)):
        yield chunk


class _Seen:
    """The ids this import has already taken, kept in a temporary table rather than in
    memory: a second row with the same id is rejected, however far apart the two are. The
    table is keyed by a digest of the id: each chunk looks its ids up among all taken before
    (a million, at the end), and an id of any length fits the key."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self.session.execute(
            text(
                "CREATE TEMPORARY TABLE IF NOT EXISTS est_import_seen "
                "(h VARCHAR(64) PRIMARY KEY, pos INTEGER)"
            )
        )
        self.session.execute(text("DELETE FROM est_import_seen"))

    @staticmethod
    def _digest(external_id: str) -> str:
        return hashlib.sha256(external_id.encode("utf-8", "surrogatepass")).hexdigest()

    def taken(self, ids: list[str]) -> dict[str, int]:
        """The ids taken before, and where they were."""
        if not ids:
            return {}
        by_digest = {self._digest(i): i for i in ids}
        found = self.session.execute(
            text("SELECT h, pos FROM est_import_seen WHERE h IN :digests").bindparams(
                bindparam("digests", list(by_digest), expanding=True, literal_execute=True)
            )
        )
        return {by_digest[h]: pos for h, pos in found}

    def add(self, ids: dict[str, int]) -> None:
        if ids:
            self.session.execute(
                text("INSERT INTO est_import_seen (h, pos) VALUES (:h, :pos)"),
                [{"h": self._digest(k), "pos": pos} for k, pos in ids.items()],
            )

    def drop(self) -> None:
        # After a failure the transaction is rolled back, the table with it.
        if self.session.is_active:
            self.session.execute(text("DROP TABLE IF EXISTS est_import_seen"))


def _apply_chunk(
    session: Session,
    chunk: list[Item],
    *,
    lookup: rows.Lookup,
    organisation_id: int | None,
    seen: _Seen,
    reports: dict[tuple[int, str | None], int],
    outcome: Outcome,
    dry_run: bool,
    list_all: bool,
    unit: str,
) -> None:
    municipality = lookup.municipality
    read: list[tuple[Item, rows.Row, dict[str, Any]]] = []
    in_chunk: dict[str, int] = {}
    before = seen.taken([_id_of(i) for i in chunk if i.raw is not None and _id_of(i)])
    for item in chunk:
        external = _id_of(item) if item.raw is not None else ""
        try:
            if item.reason is not None:
                raise rows.Rejected(item.reason)
            assert item.raw is not None
            first = before.get(external, in_chunk.get(external))
            if first is not None:
                raise rows.Rejected(
                    f"Händelse-ID {external} fanns redan på {unit} {first}: samma händelse "
                    "två gånger i en import tas inte med andra gången."
                )
            if external:
                # Taken even if the row is refused: which of two rows with one id is right,
                # nobody here can tell.
                in_chunk[external] = item.position
            row = rows.read(item.raw, lookup, organisation_id)
            try:
                values = incident_service.incident_values(session, row.incident, municipality, "")
            except Invalid as exc:
                raise rows.Rejected(_reason(exc)) from None
        except rows.Rejected as rejected:
            outcome.add(
                schemas.ItemResult(
                    index=item.position,
                    external_id=external or None,
                    result="rejected",
                    reason=rejected.reason,
                ),
                listed=True,
            )
            continue
        if lookup.source == police.SOURCE:
            # The police's own reports: reported to the police, whatever the file says.
            values["police_reported"] = PoliceReported.yes
        if not row.assessed:
            values["assessment"] = None
        if not row.certainty_given:
            values["certainty"] = None
        values.update(
            address=row.address,
            reported_at=row.reported_at,
            organisation_id=row.organisation_id,
        )
        read.append((item, row, values))
    seen.add(in_chunk)
    if not read:
        return
    # An incident thinned by retention or withdrawn for personal data keeps a digest of its
    # reference: found by it, so that sending it again neither files it twice nor brings its
    # text back.
    references = [row.external_id for _, row, _ in read]
    thinned = {thinned_reference(r): r for r in references}
    existing = {
        thinned.get(incident.external_id, incident.external_id): incident
        for incident in session.execute(
            select(Incident.__table__).where(
                Incident.source == lookup.source,
                _among(Incident.external_id, references + list(thinned)),
            )
        )
    }
    now = utcnow()
    new_rows: list[dict[str, Any]] = []
    created_items: list[tuple[Item, rows.Row]] = []
    for item, row, values in read:
        old = existing.get(row.external_id)
        # Thinned, or withdrawn for personal data: what the source sends again stays out.
        if old is not None and (
            old.thinned_at is not None or old.withdrawn_reason == "personal_data"
        ):
            outcome.add(_done(item, row, "unchanged", old.id), listed=list_all)
            continue
        if row.withdrawn:
            # Withdrawn in the source: withdrawn here too, kept as withdrawn ones are.
            if old is None or old.withdrawn_at is not None:
                outcome.add(_done(item, row, "unchanged", old.id if old else None), listed=list_all)
                continue
            if not dry_run:
                _keep_version(session, old, now)
                session.execute(
                    update(_table()).where(_table().c.id == old.id).values(
                        withdrawn_at=now, withdrawn_reason="other", version=old.version + 1,
                        updated_at=now,
                    )
                )  # fmt: skip
            outcome.add(_done(item, row, "updated", old.id), listed=list_all)
            continue
        if old is None:
            report_id = 0 if dry_run else _report(session, lookup.source, row, reports)
            new_rows.append(
                {
                    **values,
                    "report_id": report_id,
                    "municipality_id": municipality.id,
                    "source": lookup.source,
                    "external_id": row.external_id,
                    "version": 1,
                    "created_at": now,
                    "updated_at": now,
                }
            )
            created_items.append((item, row))
            continue
        changed = {k: values[k] for k in _COMPARED if _differs(getattr(old, k), values[k])}
        if not changed:
            outcome.add(_done(item, row, "unchanged", old.id), listed=list_all)
            continue
        if not dry_run:
            _keep_version(session, old, now)
            session.execute(
                update(_table())
                .where(_table().c.id == old.id)
                .values(**changed, version=old.version + 1, updated_at=now)
            )
        outcome.add(_done(item, row, "updated", old.id), listed=list_all)
    ids: list[int | None] = [None] * len(new_rows)
    if new_rows and not dry_run:
        # Not INSERT … RETURNING: for that SQLAlchemy writes the chunk as one statement of
        # 25 parameters a row, and psycopg parses it anew each time (a third of a pushed
        # batch's time on PostgreSQL); a plain executemany and a lookup cost less.
        session.execute(insert(_table()), new_rows)
        found = {
            external: incident_id
            for external, incident_id in session.execute(
                select(Incident.external_id, Incident.id).where(
                    Incident.source == lookup.source,
                    _among(Incident.external_id, [r["external_id"] for r in new_rows]),
                )
            )
        }
        ids = [found.get(r["external_id"]) for r in new_rows]
    for (item, row), incident_id in zip(created_items, ids, strict=True):
        outcome.add(_done(item, row, "created", incident_id), listed=list_all)
    if lookup.source == police.SOURCE and not dry_run:
        police.match(
            session,
            [i for i in ids if i is not None]
            + [existing[row.external_id].id for _, row, _ in read if row.external_id in existing],
        )


def _done(
    item: Item, row: rows.Row, result: schemas.Result, incident_id: int | None
) -> schemas.ItemResult:
    return schemas.ItemResult(
        index=item.position, external_id=row.external_id, result=result, incident_id=incident_id
    )


def _keep_version(session: Session, old: Any, now: dt.datetime) -> None:
    session.execute(
        insert(IncidentVersion).values(
            incident_id=old.id,
            municipality_id=old.municipality_id,
            version=old.version,
            data=incident_service.snapshot(old),
            changed_at=now,
            changed_by=None,
        )
    )


def _table() -> Table:
    table = Incident.__table__
    assert isinstance(table, Table)
    return table


def _among(column: Any, values: list[str]) -> Any:
    """``column IN (values)`` with the values written into the statement. With a bind
    parameter each, PostgreSQL's driver prepares the statement after a few chunks and the
    generic plan tests the thousand ids one by one on every row of the source (seen: 400 ms
    a chunk at 20,000 rows); as constants they are hashed and looked up (7 ms)."""
    return column.in_(bindparam("values", values, expanding=True, literal_execute=True))


def _id_of(item: Item) -> str:
    value = item.raw.get("external_id") if item.raw else None
    return value.strip() if isinstance(value, str) else "" if value is None else str(value)


def _differs(old: Any, new: Any) -> bool:
    if isinstance(old, dt.datetime) and isinstance(new, dt.datetime):
        return old.astimezone(dt.UTC) != new.astimezone(dt.UTC)
    if isinstance(old, float) and isinstance(new, float):
        return abs(old - new) > 1e-9
    return bool(old != new)


def _report(
    session: Session, source: str, row: rows.Row, reports: dict[tuple[int, str | None], int]
) -> int:
    """The report the row belongs to: the source's submission by its id, or one report per
    organisation for the rows that name none."""
    key = (row.organisation_id, row.report_id)
    if key in reports:
        return reports[key]
    report_id = None
    if row.report_id is not None:
        report_id = session.scalar(
            select(Report.id).where(Report.source == source, Report.external_id == row.report_id)
        )
    if report_id is None:
        report = Report(
            organisation_id=row.organisation_id,
            reporter_id=None,
            source=source,
            external_id=row.report_id,
        )
        session.add(report)
        session.flush()
        report_id = report.id
    reports[key] = report_id
    return report_id


def _reason(exc: Invalid) -> str:
    fields = {
        "category": "Kategori",
        "occurred_from": "Inträffade från",
        "occurred_to": "Inträffade till",
        "area_id": "Område",
        "place_id": "Plats",
        "position": "Koordinaterna",
        "description": "Beskrivning",
    }
    parts = [
        f"{fields.get(e.field, e.field)}: {e.message}" if e.field in fields else e.message
        for e in exc.errors[:3]
    ]
    return " ".join(parts) or exc.detail


def push(
    session: Session, source: str, batch: schemas.Batch, *, actor: Actor
) -> schemas.BatchResult:
    if actor.kind != "service" or actor.source != source or actor.organisation_id is None:
        raise Forbidden("Bara en tjänstenyckel för källan skickar händelser hit.")
    municipality = municipality_of(session, actor.organisation_id)
    outcome = apply(
        session,
        source,
        (Item(position=i, raw=raw) for i, raw in enumerate(batch.incidents)),
        municipality=municipality,
        organisation_id=actor.organisation_id,
        actor=actor,
        list_all=True,
    )
    # In the batch's order: rejections are found before the created rows are written.
    items = sorted(outcome.items, key=lambda i: i.index)
    return schemas.BatchResult(**outcome.counts, items=items)
