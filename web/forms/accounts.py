"""The sign-in forms' fields: the second step's code, and the enrolment's QR code, which the
page draws from the otpauth URI the API answered (carried in the form, so that a mistyped
first code shows the same QR code again rather than a new secret)."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import segno
from markupsafe import Markup

MAX_CODE = 40
MAX_URI = 500


def code_errors(code: str) -> dict[str, str]:
    if not code.strip():
        return {"code": "Fyll i koden från appen, eller en av dina reservkoder."}
    if len(code) > MAX_CODE:
        return {"code": "Koden är för lång. Skriv de sex siffrorna som appen visar."}
    return {}


def enrolment(uri: str) -> dict[str, object] | None:
    """What the enrolment page shows for an otpauth URI: the QR code (SVG, drawn here) and the
    secret in groups of four for typing by hand; None for anything but a TOTP URI."""
    if len(uri) > MAX_URI or not uri.startswith("otpauth://totp/"):
        return None
    secret = parse_qs(urlsplit(uri).query).get("secret", [""])[0]
    if not secret.isalnum():
        return None
    svg = segno.make(uri, error="m").svg_inline(scale=5, border=4, dark="#000", light="#fff")
    return {
        "uri": uri,
        # Drawn here by segno from the URI's characters; no text of a request is markup.
        "qr_svg": Markup(svg),  # noqa: S704
        "secret": " ".join(secret[i : i + 4] for i in range(0, len(secret), 4)),
    }
