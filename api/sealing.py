"""Secrets kept sealed in the database (AES-GCM under a key derived from EST_SECRET_KEY), so
a copy of the database alone does not give them away: a person's TOTP secret, a
municipality's OpenID Connect client secret, a sign-in under way at an identity provider.

Each use has its own key (``purpose``, the HKDF info) and binds the sealed text to what it
belongs to (``context``, the associated data: a person's id, a municipality's id), so one
sealed value cannot be moved onto another row. A new EST_SECRET_KEY makes them unreadable.
"""

from __future__ import annotations

import base64
import binascii
import secrets

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

_SEALED = "v1."
_NONCE = 12


def _aead(secret_key: str, purpose: bytes) -> AESGCM:
    key = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=purpose)
    return AESGCM(key.derive(secret_key.encode()))


def seal(plain: str, *, purpose: bytes, context: str, secret_key: str) -> str:
    nonce = secrets.token_bytes(_NONCE)
    sealed = _aead(secret_key, purpose).encrypt(nonce, plain.encode(), context.encode())
    return _SEALED + base64.urlsafe_b64encode(nonce + sealed).decode()


def unseal(sealed: str, *, purpose: bytes, context: str, secret_key: str) -> str | None:
    """The sealed text; None when it was sealed under another key or context, or altered."""
    try:
        raw = base64.urlsafe_b64decode(sealed.removeprefix(_SEALED).encode())
        plain = _aead(secret_key, purpose).decrypt(raw[:_NONCE], raw[_NONCE:], context.encode())
        return plain.decode()
    except (InvalidTag, ValueError, binascii.Error):
        return None
