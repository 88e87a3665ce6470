"""Counted once: a random token issued when a quiz or a myth round starts, spent when it is counted.

The token lives only in the visitor's signed cookie, with the day after which it is
refused. When the quiz is counted, the token's SHA-256 is inserted in the same
transaction as the counters (app/counting/finish.py); a replay of the same cookie, from any worker
or replica, finds it there and counts nothing. The stored hash holds no answer and no
time finer than that day, and is deleted once the day has passed (by then the token is
refused anyway). Taking the quiz again starts with a new token: counting a person twice
takes a whole new quiz, which the completion rate limit slows down.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from ..store.days import today


@dataclass(frozen=True)
class Token:
    """The hash of a visitor's start token, and the day after which it is refused and deleted."""

    token_hash: str
    expires_on: date


VALID_DAYS = 1  # a token started today may be counted today or tomorrow (UTC days)


def new_token() -> dict[str, str]:
    """A fresh token and its last day, as kept in the cookie."""
    return {"token": secrets.token_urlsafe(18), "until": (today() + timedelta(days=VALID_DAYS)).isoformat()}


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def spendable(state: Any) -> Token | None:
    """The token a cookie holds, hashed, if it may still be counted; None if missing, malformed or past its day."""
    if not isinstance(state, dict):
        return None
    token, until = state.get("token"), state.get("until")
    if not isinstance(token, str) or not isinstance(until, str) or not 16 <= len(token) <= 64:
        return None
    try:
        last_day = date.fromisoformat(until)
    except ValueError:
        return None
    if today() > last_day:
        return None
    return Token(token_hash(token), last_day)
