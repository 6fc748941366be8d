"""The ``est`` command as a person runs it: a process of its own, on the database given."""

from __future__ import annotations

import os
import subprocess
import sys


def est(url: str, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "EST_DATABASE_URL": url}
    return subprocess.run(
        [sys.executable, "-m", "api.cli", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
