"""The guard report's form (/bevakning/ny): its fields as a browser sends them, the rounds and
observations as blocks added and removed by submit buttons (no JavaScript needed), turned into
the API's body, and the API's field errors turned back onto the form's fields."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass, fields
from typing import Any

from web import format as fmt

MAX_ROUNDS = 20
MAX_OBSERVATIONS = 20


@dataclass
class RoundForm:
    start: str = ""
    slut: str = ""
    runda: str = ""
    anteckning: str = ""

    def empty(self) -> bool:
        return not any(v.strip() for v in asdict(self).values())


@dataclass
class SeenForm:
    kategori: str = ""
    omrade: str = ""
    plats: str = ""
    fran: str = ""
    till: str = ""
    bedomning: str = ""
    text: str = ""

    def empty(self) -> bool:
        return not any(v.strip() for v in asdict(self).values())


@dataclass
class GuardForm:
    dag: str = ""
    sammanfattning: str = ""
    rounds: list[RoundForm] | None = None
    seen: list[SeenForm] | None = None


def _blocks(form: Mapping[str, Any], kind: type[Any], prefix: str, count_field: str) -> list[Any]:
    count = min(fmt.parse_id(str(form.get(count_field, "0"))) or 0, 50)
    return [
        kind(
            **{
                f.name: str(form.get(f"{prefix}{i}-{f.name}", ""))[:2000].strip()
                for f in fields(kind)
            }
        )
        for i in range(count)
    ]


def read(form: Mapping[str, Any]) -> GuardForm:
    return GuardForm(
        dag=str(form.get("dag", ""))[:10],
        sammanfattning=str(form.get("sammanfattning", ""))[:2000].strip(),
        rounds=_blocks(form, RoundForm, "r", "rundor")[:MAX_ROUNDS],
        seen=_blocks(form, SeenForm, "o", "iakttagelser")[:MAX_OBSERVATIONS],
    )


def act(typed: GuardForm, action: str) -> bool:
    """A block added or removed (``action``); whether it was one of those."""
    rounds, seen = typed.rounds or [], typed.seen or []
    if action == "lagg-till-runda":
        if len(rounds) < MAX_ROUNDS:
            rounds.append(RoundForm())
    elif action == "lagg-till-iakttagelse":
        if len(seen) < MAX_OBSERVATIONS:
            seen.append(SeenForm())
    elif action.startswith("ta-bort-runda-"):
        at = fmt.parse_id(action.rsplit("-", 1)[1])
        if at is not None and 0 < at <= len(rounds):
            del rounds[at - 1]
    elif action.startswith("ta-bort-iakttagelse-"):
        at = fmt.parse_id(action.rsplit("-", 1)[1])
        if at is not None and 0 < at <= len(seen):
            del seen[at - 1]
    else:
        return False
    typed.rounds, typed.seen = rounds, seen
    return True


def to_api(typed: GuardForm) -> tuple[dict[str, Any], dict[str, str], list[int], list[int]]:
    """The API's body, what is wrong before asking it, and where each round and observation
    sent stands in the form (empty blocks are not sent)."""
    errors: dict[str, str] = {}
    if fmt.parse_date(typed.dag) is None:
        errors["dag"] = "Ange dagen rapporten gäller."
    rounds, round_at, seen, seen_at = [], [], [], []
    for i, r in enumerate(typed.rounds or []):
        if r.empty():
            continue
        for name, label in (("start", "när rundan började"), ("slut", "när den slutade")):
            if not getattr(r, name):
                errors[f"r{i}-{name}"] = f"Ange {label}."
        if not r.runda:
            errors[f"r{i}-runda"] = "Ange rundans sträcka eller område."
        rounds.append(
            {
                "starts_at": r.start or None,
                "ends_at": r.slut or None,
                "route": r.runda,
                "note": r.anteckning or None,
            }
        )
        round_at.append(i)
    for i, o in enumerate(typed.seen or []):
        if o.empty():
            continue
        if not o.kategori:
            errors[f"o{i}-kategori"] = "Välj vad som sågs."
        if not o.fran:
            errors[f"o{i}-fran"] = "Ange när."
        if not o.bedomning:
            errors[f"o{i}-bedomning"] = "Välj hur mycket otrygghet det skapar."
        seen.append(
            {
                "category": o.kategori,
                "occurred_from": o.fran or None,
                "occurred_to": o.till or None,
                "precision": "part_of_day" if o.till else "exact",
                "area_id": fmt.parse_id(o.omrade),
                "place_id": fmt.parse_id(o.plats),
                "assessment": o.bedomning or None,
                "description": o.text or None,
            }
        )
        seen_at.append(i)
    body = {
        "day": typed.dag,
        "rounds": rounds,
        "summary": typed.sammanfattning,
        "observations": seen,
    }
    return body, errors, round_at, seen_at


ROUND_FIELDS = {"starts_at": "start", "ends_at": "slut", "route": "runda", "note": "anteckning"}
SEEN_FIELDS = {
    "category": "kategori",
    "occurred_from": "fran",
    "occurred_to": "till",
    "area_id": "omrade",
    "place_id": "plats",
    "position": "omrade",
    "assessment": "bedomning",
    "description": "text",
}


def api_errors(problems: list[Any], round_at: list[int], seen_at: list[int]) -> dict[str, str]:
    """The API's field errors ("rounds.0.route") beside the form's ("r2-runda")."""
    errors: dict[str, str] = {}
    blocks = {"rounds": ("r", round_at, ROUND_FIELDS), "observations": ("o", seen_at, SEEN_FIELDS)}
    for problem in problems:
        parts = problem.field.split(".")
        if parts[0] == "day":
            errors.setdefault("dag", problem.message)
        elif parts[0] == "summary":
            errors.setdefault("sammanfattning", problem.message)
        elif parts[0] in blocks and len(parts) > 1 and parts[1].isdigit():
            prefix, sent, names = blocks[parts[0]]
            index = int(parts[1])
            at = sent[index] if index < len(sent) else 0
            name = names.get(parts[2] if len(parts) > 2 else "", next(iter(names.values())))
            errors.setdefault(f"{prefix}{at}-{name}", problem.message)
        else:
            errors.setdefault("form", problem.message)
    return errors
