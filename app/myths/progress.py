"""A visitor's myth round, kept only in their own signed session cookie, like the quiz."""

from __future__ import annotations

from collections.abc import Mapping

from ..cookie_state import CookieState
from ..scoring import MythRound
from ..scoring.myths import VERDICTS

STATE = CookieState("myths")
_state = STATE.read
counted_keys = STATE.counted_keys
coin_changed = STATE.coin_changed
not_counted = STATE.not_counted
start = STATE.start  # the token that makes this round count once
restart = STATE.clear


def guesses(myths: MythRound) -> dict[str, str]:
    """The guesses so far, keeping only those that still fit the round."""
    raw = _state().get("guesses")
    if not isinstance(raw, dict):
        return {}
    return {s.id: raw[s.id] for s in myths.statements if raw.get(s.id) in VERDICTS}


def is_complete(myths: MythRound) -> bool:
    return len(guesses(myths)) == len(myths.statements)


def save_guesses(given: Mapping[str, str]) -> None:
    STATE.update(guesses=dict(given))
