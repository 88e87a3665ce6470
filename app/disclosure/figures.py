"""Everything a scope may publish, computed in one place from its randomized counters.

/stats, the myth result page, a room's projector, walkthrough, printable debrief and CSV
all show a Figures and nothing else; templates only display it. Below `min_finished`
finished quizzes (or myth rounds) a scope's figures are empty: with so few people the
ranges would cover nearly everything (bench/privacy_sim.py), so nothing is shown at all.

Each figure is an estimate with a 95% range, never a count of people: the counters hold
randomized values, and only their de-biased shares mean anything. The finished count is
exact: it says that someone finished, never what they answered.

Pure Python over a Tally: no Flask, no database.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, replace

from ..counting.randomized_response import epsilon, truth_probability
from ..scoring import SCORE_MAX, SCORE_MIN, START, Bank, MythRound, Option, Question, Statement, band_for, option_points
from ..store.counters import CHILLING_IDS, RIGHT, Tally
from .estimates import Mean, Share, average, share, shares
from .minimums import ranked_from, shown_from
from .simplex import project, whole_percents

WATCHED = ("changed", "considered")  # closing answers that admit being watched mattered
COSTLIEST = 3


@dataclass(frozen=True)
class Level:
    """A privacy level in the words a page states it with."""

    odds: int  # e^ε
    epsilon: float
    yes_no: float  # a best guess about a yes/no answer is right at most this often
    three: float  # ... about an answer among three


def level(odds: int) -> Level:
    return Level(odds, epsilon(odds), float(truth_probability(odds, 2)), float(truth_probability(odds, 3)))


@dataclass(frozen=True)
class Shown:
    """A share as the wall prints it: whole percentages, the estimate's adding up to 100
    over its question, the range rounded outwards so that it still holds the estimate."""

    percent: int
    low: int
    high: int

    @property
    def edge(self) -> str | None:
        """ "zero" or "full" where the estimate sits at 0% or 100%: said as "≈ 0% (up to …)"."""
        if self.percent <= 0:
            return "zero"
        if self.percent >= 100:
            return "full"
        return None


def _shown(s: Share, percent: int) -> Shown:
    low = min(percent, math.floor(100 * s.low + 1e-9))
    high = max(percent, math.ceil(100 * s.high - 1e-9))
    return Shown(percent, max(0, low), min(100, high))


def _projected(estimated: Sequence[Share]) -> tuple[tuple[Share, Shown], ...]:
    """One question's shares projected to add up to 1 inside their ranges (app/disclosure/simplex.py)."""
    values = project([s.unclipped for s in estimated], [s.low for s in estimated], [s.high for s in estimated])
    percents = whole_percents(values)
    return tuple((replace(s, estimate=v), _shown(s, pc)) for s, v, pc in zip(estimated, values, percents, strict=True))


@dataclass(frozen=True)
class OptionFigure:
    option: Option
    share: Share  # projected: a question's options add up to 1
    shown: Shown


@dataclass(frozen=True)
class QuestionFigures:
    question: Question
    options: tuple[OptionFigure, ...]


@dataclass(frozen=True)
class ChillingFigure:
    option_id: str
    share: Share  # projected, as a question's
    shown: Shown


@dataclass(frozen=True)
class MythFigure:
    statement: Statement
    right: Share  # the share who got it right

    @property
    def shown(self) -> Shown:
        return _shown(self.right, round(100 * self.right.estimate))


@dataclass(frozen=True)
class Habit:
    """An answer that costs points: its estimated share, and the points it costs each person."""

    question: Question
    option: Option
    share: Share
    points_each: float

    @property
    def shown(self) -> Shown:
        return _shown(self.share, round(100 * self.share.estimate))

    @property
    def cost(self) -> float:
        """Points it takes off the scope's average score (negative)."""
        return self.share.estimate * self.points_each


@dataclass(frozen=True)
class ScoreFigure:
    """The estimated average score, its 95% range, and the band the estimate falls in."""

    estimate: int
    low: int
    high: int

    @property
    def band(self) -> str:
        return band_for(self.estimate)

    @property
    def bands(self) -> tuple[str, str]:
        """The bands the 95% range spans, lowest first: how far the room's average may spread."""
        return band_for(self.low), band_for(self.high)


