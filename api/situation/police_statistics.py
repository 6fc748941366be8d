"""The police's statistics of reported crime (anmälda brott) for the municipality, a year at a
time, as Brå publishes them: entered as rows or imported from Brå's CSV export, and shown in
the yearly lägesbild (``api.situation.yearly``) beside the municipality's own observations.

The figures are public: everyone who acts in the municipality reads them; its administrators
and the conveners of the municipality-wide groups enter them
(``policy.can_write_police_statistics``).

Brå's export (statistikdatabasen, "Anmälda brott per kommun") is read thus: a header row, then
a row per offence and year; ";" or "," between fields (whichever the header uses); UTF-8 or
Windows-1252. The columns are found by their headers: the offence ("Brottstyp", "Brott",
"Brottskategori", "Brottskod/Brottstyp" or "Brottskod", the first found in that order), the
year ("År") and the count ("Antal", "Antal anmälda brott"); others are left alone. A count may
have spaces between its thousands. Every bad row is reported with its line number, and
nothing is saved until none is bad. The file's years replace what was entered for them.
"""

from __future__ import annotations

import csv
import io
import re
from collections import Counter
from collections.abc import Iterable

from pydantic import ValidationError
from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from api import spreadsheets
from api.access import policy
from api.actor import Actor
from api.errors import FieldError, Forbidden, Invalid, NotFound
from api.situation.models import PoliceStatistic
from api.situation.schemas import (
    PoliceLine,
    PoliceStatisticRead,
    PoliceStatisticRow,
    PoliceStatisticsImported,
    PoliceStatisticsOverview,
    PoliceStatisticsWrite,
    PoliceStatisticsYear,
    PoliceStatisticsYearBrief,
)

DEFAULT_SOURCE = "Brå, anmälda brott"
FIRST_YEAR, LAST_YEAR = 1900, 2099
# The header names each column goes by, most telling first (compared case-folded).
OFFENCE_HEADERS = ("brottstyp", "brott", "brottskategori", "brottskod/brottstyp", "brottskod")
YEAR_HEADERS = ("år", "ar", "year")
COUNT_HEADERS = ("antal", "antal anmälda brott", "anmälda brott", "count")
# A file has an offence per row and year: a few hundred rows a year at most.
MAX_ROWS = 20_000
MAX_ERRORS = 50


# Access -------------------------------------------------------------------------------------


def _readable(actor: Actor, municipality_id: int) -> None:
    if not policy.can_read_police_statistics(actor, municipality_id):
        raise NotFound("Ingen sådan kommun.", code="not_found")


def _writable(actor: Actor, municipality_id: int) -> None:
    _readable(actor, municipality_id)
    if not policy.can_write_police_statistics(actor, municipality_id):
        raise Forbidden(
            "Bara kommunens administratörer och sammankallande i styrgruppen och "
            "samordningsgruppen för in polisens statistik."
        )


def _check_year(year: int) -> None:
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise Invalid.field("year", "Ange ett år mellan 1900 och 2099.", "year_out_of_range")


# Reading ------------------------------------------------------------------------------------


def _rows(session: Session, municipality_id: int, year: int) -> list[PoliceStatistic]:
    return list(
        session.scalars(
            select(PoliceStatistic)
            .where(PoliceStatistic.municipality_id == municipality_id, PoliceStatistic.year == year)
            .order_by(PoliceStatistic.count.desc(), PoliceStatistic.offence)
        )
    )


def read_year(
    session: Session, municipality_id: int, year: int, *, actor: Actor
) -> PoliceStatisticsYear:
    _readable(actor, municipality_id)
    _check_year(year)
    rows = _rows(session, municipality_id, year)
    return PoliceStatisticsYear(
        municipality_id=municipality_id,
        year=year,
        rows=[PoliceStatisticRead(offence=r.offence, count=r.count, source=r.source) for r in rows],
        updated_at=max((r.updated_at for r in rows), default=None),
        may_write=policy.can_write_police_statistics(actor, municipality_id),
    )


