"""A visitor's myth round, kept only in their own signed session cookie, like the quiz."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from flask import session

from ..scoring import MythRound
from ..scoring.myths import VERDICTS
from ..tally import CounterKey

KEY = "myths"


def _state() -> dict[str, Any]:
    state = session.get(KEY)
    return state if isinstance(state, dict) else {}


def guesses(myths: MythRound) -> dict[str, str]:
    """The guesses so far, keeping only those that still fit the round."""
    raw = _state().get("guesses")
    if not isinstance(raw, dict):
        return {}
    return {s.id: raw[s.id] for s in myths.statements if raw.get(s.id) in VERDICTS}


def is_complete(myths: MythRound) -> bool:
    return len(guesses(myths)) == len(myths.statements)


def save_guesses(given: Mapping[str, str]) -> None:
    state = _state()
    state["guesses"] = dict(given)
    session[KEY] = state


def counted_keys() -> tuple[CounterKey, ...] | None:
    """Exactly the counters this round added 1 to, as the tally returned them; None if not counted."""
    raw = _state().get("counted")
    if not isinstance(raw, list):
        return None
    keys = [CounterKey(*item) for item in raw if isinstance(item, list) and len(item) == 3]
    return tuple(keys) if len(keys) == len(raw) else None


def mark_counted(keys: Sequence[CounterKey]) -> None:
    state = _state()
    state["counted"] = [[k.scope, k.metric, k.value] for k in keys]
    session[KEY] = state


def restart() -> None:
    session.pop(KEY, None)
