"""The data receipt: the counters a visit added 1 to, in words, read from the tally's own keys.

It is built only from the CounterKey tuple that app.store.counters returned when it wrote (the
randomized values), so it cannot say anything the database was not told, nor leave
anything out. Beside each value the coin changed, it names the visitor's true answer,
which only their own cookie holds.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass

from flask_babel import gettext as _

from ..content import closing_question as chilling
from ..content.bank_text import translate
from ..scoring import Bank, MythRound
from ..store import counters


@dataclass(frozen=True)
class Line:
    stored: str  # the counter exactly as stored: scope, metric, value
    what: str
    value: str  # what was counted, in words
    your_value: str | None = None  # the visitor's true answer, where the coin counted another
    metric: str = ""


@dataclass(frozen=True)
class Group:
    scope: str
    title: str
    lines: tuple[Line, ...]

    @property
    def changed(self) -> int:
        return sum(1 for line in self.lines if line.your_value is not None)


def scope_title(scope: str) -> str:
    return _("Everyone (the public statistics)") if scope == counters.GLOBAL else _("Your room")


def _describe(key: counters.CounterKey, bank: Bank, myths: MythRound) -> tuple[str, str]:
    metric, value = key.metric, key.value
    if metric == counters.COMPLETIONS:
        return _("Finished quizzes"), _("one more")
    if metric == counters.CHILLING:
        return str(chilling.QUESTION), str(chilling.OPTIONS.get(value, value))
    if metric.startswith(counters.ANSWER_PREFIX):
        question = bank.question(metric[len(counters.ANSWER_PREFIX) :])
        option = question.option(value) if question else None
        if question and option:
            return translate(question.text), translate(option.text)
    if metric == counters.MYTH_ROUNDS:
        return _("Finished rounds of myth or real"), _("one more")
    if metric.startswith(counters.MYTH_PREFIX):
        statement = myths.statement(metric[len(counters.MYTH_PREFIX) :])
        if statement:
            return translate(statement.text), _("you were right") if value == counters.RIGHT else _("you were wrong")
    return metric, value  # a counter this version does not describe is still listed as stored


def _reading_order(bank: Bank, myths: MythRound) -> Callable[[counters.CounterKey], tuple[int, str, str]]:
    """Totals, then answers in the order asked, the closing question last: how a person reads it."""
    first = {counters.COMPLETIONS: 0, counters.MYTH_ROUNDS: 0}
    asked = {counters.ANSWER_PREFIX + q.id: 3 + i for i, q in enumerate(bank.questions)}
    asked.update({counters.MYTH_PREFIX + s.id: 3 + i for i, s in enumerate(myths.statements)})
    asked[counters.CHILLING] = 1000
    return lambda key: (first.get(key.metric, asked.get(key.metric, 2000)), key.metric, key.value)


def receipt(
    keys: Iterable[counters.CounterKey], changed: Mapping[tuple[str, str], str], bank: Bank, myths: MythRound
) -> Receipt:
    """The receipt grouped by scope, everyone first, each in reading order; `changed` names the
    true value of each (scope, metric) the coin counted differently."""
    by_scope: dict[str, list[Line]] = {}
    for key in sorted(keys, key=_reading_order(bank, myths)):
        what, value = _describe(key, bank, myths)
        true = changed.get((key.scope, key.metric))
        your_value = _describe(key._replace(value=true), bank, myths)[1] if true is not None else None
        stored = f"{key.scope} · {key.metric} · {key.value or '—'}"
        by_scope.setdefault(key.scope, []).append(Line(stored, what, value, your_value, key.metric))
    order = sorted(by_scope, key=lambda s: (s != counters.GLOBAL, s))
    return Receipt(tuple(Group(s, scope_title(s), tuple(by_scope[s])) for s in order))


@dataclass(frozen=True)
class Row:
    """One counter, with what each scope's copy of it was told (None where a scope has none)."""

    what: str
    cells: tuple[Line | None, ...]


@dataclass(frozen=True)
class Receipt:
    groups: tuple[Group, ...]  # one per scope, everyone first

    @property
    def changed(self) -> int:
        return sum(group.changed for group in self.groups)

    @property
    def rows(self) -> tuple[Row, ...]:
        return side_by_side(self.groups)


def side_by_side(groups: tuple[Group, ...]) -> tuple[Row, ...]:
    """The groups as one table, a column per scope: a room member reads each question once,
    with what the site's counters and the room's were told side by side."""
    order: list[str] = []
    what: dict[str, str] = {}
    for group in groups:
        for line in group.lines:
            if line.metric not in what:
                order.append(line.metric)
                what[line.metric] = line.what
    by_metric = [{line.metric: line for line in group.lines} for group in groups]
    return tuple(Row(what[m], tuple(lines.get(m) for lines in by_metric)) for m in order)
