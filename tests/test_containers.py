"""The container setup: compose.yaml and the Dockerfile say the right things, and the
commands they run work here, from the package as the image installs it (no Docker engine
runs on this machine, so the image itself is not built)."""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
import sysconfig
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml

from api.cli import build_parser
from tests.support.codes import totp_code
from tests.support.pages import csrf_of, found
from tests.support.servers import free_port, http_client, sqlite_url

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load((ROOT / "compose.yaml").read_text())
    return loaded


def dockerfile() -> list[str]:
    return [line.strip() for line in (ROOT / "Dockerfile").read_text().splitlines()]


def est_commands(command: list[str] | str) -> list[list[str]]:
    """The `est ...` invocations in a compose command or Dockerfile CMD."""
    words = command if isinstance(command, list) else shlex.split(command)
    if words[:2] == ["sh", "-c"]:
        words = shlex.split(words[2])
    found: list[list[str]] = []
    current: list[str] | None = None
    for word in [*words, "&&"]:
        if word in ("&&", ";"):
            if current:
                found.append(current)
            current = None
        elif word == "est" and current is None:
            current = []
        elif current is not None:
            current.append(word)
        # `exec` and the like before est are the shell's business.
    return found


def test_compose_services(compose: dict[str, Any]) -> None:
    services = compose["services"]
    assert set(services) == {"db", "api", "web"}
    db = services["db"]
    assert db["image"].startswith("postgres:")
    assert any(v.endswith(":/var/lib/postgresql/data") for v in db["volumes"])
    assert "pg_isready" in " ".join(db["healthcheck"]["test"])
    assert "pgdata" in compose["volumes"]

    api = services["api"]
    assert api["depends_on"]["db"]["condition"] == "service_healthy"
    assert api["environment"]["EST_DATABASE_URL"].startswith("postgresql://")
    assert [c[0] for c in est_commands(api["command"])] == ["migrate", "serve-api"]

    web = services["web"]
    assert web["environment"]["EST_API_URL"] == "http://api:8000"
    assert [c[0] for c in est_commands(web["command"])] == ["serve-web"]
    assert web["depends_on"]["api"]["condition"] == "service_healthy"
    assert "8000:8000" in web["ports"]


def test_photos_are_kept_on_a_volume_the_service_can_write(compose: dict[str, Any]) -> None:
    """Photos (#20) outlive a container and are shared by API replicas: a named volume at
    EST_PHOTO_DIR, a directory the image creates owned by its user (a named volume takes
    the ownership of the directory it is mounted over; a missing one would be root's)."""
    api = compose["services"]["api"]
    directory = api["environment"]["EST_PHOTO_DIR"]
    assert f"photos:{directory}" in api["volumes"]
    assert "photos" in compose["volumes"]
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert f"mkdir -p {directory}" in dockerfile
    assert "chown -R est:est /app/var" in dockerfile
    assert directory.startswith("/app/var/")


def test_every_command_is_one_the_cli_takes(compose: dict[str, Any]) -> None:
    commands = [
        c
        for s in compose["services"].values()
        if "command" in s
        for c in est_commands(s["command"])
    ]
    # The last CMD is the image's own; an earlier one belongs to HEALTHCHECK.
    cmd = [line for line in dockerfile() if line.startswith("CMD")][-1]
    commands += est_commands(yaml.safe_load(cmd.removeprefix("CMD")))
    assert len(commands) == 4
    parser = build_parser()
    for args in commands:
        parser.parse_args(args)  # exits (fails the test) on anything the CLI does not know


