"""Imports of a mapping tool's export file: uploaded, kept and previewed (nothing is written),
then confirmed, when the rows go through the import engine (``engine.apply``) and the file
itself is let go of; or read at once by ``est import``. Those who import: administrators
and the conveners of the municipality-wide groups (policy.can_import)."""

from __future__ import annotations

import sqlite3
import tempfile
from typing import IO

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session, object_session

from api.access import policy
from api.actor import Actor
from api.errors import Conflict, Forbidden, Invalid, NotFound
from api.integrations import engine, files, schemas
from api.integrations.models import ImportFile
from api.localtime import utcnow
from api.records import get_or_404
from api.schemas_common import Ref
from api.structure.models import Organisation


def may_import(actor: Actor) -> None:
    if not policy.can_import(actor):
        raise Forbidden(
            "Bara administratörer och samordnings- och styrgruppernas sammankallande "
            "importerar filer."
        )


def import_file(
    session: Session,
    source: str,
    stream: IO[bytes],
    filename: str,
    *,
    organisation_id: int | None,
    actor: Actor,
    dry_run: bool,
) -> tuple[str, schemas.ImportSummary]:
    """Read and import (or with ``dry_run``, preview) a file: its format and what came of
    each row. ``organisation_id``: the organisation of the rows that name none."""
    engine.check_source(source)
    if organisation_id is not None and session.get(Organisation, organisation_id) is None:
        raise Invalid.field(
            "organisation_id", f"Det finns ingen organisation med id {organisation_id}.",
            "unknown_id",
        )  # fmt: skip
    # A file past a limit of what is read is refused as a whole, also when that is found
    # halfway through (what was written of it goes with the transaction).
    try:
        reading = files.read(stream, filename)
        outcome = engine.apply(
            session,
            source,
            reading.items,
            municipality=engine.municipality_for(session, organisation_id, actor=actor),
            organisation_id=organisation_id,
            actor=actor,
            dry_run=dry_run,
            unit="objekt" if reading.format == "geojson" else "rad",
        )
    except files.FileProblem as exc:
        raise Invalid.field("file", str(exc), "unreadable_file") from None
    summary = schemas.ImportSummary(
        **outcome.counts,
        rows=sum(outcome.counts.values()),
        rejected_rows=[i for i in outcome.items if i.result == "rejected"],
        warnings=reading.warnings,
    )
    return reading.format, summary


def upload(
    session: Session,
    source: str,
    stream: IO[bytes],
    filename: str,
    *,
    organisation_id: int | None,
    actor: Actor,
) -> ImportFile:
    """Keep an uploaded file and preview it: nothing is imported until it is confirmed.
    ``stream``: the file, seekable (the upload as the server spooled it to disk)."""
    may_import(actor)
    file_format, preview = import_file(
        session, source, stream, filename,
        organisation_id=organisation_id, actor=actor, dry_run=True,
    )  # fmt: skip
    # A file of no organisation's is the municipality's its uploader acts in (#21).
    home = {"municipality_id": actor.municipality_id} if actor.municipality_id else {}
    kept = ImportFile(
        **home,
        source=source,
        filename=filename[:255] or "fil",
        format=file_format,
        organisation_id=organisation_id,
        content=b"",
        preview=preview.model_dump(mode="json"),
        created_by_id=actor.user_id,
    )
    session.add(kept)
    session.flush()
    _keep_content(session, kept, stream)
    return kept


def get_import(session: Session, import_id: int, *, actor: Actor) -> ImportFile:
    may_import(actor)
    return get_or_404(session, ImportFile, import_id, "ingen import")


def confirm(session: Session, import_id: int, *, actor: Actor) -> ImportFile:
    kept = session.scalar(select(ImportFile).where(ImportFile.id == import_id).with_for_update())
    if kept is None:
        raise NotFound(f"Det finns ingen import med id {import_id}.")
    may_import(actor)
    kept_still = session.scalar(
        select(ImportFile.content.is_not(None)).where(ImportFile.id == kept.id)
    )
    if kept.imported_at is not None or not kept_still:
        raise Conflict("Filen är redan importerad.", code="already_imported")
    with _content_of(session, kept) as content:
        _format, result = import_file(
            session, kept.source, content, kept.filename,
            organisation_id=kept.organisation_id, actor=actor, dry_run=False,
        )  # fmt: skip
    kept.result = result.model_dump(mode="json")
    kept.imported_at = utcnow()
    # The rows are in the incidents now; the upload itself is not kept.
    kept.content = None
    session.flush()
    return kept


# The kept file is written and read a piece at a time: a 64 MB upload held whole, and
# copied whole by the database driver (by SQLite twice, the bound value and the record it
# builds of it), took the server past 300 MB. SQLite makes room with zeroblob, which costs
# no memory while the column is the table's last (migration 0016; before it, twice the
# file's size); PostgreSQL appends a piece at a time.
_PIECE = 4 * 1024 * 1024


def _keep_content(session: Session, kept: ImportFile, stream: IO[bytes]) -> None:
    stream.seek(0, 2)
    size = stream.tell()
    stream.seek(0)
    where = ImportFile.id == kept.id
    if session.get_bind().dialect.name == "sqlite":
        # Room for the file, then the file into it (SQLite's incremental blob I/O).
        session.execute(update(ImportFile).where(where).values(content=func.zeroblob(size)))
        with _sqlite(session).blobopen(ImportFile.__tablename__, "content", kept.id) as blob:
            while piece := stream.read(1024 * 1024):
                blob.write(piece)
    else:
        while piece := stream.read(_PIECE):
            session.execute(
                update(ImportFile).where(where).values(content=ImportFile.content.concat(piece))
            )
    session.expire(kept, ["content"])


def _sqlite(session: Session) -> sqlite3.Connection:
    connection = session.connection().connection.driver_connection
    assert isinstance(connection, sqlite3.Connection)
    return connection


def _content_of(session: Session, kept: ImportFile) -> IO[bytes]:
    """The kept file, copied a piece at a time into a temporary file on disk."""
    copy = tempfile.TemporaryFile()  # noqa: SIM115 (the caller closes it)
    if session.get_bind().dialect.name == "sqlite":
        with _sqlite(session).blobopen(
            ImportFile.__tablename__, "content", kept.id, readonly=True
        ) as blob:
            while read := blob.read(1024 * 1024):
                copy.write(read)
    else:
        start = 1
        while fetched := session.scalar(
            select(func.substr(ImportFile.content, start, _PIECE)).where(ImportFile.id == kept.id)
        ):
            copy.write(fetched)
            start += len(fetched)
    copy.seek(0)
    return copy


def read_import(kept: ImportFile) -> schemas.ImportRead:
    organisation = _organisation_of(kept) if kept.organisation_id else None
    return schemas.ImportRead(
        id=kept.id,
        source=kept.source,
        filename=kept.filename,
        format="geojson" if kept.format == "geojson" else "csv",
        organisation=organisation,
        status="imported" if kept.imported_at else "preview",
        preview=schemas.ImportSummary.model_validate(kept.preview),
        result=schemas.ImportSummary.model_validate(kept.result) if kept.result else None,
        created_at=kept.created_at,
        imported_at=kept.imported_at,
    )


def _organisation_of(kept: ImportFile) -> Ref | None:
    session = object_session(kept)
    organisation = session.get(Organisation, kept.organisation_id) if session else None
    return Ref(id=organisation.id, name=organisation.name) if organisation else None
