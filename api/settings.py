"""Settings of the service: one class, read from the environment with the prefix ``EST_``."""

from __future__ import annotations

from functools import lru_cache
from typing import Literal

from pydantic import Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

# Only good for a developer's machine; any other environment must set EST_SECRET_KEY.
DEV_SECRET_KEY = "dev-only-not-a-secret"  # noqa: S105 (refused outside dev, see below)


# The analysis's grid cell by default (Settings.analysis_cell_m): also the demo's, seeded
# without an app's settings.
ANALYSIS_CELL_M = 100


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="EST_", extra="ignore")

    env: Literal["dev", "test", "prod"] = "dev"
    database_url: str = "sqlite:///var/est.db"
    # Where serve-web finds the API when the two run apart (compose.yaml).
    api_url: str | None = None
    secret_key: SecretStr = SecretStr(DEV_SECRET_KEY)
    sqlite_busy_timeout_ms: int = 15_000
    db_pool_size: int = 5
    db_max_overflow: int = 10
    # "cdn" loads htmx from unpkg with a local fallback; "local" never leaves the host.
    htmx_source: Literal["cdn", "local"] = "cdn"
    log_level: str = "info"
    # The largest request body the API reads (an area's boundary is the largest so far).
    max_body_bytes: int = 2 * 1024 * 1024
    # An uploaded export (POST /api/v1/imports); larger files go through `est import`.
    max_upload_bytes: int = 64 * 1024 * 1024
    # The change feed leaves out what changed this recently: a transaction that began
    # earlier may still commit a change with an earlier time.
    feed_lag_seconds: float = 2.0
    # A session ends after this long unused, and at the latest this long after sign-in: long
    # enough for a meeting with the lägesbild open, short enough for a phone left behind.
    session_idle_minutes: int = 60
    session_max_hours: int = 12
    # A password set by someone else (temporary) stops working this long after it was set
    # when the person has not changed it; 0: it does not expire.
    temporary_password_days: int = Field(default=7, ge=0)
    # Failed sign-ins within the window: per account typed, and per client address.
    throttle_window_minutes: int = 15
    throttle_per_account: int = 5
    throttle_per_address: int = 30
    # Load shedding (api.middleware.LoadShedder), in each worker process: requests worked on
    # at once, how many may wait for a turn and for how long; past that, 503 with
    # Retry-After. Chosen from bench/load (bench/README.md); 0 active turns it off.
    max_active_requests: int = Field(default=8, ge=0)
    max_queued_requests: int = Field(default=32, ge=0)
    max_queue_wait_ms: int = Field(default=1000, ge=0)
    # Retention (gallring, api.retention; README "Gallring"): the municipality's records plan
    # decides these. An incident's free text (description, address, external reference, in
    # its history too) and its exact point go this many months after it happened; its area,
    # category and times stay, so that the figures do. The audit log keeps its events this
    # many years. `est serve` runs retention when the last run is this many hours old
    # (0: never; `est retention run` still does).
    retain_incident_text_months: int = Field(default=24, ge=1, le=1200)
    retain_audit_years: int = Field(default=5, ge=1, le=100)
    retain_every_hours: float = Field(default=24.0, ge=0)
    # Copies made only to serve a moment: the answers kept for a retried POST (they hold what
    # was filed) and uploaded exports never confirmed go this many days after they came.
    retain_replay_days: int = Field(default=7, ge=1, le=3650)
    # E-mail (api.mail): a reporter is told that feedback arrived on what they reported. No
    # host: nothing is sent, and the outbox keeps nothing. The link in a message starts
    # with public_url, the address people reach the pages at.
    smtp_host: str | None = None
    smtp_port: int = Field(default=25, ge=1, le=65535)
    smtp_from: str = "est@localhost"
    smtp_user: str | None = None
    smtp_password: SecretStr | None = None
    smtp_starttls: bool = False
    smtp_timeout_seconds: float = Field(default=10.0, gt=0)
    # How often a server sends what waits in the outbox (0: only after each feedback).
    smtp_retry_minutes: float = Field(default=5.0, ge=0)
    public_url: str = "http://127.0.0.1:8000"
    # Where a municipality's areas have no boundaries, an incident filed with a point and no
    # area lies in the area of the nearest named place at most this far away (metres).
    nearest_place_metres: float = Field(default=1500.0, gt=0, le=50_000)
    # The analysis's grid (api.analysis.gistar): the side of a cell in metres, unless a
    # request asks for another.
    analysis_cell_m: int = Field(default=ANALYSIS_CELL_M, ge=25, le=2000)
    # Photos (api.photos): where they are kept (a directory; an object store may replace it),
    # the largest file taken from a phone, and the longest side kept and shown. A photo is
    # re-encoded as JPEG without EXIF; its thumbnail has thumb_side.
    photo_dir: str = "var/photos"
    photo_max_bytes: int = Field(default=15 * 1024 * 1024, ge=1024)
    photo_max_side: int = Field(default=1600, ge=200, le=8000)
    photo_thumb_side: int = Field(default=400, ge=64, le=1600)
    # Public forms (tips, a safety walk's pins): per client address within an hour, at least
    # this many seconds between the form's showing and its sending (a bot fills at once).
    public_posts_per_hour: int = Field(default=10, ge=1)
    public_min_fill_seconds: float = Field(default=3.0, ge=0)
    # A rejected tip or pin goes this many days after its moderation.
    retain_rejected_days: int = Field(default=30, ge=1, le=3650)

    @model_validator(mode="after")
    def _no_default_secret_outside_dev(self) -> Settings:
        if self.env != "dev" and self.secret_key.get_secret_value() == DEV_SECRET_KEY:
            raise ValueError(
                "EST_SECRET_KEY must be set to a secret of your own when EST_ENV is not 'dev'"
            )
        if self.env != "dev" and len(self.secret_key.get_secret_value()) < 32:
            raise ValueError("EST_SECRET_KEY must be at least 32 characters outside 'dev'")
        return self


@lru_cache
def get_settings() -> Settings:
    return Settings()
