"""A visitor's quiz in progress, kept only in their own signed session cookie."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from flask import session

from ..chilling import OPTION_IDS as CHILLING_IDS
from ..scoring import Bank
from ..tally import ANSWER_PREFIX, CounterKey

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


def scored_complete(bank: Bank) -> bool:
    """Every scored question is answered: the closing question comes next."""
    return answered_prefix(bank) == len(bank.questions)


def is_complete(bank: Bank) -> bool:
    return scored_complete(bank) and chilling_answer() is not None


def chilling_answer() -> str | None:
    value = _state().get("chilling")
    return value if value in CHILLING_IDS else None


def save_chilling(option_id: str) -> None:
    state = _state()
    state["chilling"] = option_id
    session[KEY] = state


def save_answer(bank: Bank, question_id: str, option_id: str) -> None:
    state = _state()
    given = answers(bank)
    given[question_id] = option_id
    state["answers"] = given
    session[KEY] = state


def counted_keys() -> tuple[CounterKey, ...] | None:
    """Exactly the counters this quiz run added 1 to, as the tally returned them; None if not counted."""
    raw = _state().get("counted")
    if not isinstance(raw, list):
        return None
    keys = [CounterKey(*item) for item in raw if isinstance(item, list) and len(item) == 3]
    return tuple(keys) if len(keys) == len(raw) else None


def counted_answers() -> dict[str, str] | None:
    """The answers that were counted, read back from the counters themselves."""
    keys = counted_keys()
    if keys is None:
        return None
    return {k.metric[len(ANSWER_PREFIX) :]: k.value for k in keys if k.metric.startswith(ANSWER_PREFIX)}


def mark_counted(keys: Sequence[CounterKey]) -> None:
    """Keep the tally's own list of what it incremented: the data receipt is read from it."""
    state = _state()
    state["counted"] = [[k.scope, k.metric, k.value] for k in keys]
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
