"""E-mail through an outbox: a message is written in the transaction that decides it, and sent
after that transaction commits (``send_waiting``, run after the response). A rolled-back
request thus sends nothing, and a message that SMTP does not take stays in the outbox for the
next run instead of failing the request or being lost.

A message names no one and quotes nothing anyone wrote: it says that something arrived and
links to the page (``path`` under ``Settings.public_url``), where the reader's rights apply.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import smtplib
from email.message import EmailMessage

from sqlalchemy import String, Text, delete, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from api import periodic
from api.db import Base, Database
from api.localtime import utcnow
from api.settings import Settings

log = logging.getLogger("est.mail")
# Sent in one run at most; the rest wait for the next.
BATCH = 100


class OutgoingMail(Base):
    """A message waiting to be sent; deleted once sent (the address is personal data)."""

    __tablename__ = "outgoing_mail"
    __table_args__ = ({"sqlite_autoincrement": True},)
    # Written by the write that caused it, which is logged itself.
    __audit__ = False

    id: Mapped[int] = mapped_column(primary_key=True)
    to_address: Mapped[str] = mapped_column(String(254))
    subject: Mapped[str] = mapped_column(String(200))
    # The body, with "{link}" where the page's address goes.
    body: Mapped[str] = mapped_column(Text)
    path: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    attempts: Mapped[int] = mapped_column(default=0)
    last_error: Mapped[str | None] = mapped_column(String(500))


def message(mail: OutgoingMail, settings: Settings) -> EmailMessage:
    link = settings.public_url.rstrip("/") + mail.path
    made = EmailMessage()
    made["From"] = settings.smtp_from
    made["To"] = mail.to_address
    made["Subject"] = mail.subject
    made.set_content(mail.body.replace("{link}", link))
    return made


def _deliver(waiting: list[OutgoingMail], settings: Settings) -> list[OutgoingMail]:
    """Sends one by one, and returns those the server took, up to the first failure (which
    is raised)."""
    assert settings.smtp_host is not None
    sent: list[OutgoingMail] = []
    with smtplib.SMTP(
        settings.smtp_host, settings.smtp_port, timeout=settings.smtp_timeout_seconds
    ) as smtp:
        if settings.smtp_starttls:
            smtp.starttls()
        if settings.smtp_user and settings.smtp_password is not None:
            smtp.login(settings.smtp_user, settings.smtp_password.get_secret_value())
        for mail in waiting:
            try:
                smtp.send_message(message(mail, settings))
            except (OSError, smtplib.SMTPException) as exc:
                exc.add_note(f"{len(sent)} sent before it")
                raise _Partial(sent) from exc
            sent.append(mail)
    return sent


class _Partial(Exception):
    def __init__(self, sent: list[OutgoingMail]) -> None:
        super().__init__("sending stopped")
        self.sent = sent


def _give_up(session: Session, settings: Settings) -> None:
    """The outbox keeps addresses, which are personal data: what cannot be sent (no mail
    server set) or was not sent within the days kept for replays is dropped, and said so."""
    old = delete(OutgoingMail)
    if settings.smtp_host is not None:
        cutoff = utcnow() - dt.timedelta(days=settings.retain_replay_days)
        old = old.where(OutgoingMail.created_at < cutoff)
    dropped = session.execute(old).rowcount  # type: ignore[attr-defined]
    if dropped:
        log.warning("e-mail: %d message(s) dropped unsent (no EST_SMTP_HOST, or too old)", dropped)


def send_waiting(database: Database, settings: Settings) -> int:
    """Sends what waits in the outbox; how many were sent. Never raises: SMTP being down is
    logged, and the messages wait for the next run."""
    try:
        with database.session(write=True) as session:
            _give_up(session, settings)
            if settings.smtp_host is None:
                return 0
            waiting = list(
                # Several workers (and the send after each feedback) may run at once: each
                # takes the messages no other run holds, so none goes out twice.
                session.scalars(
                    select(OutgoingMail)
                    .order_by(OutgoingMail.id)
                    .limit(BATCH)
                    .with_for_update(skip_locked=True)
                )
            )
            try:
                sent = _deliver(waiting, settings) if waiting else []
            except (_Partial, OSError, smtplib.SMTPException) as exc:
                sent = exc.sent if isinstance(exc, _Partial) else []
                cause = exc.__cause__ if isinstance(exc, _Partial) else exc
                log.warning(
                    "e-mail: %d sent, %d waiting: %s", len(sent), len(waiting) - len(sent), cause
                )
                for mail in waiting[len(sent) :]:
                    mail.attempts += 1
                    mail.last_error = str(cause)[:500]
            for mail in sent:
                session.delete(mail)
            return len(sent)
    except Exception:
        log.exception("the outbox could not be read")
        return 0


def start(database: Database, settings: Settings) -> asyncio.Task[None] | None:
    """Sends what waits now and then (every ``EST_SMTP_RETRY_MINUTES``), so that a message
    SMTP did not take goes out once the server is back, not only after the next feedback."""
    if settings.smtp_host is None or settings.smtp_retry_minutes <= 0:
        return None
    return periodic.start(
        "mail", settings.smtp_retry_minutes * 60, lambda: send_waiting(database, settings)
    )
