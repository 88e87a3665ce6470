"""What a room may show of the closing question and of the myth round, under the same k rules.

The chilling answers are published with the quiz and grouped like any question's
answers (pool_small). A myth statement shows its right and wrong counts only when
both are 0 or at least k: with two values, one small count could be worked out
from the other and the total.

Pure Python over a Tally: no Flask, no database.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from ..scoring import MythRound, Statement
from ..tally import RIGHT, WRONG, Tally
from .breakdown import pool_small


@dataclass(frozen=True)
class ChillingRow:
    options: tuple[str, ...]  # one chilling option id, or the pooled ones
    count: int

    @property
    def pooled(self) -> bool:
        return len(self.options) > 1


@dataclass(frozen=True)
class MythRow:
    statement: Statement
    right: int | None  # None: hidden, because right or wrong is a group of 1 to k-1
    wrong: int | None

    @property
    def shown(self) -> bool:
        return self.right is not None


@dataclass(frozen=True)
class Reflection:
    k: int
    completions: int  # published quizzes
    chilling: tuple[ChillingRow, ...]
    myth_rounds: int  # published myth rounds
    myths: tuple[MythRow, ...]

    @property
    def chilling_total(self) -> int:
        return sum(row.count for row in self.chilling)

    @property
    def chilling_visible(self) -> bool:
        return self.completions >= self.k and self.chilling_total >= self.k

    @property
    def myths_visible(self) -> bool:
        return self.myth_rounds >= self.k


def _myth_row(statement: Statement, counts: dict[str, int], k: int) -> MythRow:
    right, wrong = counts.get(RIGHT, 0), counts.get(WRONG, 0)
    if all(n == 0 or n >= k for n in (right, wrong)):
        return MythRow(statement, right, wrong)
    return MythRow(statement, None, None)


def room_reflection(myths: MythRound, tally: Tally, k: int, chilling_ids: Sequence[str]) -> Reflection:
    """The room's published chilling answers and myth results, every figure 0 or at least k."""
    chilling: tuple[ChillingRow, ...] = ()
    if tally.completions >= k:
        groups = pool_small([(c, tally.chilling.get(c, 0)) for c in chilling_ids], k)
        chilling = tuple(ChillingRow(ids, n) for ids, n in groups)
    rows: tuple[MythRow, ...] = ()
    if tally.myth_rounds >= k:
        rows = tuple(_myth_row(s, tally.myth_counts(s.id), k) for s in myths.statements)
    return Reflection(k, tally.completions, chilling, tally.myth_rounds, rows)
