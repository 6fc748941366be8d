"""Passwords: argon2id hashes, and a refusal of passwords that are short, common or easy to
guess. "Common" is zxcvbn's list of the 30,000 most used passwords, and zxcvbn's estimate of
how guessable the whole password is (dictionary words, keyboard patterns, repeats, dates),
with the words of this place and of the user added to its dictionary."""

from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from zxcvbn import zxcvbn  # type: ignore[import-untyped]
from zxcvbn.frequency_lists import FREQUENCY_LISTS  # type: ignore[import-untyped]

from api.accounts.schemas import MAX_PASSWORD, MIN_PASSWORD

# argon2-cffi's defaults are RFC 9106's second recommendation for argon2id (64 MiB, t=3).
_hasher = PasswordHasher()
_COMMON = frozenset(FREQUENCY_LISTS["passwords"])
# What people here reach for first; zxcvbn counts a password built of them as guessable.
_LOCAL_WORDS = (
    "est", "lägesbild", "lagesbild", "upplands", "bro", "upplandsbro", "brunna", "kungsängen",
    "kungsangen", "kommun", "polisen", "trygghet", "lösenord", "losenord", "sommar", "vinter",
    "hösten", "våren", "sverige", "stockholm",
)  # fmt: skip
# Enough to compare against the slowest hash verification: an unknown account costs the same.
_DUMMY_HASH = _hasher.hash("not a password anyone has; used to spend the time of a check")


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    """Always runs one argon2 verification, whether there is a hash or not, so that the time
    of an answer does not tell whether the account exists."""
    try:
        return _hasher.verify(password_hash or _DUMMY_HASH, password) and bool(password_hash)
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    return _hasher.check_needs_rehash(password_hash)


def weakness(password: str, *, personal: tuple[str, ...] = ()) -> str | None:
    """Why the password may not be used, in Swedish; None when it is good enough."""
    if len(password) < MIN_PASSWORD:
        return f"Lösenordet måste ha minst {MIN_PASSWORD} tecken."
    if len(password) > MAX_PASSWORD:
        return f"Lösenordet får ha högst {MAX_PASSWORD} tecken."
    if password.casefold() in _COMMON:
        return "Lösenordet finns bland de vanligaste lösenorden. Välj ett annat."
    words = [w for p in personal for w in (p, *p.replace("@", " ").replace(".", " ").split())]
    words += [p.split("@")[0] for p in personal]
    # zxcvbn's time grows with the length; past 64 characters it is strong anyway.
    result = zxcvbn(password[:64], user_inputs=[*_LOCAL_WORDS, *words])
    # Score 4: more than 10^10 guesses, what an argon2 hash stolen with the database should
    # need; 3 (10^8) lets "Sommar2024!!" through.
    if result["score"] < 4:
        return (
            "Lösenordet är för lätt att gissa. Välj en längre fras av ord som inte hör ihop, "
            "utan ditt namn, din e-post eller ortnamn härifrån."
        )
    return None