@dataclass(frozen=True)
class Figures:
    odds: int  # e^ε the scope's values were randomized at
    min_finished: int
    finished: int
    myth_rounds: int
    questions: tuple[QuestionFigures, ...] = ()
    chilling: tuple[ChillingFigure, ...] = ()
    watched: Share | None = None  # "changed" and "considered" together
    average: ScoreFigure | None = None
    # The habits that cost the scope most: in order of cost when `costliest_ranked`, else the
    # likely ones in the bank's order, to be shown without shares (app/disclosure/minimums.py).
    costliest: tuple[Habit, ...] = ()
    costliest_ranked: bool = False
    myths: tuple[MythFigure, ...] = ()

    @property
    def visible(self) -> bool:
        return bool(self.questions)

    @property
    def myths_visible(self) -> bool:
        return bool(self.myths)

    @property
    def waiting_for(self) -> int:
        return max(0, self.min_finished - self.finished)

    @property
    def level(self) -> Level:
        return level(self.odds)

    @property
    def shown(self) -> bool:
        """Anything at all to show: the quiz's figures or the myth round's."""
        return self.visible or self.myths_visible

    def myths_for(self, statement_ids: Sequence[str]) -> tuple[MythFigure, ...]:
        """The myth figures of some statements (a slide shows a few), in the order given."""
        by_id = {m.statement.id: m for m in self.myths}
        return tuple(by_id[i] for i in statement_ids if i in by_id)

    def for_question(self, question_id: str) -> QuestionFigures | None:
        return next((q for q in self.questions if q.question.id == question_id), None)


@dataclass(frozen=True)
class Standing:
    """One score beside a scope's estimated average: above, below or within its 95% range.

    Only the visitor's own score (from their cookie) meets a published figure here: the
    comparison says nothing about anyone else, and there is none below the minimum.
    """

    score: int
    average: ScoreFigure

    @property
    def relation(self) -> str:
        if self.score > self.average.high:
            return "above"
        if self.score < self.average.low:
            return "below"
        return "within"

    @property
    def dial(self) -> tuple[int, int, int]:
        """The average as the gauge marks it: estimate, low, high."""
        return self.average.estimate, self.average.low, self.average.high


def standing(score: int, figures: Figures) -> Standing | None:
    """A score against the scope's estimated average, or None while the scope shows no figure."""
    if figures.average is None:
        return None
    return Standing(score, figures.average)


def _score(mean: Mean | None) -> ScoreFigure | None:
    if mean is None:
        return None
    return ScoreFigure(round(mean.estimate), math.floor(mean.low), math.ceil(mean.high))


def _question_figures(
    bank: Bank, tally: Tally, odds: int, ranked: bool
) -> tuple[tuple[QuestionFigures, ...], tuple[Habit, ...]]:
    points = option_points(bank)
    questions = []
    habits: list[Habit] = []
    order: dict[tuple[str, str], int] = {}
    for q in bank.questions:
        estimated = shares(tally.answer_counts(q.id), [o.id for o in q.options], odds)
        projected = _projected([estimated[o.id] for o in q.options])
        options = tuple(OptionFigure(o, s, shown) for o, (s, shown) in zip(q.options, projected, strict=True))
        questions.append(QuestionFigures(q, options))
        for of in options:
            order[q.id, of.option.id] = len(order)
            if points[q.id, of.option.id] < 0:
                habits.append(Habit(q, of.option, of.share, points[q.id, of.option.id]))
    costliest = sorted((h for h in habits if h.share.estimate > 0), key=lambda h: h.cost)[:COSTLIEST]
    if not ranked:  # too few people to tell their order: shown as a set, in the bank's order
        costliest.sort(key=lambda h: order[h.question.id, h.option.id])
    return tuple(questions), tuple(costliest)


def _average(bank: Bank, tally: Tally, odds: int) -> ScoreFigure | None:
    points = option_points(bank)
    items = [(tally.answer_counts(q.id), {o.id: points[q.id, o.id] for o in q.options}) for q in bank.questions]
    return _score(average(items, odds, base=START, bounds=(SCORE_MIN, SCORE_MAX)))


def scope_figures(bank: Bank, myths: MythRound, tally: Tally, *, odds: int, min_finished: int) -> Figures:
    """What a scope may show: estimates from its randomized counters, or nothing below the
    minimum. `min_finished` is the configured minimum at ln 4; the scope's own follows from
    its level (app/disclosure/minimums.py)."""
    needed = shown_from(odds, min_finished)
    figures = Figures(odds, needed, tally.completions, tally.myth_rounds)
    if tally.completions >= needed:
        ranked = tally.completions >= ranked_from(odds)
        questions, costliest = _question_figures(bank, tally, odds, ranked)
        estimated = shares(tally.chilling, CHILLING_IDS, odds)
        chilling = _projected([estimated[c] for c in CHILLING_IDS])
        figures = replace(
            figures,
            questions=questions,
            costliest=costliest,
            costliest_ranked=ranked,
            average=_average(bank, tally, odds),
            chilling=tuple(ChillingFigure(c, s, shown) for c, (s, shown) in zip(CHILLING_IDS, chilling, strict=True)),
            watched=share(tally.chilling, WATCHED, len(CHILLING_IDS), odds) if sum(tally.chilling.values()) else None,
        )
    if tally.myth_rounds >= needed:
        figures = replace(
            figures,
            myths=tuple(MythFigure(s, share(tally.myth_counts(s.id), (RIGHT,), 2, odds)) for s in myths.statements),
        )
    return figures
