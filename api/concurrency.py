"""Optimistic concurrency for documents people write together (a lägesbild's text, a
meeting's minutes): the ETag is the record's id and revision; a save must send the ETag it
read in ``If-Match``, and a stale one is refused instead of overwriting someone else."""

from __future__ import annotations

from api.errors import PreconditionFailed, PreconditionRequired


def etag(record_id: int, revision: int) -> str:
    return f'"{record_id}-{revision}"'


def check_if_match(
    current: str, if_match: str | None, *, what: str, required: bool, again: str = "spara"
) -> None:
    """``what``: the document in Swedish, definite form ("lägesbilden", "mötet")."""
    if if_match is None:
        if required:
            raise PreconditionRequired(
                "Skicka ETag i If-Match, så att ingen sparar över någon annans ändringar."
            )
        return
    # RFC 9110 13.1.1: If-Match compares strongly, so a weak tag (W/"…") never matches.
    wanted = {tag.strip() for tag in if_match.split(",")}
    if "*" not in wanted and current not in wanted:
        raise PreconditionFailed(
            f"Någon annan har sparat ändringar i {what} sedan du hämtade sidan. Läs dem och "
            f"{again} igen."
        )
