"""The ``est`` command: serve, migrate, seed, import, sync, accounts and retention."""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Sequence
from typing import Any

from api import localtime
from api.settings import get_settings


def _serve(factory: str, args: argparse.Namespace) -> None:
    import uvicorn

    uvicorn.run(
        factory,
        factory=True,
        host=args.host,
        port=args.port,
        workers=args.workers,
        log_level=get_settings().log_level,
        proxy_headers=True,
        forwarded_allow_ips=args.forwarded_allow_ips,
        # A stop waits this long for requests under way, not for ever: an evening's live log
        # (server-sent events) is open for as long as a phone follows it.
        timeout_graceful_shutdown=10,
    )


def _cmd_serve(args: argparse.Namespace) -> None:
    _serve("web.embedded:create_embedded_app", args)


def _cmd_serve_api(args: argparse.Namespace) -> None:
    _serve("api.app:create_api_app", args)


def _cmd_serve_web(args: argparse.Namespace) -> None:
    import os

    api_url = args.api_url or get_settings().api_url
    if not api_url:
        raise SystemExit("est serve-web: give --api-url or set EST_API_URL")
    # The factory reads its settings from the environment, also in worker processes.
    os.environ["EST_API_URL"] = api_url
    get_settings.cache_clear()
    _serve("web.app:create_split_web_app", args)


def _cmd_migrate(args: argparse.Namespace) -> None:
    from api import migrate
    from api.db import normalize_url

    url = get_settings().database_url
    migrate.upgrade(url, args.revision)
    print(f"database at {args.revision}: {normalize_url(url).render_as_string()}")


def _cmd_seed(args: argparse.Namespace) -> None:
    from api.demo_activity import load_demo_incidents
    from api.policeareas.demo import load_police_area_demo
    from api.seed import (
        DEMO_PASSWORD,
        SECOND_FACTOR_NOTE,
        enrol_demo_second_factors,
        load_demo,
        load_demo_users,
    )

    if not args.demo:
        raise SystemExit("est seed: only --demo is available (Upplands-Bro and Järfälla)")
    settings = get_settings()
    database = _database()
    try:
        with database.session(write=True) as session:
            report = load_demo(session)
            users = load_demo_users(session) if settings.env != "prod" else []
            # After the accounts: the police officer of both municipalities is its convener.
            police_area = load_police_area_demo(session)
            # Its group's members sign in with a second factor too.
            enrolled = enrol_demo_second_factors(session) if users else set()
            filed = (
                load_demo_incidents(session, today=localtime.today())
                if settings.env != "prod"
                else 0
            )
    finally:
        database.dispose()
    print(f"demo data of Upplands-Bro and Järfälla: {report}")
    if police_area is not None:
        print(f"police area: {police_area.name}, with each municipality's sharing agreement")
    if filed:
        print(f"demo incidents: {filed} synthetic observations of the last 15 months")
    if settings.env == "prod":
        print("no demo accounts: EST_ENV is prod")
        return
    print(f"demo accounts (development only), all with the password {DEMO_PASSWORD}:")
    for email, what in users:
        if email in enrolled and SECOND_FACTOR_NOTE not in what:
            what += SECOND_FACTOR_NOTE
        print(f"  {email:<28} {what}")


def _database() -> Any:
    # Every model, so that the foreign keys between domains resolve whatever a command uses,
    # and every slot filled (api.composition), so that a command's reads are whole.
    import api.models  # noqa: F401
    from api.composition import compose
    from api.db import Database
    from api.migrate import current_revision, head_revision

    logging.getLogger("alembic.runtime.migration").setLevel(logging.WARNING)
    compose()
    database = Database.from_url(get_settings().database_url)
    if current_revision(database.engine) != head_revision():
        database.dispose()
        raise SystemExit("est: the database is not migrated; run `est migrate` first")
    return database


