"""The scoring engine: a pure function from answers to an explained report.

How the score is built (the start, the points and the weights are our
illustration, not Ant's):

- Every visitor starts at START, 550: the bottom of Zhima's "Fair" band, inside
  the 500-600 range where most real users were in mid-2015 (reported).
- An option worth 50 points is neutral and moves nothing. Options above 50 add
  points, options below 50 take them away, in proportion to their distance from 50.
- Each dimension owns its weight's share of the room above the start (950 - 550)
  and of the room below it (550 - 350), split between its questions by how far
  their best option sits above 50 and their worst below it. So the best answers
  reach 950 and the worst 350. There is twice as much room above the start as
  below it, so a point above 50 is worth more than a point below.
- Every effect is a whole number of score points, and the score is the start plus
  the effects, exactly: the reasons a visitor reads add up to the score shown.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction

from .bank import NEUTRAL_POINTS, SCORE_MAX, SCORE_MIN, Bank, Dimension, Option, Perk, Question, Source

START = 550
BUCKET_WIDTH = 50

# Zhima's bands as shown in Alipay at launch (documented, Chinese sources).
BANDS: tuple[tuple[str, int, int], ...] = (
    ("poor", SCORE_MIN, 549),
    ("fair", 550, 599),
    ("good", 600, 649),
    ("excellent", 650, 699),
    ("extremely_good", 700, SCORE_MAX),
)
BAND_IDS = tuple(b[0] for b in BANDS)
BUCKETS = tuple(range(SCORE_MIN, SCORE_MAX, BUCKET_WIDTH))  # 350, 400, ..., 900


class AnswerError(ValueError):
    """Answers that do not fit the bank: a missing question or an unknown option."""


@dataclass(frozen=True)
class Contribution:
    """What one answer did to the score, in whole score points away from the start."""

    question: Question
    option: Option
    points: int  # signed: below zero lowered the score, zero is neutral
    best_possible: int  # what the best option of this question would give


@dataclass(frozen=True)
class DimensionResult:
    dimension: Dimension
    share: float  # the dimension's weight as a fraction of all weights
    fraction: float  # 0..1: how much of this dimension's best the answers reach


@dataclass(frozen=True)
class Report:
    score: int
    band: str
    bucket: int
    dimensions: tuple[DimensionResult, ...]
    contributions: tuple[Contribution, ...]
    perks_unlocked: tuple[Perk, ...]
    perks_locked: tuple[Perk, ...]
    blacklisted: bool
    punishments: tuple[Source, ...]

    @property
    def lowered(self) -> tuple[Contribution, ...]:
        """Answers that cost points, costliest first (like reason codes)."""
        return tuple(sorted((c for c in self.contributions if c.points < 0), key=lambda c: c.points))

    @property
    def raised(self) -> tuple[Contribution, ...]:
        """Answers that gained points, biggest first."""
        return tuple(sorted((c for c in self.contributions if c.points > 0), key=lambda c: -c.points))


def band_for(score: int) -> str:
    for band, low, high in BANDS:
        if low <= score <= high:
            return band
    raise ValueError(f"score {score} is outside {SCORE_MIN}-{SCORE_MAX}")


def bucket_for(score: int) -> int:
    """The 50-point histogram bucket; 950 shares the top bucket with 900-949."""
    return min(SCORE_MIN + (score - SCORE_MIN) // BUCKET_WIDTH * BUCKET_WIDTH, BUCKETS[-1])


def _apportion(total: int, quotas: Sequence[Fraction]) -> list[int]:
    """Whole numbers that add up to `total` and differ from the quotas by less than 1 (largest remainder)."""
    whole = [math.floor(q) for q in quotas]
    by_remainder = sorted(range(len(quotas)), key=lambda i: (whole[i] - quotas[i], i))
    for i in by_remainder[: total - sum(whole)]:
        whole[i] += 1
    return whole


# A bank is frozen and hashable, and every request scores against the same one.
@functools.lru_cache(maxsize=8)
def _effects(bank: Bank) -> dict[tuple[str, str], int]:
    """Each option's effect in whole score points, keyed (question id, option id)."""
    total_weight = sum(Fraction(d.weight) for d in bank.dimensions)
    gains, losses = SCORE_MAX - START, START - SCORE_MIN
    # Exact shares first: what one point above (or below) 50 is worth in each dimension.
    per_point_up: dict[str, Fraction] = {}
    per_point_down: dict[str, Fraction] = {}
    for d in bank.dimensions:
        qs = [q for q in bank.questions if q.dimension == d.id]
        share = Fraction(d.weight) / total_weight
        per_point_up[d.id] = gains * share / sum(q.best.points - NEUTRAL_POINTS for q in qs)
        per_point_down[d.id] = losses * share / sum(NEUTRAL_POINTS - q.worst.points for q in qs)

    # Whole points: the best options share out exactly the room above the start and the
    # worst options exactly the room below it, so the ends are reached without rounding drift.
    top = _apportion(gains, [(q.best.points - NEUTRAL_POINTS) * per_point_up[q.dimension] for q in bank.questions])
    bottom = _apportion(
        losses, [(NEUTRAL_POINTS - q.worst.points) * per_point_down[q.dimension] for q in bank.questions]
    )

    effects: dict[tuple[str, str], int] = {}
    for q, best, worst in zip(bank.questions, top, bottom, strict=True):
        for o in q.options:
            if o.points == q.best.points:
                effect = best
            elif o.points == q.worst.points:
                effect = -worst
            elif o.points > NEUTRAL_POINTS:
                # Rounded half up, and never past the best option: better options never score lower.
                effect = min(math.floor((o.points - NEUTRAL_POINTS) * per_point_up[q.dimension] + Fraction(1, 2)), best)
            elif o.points < NEUTRAL_POINTS:
                effect = -min(
                    math.floor((NEUTRAL_POINTS - o.points) * per_point_down[q.dimension] + Fraction(1, 2)), worst
                )
            else:
                effect = 0
            effects[q.id, o.id] = effect
    return effects


