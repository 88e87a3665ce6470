"""The scoring engine: a pure function from answers to an explained report.

How the score is built (all weights are our illustration, not Ant's):
every visitor starts at the middle of the range, 650. Each answer moves the
score up or down by how far its points sit above or below the middle of that
question's own range, scaled by its dimension's weight. So the best answers
reach 950, the worst 350, and every move is an explanation.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from .bank import Bank, Dimension, Option, Perk, Question, Source

SCORE_MIN, SCORE_MAX = 350, 950
MIDPOINT = (SCORE_MIN + SCORE_MAX) / 2
BUCKET_WIDTH = 50

# Zhima's bands as shown in Alipay at launch (documented, Chinese sources).
BANDS: tuple[tuple[str, int, int], ...] = (
    ("poor", 350, 549),
    ("fair", 550, 599),
    ("good", 600, 649),
    ("excellent", 650, 699),
    ("extremely_good", 700, 950),
)
BAND_IDS = tuple(b[0] for b in BANDS)
BUCKETS = tuple(range(SCORE_MIN, SCORE_MAX, BUCKET_WIDTH))  # 350, 400, ..., 900


class AnswerError(ValueError):
    """Answers that do not fit the bank: a missing question or an unknown option."""


@dataclass(frozen=True)
class Contribution:
    """What one answer did to the score, in points away from the midpoint."""

    question: Question
    option: Option
    points: float  # signed: below zero lowered the score
    best_possible: float  # what the best option of this question would give


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


def _scale(bank: Bank) -> dict[str, float]:
    """Score points per answer point, for each dimension."""
    total_weight = sum(d.weight for d in bank.dimensions)
    scale: dict[str, float] = {}
    for d in bank.dimensions:
        spread = sum(q.best.points - q.worst.points for q in bank.questions if q.dimension == d.id)
        scale[d.id] = (SCORE_MAX - SCORE_MIN) * d.weight / total_weight / spread
    return scale


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
    scale = _scale(bank)

    contributions = []
    for q in bank.questions:
        middle = (q.best.points + q.worst.points) / 2
        k = scale[q.dimension]
        contributions.append(
            Contribution(q, chosen[q.id], (chosen[q.id].points - middle) * k, (q.best.points - middle) * k)
        )

    raw = MIDPOINT + sum(c.points for c in contributions)
    # Rounding to a whole score is monotone, so better answers still never score lower;
    # the clamp only guards against float dust at the ends.
    score = int(min(SCORE_MAX, max(SCORE_MIN, round(raw))))

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
        contributions=tuple(contributions),
        perks_unlocked=tuple(p for p in bank.perks if p.threshold <= score),
        perks_locked=tuple(p for p in bank.perks if p.threshold > score),
        blacklisted=blacklisted,
        punishments=bank.punishments if blacklisted else (),
    )


def option_points(bank: Bank) -> dict[tuple[str, str], float]:
    """What each option of each question adds to or takes from a score, keyed (question, option)."""
    scale = _scale(bank)
    effects: dict[tuple[str, str], float] = {}
    for q in bank.questions:
        middle = (q.best.points + q.worst.points) / 2
        for o in q.options:
            effects[q.id, o.id] = (o.points - middle) * scale[q.dimension]
    return effects


def best_answers(bank: Bank) -> dict[str, str]:
    return {q.id: q.best.id for q in bank.questions}


def worst_answers(bank: Bank) -> dict[str, str]:
    return {q.id: q.worst.id for q in bank.questions}
