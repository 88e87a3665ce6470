"""The attacker's side of the privacy tests: guesses, and the bound they must stay within.

Nothing here is a test. An attack yields, for each of a victim's items (a quiz answer, the
closing answer, a myth verdict), the attacker's guess, the true value and the number m of
values the item could take. With randomized response at e^ε = odds, no attacker can guess
an item that was a priori uniform among m values right more often than odds/(odds + m − 1)
(0.8 for yes/no at ε = ln 4), and the best attacker (one who learns the randomized value
exactly) reaches that. So over many items the share right is a sum of independent trials
with those chances: it must lie within a few binomial standard deviations of their mean.
"""

from __future__ import annotations

import math
import random
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from sqlalchemy.orm import Session, sessionmaker

from app.content.closing_question import OPTION_IDS as CHILLING_IDS
from app.counting import items as counting
from app.counting.finish import write
from app.counting.randomized_response import truth_probability
from app.counting.start_token import new_token, spendable
from app.scoring import Bank, MythRound
from app.store import counters as tally

Z = 4.0  # standard deviations: a correct mechanism fails this about once in 30,000 runs


@dataclass
class Score:
    """What an attack got right, item by item."""

    odds: int
    right: list[bool] = field(default_factory=list)
    chances: list[float] = field(default_factory=list)  # the best possible chance for each item

    def add(self, guess: str, truth: str, m: int) -> None:
        self.right.append(guess == truth)
        self.chances.append(float(truth_probability(self.odds, m)))

    @property
    def share(self) -> float:
        return sum(self.right) / len(self.right)

    @property
    def expected(self) -> float:
        return sum(self.chances) / len(self.chances)

    @property
    def sd(self) -> float:
        return math.sqrt(sum(p * (1 - p) for p in self.chances)) / len(self.chances)

    def bound(self) -> float:
        """The largest share right a correct mechanism allows here (Z standard deviations over the maximum)."""
        return self.expected + Z * self.sd

    def report(self, label: str) -> str:
        return (
            f"{label}: {sum(self.right)} of {len(self.right)} items right ({self.share:.1%}); "
            f"the mechanism allows at most {self.expected:.1%} on average (bound {self.bound():.1%})"
        )

    def assert_within_the_guarantee(self, *, reached: bool = True) -> None:
        """Never above the bound; with `reached`, also not far below it (the attack really was the best)."""
        assert self.share <= self.bound(), self.report("too many right")
        if reached:
            assert self.share >= self.expected - Z * self.sd, self.report("the attack did less than it can")


def yes_no(score: Score, ms: Sequence[int]) -> Score:
    """The yes/no items of an attack alone (their bound is the stated one: 0.8 at ε = ln 4)."""
    only = Score(score.odds)
    for right, chance, m in zip(score.right, score.chances, ms, strict=True):
        if m == 2:
            only.right.append(right)
            only.chances.append(chance)
    return only


def difference(after: Mapping[tuple[str, str], int], before: Mapping[tuple[str, str], int]) -> dict[str, list[str]]:
    """Per metric, the values whose count grew between two readings (each by 1, once per finish)."""
    grew: dict[str, list[str]] = {}
    for (metric, value), count in after.items():
        for _ in range(count - before.get((metric, value), 0)):
            grew.setdefault(metric, []).append(value)
    return grew


def guess_from(candidates: Iterable[str], rng: random.Random) -> str:
    """The attacker's guess when several values fit what they saw: any of them, as likely."""
    options = sorted(set(candidates))
    return rng.choice(options)


# --- victims, and the write path their finished quizzes take ------------------------------

ODDS = 4
SITE = counting.Scope(tally.GLOBAL, ODDS)


class Victim:
    """Random true answers, a random closing answer and random myth verdicts."""

    def __init__(self, bank: Bank, myths: MythRound, rng: random.Random) -> None:
        self.answers = {q.id: rng.choice(q.options).id for q in bank.questions}
        self.chilling = rng.choice(CHILLING_IDS)
        self.marks = {s.id: rng.random() < 0.5 for s in myths.statements}

    def items(self, bank: Bank, myths: MythRound) -> tuple[counting.Item, ...]:
        return counting.quiz_items(bank, self.answers, self.chilling) + counting.myth_items(myths, self.marks)


def finish(session: Session, bank, myths, who: Victim, scopes) -> tuple[tally.CounterKey, ...]:
    """The write path of a finished quiz and myth round, as the routes run it: randomize, then
    count once, each in a transaction of its own (the caller's session only reads)."""
    session.rollback()  # a read transaction left open would not see the writes below
    sessions = sessionmaker(session.get_bind(), expire_on_commit=False)
    quiz = counting.randomize_for(counting.quiz_items(bank, who.answers, who.chilling), scopes)
    myth = counting.randomize_for(counting.myth_items(myths, who.marks), scopes)
    levels = {s.name: s.odds for s in scopes}
    keys = write(sessions, quiz, levels, spendable(new_token()), tally.COMPLETIONS)
    return keys + write(sessions, myth, levels, spendable(new_token()), tally.MYTH_ROUNDS)