def test_dockerfile_is_slim_and_not_root() -> None:
    lines = dockerfile()
    assert lines[next(i for i, x in enumerate(lines) if x.startswith("FROM"))].startswith(
        "FROM python:3.11-slim"
    )
    users = [line.split()[1] for line in lines if line.startswith("USER")]
    assert users and users[-1] not in ("root", "0")
    assert "serve-api" in [line for line in lines if line.startswith("CMD")][-1]


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A virtualenv holding the project's wheel, as `pip install .` in the image makes it;
    its dependencies come from the development environment. Returns its bin directory."""
    tmp = tmp_path_factory.mktemp("image")
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "--quiet",
            "-w",
            str(tmp / "dist"),
            str(ROOT),
        ],
        check=True,
    )
    venv = tmp / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    site = next((venv / "lib").glob("python3*/site-packages"))
    (site / "dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    wheel = next((tmp / "dist").glob("*.whl"))
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "--python",
            str(venv / "bin" / "python"),
            "install",
            "--no-deps",
            "--quiet",
            str(wheel),
        ],
        check=True,
    )
    return venv / "bin"


def run_env(bin_dir: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("EST_")}
    env["PATH"] = f"{bin_dir}{os.pathsep}{env['PATH']}"
    env.update(EST_ENV="prod", EST_SECRET_KEY="s" * 40, **extra)
    return env


@pytest.fixture
def started(tmp_path: Path) -> Iterator[list[subprocess.Popen[bytes]]]:
    processes: list[subprocess.Popen[bytes]] = []
    yield processes
    for process in processes:
        process.terminate()
        process.wait(timeout=10)


def wait_ready(url: str, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"{url} exited: {log.read_text()}")
        try:
            if httpx.get(url, timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.1)
    pytest.fail(f"{url} did not answer: {log.read_text()}")


def test_the_image_commands_run_from_the_installed_package(
    installed: Path, compose: dict[str, Any], tmp_path: Path, started: list[subprocess.Popen[bytes]]
) -> None:
    env = run_env(installed, EST_DATABASE_URL=sqlite_url(tmp_path / "image.db"))
    where = subprocess.run(
        [
            installed / "python",
            "-c",
            "import api, web, migrations; print(api.__file__, web.__file__, migrations.__file__)",
        ],
        env=env,
        cwd=tmp_path,
        check=True,
        capture_output=True,
        text=True,
    )
    assert all(str(installed.parent) in path for path in where.stdout.split())

    seeded = subprocess.run(
        ["est", "seed", "--demo"], env=env, cwd=tmp_path, capture_output=True, text=True
    )
    assert seeded.returncode != 0  # not migrated yet: refused, not half-done
    assert "est migrate" in seeded.stderr

    # The api service's own command line, on a free port.
    api_port, web_port = free_port(), free_port()
    api_command = (
        compose["services"]["api"]["command"][2]
        .replace("--port 8000", f"--port {api_port}")
        .replace("0.0.0.0", "127.0.0.1")
    )
    api_log = tmp_path / "api.log"
    with api_log.open("wb") as out:
        started.append(
            subprocess.Popen(
                ["sh", "-c", api_command],
                env=env,
                cwd=tmp_path,
                stdout=out,
                stderr=subprocess.STDOUT,
            )
        )
    wait_ready(f"http://127.0.0.1:{api_port}/readyz", started[-1], api_log)
    seeded = subprocess.run(
        ["est", "seed", "--demo"], env=env, cwd=tmp_path, check=True, capture_output=True, text=True
    )
    assert "no demo accounts" in seeded.stdout  # EST_ENV=prod
    password = "en-lång-fras-för-drift-9"
    created = subprocess.run(
        [
            "est", "user", "create", "--admin", "--password-stdin",
            "--email", "admin@kommun.se", "--name", "Administratör",
            # The demo seeds two municipalities (#21): the administrator administers one.
            "--municipality", "Upplands-Bro kommun",
        ],
        input=password + "\n",
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
    )  # fmt: skip
    assert created.returncode == 0, created.stderr

    web_command = [str(x) for x in compose["services"]["web"]["command"]]
    web_command[web_command.index("--port") + 1] = str(web_port)
    web_command[web_command.index("--host") + 1] = "127.0.0.1"
    web_log = tmp_path / "web.log"
    web_env = {**env, "EST_API_URL": f"http://127.0.0.1:{api_port}"}
    with web_log.open("wb") as out:
        started.append(
            subprocess.Popen(
                web_command, env=web_env, cwd=tmp_path, stdout=out, stderr=subprocess.STDOUT
            )
        )
    wait_ready(f"http://127.0.0.1:{web_port}/logga-in", started[-1], web_log)

    # Generous: the enrolment hashes ten recovery codes with argon2.
    with http_client(base_url=f"http://127.0.0.1:{web_port}", timeout=60) as browser:
        form = browser.get("/logga-in").text
        csrf = re.search(r'name="csrf_token" value="([^"]+)"', form)
        assert csrf
        signed_in = browser.post(
            "/logga-in",
            data={"csrf_token": csrf[1], "email": "admin@kommun.se", "password": password},
            follow_redirects=True,
        )
        # An administrator sets up the second factor at the first sign-in.
        assert "Din roll kräver" in signed_in.text
        enrol = browser.post(
            "/konto/tvastegsverifiering/ny",
            data={"csrf_token": csrf_of(signed_in.text), "next": "/"},
        )
        secret = found(r'id="totp-secret">([A-Z2-7 ]+)<', enrol.text).replace(" ", "")
        done = browser.post(
            "/konto/tvastegsverifiering/bekrafta",
            data={
                "csrf_token": csrf_of(enrol.text),
                "next": "/",
                "uri": found(r'name="uri" value="([^"]+)"', enrol.text),
                "code": totp_code("admin@kommun.se", secret),
            },
        )
        assert "Dina reservkoder" in done.text
        # A password set on the command line is temporary: their own one first.
        asked = browser.get("/", follow_redirects=True)
        assert "Välj ett nytt lösenord" in asked.text
        own = "ett-eget-lösenord-för-drift-4"
        changed = browser.post(
            "/konto/nytt-losenord",
            data={
                "csrf_token": csrf_of(asked.text),
                "next": "/",
                "current_password": password,
                "new_password": own,
                "repeat_password": own,
            },
            follow_redirects=True,
        )
        assert "EST områdesgrupp Kungsängen" in changed.text, changed.text[-2000:]
        assert browser.get("/static/est.css").status_code == 200
    api_url = f"http://127.0.0.1:{api_port}/api/v1"
    assert httpx.get(f"{api_url}/groups").status_code == 401
    half = httpx.post(
        f"{api_url}/auth/token", json={"email": "admin@kommun.se", "password": own}
    ).json()
    token = httpx.post(
        f"{api_url}/auth/totp/verify",
        json={"code": totp_code("admin@kommun.se", secret)},
        headers={"Authorization": f"Bearer {half['access_token']}"},
    ).json()["access_token"]
    groups = httpx.get(f"{api_url}/groups", headers={"Authorization": f"Bearer {token}"})
    assert groups.json()["items"]
