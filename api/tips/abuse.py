"""What holds off abuse of the public forms (a tip, a pin before a safety walk) without any
third-party service: a limit per client address and hour, a field that only a bot fills in
(the honeypot), a least time between the form's showing and its sending (a signed form token),
and the size limits of the bodies' types. Residents are told in plain Swedish what to do."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets
import time
from typing import Any

from sqlalchemy import and_, delete, func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from api.actor import Actor
from api.errors import Conflict, Invalid, TooManyRequests
from api.localtime import utcnow
from api.settings import Settings
from api.tips.models import PublicPost

WINDOW = dt.timedelta(hours=1)
# A form shown more than this long ago is stale: shown again, it gets a new token. Its used
# token is kept this long (one sending per token), so short enough to keep few.
FORM_LIFETIME_SECONDS = 4 * 3600
LIFETIME = dt.timedelta(seconds=FORM_LIFETIME_SECONDS)
ALREADY_SENT = (
    "Det här formuläret är redan skickat och har tagits emot. Du behöver inte skicka igen."
)


def _mac(settings: Settings, message: str) -> str:
    key = settings.secret_key.get_secret_value().encode()
    return hmac.new(key, message.encode(), hashlib.sha256).hexdigest()


def form_token(settings: Settings, *, now: float | None = None) -> str:
    """The token a public form carries from its showing: when it was shown and a random
    part (two residents shown the form in the same second get different tokens, as each
    token is good for one sending), signed."""
    shown = int(now if now is not None else time.time())
    nonce = secrets.token_hex(8)
    return f"{shown}.{nonce}.{_mac(settings, f'public-form:{shown}.{nonce}')[:32]}"


def _shown_at(settings: Settings, token: str) -> int | None:
    stamp, nonce, mac = [*token.split(".", 2), "", ""][:3]
    if not stamp.isdigit() or not hmac.compare_digest(
        mac, _mac(settings, f"public-form:{stamp}.{nonce}")[:32]
    ):
        return None
    return int(stamp)


def address_key(settings: Settings, address: str | None) -> str:
    # Keyed: the table of sendings does not hold the addresses they came from.
    return _mac(settings, f"public-address:{address or 'okänd'}")


def check(
    session: Session,
    *,
    kind: str,
    actor: Actor,
    settings: Settings,
    token: str,
    honeypot: str | None,
    now: float | None = None,
) -> None:
    """Refuses a sending that looks like abuse, else counts it against the caller's address.
    A filled honeypot is refused like a bad token, so a bot learns nothing from the answer."""
    moment = now if now is not None else time.time()
    shown = _shown_at(settings, token)
    if honeypot or shown is None or moment - shown > FORM_LIFETIME_SECONDS:
        raise Invalid.field(
            "form_token",
            "Formuläret gick inte att skicka. Ladda om sidan och försök igen.",
            "stale_form",
        )
    if moment - shown < settings.public_min_fill_seconds:
        raise Invalid.field(
            "form_token",
            "Det gick väldigt fort. Läs igenom det du skrivit och skicka igen.",
            "too_fast",
        )
    used = _mac(settings, f"public-form-used:{token}")
    if session.scalar(select(PublicPost.id).where(PublicPost.form_key == used)) is not None:
        raise Conflict(ALREADY_SENT, code="already_sent")
    count_against(session, kind=kind, actor=actor, settings=settings, form_key=used)


def count_against(
    session: Session, *, kind: str, actor: Actor, settings: Settings, form_key: str | None = None
) -> None:
    """Counts a sending against the caller's address, or refuses it when the hour's limit is
    reached. ``form_key``: the used token's digest, so that a second sending with it (a double
    click at the same moment too: the index is unique) is refused as already sent."""
    key = address_key(settings, actor.address)
    since = utcnow() - WINDOW
    count, oldest = session.execute(
        select(func.count(), func.min(PublicPost.at)).where(
            PublicPost.address_key == key, PublicPost.at > since
        )
    ).one()
    if count >= settings.public_posts_per_hour:
        oldest_utc = oldest if oldest.tzinfo else oldest.replace(tzinfo=dt.UTC)
        wait = max(1, int((oldest_utc + WINDOW - utcnow()).total_seconds()) + 1)
        raise TooManyRequests(
            f"Många {'synpunkter' if kind == 'walk_input' else 'tips'} har skickats härifrån "
            f"den senaste timmen. Försök igen om "
            f"{(wait + 59) // 60} min.",
            retry_after=wait,
        )
    try:
        with session.begin_nested():
            session.add(PublicPost(address_key=key, kind=kind, form_key=form_key))
            session.flush()
    except IntegrityError:
        raise Conflict(ALREADY_SENT, code="already_sent") from None


def forgettable(now: dt.datetime) -> Any:
    """Sendings the limit no longer looks at, and whose token (if any) is no longer good."""
    return and_(
        PublicPost.at < now - WINDOW,
        or_(PublicPost.form_key.is_(None), PublicPost.at < now - LIFETIME),
    )


def forget_old(session: Session) -> int:
    """Sendings neither the limit nor the one-sending rule looks at any more (retention)."""
    result = session.execute(delete(PublicPost).where(forgettable(utcnow())))
    return int(getattr(result, "rowcount", 0) or 0)
