"""The two locks of api/tenancy.py (#21): a session bound to one municipality sees and writes
its rows alone, by the ORM on every backend and, on PostgreSQL, by row-level security even
for a hand-written query that names no municipality."""

from __future__ import annotations

import pytest
from sqlalchemy import func, insert, select, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from api.db import Base
from api.errors import Hidden, Invalid
from api.resources import reference
from api.structure.models import Area, Municipality, Organisation, Place
from api.structure.schemas import OrganisationKind
from api.structure.service import AREAS, MUNICIPALITIES
from api.tenancy import municipal_tables
from tests.support.servers import Server


def _two(server: Server) -> tuple[int, int]:
    """Two municipalities, each with an area, a place and an organisation, made as the
    system (an unbound session)."""
    ids = []
    with server.database.session(write=True) as session:
        for name in ("Kommun A", "Kommun B"):
            municipality = Municipality(name=name)
            session.add(municipality)
            session.flush()
            area = Area(municipality_id=municipality.id, name=f"Centrum {name}")
            session.add_all(
                [
                    area,
                    Place(area=area, name=f"Torget {name}"),
                    Organisation(
                        municipality_id=municipality.id,
                        name=f"Skolan {name}",
                        kind=OrganisationKind.school,
                    ),
                ]
            )
            session.flush()
            ids.append(municipality.id)
    return ids[0], ids[1]


def _add_area(session: Session, municipality_id: int) -> None:
    session.add(Area(municipality_id=municipality_id, name="Smygområde"))
    session.flush()


def _insert_area(session: Session, municipality_id: int) -> None:
    session.execute(
        text(
            "INSERT INTO areas (municipality_id, name, name_key, active, created_at, updated_at)"
            " VALUES (:m, 'Smyg', 'smyg', true, now(), now())"
        ),
        {"m": municipality_id},
    )


def test_a_bound_session_sees_and_writes_its_municipality_alone(
    server: Server, api: object
) -> None:
    a, b = _two(server)
    with server.database.session(write=True, municipalities=frozenset({a})) as session:
        assert {p.name for p in session.scalars(select(Place))} == {"Torget Kommun A"}
        assert session.scalar(select(func.count()).select_from(Area)) == 1
        # A child takes its parent's municipality without being told.
        area = session.scalars(select(Area)).one()
        place = Place(area_id=area.id, name="Biblioteket")
        session.add(place)
        session.flush()
        assert place.municipality_id == a
    # A row of the other municipality is refused, as if it did not exist.
    bound_to_a = server.database.session(write=True, municipalities=frozenset({a}))
    with pytest.raises(Hidden), bound_to_a as session:
        _add_area(session, b)
    with server.database.session(write=False) as session:
        assert session.scalar(select(func.count()).select_from(Area)) == 2


def test_a_reference_into_another_municipality_is_as_if_there_were_none(
    server: Server, api: object
) -> None:
    # The municipalities table is no municipal one (the ORM lock does not narrow it): its
    # Resource says which municipality a row is of, and the generic lookup reads that.
    a, b = _two(server)
    with server.database.session(write=False, municipalities=frozenset({a})) as session:
        assert reference(session, MUNICIPALITIES, a, field_name="municipality_id").id == a
        refusals = []
        for call in (
            lambda: reference(session, MUNICIPALITIES, b, field_name="x"),
            lambda: reference(session, AREAS, _area_of(server, b), field_name="x"),
        ):
            with pytest.raises(Invalid) as refused:
                call()
            refusals.append((refused.value.errors[0].code, refused.value.errors[0].message))
        assert refusals == [
            ("unknown_id", f"Det finns ingen kommun med id {b}."),
            ("unknown_id", f"Det finns inget område med id {_area_of(server, b)}."),
        ]
    with server.database.session(write=False) as session:  # the system sees every one
        assert reference(session, MUNICIPALITIES, b, field_name="municipality_id").id == b


def _area_of(server: Server, municipality_id: int) -> int:
    with server.database.session(write=False) as session:
        found = session.scalar(select(Area.id).where(Area.municipality_id == municipality_id))
    assert found is not None
    return found


