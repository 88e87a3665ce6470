"""Join codes that survive being read aloud, and presenter secrets stored only as hashes."""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets

# No 0/O, 1/I/L: nothing that reads or sounds like something else in the list.
ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
LENGTH = 6  # 31**6, about 887 million codes
_IGNORED = re.compile(r"[\s\-_.]+")


def new_code() -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(LENGTH))


def normalise(raw: str) -> str | None:
    """The code a person typed, case-insensitive, spaces and dashes ignored; None if it cannot be one."""
    code = _IGNORED.sub("", raw or "").upper()
    if len(code) != LENGTH or any(c not in ALPHABET for c in code):
        return None
    return code


def spoken(code: str) -> str:
    """The code in two halves, easier to read aloud and to copy: ABC-DEF."""
    half = len(code) // 2
    return f"{code[:half]}-{code[half:]}"


def new_room_id() -> str:
    return secrets.token_hex(8)


def new_secret() -> str:
    return secrets.token_urlsafe(24)


def secret_hash(secret: str) -> str:
    # A plain hash is enough: the secret is 192 random bits, not a password.
    return hashlib.sha256(secret.encode()).hexdigest()


def secret_matches(secret: str, stored_hash: str) -> bool:
    return hmac.compare_digest(secret_hash(secret), stored_hash)