def _cmd_token_create(args: argparse.Namespace) -> None:
    from sqlalchemy import select

    from api.accounts import schemas, service_tokens
    from api.actor import SYSTEM
    from api.errors import DomainError
    from api.schemas_common import name_key
    from api.structure.models import Organisation

    database = _database()
    try:
        with database.session(write=True) as session:
            organisation = session.scalar(
                select(Organisation).where(Organisation.name_key == name_key(args.organisation))
            )
            if organisation is None:
                raise SystemExit(f"est token create: no organisation named {args.organisation!r}")
            try:
                data = schemas.ServiceTokenCreate(
                    source=args.source, organisation_id=organisation.id, days=args.days
                )
                token, record = service_tokens.create_service_token(session, data, actor=SYSTEM)
            except (DomainError, ValueError) as exc:
                raise SystemExit(f"est token create: {exc}") from exc
    finally:
        database.dispose()
    print(f"service token {record.id} for {record.source} ({organisation.name}),")
    print(f"valid until {record.expires_at:%Y-%m-%d %H:%M} UTC. It is shown only this once:")
    print(token)


def _cmd_import(args: argparse.Namespace) -> None:
    """A mapping tool's export, read from disk as it streams: a million rows in the memory
    of one. The command acts as the system; the audit log records the import and its
    counts."""
    from sqlalchemy import select

    from api.actor import SYSTEM
    from api.errors import DomainError
    from api.integrations import imports
    from api.schemas_common import name_key
    from api.structure.models import Organisation

    database = _database()
    try:
        with database.session(write=not args.dry_run) as session:
            organisation_id = None
            if args.organisation:
                organisation_id = session.scalar(
                    select(Organisation.id).where(
                        Organisation.name_key == name_key(args.organisation)
                    )
                )
                if organisation_id is None:
                    raise SystemExit(f"est import: no organisation named {args.organisation!r}")
            try:
                with open(args.file, "rb") as stream:
                    file_format, summary = imports.import_file(
                        session,
                        args.source,
                        stream,
                        args.file,
                        organisation_id=organisation_id,
                        actor=SYSTEM,
                        dry_run=args.dry_run,
                    )
            except OSError as exc:
                raise SystemExit(f"est import: {exc}") from exc
            except DomainError as exc:
                details = "; ".join(e.message for e in exc.errors) or exc.detail
                raise SystemExit(f"est import: {details}") from exc
    finally:
        database.dispose()
    unit = "objekt" if file_format == "geojson" else "rad"
    for item in summary.rejected_rows:
        print(f"{unit} {item.index}: {item.reason}")
    for warning in summary.warnings:
        print(f"obs: {warning}")
    verb = "skulle ge" if args.dry_run else "gav"
    print(
        f"{args.file} ({file_format}, {summary.rows} rader) {verb}: {summary.created} nya, "
        f"{summary.updated} ändrade, {summary.unchanged} oförändrade, "
        f"{summary.rejected} avvisade."
    )
    if summary.rejected > len(summary.rejected_rows):
        print(f"(de första {len(summary.rejected_rows)} avvisade raderna visas ovan)")


def _cmd_sync(args: argparse.Namespace) -> None:
    """Pull a remote change feed (another instance's, or a tool's of the same shape) in,
    page by page, resuming where the last sync of the same source and URL stopped."""
    from api.errors import DomainError
    from api.integrations import sync

    database = _database()
    try:
        municipality_id = None
        if args.municipality:
            with database.session(write=False) as session:
                municipality_id = _home_municipality(session, args.municipality, "est sync")
        result = sync.sync(
            database,
            args.source,
            args.url,
            args.token,
            max_pages=args.pages,
            municipality_id=municipality_id,
        )
    except sync.SyncFailed as exc:
        raise SystemExit(f"est sync: {exc}") from exc
    except DomainError as exc:  # a source name of our own
        raise SystemExit(f"est sync: {exc.detail}") from exc
    finally:
        database.dispose()
    for line in result.rejected:
        print(f"avvisad {line}")
    counts = result.counts
    print(
        f"{args.url}: {result.pages} sidor, {counts['created']} nya, {counts['updated']} "
        f"ändrade, {counts['unchanged']} oförändrade, {counts['rejected']} avvisade."
    )


