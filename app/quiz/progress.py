"""A visitor's quiz in progress, kept only in their own signed session cookie."""

from __future__ import annotations

from ..chilling import OPTION_IDS as CHILLING_IDS
from ..cookie_state import CookieState
from ..scoring import Bank
from ..tally import ANSWER_PREFIX

STATE = CookieState("quiz")
_state = STATE.read
counted_keys = STATE.counted_keys
mark_counted = STATE.mark_counted  # the data receipt is read from what the tally returned
restart = STATE.clear


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
    STATE.update(chilling=option_id)


def save_answer(bank: Bank, question_id: str, option_id: str) -> None:
    given = answers(bank)
    given[question_id] = option_id
    STATE.update(answers=given)


def counted_answers() -> dict[str, str] | None:
    """The answers that were counted, read back from the counters themselves."""
    keys = counted_keys()
    if keys is None:
        return None
    return {k.metric[len(ANSWER_PREFIX) :]: k.value for k in keys if k.metric.startswith(ANSWER_PREFIX)}


def mark_count_failed() -> None:
    STATE.update(count_failed=True)


def mark_room_full() -> None:
    STATE.update(room_full=True)


def room_full() -> bool:
    return STATE.flag("room_full")


def count_failed() -> bool:
    return STATE.flag("count_failed")
