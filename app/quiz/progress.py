"""A visitor's quiz in progress, kept only in their own signed session cookie."""

from __future__ import annotations

from typing import Any

from flask import session

from ..scoring import Bank

KEY = "quiz"


def _state() -> dict[str, Any]:
    state = session.get(KEY)
    return state if isinstance(state, dict) else {}


def answers(bank: Bank) -> dict[str, str]:
    """The answers so far, keeping only those that still fit the bank."""
    raw = _state().get("answers")
    if not isinstance(raw, dict):
        return {}
    kept: dict[str, str] = {}
    for q in bank.questions:
        value = raw.get(q.id)
        if isinstance(value, str) and q.option(value) is not None:
            kept[q.id] = value
    return kept


def answered_prefix(bank: Bank) -> int:
    """How many questions from the first are answered without a gap."""
    given = answers(bank)
    n = 0
    for q in bank.questions:
        if q.id not in given:
            break
        n += 1
    return n


def is_complete(bank: Bank) -> bool:
    return answered_prefix(bank) == len(bank.questions)


def save_answer(bank: Bank, question_id: str, option_id: str) -> None:
    state = _state()
    given = answers(bank)
    given[question_id] = option_id
    state["answers"] = given
    session[KEY] = state


def counted() -> dict[str, Any] | None:
    """What this quiz run was counted as, if it was."""
    value = _state().get("counted")
    return value if isinstance(value, dict) else None


def mark_counted(given: dict[str, str], scopes: list[str]) -> None:
    state = _state()
    state["counted"] = {"answers": dict(given), "scopes": list(scopes)}
    state.pop("count_failed", None)
    session[KEY] = state


def mark_count_failed() -> None:
    state = _state()
    state["count_failed"] = True
    session[KEY] = state


def mark_room_full() -> None:
    state = _state()
    state["room_full"] = True
    session[KEY] = state


def room_full() -> bool:
    return bool(_state().get("room_full"))


def count_failed() -> bool:
    return bool(_state().get("count_failed"))


def restart() -> None:
    session.pop(KEY, None)