def _briefs(session: Session, municipality_id: int) -> list[PoliceStatisticsYearBrief]:
    found = session.execute(
        select(PoliceStatistic.year, func.count(), func.sum(PoliceStatistic.count))
        .where(PoliceStatistic.municipality_id == municipality_id)
        .group_by(PoliceStatistic.year)
        .order_by(PoliceStatistic.year.desc())
    )
    return [
        PoliceStatisticsYearBrief(year=year, offences=offences, total=int(total or 0))
        for year, offences, total in found
    ]


def overview(session: Session, municipality_id: int, *, actor: Actor) -> PoliceStatisticsOverview:
    _readable(actor, municipality_id)
    return PoliceStatisticsOverview(
        municipality_id=municipality_id,
        years=_briefs(session, municipality_id),
        may_write=policy.can_write_police_statistics(actor, municipality_id),
    )


def lines(
    session: Session, municipality_id: int, year: int
) -> tuple[list[PoliceLine], int | None, int | None]:
    """The year's figures beside the year before's, for the yearly lägesbild (whose reader
    reads the municipality's records): the lines, the year's total and the year before's
    (None where nothing was entered for that year)."""
    this = _rows(session, municipality_id, year)
    before = {r.offence: r.count for r in _rows(session, municipality_id, year - 1)}
    found = [
        PoliceLine(
            offence=r.offence, count=r.count, previous=before.get(r.offence), source=r.source
        )
        for r in this
    ]
    total = sum(r.count for r in this) if this else None
    return found, total, sum(before.values()) if before else None


# Writing ------------------------------------------------------------------------------------


def _replace(
    session: Session,
    municipality_id: int,
    years: Iterable[int],
    rows: Iterable[tuple[int, PoliceStatisticRow]],
    actor: Actor,
) -> None:
    session.execute(
        delete(PoliceStatistic).where(
            PoliceStatistic.municipality_id == municipality_id,
            PoliceStatistic.year.in_(list(years)),
        )
    )
    session.add_all(
        PoliceStatistic(
            municipality_id=municipality_id,
            year=year,
            offence=row.offence,
            count=row.count,
            source=row.source,
            created_by_id=actor.user_id,
        )
        for year, row in rows
    )
    session.flush()


def _key(offence: str) -> str:
    return " ".join(offence.casefold().split())


def put_year(
    session: Session,
    municipality_id: int,
    year: int,
    body: PoliceStatisticsWrite,
    *,
    actor: Actor,
) -> PoliceStatisticsYear:
    """The year's figures, all of them: what was entered for the year before is replaced."""
    _writable(actor, municipality_id)
    _check_year(year)
    seen: dict[str, int] = {}
    errors = []
    for index, row in enumerate(body.rows):
        first = seen.setdefault(_key(row.offence), index)
        if first != index:
            errors.append(
                FieldError(
                    f"rows.{index}.offence",
                    f"”{row.offence}” står redan på rad {first + 1}.",
                    "duplicate_offence",
                )
            )
    if errors:
        raise Invalid(errors[0].message, errors=errors, code="duplicate_offence")
    _replace(session, municipality_id, [year], ((year, row) for row in body.rows), actor)
    return read_year(session, municipality_id, year, actor=actor)


# Brå's CSV export ---------------------------------------------------------------------------


def _decoded(data: bytes) -> str:
    # As an import file is read (api.spreadsheets): UTF-8, else Windows-1252 (Excel's).
    return data.decode(spreadsheets.encoding_of(io.BytesIO(data)), errors="replace")


def _column(header: list[str], names: tuple[str, ...]) -> int | None:
    folded = [" ".join(h.strip().strip('"').casefold().split()) for h in header]
    for name in names:
        if name in folded:
            return folded.index(name)
    return None


def _bad(line: int, message: str, code: str) -> FieldError:
    return FieldError(f"file.{line}", f"Rad {line}: {message}", code)


