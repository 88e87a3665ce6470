"""The data receipt: the counters a visit added 1 to, in words, read from the tally's own keys.

It is built only from the CounterKey tuple that app.tally returned when it wrote,
so it cannot say anything the database was not told, nor leave anything out.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from . import chilling, tally
from .bank_text import translate
from .i18n import BAND_NAMES
from .scoring import Bank, MythRound
from .scoring.engine import BUCKET_WIDTH, SCORE_MAX

NOT_KEPT = (
    _l("your IP address, browser, device or the page you came from"),
    _l("the date or time of your visit"),
    _l("your score itself: only its band and its 50-point range"),
    _l("any link between your answers: each went into a separate counter with thousands of others"),
    _l("anything in this receipt: it is shown from your own cookie, which “Forget my answers” deletes"),
)


@dataclass(frozen=True)
class Line:
    stored: str  # the counter exactly as stored: scope, metric, value
    what: str
    value: str


@dataclass(frozen=True)
class Group:
    scope: str
    title: str
    lines: tuple[Line, ...]


def scope_title(scope: str) -> str:
    return _("Everyone (the public statistics)") if scope == tally.GLOBAL else _("Your room")


def _describe(key: tally.CounterKey, bank: Bank, myths: MythRound) -> tuple[str, str]:
    metric, value = key.metric, key.value
    if metric == tally.COMPLETIONS:
        return _("Finished quizzes"), _("one more")
    if metric == tally.BAND:
        return _("Score band"), str(BAND_NAMES.get(value, value))
    if metric == tally.BUCKET and value.isdigit():
        low = int(value)
        high = SCORE_MAX if low + BUCKET_WIDTH >= SCORE_MAX else low + BUCKET_WIDTH - 1
        return _("Score range"), f"{low}–{high}"
    if metric == tally.CHILLING:
        return str(chilling.QUESTION), str(chilling.OPTIONS.get(value, value))
    if metric.startswith(tally.ANSWER_PREFIX):
        question = bank.question(metric[len(tally.ANSWER_PREFIX) :])
        option = question.option(value) if question else None
        if question and option:
            return translate(question.text), translate(option.text)
    if metric == tally.MYTH_ROUNDS:
        return _("Finished rounds of myth or real"), _("one more")
    if metric.startswith(tally.MYTH_PREFIX):
        statement = myths.statement(metric[len(tally.MYTH_PREFIX) :])
        if statement:
            return translate(statement.text), _("you were right") if value == tally.RIGHT else _("you were wrong")
    return metric, value  # a counter this version does not describe is still listed as stored


def _reading_order(bank: Bank, myths: MythRound) -> Callable[[tally.CounterKey], tuple[int, str, str]]:
    """Totals, then band and range, then answers in the order asked: how a person reads it."""
    first = {tally.COMPLETIONS: 0, tally.MYTH_ROUNDS: 0, tally.BAND: 1, tally.BUCKET: 2}
    asked = {tally.ANSWER_PREFIX + q.id: 3 + i for i, q in enumerate(bank.questions)}
    asked.update({tally.MYTH_PREFIX + s.id: 3 + i for i, s in enumerate(myths.statements)})
    asked[tally.CHILLING] = 1000
    return lambda key: (first.get(key.metric, asked.get(key.metric, 2000)), key.metric, key.value)


def receipt(keys: Iterable[tally.CounterKey], bank: Bank, myths: MythRound) -> tuple[Group, ...]:
    """The receipt grouped by scope, everyone first, each in reading order."""
    by_scope: dict[str, list[Line]] = {}
    for key in sorted(keys, key=_reading_order(bank, myths)):
        what, value = _describe(key, bank, myths)
        by_scope.setdefault(key.scope, []).append(Line(f"{key.scope} · {key.metric} · {key.value or '—'}", what, value))
    order = sorted(by_scope, key=lambda s: (s != tally.GLOBAL, s))
    return tuple(Group(s, scope_title(s), tuple(by_scope[s])) for s in order)