# A password set here is someone else's for the person (api.accounts.service.set_password).
TEMPORARY_NOTE = (
    "the password is temporary: the person chooses their own at the first sign-in "
    "(and it stops working after EST_TEMPORARY_PASSWORD_DAYS unused)"
)


def _cmd_user_create(args: argparse.Namespace) -> None:
    import getpass

    from sqlalchemy import select

    from api.accounts import schemas, service
    from api.actor import SYSTEM
    from api.errors import DomainError
    from api.schemas_common import name_key
    from api.structure.models import Organisation

    password = sys.stdin.readline().rstrip("\n") if args.password_stdin else getpass.getpass()
    database = _database()
    try:
        with database.session(write=True) as session:
            organisation_id = None
            if args.organisation:
                organisation = session.scalar(
                    select(Organisation).where(Organisation.name_key == name_key(args.organisation))
                )
                if organisation is None:
                    raise SystemExit(f"est user create: no organisation {args.organisation!r}")
                organisation_id = organisation.id
            try:
                data = schemas.UserCreate(
                    name=args.name,
                    email=args.email,
                    organisation_id=organisation_id,
                    is_admin=args.admin,
                    password=password,
                )
                user = service.create_user(session, data, actor=SYSTEM)
            except (DomainError, ValueError) as exc:
                raise SystemExit(f"est user create: {exc}") from exc
            if user.municipality_id is None:
                # An administrator without an organisation administers the municipality
                # named, or the installation's only one (#21).
                user.municipality_id = _home_municipality(session, args.municipality)
    finally:
        database.dispose()
    print(f"user {user.id} created: {user.email}{' (administrator)' if user.is_admin else ''}")
    print(TEMPORARY_NOTE)


def _cmd_operator_create(args: argparse.Namespace) -> None:
    """A platform operator (#21): manages municipalities and reads none of their data. A
    one-time password is made and printed once, unless one is given on standard input; the
    operator sets up a second factor at the first sign-in."""
    from pydantic import ValidationError

    from api.accounts import platform, schemas
    from api.actor import SYSTEM
    from api.errors import DomainError

    given = sys.stdin.readline().rstrip("\n") if args.password_stdin else None
    password = given or platform.one_time_password()
    try:
        data = schemas.OperatorCreate(name=args.name, email=args.email, password=password)
    except ValidationError as exc:
        problems = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors())
        raise SystemExit(f"est operator create: {problems}") from exc
    database = _database()
    try:
        with database.session(write=True) as session:
            try:
                user = platform.create_operator(session, data, actor=SYSTEM)
            except DomainError as exc:
                raise SystemExit(f"est operator create: {exc.detail}") from exc
    finally:
        database.dispose()
    print(f"operator {user.id} created: {user.email}")
    if given is None:
        print(f"one-time password (shown once): {password}")
    print("the operator sets up a second factor (TOTP) at the first sign-in")
    print(TEMPORARY_NOTE)


def _home_municipality(session: Any, name: str | None, command: str = "est user create") -> int:
    from sqlalchemy import select

    from api.schemas_common import name_key
    from api.structure.models import Municipality

    stmt = select(Municipality.id).order_by(Municipality.id)
    if name:
        stmt = stmt.where(Municipality.name_key == name_key(name))
    found = list(session.scalars(stmt.limit(2)))
    if len(found) == 1:
        return int(found[0])
    if name:
        raise SystemExit(f"{command}: no municipality {name!r}")
    raise SystemExit(
        f"{command}: "
        + (
            "several municipalities: give --municipality"
            if found
            else "no municipality yet: a platform operator makes one (est operator create)"
        )
    )


