"""The sign-in throttle: failed sign-ins, by password or by second-factor code, counted per
account typed and per client address within a window; past the limit, 429 with Retry-After,
for made-up accounts too."""

from __future__ import annotations

import datetime as dt
import hmac
from typing import Any

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from api.accounts.models import SignInFailure
from api.accounts.models import email_key as make_email_key
from api.actor import Actor
from api.audit import service as audit
from api.errors import TooManyRequests
from api.localtime import utcnow
from api.settings import Settings


def as_utc(value: dt.datetime) -> dt.datetime:
    # SQLite hands back naive datetimes from some paths; everything stored is UTC.
    return value if value.tzinfo else value.replace(tzinfo=dt.UTC)


def account_key(email: str, secret: str) -> str:
    # Keyed, so the table of failures does not hold the addresses people typed.
    return hmac.new(secret.encode(), make_email_key(email).encode(), "sha256").hexdigest()


def _throttled(session: Session, column: Any, value: str, limit: int, window: dt.timedelta) -> int:
    """Seconds until the next attempt is allowed; 0 when it is allowed now."""
    since = utcnow() - window
    count, oldest = session.execute(
        select(func.count(), func.min(SignInFailure.at)).where(
            column == value, SignInFailure.at > since
        )
    ).one()
    if count < limit:
        return 0
    return max(1, int((as_utc(oldest) + window - utcnow()).total_seconds()) + 1)


def throttle(
    session: Session, account: str, *, actor: Actor, settings: Settings, action: str = "sign_in"
) -> TooManyRequests | None:
    """The refusal when ``account`` (account_key) or the caller's address has failed too
    often within the window: passwords and second-factor codes count alike."""
    address = actor.address or "okänd"
    window = dt.timedelta(minutes=settings.throttle_window_minutes)
    wait = max(
        _throttled(session, SignInFailure.account, account, settings.throttle_per_account, window),
        _throttled(session, SignInFailure.address, address, settings.throttle_per_address, window),
    )
    if not wait:
        return None
    audit.record(session, action=action, outcome="throttled", label="", status=429)
    minutes = (wait + 59) // 60
    return TooManyRequests(
        f"För många misslyckade inloggningar. Försök igen om {minutes} min.", retry_after=wait
    )


def count_failure(session: Session, account: str, *, actor: Actor, settings: Settings) -> None:
    window = dt.timedelta(minutes=settings.throttle_window_minutes)
    session.add(SignInFailure(account=account, address=actor.address or "okänd"))
    session.execute(delete(SignInFailure).where(SignInFailure.at < utcnow() - window))


def forget_failures(session: Session, account: str) -> None:
    session.execute(delete(SignInFailure).where(SignInFailure.account == account))