def parse_csv(data: bytes, source: str) -> list[tuple[int, int, PoliceStatisticRow]]:
    """(line, year, row) for each row of Brå's export; Invalid with every bad row's line."""
    lines = _decoded(data).splitlines()
    first = next((n for n, text in enumerate(lines) if text.strip()), None)
    if first is None:
        raise Invalid.field("file", "Filen är tom.", "empty_file")
    delimiter = spreadsheets.delimiter_of(lines[first])
    reader = csv.reader(io.StringIO("\n".join(lines)), delimiter=delimiter)
    rows = list(reader)
    header = rows[first]
    columns = {
        "offence": _column(header, OFFENCE_HEADERS),
        "year": _column(header, YEAR_HEADERS),
        "count": _column(header, COUNT_HEADERS),
    }
    missing = [name for name, index in columns.items() if index is None]
    if missing:
        names = {"offence": "Brottstyp", "year": "År", "count": "Antal"}
        raise Invalid.field(
            "file",
            f"Rad {first + 1}: rubrikraden saknar kolumnen "
            + ", ".join(f"”{names[m]}”" for m in missing)
            + ". Exportera från Brå med rubriker, till exempel Brottstyp;År;Antal.",
            "missing_columns",
        )
    if len(rows) - first - 1 > MAX_ROWS:
        raise Invalid.field("file", f"Filen har fler än {MAX_ROWS} rader.", "too_many_rows")
    offence_at, year_at, count_at = (int(columns[k] or 0) for k in ("offence", "year", "count"))
    found: list[tuple[int, int, PoliceStatisticRow]] = []
    errors: list[FieldError] = []
    seen: dict[tuple[int, str], int] = {}
    for index in range(first + 1, len(rows)):
        line, cells = index + 1, rows[index]
        if not any(c.strip() for c in cells):
            continue
        if len(cells) <= max(offence_at, year_at, count_at):
            errors.append(_bad(line, "för få fält.", "too_few_fields"))
            continue
        year_text, count_text = cells[year_at].strip(), re.sub(r"[\s\u00a0]", "", cells[count_at])
        if not re.fullmatch(r"\d{4}", year_text) or not FIRST_YEAR <= int(year_text) <= LAST_YEAR:
            errors.append(_bad(line, f"året ”{year_text[:20]}” är inget år.", "bad_year"))
            continue
        if not re.fullmatch(r"\d{1,8}", count_text):
            errors.append(_bad(line, f"antalet ”{count_text[:20]}” är inget heltal.", "bad_count"))
            continue
        try:
            row = PoliceStatisticRow(
                offence=cells[offence_at], count=int(count_text), source=source
            )
        except ValidationError as error:
            reason = error.errors()[0]["msg"].rstrip(".")
            errors.append(_bad(line, f"brottstypen: {reason}.", "bad_offence"))
            continue
        year = int(year_text)
        earlier = seen.setdefault((year, _key(row.offence)), line)
        if earlier != line:
            errors.append(
                _bad(line, f"”{row.offence}” {year} står redan på rad {earlier}.", "duplicate")
            )
            continue
        found.append((line, year, row))
    if errors:
        raise Invalid(
            f"{len(errors)} rader i filen kunde inte läsas; inget är sparat. " + errors[0].message,
            errors=errors[:MAX_ERRORS],
            code="bad_rows",
        )
    if not found:
        raise Invalid.field("file", "Filen har inga rader under rubrikraden.", "no_rows")
    return found


def import_csv(
    session: Session, municipality_id: int, data: bytes, *, source: str, actor: Actor
) -> PoliceStatisticsImported:
    """Brå's export: the years in it replace what was entered for them."""
    _writable(actor, municipality_id)
    parsed = parse_csv(data, source)
    years = sorted({year for _line, year, _row in parsed})
    _replace(session, municipality_id, years, ((year, row) for _l, year, row in parsed), actor)
    counted = Counter(year for _line, year, _row in parsed)
    briefs = [b for b in _briefs(session, municipality_id) if b.year in counted]
    return PoliceStatisticsImported(municipality_id=municipality_id, years=briefs, rows=len(parsed))
