"""Demo data: the EST structure of Upplands-Bro and of its neighbour Järfälla (one file each in
``api/seed_data``, loaded by the same code), the category taxonomy and the demo accounts;
the activity on top of them (observations, lägesbilder, meetings, steering) is
``api.demo_activity``.

Loading is idempotent: what already exists (by name, or code) is left as it is, so ``make run``
can seed every time without undoing what someone changed. The records go through the same
services as the API, so the demo data obeys the same rules.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from importlib import resources
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from api.access import policy
from api.accounts import schemas as account_schemas
from api.accounts import service as account_service
from api.accounts import totp
from api.accounts.models import User
from api.accounts.schemas import Role
from api.actor import SYSTEM, Actor
from api.categories import schemas as category_schemas
from api.categories.models import Category
from api.categories.service import CATEGORIES
from api.composition import compose
from api.demo_boundaries import (
    DEMO_TOWNS,
    UPPLANDS_BRO,
    demo_boundaries,
    demo_outline,
    demo_structure,
)
from api.resources import create_record, update_record
from api.schemas_common import name_key
from api.settings import get_settings
from api.structure import schemas, service
from api.structure.models import Area, Group, Municipality, Organisation, Place
from api.structure.schemas import GroupKind
from api.swedish import ROLES

# Upplands-Bro's bounding box with a margin of a few hundred metres (WGS 84), from the
# municipality's outline: Mälaren in the south, Håtuna in the north-west, Brunna in the east.
UPPLANDS_BRO_EXTENT = {"west": 17.35, "south": 59.41, "east": 17.99, "north": 59.67}
CADENCES = {"every week": 1, "every second week": 2, "every fourth week": 4, "monthly": 4}

# What each kind of group does, in the words of the municipality's own description.
DESCRIPTIONS = {
    GroupKind.steering: (
        "Strategisk nivå: övergripande lägesbild, problem- och behovsanalys. Initierar och "
        "följer upp temaområden, program, handlingsplaner och metoder, och ger uppdrag till "
        "områdesgrupperna."
    ),
    GroupKind.coordination: (
        "Träffas varannan vecka och går igenom de händelser som rapporterats sedan förra "
        "mötet: gemensam analys, bedömning och sammanställning, och beslut om tillfälliga "
        "insatser."
    ),
    GroupKind.area: (
        "Operativ nivå: delar den lokala lägesbilden, analyserar problemplatser tillsammans "
        "och genomför insatser och styrgruppens uppdrag."
    ),
}


@dataclass
class SeedReport:
    created: dict[str, int] = field(default_factory=dict)

    def count(self, what: str) -> None:
        self.created[what] = self.created.get(what, 0) + 1

    def __str__(self) -> str:
        if not self.created:
            return "nothing new: the demo data was already there"
        return "created " + ", ".join(f"{n} {what}" for what, n in self.created.items())


def _data(name: str) -> str:
    return resources.files("api.seed_data").joinpath(name).read_text(encoding="utf-8")


def by_name(session: Session, model: type[Any], name: str, **scope: Any) -> Any:
    return session.scalar(select(model).filter_by(name_key=name_key(name), **scope))


def load_demo(
    session: Session, *, actor: Actor = SYSTEM, towns: tuple[str, ...] = DEMO_TOWNS
) -> SeedReport:
    """The demo municipalities of ``towns`` (files in api/seed_data; every one unless told:
    the tests load Upplands-Bro alone where its neighbour plays no part) and the
    categories."""
    report = SeedReport()
    for source in towns:
        _load_town(session, source, report, actor)
    load_categories(session, report, actor=actor)
    return report


def _load_town(session: Session, source: str, report: SeedReport, actor: Actor) -> None:
    structure = demo_structure(source)
    municipality = _municipality(session, source, report, actor)
    areas = {
        a["name"]: _area(session, municipality, source, a, report, actor)
        for a in structure["areas"]
    }
    organisations = _organisations(session, municipality, structure["organisations"], report, actor)
    for group in structure["groups"]:
        _group(session, municipality, group, areas, organisations, report, actor)


def demo_municipality(session: Session, source: str = UPPLANDS_BRO) -> Municipality | None:
    """The demo municipality of a file in api/seed_data, once seeded."""
    found: Municipality | None = by_name(
        session, Municipality, demo_structure(source)["municipality"]["name"]
    )
    return found


# Demo accounts, one per role; only ever created in development and tests (see est seed).
DEMO_PASSWORD = "trygg-kanot-lyser-7"  # noqa: S105 (demo only; refused outside dev)
# The TOTP secret of the demo accounts whose role requires a second factor
# (policy.requires_second_factor): a reviewer computes their codes from it (README).
DEMO_TOTP_SECRET = "ESTDEMOTRYGGKANOTLYSER7ESTDEMO23"  # noqa: S105 (demo only)
DEMO_USERS = (
    # e-mail, name, organisation, is_admin, (group, role)
    ("admin@est.demo", "Alva Admin", "Kommunledningskontoret", True, None),
    ("styrgrupp@est.demo", "Stina Styrgrupp", "Kommunledningskontoret", False,
     ("EST styrgrupp", Role.member)),
    ("samordnare@est.demo", "Sam Samordnare", "Trygghets- och preventionsenheten", False,
     ("EST samordningsgrupp", Role.convener)),
    ("kungsangen@est.demo", "Kalle Kungsängen", "Upplands-Brohus", False,
     ("EST områdesgrupp Kungsängen", Role.member)),
    ("rapportor@est.demo", "Rut Rapportör", "Rapid Säkerhet", False,
     ("EST områdesgrupp Bro", Role.reporter)),
    ("lasare@est.demo", "Lo Läsare", "Polisen, lokalpolisområde", False,
     ("EST samordningsgrupp", Role.viewer)),
)  # fmt: skip
# The community police officer of the police area Järfälla, which serves Järfälla and
# Upplands-Bro (#21): at home in Upplands-Bro's police, a member of both municipalities'
# coordination groups, so they act in either (the account menu's choice).
POLICE_OFFICER = ("polis@est.demo", "Pia Polis", "Polisen, lokalpolisområde")
POLICE_OFFICER_GROUPS = (
    (UPPLANDS_BRO, "EST samordningsgrupp"),
    ("jarfalla.json", "EST samordningsgrupp Järfälla"),
)


def _demo_accounts(
    session: Session,
) -> list[tuple[Municipality, str, str, str, bool, list[tuple[str, Role]]]]:
    """Every demo account as (home municipality, e-mail, name, organisation, is_admin,
    [(group, role)]): Upplands-Bro's (DEMO_USERS), the other demo municipalities' (their
    files' ``accounts``), and the police officer of both: of those seeded
    (``load_demo``'s ``towns``), the police officer a member of their groups."""
    home = demo_municipality(session)
    assert home is not None
    found = [
        (home, email, name, organisation, is_admin, [grant] if grant else [])
        for email, name, organisation, is_admin, grant in DEMO_USERS
    ]
    for source in DEMO_TOWNS[1:]:
        town = demo_municipality(session, source)
        if town is None:
            continue
        for item in demo_structure(source).get("accounts", []):
            grants = [(item["group"], Role(item["role"]))] if "group" in item else []
            found.append(
                (town, item["email"], item["name"], item["organisation"], bool(item.get("admin")),
                 grants)
            )  # fmt: skip
    email, name, organisation = POLICE_OFFICER
    found.append((home, email, name, organisation, False, [
        (group, Role.member) for source, group in POLICE_OFFICER_GROUPS
        if demo_municipality(session, source) is not None
    ]))  # fmt: skip
    return found


def load_demo_users(
    session: Session,
    *,
    actor: Actor = SYSTEM,
    password_hash: str | None = None,
    secret_key: str | None = None,
) -> list[tuple[str, str]]:
    """The demo accounts (after ``load_demo``), as (e-mail, what they are) to print.
    ``password_hash``, of DEMO_PASSWORD, spares the tests an argon2 hash per account;
    ``secret_key`` seals the TOTP secrets (the settings' EST_SECRET_KEY when not given)."""
    # A way in like the CLI (the benchmarks seed without it): an account's second factor
    # reads the police areas' grants through a slot.
    compose()
    shown = []
    for home, email, name, organisation, is_admin, grants in _demo_accounts(session):
        user = session.scalar(select(User).where(User.email_key == email))
        if user is None:
            org = by_name(session, Organisation, organisation, municipality_id=home.id)
            user = account_service.create_user(
                session,
                account_schemas.UserCreate(
                    name=name,
                    email=email,
                    organisation_id=org.id,
                    is_admin=is_admin,
                    password=None if password_hash else DEMO_PASSWORD,
                ),
                actor=actor,
            )
            if password_hash:
                user.password_hash = password_hash
            # The known demo password, not one to change at the first sign-in: the demo
            # stays usable by anyone who reads the README.
            user.password_temporary = False
        what = f"administratör i {home.name}"
        roles = []
        for group_name, role in grants:
            group = by_name(session, Group, group_name)
            account_service.put_membership(
                session,
                group.id,
                user.id,
                account_schemas.MembershipPut(role=role),
                actor=actor,
            )
            roles.append(f"{ROLES[role]} i {group.name}")
        if roles:
            what = " och ".join(roles)
        session.expire(user, ["memberships"])
        if enrol_demo_second_factor(session, user, secret_key=secret_key):
            what += SECOND_FACTOR_NOTE
        shown.append((email, what))
    return shown


SECOND_FACTOR_NOTE = f", kod ur TOTP-nyckeln {DEMO_TOTP_SECRET}"


def enrol_demo_second_factor(session: Session, user: User, *, secret_key: str | None) -> bool:
    """Gives a demo account DEMO_TOTP_SECRET when their role requires a second factor
    (policy.requires_second_factor); True when it does. Run again after the demo's police
    area is made (its group's members need one too)."""
    person = account_service.actor_for(user, session_id=None, address=None)
    if not policy.requires_second_factor(person):
        return False
    key = secret_key or get_settings().secret_key.get_secret_value()
    totp.enrol_with_secret(session, user.id, DEMO_TOTP_SECRET, secret_key=key)
    return True


def enrol_demo_second_factors(session: Session, *, secret_key: str | None = None) -> set[str]:
    """enrol_demo_second_factor for every demo account there is: the e-mails enrolled."""
    enrolled = set()
    for _home, email, *_rest in _demo_accounts(session):
        user = session.scalar(select(User).where(User.email_key == email))
        if user is not None and enrol_demo_second_factor(session, user, secret_key=secret_key):
            enrolled.add(email)
    return enrolled


def _municipality(session: Session, source: str, report: SeedReport, actor: Actor) -> Municipality:
    structure = demo_structure(source)
    data = structure["municipality"]
    extent = structure.get("extent", UPPLANDS_BRO_EXTENT)
    municipality: Municipality | None = by_name(session, Municipality, data["name"])
    if municipality is not None:
        if municipality.extent is None:
            # Seeded before municipalities had an extent.
            municipality.extent = extent
    else:
        report.count("municipalities")
        municipality = create_record(
            session,
            service.MUNICIPALITIES,
            schemas.MunicipalityCreate(
                name=data["name"],
                timezone=data["timezone"],
                local_crs=data["local_crs"],
                extent=schemas.Extent(**extent),
            ),
            actor=actor,
        )
    if municipality.outline is None:
        # Seeded before municipalities had an outline: where a neighbour's point is told apart.
        municipality.outline = demo_outline(source)
    return municipality


def _area(
    session: Session,
    municipality: Municipality,
    source: str,
    data: dict[str, Any],
    report: SeedReport,
    actor: Actor,
) -> Area:
    area: Area | None = by_name(session, Area, data["name"], municipality_id=municipality.id)
    boundary = demo_boundaries(source).get(data["name"])
    if area is None:
        lat, lon = data["approx_center"]
        area = create_record(
            session,
            service.AREAS,
            schemas.AreaCreate.model_validate(
                {
                    "municipality_id": municipality.id,
                    "name": data["name"],
                    "center": {"type": "Point", "coordinates": [lon, lat]},
                    "boundary": boundary,
                }
            ),
            actor=actor,
        )
        report.count("areas")
    elif area.boundary is None and boundary is not None:
        # Seeded before the demo areas had boundaries: the point then decides the area.
        update_record(
            session,
            service.AREAS,
            area.id,
            schemas.AreaUpdate.model_validate({"boundary": boundary}),
            actor=actor,
        )
        report.count("area boundaries")
    positions = data.get("positions", {})
    for name in data.get("places", []):
        place = by_name(session, Place, name, area_id=area.id)
        point = None
        if name in positions:
            lat, lon = positions[name]
            point = {"type": "Point", "coordinates": [lon, lat]}
        if place is None:
            create_record(
                session,
                service.PLACES,
                schemas.PlaceCreate.model_validate(
                    {"area_id": area.id, "name": name, "point": point}
                ),
                actor=actor,
            )
            report.count("places")
        elif place.lat is None and point is not None:
            update_record(
                session,
                service.PLACES,
                place.id,
                schemas.PlaceUpdate.model_validate({"point": point}),
                actor=actor,
            )
    return area


def _organisations(
    session: Session,
    municipality: Municipality,
    data: list[dict[str, Any]],
    report: SeedReport,
    actor: Actor,
) -> dict[str, Organisation]:
    found: dict[str, Organisation] = {}
    new: list[dict[str, Any]] = []
    for item in data:
        organisation = by_name(session, Organisation, item["name"], municipality_id=municipality.id)
        if organisation is None:
            organisation = create_record(
                session,
                service.ORGANISATIONS,
                schemas.OrganisationCreate(
                    municipality_id=municipality.id, name=item["name"], kind=item["kind"]
                ),
                actor=actor,
            )
            new.append(item)
            report.count("organisations")
        found[item["name"]] = organisation
    # Parents second: the file lists some units before the office they belong to.
    for item in new:
        if item.get("parent"):
            update_record(
                session,
                service.ORGANISATIONS,
                found[item["name"]].id,
                schemas.OrganisationUpdate(parent_id=found[item["parent"]].id),
                actor=actor,
            )
    return found


def _group(
    session: Session,
    municipality: Municipality,
    data: dict[str, Any],
    areas: dict[str, Area],
    organisations: dict[str, Organisation],
    report: SeedReport,
    actor: Actor,
) -> None:
    if by_name(session, Group, data["name"], municipality_id=municipality.id) is not None:
        return
    kind = GroupKind(data["kind"])
    convener = organisations.get(data.get("convener", ""))
    create_record(
        session,
        service.GROUPS,
        schemas.GroupCreate(
            municipality_id=municipality.id,
            name=data["name"],
            kind=kind,
            area_id=areas[data["area"]].id if "area" in data else None,
            convener_id=convener.id if convener else None,
            cadence_weeks=CADENCES.get(data.get("meets", "")),
            description=DESCRIPTIONS[kind],
            organisation_ids=[organisations[name].id for name in data.get("members", [])],
        ),
        actor=actor,
    )
    report.count("groups")


def load_categories(session: Session, report: SeedReport, *, actor: Actor = SYSTEM) -> None:
    rows = csv.DictReader(_data("categories.csv").splitlines())
    for order, row in enumerate(rows):
        if session.get(Category, row["code"]) is not None:
            continue
        create_record(
            session,
            CATEGORIES,
            category_schemas.CategoryCreate(
                code=row["code"],
                label_sv=row["label_sv"],
                label_en=row["label_en"] or None,
                sort_order=order * 10,
            ),
            actor=actor,
        )
        report.count("categories")
