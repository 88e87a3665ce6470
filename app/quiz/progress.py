"""A visitor's quiz in progress, kept only in their own signed session cookie."""

from __future__ import annotations

from ..chilling import OPTION_IDS as CHILLING_IDS
from ..cookie_state import DATABASE, CookieState
from ..scoring import Bank
from ..tally import ANSWER_PREFIX, GLOBAL

STATE = CookieState("quiz")
_state = STATE.read
counted_keys = STATE.counted_keys
mark_counted = STATE.mark_counted  # the data receipt is read from what the tally returned
coin_changed = STATE.coin_changed
start = STATE.start  # the token that makes this run count once
token = STATE.token
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
    start()  # the quiz has started: from now on its cookie carries its single-use token


def counted_answers() -> dict[str, str] | None:
    """The answers as they were when the quiz was counted: each counted value, or, where
    the coin changed it, the true value kept beside it in the cookie."""
    keys = counted_keys()
    if keys is None:
        return None
    changed = coin_changed()
    scope = next((k.scope for k in keys if k.scope == GLOBAL), keys[0].scope if keys else GLOBAL)
    return {
        k.metric[len(ANSWER_PREFIX) :]: changed.get((k.scope, k.metric), k.value)
        for k in keys
        if k.scope == scope and k.metric.startswith(ANSWER_PREFIX)
    }


not_counted = STATE.not_counted
left_room = STATE.left_room


def count_failed() -> bool:
    return not_counted() == DATABASE
