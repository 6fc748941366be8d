"""The `est` command on a fresh database: migrate, then seed the demo data, twice."""

from __future__ import annotations

import contextlib
import sqlite3
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.engine import make_url

from api.accounts.models import TotpFactor, User
from api.db import Database
from api.policeareas.models import PoliceArea, PoliceAreaMember
from api.seed import DEMO_TOTP_SECRET
from api.situation.models import SituationReport
from api.situation.schemas import Status
from api.structure.models import Group, GroupOrganisation, Organisation
from tests.support.cli import est
from tests.support.servers import fresh_postgres_database, sqlite_url


@pytest.fixture
def fresh_url(backend: str, tmp_path: Path) -> str:
    if backend == "sqlite":
        return sqlite_url(tmp_path / "cli.db")
    return fresh_postgres_database("cli")


@dataclass(frozen=True)
class Seeded:
    url: str
    stdout: str  # what `est seed --demo` printed


@pytest.fixture(scope="module")
def seeded(backend: str, tmp_path_factory: pytest.TempPathFactory) -> Seeded:
    """`est migrate` and then `est seed --demo` on a fresh database, once a module and backend:
    the tests that start from there get a copy each (the two commands took 5–10 s a test)."""
    if backend == "sqlite":
        url = sqlite_url(tmp_path_factory.mktemp("cli-seeded") / "cli.db")
    else:
        url = fresh_postgres_database("cli_seeded")
    migrated = est(url, "migrate")
    assert migrated.returncode == 0, migrated.stderr
    seeded = est(url, "seed", "--demo")
    assert seeded.returncode == 0, seeded.stderr
    return Seeded(url, seeded.stdout)


@pytest.fixture
def seeded_url(seeded: Seeded, backend: str, tmp_path: Path) -> str:
    """A copy of the database `est migrate` and `est seed --demo` made (``seeded``)."""
    if backend == "sqlite":
        copy = tmp_path / "cli.db"
        with (
            contextlib.closing(sqlite3.connect(str(make_url(seeded.url).database))) as source,
            contextlib.closing(sqlite3.connect(copy)) as target,
        ):
            source.backup(target)
        return sqlite_url(copy)
    return fresh_postgres_database("cli", template=seeded.url)


def counts(url: str) -> tuple[int, int, int]:
    database = Database.from_url(url)
    try:
        with database.session(write=False) as session:
            return tuple(
                session.query(model).count()  # type: ignore[return-value]
                for model in (Organisation, Group, GroupOrganisation)
            )
    finally:
        database.dispose()


def test_migrate_and_seed_are_repeatable(fresh_url: str) -> None:
    refused = est(fresh_url, "seed", "--demo")
    assert refused.returncode != 0
    assert "est migrate" in refused.stderr

    assert est(fresh_url, "migrate").returncode == 0
    first = est(fresh_url, "seed", "--demo")
    assert first.returncode == 0, first.stderr
    assert "11 groups" in first.stdout and "30 categories" in first.stdout
    # Upplands-Bro's 19 partners, and "Allmänheten", whom the demo's accepted tip (#20) was
    # filed for; Järfälla's 14 partners and 6 groups beside them.
    assert counts(fresh_url) == (34, 11, 77)

    assert est(fresh_url, "migrate").returncode == 0
    again = est(fresh_url, "seed", "--demo")
    assert again.returncode == 0
    assert "nothing new" in again.stdout
    assert counts(fresh_url) == (34, 11, 77)


def test_the_demo_has_observations_and_a_published_lagesbild_per_group(
    seeded: Seeded, seeded_url: str
) -> None:
    # 3680 in each of Upplands-Bro and Järfälla.
    assert "7360 synthetic observations" in seeded.stdout
    for email in ("admin@est.demo", "admin@jarfalla.est.demo", "polis@est.demo"):
        assert email in seeded.stdout
    assert "police area: Lokalpolisområde Järfälla" in seeded.stdout
    # The police area's convener signs in with the demo's TOTP secret, as administrators do.
    (officer,) = [line for line in seeded.stdout.splitlines() if "polis@est.demo" in line]
    assert "TOTP" in officer
    database = Database.from_url(seeded_url)
    try:
        with database.session(write=False) as session:
            published = {
                r.group.kind.value: r
                for r in session.scalars(
                    select(SituationReport).where(SituationReport.status == Status.published)
                )
                if r.group.name in ("EST samordningsgrupp", "EST områdesgrupp Bro")
            }
            # Coordination and three areas in Upplands-Bro, and four in Järfälla.
            assert session.query(SituationReport).count() == 9
            coordination = published["coordination"]
            # Published after the area groups', so it rolls up all three.
            assert coordination.rollup is not None and len(coordination.rollup) == 3
            assert coordination.figures is not None
            assert coordination.figures["total"]["current"] > 50
            # The police area over both, its officer its convener, each side's agreement.
            area = session.scalars(select(PoliceArea)).one()
            assert sorted(m.name for m in area.municipalities) == [
                "Järfälla kommun",
                "Upplands-Bro kommun",
            ]
            convener = session.scalars(
                select(User.email)
                .join(PoliceAreaMember, PoliceAreaMember.user_id == User.id)
                .where(PoliceAreaMember.role == "convener")
            ).all()
            assert convener == ["polis@est.demo"]
    finally:
        database.dispose()
    # Seeding again files nothing more.
    again = est(seeded_url, "seed", "--demo")
    assert "synthetic observations" not in again.stdout


def test_seed_leaves_what_people_changed(seeded_url: str) -> None:
    database = Database.from_url(seeded_url)
    try:
        with database.session(write=True) as session:
            group = session.query(Group).filter_by(name="EST samordningsgrupp").one()
            group.cadence_weeks = 3
    finally:
        database.dispose()
    assert est(seeded_url, "seed", "--demo").returncode == 0
    database = Database.from_url(seeded_url)
    try:
        with database.session(write=False) as session:
            group = session.query(Group).filter_by(name="EST samordningsgrupp").one()
            assert group.cadence_weeks == 3
    finally:
        database.dispose()


def test_help_names_every_command() -> None:
    # The serve commands themselves run in tests/test_containers.py.
    result = subprocess.run(
        [sys.executable, "-m", "api.cli", "--help"], capture_output=True, text=True, check=True
    )
    for command in ("serve", "serve-api", "serve-web", "migrate", "seed"):
        assert command in result.stdout


def test_the_demo_enrols_whom_the_policy_requires_and_a_reset_takes_it_away(
    seeded: Seeded, seeded_url: str
) -> None:
    def enrolled() -> set[str]:
        database = Database.from_url(seeded_url)
        try:
            with database.session(write=False) as session:
                found = session.scalars(
                    select(User.email)
                    .join(TotpFactor, TotpFactor.user_id == User.id)
                    .where(TotpFactor.confirmed_at.is_not(None))
                )
                return set(found)
        finally:
            database.dispose()

    assert DEMO_TOTP_SECRET in seeded.stdout
    # The administrators, the steering group's member and the police area's officer.
    required = {"admin@est.demo", "styrgrupp@est.demo", "admin@jarfalla.est.demo", "polis@est.demo"}
    assert enrolled() == required
    reset = est(seeded_url, "user", "reset-second-factor", "--email", "Admin@est.demo")
    assert reset.returncode == 0, reset.stderr
    assert enrolled() == required - {"admin@est.demo"}
    unknown = est(seeded_url, "user", "reset-second-factor", "--email", "ingen@est.demo")
    assert unknown.returncode != 0 and "no account" in unknown.stderr
