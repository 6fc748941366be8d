"""The codes of an authenticator app, as a person's phone would give them to the server."""

from __future__ import annotations

import datetime as dt
import time

import pyotp

from api.seed import DEMO_TOTP_SECRET

# The last time step whose code this process gave for each person: the server never takes a
# code twice, nor one older than the last it took. (Kept across servers, as a web server and
# an API server may share one database.)
_STEPS_GIVEN: dict[str, int] = {}


def forget_totp_steps() -> None:
    """The tables were emptied: every second factor is enrolled anew, with no step taken, so
    the codes this process gave no longer bind (else every later test of a person would wait
    for a new 30-second step once three were given, across the whole run)."""
    _STEPS_GIVEN.clear()


def totp_code(email: str, secret: str = DEMO_TOTP_SECRET) -> str:
    """A code the server will take for ``email`` now: of the steps it takes (the one before,
    the current one and the next, as clocks drift), the earliest after the last given; when
    all three were, it waits for the next step."""
    totp = pyotp.TOTP(secret)
    while True:
        moment = dt.datetime.now(dt.UTC)
        now = totp.timecode(moment)
        # The step before only while the server cannot have moved on by the time it checks.
        earliest = now - 1 if moment.timestamp() % totp.interval < totp.interval - 5 else now
        step = max(earliest, _STEPS_GIVEN.get(email, -2) + 1)
        if step <= now + 1:
            _STEPS_GIVEN[email] = step
            return str(totp.generate_otp(step))
        time.sleep(totp.interval - time.time() % totp.interval + 0.05)