def _cmd_retention_run(args: argparse.Namespace) -> None:
    """Thin what the retention settings (EST_RETAIN_*) say has gone past its time, or with
    --dry-run say how much that is; the counts go to the audit log, never the content."""
    from sqlalchemy import select

    from api.retention import service
    from api.retention.cutoffs import Cutoffs
    from api.structure.models import Municipality

    settings = get_settings()
    database = _database()
    try:
        thinned = service.run(database, settings, dry_run=args.dry_run)
        with database.session(write=False) as session:
            c = service.cutoffs(settings, localtime.utcnow(), session)
            named = session.execute(select(Municipality.id, Municipality.name))
            names = {ident: name for ident, name in named}
    finally:
        database.dispose()
    assert thinned is not None  # run regardless of the schedule

    def periods(c: Cutoffs) -> str:
        return (
            f"fritext och exakta punkter från före {c.text_before:%Y-%m-%d} ({c.months} "
            f"månader), logghändelser från före {c.audit_before:%Y-%m-%d} ({c.years} år)"
        )

    print(f"gallring: {periods(c)}")
    for municipality_id, own in sorted(c.own.items()):
        # A municipality with retention periods (or a time zone) of its own (#21).
        print(f"{names[municipality_id]}, egna gallringsfrister: {periods(own)}")
    verb = "skulle gallras" if args.dry_run else "gallrades"
    for kind, number in thinned.counts().items():
        print(f"{service.KINDS[kind]}: {number} {verb}")
    if args.dry_run:
        print("torrkörning: inget ändrades")


