"""Imports of a mapping tool's export file: uploaded, kept and previewed (nothing is written),
then confirmed, when the rows go through the import engine (``engine.apply``) and the file
itself is let go of; or read at once by ``est import``. Those who import: administrators
and the conveners of the municipality-wide groups (policy.can_import)."""

from __future__ import annotations

import io
from typing import IO

from sqlalchemy import select
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
            municipality=engine.municipality_for(session, organisation_id),
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
    content: bytes,
    filename: str,
    *,
    organisation_id: int | None,
    actor: Actor,
) -> ImportFile:
    """Keep an uploaded file and preview it: nothing is imported until it is confirmed."""
    may_import(actor)
    file_format, preview = import_file(
        session, source, io.BytesIO(content), filename,
        organisation_id=organisation_id, actor=actor, dry_run=True,
    )  # fmt: skip
    kept = ImportFile(
        source=source,
        filename=filename[:255] or "fil",
        format=file_format,
        organisation_id=organisation_id,
        content=content,
        preview=preview.model_dump(mode="json"),
        created_by_id=actor.user_id,
    )
    session.add(kept)
    session.flush()
    return kept


def get_import(session: Session, import_id: int, *, actor: Actor) -> ImportFile:
    may_import(actor)
    return get_or_404(session, ImportFile, import_id, "ingen import")


def confirm(session: Session, import_id: int, *, actor: Actor) -> ImportFile:
    kept = session.scalar(select(ImportFile).where(ImportFile.id == import_id).with_for_update())
    if kept is None:
        raise NotFound(f"Det finns ingen import med id {import_id}.")
    may_import(actor)
    if kept.imported_at is not None or kept.content is None:
        raise Conflict("Filen är redan importerad.", code="already_imported")
    _format, result = import_file(
        session, kept.source, io.BytesIO(kept.content), kept.filename,
        organisation_id=kept.organisation_id, actor=actor, dry_run=False,
    )  # fmt: skip
    kept.result = result.model_dump(mode="json")
    kept.imported_at = utcnow()
    # The rows are in the incidents now; the upload itself is not kept.
    kept.content = None
    session.flush()
    return kept


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