def test_a_new_row_takes_its_parents_municipality(server: Server, api: object) -> None:
    """The column default (api.tenancy.parent_municipality): a session of the system reads
    each parent's municipality, one after the other in one transaction; a session bound to
    one municipality files in it, where each parent it can name is."""
    a, b = _two(server)
    with server.database.session(write=False) as session:
        areas = {m: i for m, i in session.execute(select(Area.municipality_id, Area.id))}
    with server.database.session(write=True) as session:
        for n, municipality in enumerate((a, b, a)):
            place = Place(area_id=areas[municipality], name=f"Parken {n}")
            session.add(place)
            session.flush()
            assert place.municipality_id == municipality
    for municipality in (a, b):
        bound = server.database.session(write=True, municipalities=frozenset({municipality}))
        with bound as session:
            place = Place(area_id=areas[municipality], name="Lekplatsen")
            session.add(place)
            session.flush()
            assert place.municipality_id == municipality


def _place_under(session: Session, area_id: int, *, through_the_orm: bool) -> None:
    if through_the_orm:
        session.add(Place(area_id=area_id, name="Smygplatsen"))
        session.flush()
    else:
        session.execute(insert(Place), [{"area_id": area_id, "name": "Smyg", "name_key": "smyg"}])


def test_a_row_hung_on_another_municipalitys_parent_is_refused(server: Server, api: object) -> None:
    """A session bound to one municipality that names, by its id alone, a parent of another
    (a place in another's area, through the ORM and as a bare INSERT, whose municipality the
    column default finds) is refused as if the parent did not exist: the row is not filed
    in the session's municipality under another's parent."""
    a, b = _two(server)
    theirs = _area_of(server, b)
    for through_the_orm in (True, False):
        bound_to_a = server.database.session(write=True, municipalities=frozenset({a}))
        with pytest.raises(Hidden), bound_to_a as session:
            _place_under(session, theirs, through_the_orm=through_the_orm)
    with server.database.session(write=False) as session:
        assert session.scalar(select(func.count()).select_from(Place)) == 2


def test_an_unscoped_query_sees_nothing_of_the_other_municipality(
    server: Server, api: object
) -> None:
    if server.backend != "postgresql":
        pytest.skip("SQLite has no row-level security; it relies on the ORM's lock")
    a, b = _two(server)
    with server.database.session(write=True, municipalities=frozenset({a})) as session:
        # Hand-written SQL, no municipality named: the policies still hold.
        for table in ("areas", "places", "organisations"):
            seen = session.execute(text(f"SELECT DISTINCT municipality_id FROM {table}"))
            assert [row[0] for row in seen] == [a], table
        assert session.execute(text("SELECT count(*) FROM areas")).scalar() == 1
    bound_to_a = server.database.session(write=True, municipalities=frozenset({a}))
    with pytest.raises(DBAPIError, match="row-level security"), bound_to_a as session:
        _insert_area(session, b)
    # Nothing bound to none: a session scoped to no municipality sees no row.
    with server.database.session(write=False, municipalities=frozenset()) as session:
        assert session.execute(text("SELECT count(*) FROM places")).scalar() == 0


def test_every_municipal_table_has_its_policy(server: Server, api: object) -> None:
    if server.backend != "postgresql":
        pytest.skip("row-level security is PostgreSQL's")
    with server.database.session(write=False) as session:
        guarded = set(
            session.scalars(
                text("SELECT tablename FROM pg_policies WHERE policyname = 'municipality'")
            )
        )
        forced = set(
            session.scalars(
                text("SELECT relname FROM pg_class WHERE relrowsecurity AND relkind = 'r'")
            )
        )
    tables = set(municipal_tables())
    assert len(tables) > 40
    assert tables <= guarded, sorted(tables - guarded)
    assert tables <= forced, sorted(tables - forced)
    # And only those: the rest (accounts, the audit log, the categories) are not a
    # municipality's, and are scoped by their services.
    assert guarded <= {t.name for t in Base.metadata.sorted_tables}