def _cmd_user_reset_second_factor(args: argparse.Namespace) -> None:
    """For the administrator who has lost both the phone and the recovery codes, when no
    other administrator is there to reset it through the API."""
    from sqlalchemy import select

    from api.accounts import totp
    from api.accounts.models import User, email_key
    from api.actor import SYSTEM

    database = _database()
    try:
        with database.session(write=True) as session:
            user = session.scalar(select(User).where(User.email_key == email_key(args.email)))
            if user is None:
                raise SystemExit(f"est user reset-second-factor: no account {args.email!r}")
            totp.reset(session, user.id, actor=SYSTEM)
    finally:
        database.dispose()
    print(f"second factor of {args.email} reset; they set it up again at their next sign-in")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="est", description="EST Lägesbild")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def server(name: str, help_text: str, default_port: int = 8000) -> argparse.ArgumentParser:
        sub = commands.add_parser(name, help=help_text, description=help_text)
        sub.add_argument("--host", default="127.0.0.1")
        sub.add_argument("--port", type=int, default=default_port)
        sub.add_argument("--workers", type=int, default=1)
        sub.add_argument(
            "--forwarded-allow-ips",
            default="127.0.0.1",
            help="proxies whose X-Forwarded-* headers are trusted",
        )
        return sub

    server("serve", "API at /api and web UI at / in one process").set_defaults(func=_cmd_serve)
    server("serve-api", "only the API").set_defaults(func=_cmd_serve_api)
    web = server("serve-web", "only the web UI, talking to an API elsewhere")
    web.add_argument(
        "--api-url", help="base URL of the API, e.g. http://api:8000 (default: EST_API_URL)"
    )
    web.set_defaults(func=_cmd_serve_web)

    migrate = commands.add_parser("migrate", help="bring the database schema up to date")
    migrate.add_argument("--revision", default="head")
    migrate.set_defaults(func=_cmd_migrate)

    seed = commands.add_parser("seed", help="load data")
    seed.add_argument(
        "--demo",
        action="store_true",
        help="the EST structure of Upplands-Bro and the category taxonomy",
    )
    seed.set_defaults(func=_cmd_seed)

    token = commands.add_parser("token", help="service tokens for integrations")
    token_commands = token.add_subparsers(dest="token_command", required=True, metavar="ACTION")
    create = token_commands.add_parser(
        "create", help="create a token for one source and organisation; printed once"
    )
    create.add_argument("--source", required=True, help="the integration's name, e.g. embrace")
    create.add_argument("--organisation", required=True, help="the organisation's name")
    create.add_argument("--days", type=int, default=365, help="days until it expires")
    create.set_defaults(func=_cmd_token_create)

    load = commands.add_parser(
        "import", help="import a mapping tool's export (CSV or GeoJSON) by the rows' own ids"
    )
    load.add_argument("file", help="the export: .csv, .geojson or .json")
    load.add_argument("--source", required=True, help="the tool it comes from, e.g. embrace")
    load.add_argument("--organisation", help="the organisation of rows that name none")
    load.add_argument(
        "--dry-run", action="store_true", help="say what would be imported; write nothing"
    )
    load.set_defaults(func=_cmd_import)

    pull = commands.add_parser(
        "sync", help="pull a remote change feed in, resuming where the last sync stopped"
    )
    pull.add_argument("--source", required=True, help="the name its incidents get here")
    pull.add_argument(
        "--url", required=True, help="the feed, e.g. https://…/api/v1/integrations/x/changes"
    )
    pull.add_argument("--token", required=True, help="the remote's service token")
    pull.add_argument("--pages", type=int, default=None, help="stop after this many pages")
    pull.add_argument(
        "--municipality", help="the municipality it fills, where there are several (#21)"
    )
    pull.set_defaults(func=_cmd_sync)

    user = commands.add_parser("user", help="accounts")
    user_commands = user.add_subparsers(dest="user_command", required=True, metavar="ACTION")
    add = user_commands.add_parser("create", help="create an account (the first administrator)")
    add.add_argument("--email", required=True)
    add.add_argument("--name", required=True)
    add.add_argument("--organisation", help="the organisation's name (optional for --admin)")
    add.add_argument("--admin", action="store_true")
    add.add_argument(
        "--municipality",
        help="the municipality an administrator without an organisation administers "
        "(needed when there are several)",
    )
    add.add_argument(
        "--password-stdin", action="store_true", help="read the password from standard input"
    )
    add.set_defaults(func=_cmd_user_create)
    reset = user_commands.add_parser(
        "reset-second-factor", help="take away an account's TOTP (a lost phone); ends sessions"
    )
    reset.add_argument("--email", required=True)
    reset.set_defaults(func=_cmd_user_reset_second_factor)

    operator = commands.add_parser("operator", help="platform operators (several municipalities)")
    operator_commands = operator.add_subparsers(
        dest="operator_command", required=True, metavar="ACTION"
    )
    op_add = operator_commands.add_parser(
        "create", help="create a platform operator; prints a one-time password"
    )
    op_add.add_argument("--email", required=True)
    op_add.add_argument("--name", required=True)
    op_add.add_argument(
        "--password-stdin",
        action="store_true",
        help="read the password from standard input instead of making a one-time one",
    )
    op_add.set_defaults(func=_cmd_operator_create)

    retention = commands.add_parser(
        "retention", help="thinning (gallring) by the EST_RETAIN_* settings"
    )
    retention_commands = retention.add_subparsers(
        dest="retention_command", required=True, metavar="ACTION"
    )
    thin = retention_commands.add_parser(
        "run", help="thin what is due now (est serve also does this daily)"
    )
    thin.add_argument(
        "--dry-run", action="store_true", help="say how much would be thinned; change nothing"
    )
    thin.set_defaults(func=_cmd_retention_run)
    return parser


def main(argv: Sequence[str] | None = None) -> None:
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    # Alembic announces every plugin it loads; only the migrations themselves are news.
    logging.getLogger("alembic.runtime.plugins").setLevel(logging.WARNING)
    args = build_parser().parse_args(argv)
    args.func(args)


if __name__ == "__main__":
    main(sys.argv[1:])