def validate_answers(bank: Bank, answers: Mapping[str, str]) -> dict[str, Option]:
    """Map every question to its chosen option, or raise AnswerError."""
    chosen: dict[str, Option] = {}
    for q in bank.questions:
        if q.id not in answers:
            raise AnswerError(f"question '{q.id}' is not answered")
        option = q.option(answers[q.id])
        if option is None:
            raise AnswerError(f"question '{q.id}' has no option '{answers[q.id]}'")
        chosen[q.id] = option
    extra = set(answers) - {q.id for q in bank.questions}
    if extra:
        raise AnswerError(f"unknown question '{sorted(extra)[0]}'")
    return chosen


def score_answers(bank: Bank, answers: Mapping[str, str]) -> Report:
    """Turn a complete set of answers into a report. Same answers, same report."""
    chosen = validate_answers(bank, answers)
    effects = _effects(bank)

    contributions = tuple(
        Contribution(q, chosen[q.id], effects[q.id, chosen[q.id].id], effects[q.id, q.best.id]) for q in bank.questions
    )
    # Whole points, so nothing is rounded: each effect lies between its question's worst
    # and best, whose sums are exactly the two ends of the range.
    score = START + sum(c.points for c in contributions)

    total_weight = sum(d.weight for d in bank.dimensions)
    dimensions = []
    for d in bank.dimensions:
        qs = [q for q in bank.questions if q.dimension == d.id]
        spread = sum(q.best.points - q.worst.points for q in qs)
        reached = sum(chosen[q.id].points - q.worst.points for q in qs)
        dimensions.append(DimensionResult(d, d.weight / total_weight, reached / spread))

    blacklisted = any(o.blacklist for o in chosen.values())
    return Report(
        score=score,
        band=band_for(score),
        bucket=bucket_for(score),
        dimensions=tuple(dimensions),
        contributions=contributions,
        perks_unlocked=perks_opened(bank, score),
        perks_locked=perks_missed(bank, score),
        blacklisted=blacklisted,
        punishments=bank.punishments if blacklisted else (),
    )


def perks_opened(bank: Bank, score: int) -> tuple[Perk, ...]:
    """The perks a score reaches: every perk depends on the score alone."""
    return tuple(p for p in bank.perks if p.threshold <= score)


def perks_missed(bank: Bank, score: int) -> tuple[Perk, ...]:
    return tuple(p for p in bank.perks if p.threshold > score)


def option_points(bank: Bank) -> dict[tuple[str, str], int]:
    """What each option of each question adds to or takes from a score, keyed (question, option)."""
    return dict(_effects(bank))


def best_answers(bank: Bank) -> dict[str, str]:
    return {q.id: q.best.id for q in bank.questions}


def worst_answers(bank: Bank) -> dict[str, str]:
    return {q.id: q.worst.id for q in bank.questions}
