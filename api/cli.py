"""The ``est`` command: serve, migrate and seed."""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Sequence

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
    from api.db import Database
    from api.migrate import current_revision, head_revision
    from api.seed import load_demo

    # Reading the schema's revision is not a migration worth announcing.
    logging.getLogger("alembic.runtime.migration").setLevel(logging.WARNING)
    if not args.demo:
        raise SystemExit("est seed: only --demo is available (the demo data of Upplands-Bro)")
    database = Database.from_url(get_settings().database_url)
    try:
        if current_revision(database.engine) != head_revision():
            raise SystemExit("est seed: the database is not migrated; run `est migrate` first")
        with database.session(write=True) as session:
            report = load_demo(session)
    finally:
        database.dispose()
    print(f"demo data of Upplands-Bro: {report}")


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
    return parser


def main(argv: Sequence[str] | None = None) -> None:
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    # Alembic announces every plugin it loads; only the migrations themselves are news.
    logging.getLogger("alembic.runtime.plugins").setLevel(logging.WARNING)
    args = build_parser().parse_args(argv)
    args.func(args)


if __name__ == "__main__":
    main(sys.argv[1:])
