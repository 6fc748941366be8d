"""One home for the Swedish words (api/swedish.py): every value of every enum a person sees is
named there, once, and nowhere else; the audit log names every table it writes."""

from __future__ import annotations

import ast
import enum
import importlib
import pkgutil
from collections.abc import Mapping
from pathlib import Path

import api
import api.models
from api import swedish
from api.access.schemas import Capability
from api.accounts.schemas import Role
from api.db import Base
from api.evenings.schemas import EveningKind
from api.incidents.schemas import (
    AreaFrom,
    Assessment,
    Certainty,
    InterventionStatus,
    PoliceReported,
    Precision,
    WithdrawReason,
)
from api.interventions.schemas import (
    Channel,
    InterventionType,
    ReportStatus,
    TargetKind,
    Verdict,
)
from api.meetings.schemas import AgendaKind
from api.photos.schemas import PhotoOwner, PhotoSize
from api.policeareas.schemas import PoliceAreaRole, SharingPrecision
from api.safetywalks.schemas import FindingKind, FindingStatus, InputFrom
from api.situation.schemas import HotSpotTrend, ReportKind, Status
from api.steering.schemas import AssignmentStatus, Direction, IndicatorKind
from api.structure.schemas import GroupKind, OrganisationKind
from api.tips.schemas import Moderation, TipWhat

ROOT = Path(__file__).resolve().parents[2]

NAMED: dict[type[enum.StrEnum], list[Mapping[str, str]]] = {
    Role: [swedish.ROLES],
    GroupKind: [swedish.GROUP_KINDS, swedish.GROUP_KIND_HEADINGS],
    OrganisationKind: [swedish.ORGANISATION_KINDS, swedish.ORGANISATION_KIND_HEADINGS],
    Precision: [swedish.PRECISIONS],
    Assessment: [swedish.ASSESSMENTS],
    Certainty: [swedish.CERTAINTIES],
    PoliceReported: [swedish.POLICE_REPORTED],
    WithdrawReason: [swedish.WITHDRAW_REASONS],
    Status: [swedish.SITUATION_STATUSES],
    HotSpotTrend: [swedish.TRENDS],
    InterventionType: [swedish.INTERVENTION_TYPES],
    InterventionStatus: [swedish.INTERVENTION_STATUSES],
    TargetKind: [swedish.TARGET_KINDS],
    Verdict: [swedish.VERDICTS],
    Channel: [swedish.CHANNELS],
    AssignmentStatus: [swedish.ASSIGNMENT_STATUSES],
    Direction: [swedish.DIRECTIONS],
    IndicatorKind: [swedish.INDICATOR_KINDS],
    ReportStatus: [swedish.REPORT_STATUSES],
    EveningKind: [swedish.EVENING_KINDS],
    Moderation: [swedish.MODERATIONS],
    TipWhat: [swedish.TIP_WHATS],
    InputFrom: [swedish.INPUT_FROM],
    FindingKind: [swedish.FINDING_KINDS],
    FindingStatus: [swedish.FINDING_STATUSES],
    PoliceAreaRole: [swedish.POLICE_AREA_ROLES],
    SharingPrecision: [swedish.SHARING_PRECISIONS],
}
# Enums whose values no person reads, and why.
UNNAMED = {
    AgendaKind: "an agenda item shows its title, never its kind",
    Capability: "the pages show menus and forms from it, never its name",
    PhotoOwner: "a photo is shown on its record's page, never by what it is of",
    PhotoSize: "a size is asked for in a URL, never shown",
    AreaFrom: "the pages say in a sentence how the area was decided (area_source), never the value",
    ReportKind: "a yearly lägesbild has pages of its own, headed by its year, never by its kind",
}


def test_every_value_of_every_enum_people_see_has_its_swedish_name() -> None:
    for kind, maps in NAMED.items():
        for names in maps:
            assert set(names) == {value.value for value in kind}, kind.__name__
            assert all(name.strip() for name in names.values()), kind.__name__


def test_every_enum_of_the_api_is_named_or_said_why_not() -> None:
    found = set()
    for module in pkgutil.walk_packages(api.__path__, "api."):
        if module.name.endswith(".schemas"):
            loaded = importlib.import_module(module.name)
            found |= {
                value
                for value in vars(loaded).values()
                if isinstance(value, type)
                and issubclass(value, enum.StrEnum)
                and value.__module__ == module.name
            }
    assert found == set(NAMED) | set(UNNAMED)


def _words(node: ast.Dict) -> bool:
    """A dict of text to text (a weight per value is not a name)."""
    return all(
        isinstance(part, ast.Constant) and isinstance(part.value, str)
        for part in (*node.keys, *node.values)
    )


def test_no_other_module_spells_an_enums_names() -> None:
    # A dict keyed by all of an enum's values outside api/swedish.py is a second copy of its
    # words (web/format.py and the CSV export had theirs), which drifts from the first.
    values = [frozenset(v.value for v in kind) for kind in NAMED]
    copies = []
    for folder in ("api", "web"):
        for path in (ROOT / folder).rglob("*.py"):
            if path == ROOT / "api" / "swedish.py":
                continue
            for node in ast.walk(ast.parse(path.read_text())):
                if isinstance(node, ast.Dict) and node.keys and _words(node):
                    keys = frozenset(k.value for k in node.keys if isinstance(k, ast.Constant))
                    if keys in values:
                        copies.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    assert not copies, copies


def test_the_audit_log_names_every_table_it_writes() -> None:
    audited = {
        str(mapper.class_.__tablename__)
        for mapper in Base.registry.mappers
        if getattr(mapper.class_, "__audit__", True)
    }
    # And the sessions, which sign-in and sign-out name, and the audit log's own events, who
    # read which incident and the answers kept for retries, whose retention (api.retention)
    # is logged as a count.
    readings = {"incident_readings"}
    assert audited | {"auth_sessions", "audit_events", "idempotent_requests"} | readings == set(
        swedish.AUDIT_OBJECTS
    )
