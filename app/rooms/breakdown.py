"""What a room may show: its published counters, grouped so that no one stands out.

Every figure on a room's pages and in its export is 0 or at least k:

- score bands are merged with their neighbours until each group holds 0 or at least k
  people, and the 50-point ranges are then grouped inside each band group the same
  way, so a band group is always the sum of the ranges shown under it and no
  difference of two shown figures is a group smaller than k;
- per question, the answers chosen by 1 to k-1 people are pooled into one row; if
  that pool is itself below k, the least chosen of the other answers joins it, so
  the pool cannot be worked out from the total either.

Pure Python over a Tally: no Flask, no database.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TypeVar

from ..scoring import BANDS, SCORE_MAX, Bank, Option, Question, band_for, option_points
from ..scoring.engine import BUCKET_WIDTH
from ..tally import Tally

T = TypeVar("T")

BAND_RANGES = {band: (low, high) for band, low, high in BANDS}


def merge_runs(items: Sequence[tuple[T, int]], k: int) -> list[tuple[tuple[T, ...], int]]:
    """Group neighbouring items so that every group's count is 0 or at least k.

    A run is closed as soon as it reaches k; empty items before a run form their own group;
    a tail below k joins the previous non-empty group (with any zeros between).
    """
    groups: list[tuple[tuple[T, ...], int]] = []
    run: list[T] = []
    total = 0
    for key, count in items:
        if not run and count == 0:
            if groups and groups[-1][1] == 0:  # neighbouring empty items read better as one
                groups[-1] = ((*groups[-1][0], key), 0)
            else:
                groups.append(((key,), 0))
            continue
        run.append(key)
        total += count
        if total >= k:
            groups.append((tuple(run), total))
            run, total = [], 0
    if run:
        # A tail of 1..k-1: fold it back into the groups before it, up to a non-empty one.
        while groups:
            keys, count = groups.pop()
            run = [*keys, *run]
            total += count
            if count:
                break
        groups.append((tuple(run), total))
    return groups


@dataclass(frozen=True)
class ScoreGroup:
    low: int
    high: int
    count: int


@dataclass(frozen=True)
class BandGroup:
    bands: tuple[str, ...]
    low: int
    high: int
    count: int
    ranges: tuple[ScoreGroup, ...]


@dataclass(frozen=True)
class AnswerRow:
    options: tuple[Option, ...]  # one option, or the pooled ones
    count: int

    @property
    def pooled(self) -> bool:
        return len(self.options) > 1


@dataclass(frozen=True)
class QuestionRows:
    question: Question
    rows: tuple[AnswerRow, ...]


@dataclass(frozen=True)
class Habit:
    """An answer that cost the room points: how many chose it and what it cost each."""

    question: Question
    option: Option
    count: int
    points_each: int

    @property
    def points_total(self) -> float:
        return self.count * self.points_each


@dataclass(frozen=True)
class RoomBreakdown:
    k: int
    completions: int  # as published: a multiple of k
    bands: tuple[BandGroup, ...]
    questions: tuple[QuestionRows, ...]
    costliest: tuple[Habit, ...]

    @property
    def visible(self) -> bool:
        return self.completions >= self.k

    @property
    def ranges(self) -> tuple[ScoreGroup, ...]:
        return tuple(r for b in self.bands for r in b.ranges)

    def rows_for(self, question_id: str) -> tuple[AnswerRow, ...]:
        return next((q.rows for q in self.questions if q.question.id == question_id), ())


def _band_groups(tally: Tally, k: int) -> tuple[BandGroup, ...]:
    groups = []
    for bands, count in merge_runs([(b, tally.bands.get(b, 0)) for b, _low, _high in BANDS], k):
        inside = [(bucket, n) for bucket, n in sorted(tally.buckets.items()) if band_for(bucket) in bands]
        ranges = tuple(
            ScoreGroup(buckets[0], min(buckets[-1] + BUCKET_WIDTH - 1, SCORE_MAX), n)
            for buckets, n in merge_runs(inside, k)
        )
        groups.append(BandGroup(bands, BAND_RANGES[bands[0]][0], BAND_RANGES[bands[-1]][1], count, ranges))
    return tuple(groups)


def pool_small(items: Sequence[tuple[T, int]], k: int) -> list[tuple[tuple[T, ...], int]]:
    """Answers chosen by 1 to k-1 people pooled into one group, in the items' order.

    If that pool is itself below k, the least chosen of the other answers joins it,
    so that the pool cannot be worked out from the total either. Every group's
    count is then 0 or at least k (when the items sum to at least k).
    """
    order = {key: i for i, (key, _n) in enumerate(items)}
    single = [(key, n) for key, n in items if n == 0 or n >= k]
    pool = [(key, n) for key, n in items if 0 < n < k]
    if pool and sum(n for _key, n in pool) < k:
        candidates = [(key, n) for key, n in single if n]
        if candidates:
            smallest = min(candidates, key=lambda kn: kn[1])
            single.remove(smallest)
            pool.append(smallest)
    groups = [((key,), n) for key, n in single]
    if pool:
        groups.append((tuple(sorted((key for key, _n in pool), key=order.__getitem__)), sum(n for _key, n in pool)))
    return sorted(groups, key=lambda g: order[g[0][0]])


def _answer_rows(question: Question, counts: dict[str, int], k: int) -> tuple[AnswerRow, ...]:
    groups = pool_small([(o, counts.get(o.id, 0)) for o in question.options], k)
    return tuple(AnswerRow(options, n) for options, n in groups)


def _costliest(bank: Bank, questions: Sequence[QuestionRows], limit: int) -> tuple[Habit, ...]:
    points = option_points(bank)
    habits = [
        Habit(q.question, row.options[0], row.count, points[q.question.id, row.options[0].id])
        for q in questions
        for row in q.rows
        if not row.pooled and row.count and points[q.question.id, row.options[0].id] < 0
    ]
    return tuple(sorted(habits, key=lambda h: h.points_total)[:limit])


def room_breakdown(bank: Bank, tally: Tally, k: int, *, costliest: int = 5) -> RoomBreakdown:
    """The room's published counters, grouped so that every figure is 0 or at least k."""
    if tally.completions < k:
        return RoomBreakdown(k, tally.completions, (), (), ())
    questions = tuple(QuestionRows(q, _answer_rows(q, tally.answer_counts(q.id), k)) for q in bank.questions)
    bands = _band_groups(tally, k)
    return RoomBreakdown(k, tally.completions, bands, questions, _costliest(bank, questions, costliest))
