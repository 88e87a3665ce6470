"""From randomized counts back to figures: de-biased shares with a 95% range, and the
average score they imply.

Shares. If a scope counted n randomized reports of an item with m values at keep
probability p, an option truly chosen by a share π is counted with probability
q = p·π + (1 − p)/m, so π = (q − (1 − p)/m)/p. The range is Wilson's 95% score interval
for q, mapped through that same line and clipped to 0..1. Wilson rather than the textbook
"estimate ± 1.96 standard errors" because a workshop has 10 to 50 people, and at that size
the textbook interval is too narrow near 0% and 100% (it collapses to a single point when
a count is 0 or n), while Wilson keeps close to 95%. Given everyone's true answers, an
option's count is a sum of independent yes/no draws, whose variance is at most that of
the binomial Wilson assumes, so the range errs on the wide side.

The average score. The engine is linear: a score is the start plus each answer's
points. So the average score is the start plus, per question, the sum of share × points,
and the de-biased (unclipped) shares give an unbiased estimate of it. The figure describes
the people who finished (a room is not a sample of some larger crowd), so its only
uncertainty is the coin's, which is independent across people and questions: the range
is the normal one for a sum of many independent terms, with each question's coin
variance computed exactly for the estimated shares (bench/privacy_sim.py measures how
often it holds).

Pure Python: no Flask, no database.
"""

from __future__ import annotations

import math
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass

from ..counting.randomized_response import keep_probability

Z95 = 1.959963984540054  # the normal quantile of a two-sided 95% range


@dataclass(frozen=True)
class Share:
    """An estimated share (0..1) of people whose true value was one option, with its 95% range."""

    estimate: float  # clipped to 0..1
    low: float
    high: float
    unclipped: float  # the de-biased value itself (can leave 0..1): linear figures sum these

    @property
    def width(self) -> float:
        return self.high - self.low


def wilson(successes: float, n: int, z: float = Z95) -> tuple[float, float]:
    """Wilson's score interval for a proportion."""
    if n <= 0:
        return 0.0, 1.0
    q = successes / n
    centre = (q + z * z / (2 * n)) / (1 + z * z / n)
    half = z / (1 + z * z / n) * math.sqrt(q * (1 - q) / n + z * z / (4 * n * n))
    return max(0.0, centre - half), min(1.0, centre + half)


def _clip(x: float) -> float:
    return min(1.0, max(0.0, x))


def share(counts: Mapping[str, int], chosen: Collection[str], m: int, odds: int) -> Share:
    """The estimated share of people whose true value is any of `chosen` (one option, or a
    group such as "changed or considered"), from the counts of all m values."""
    n = sum(counts.values())
    if n == 0:
        return Share(0.0, 0.0, 1.0, 0.0)
    p = float(keep_probability(odds, m))
    floor = (1 - p) * len(chosen) / m  # what the uniform draws alone add to the group's share

    def debias(q: float) -> float:
        return (q - floor) / p

    hits = sum(counts.get(v, 0) for v in chosen)
    low, high = wilson(hits, n)
    raw = debias(hits / n)
    return Share(_clip(raw), _clip(debias(low)), _clip(debias(high)), raw)


def shares(counts: Mapping[str, int], values: Sequence[str], odds: int) -> dict[str, Share]:
    """Each value's estimated share, in the order given."""
    return {v: share(counts, (v,), len(values), odds) for v in values}


@dataclass(frozen=True)
class Mean:
    """An estimated average with its 95% range."""

    estimate: float
    low: float
    high: float


def average(
    items: Sequence[tuple[Mapping[str, int], Mapping[str, float]]],
    odds: int,
    *,
    base: float = 0.0,
    bounds: tuple[float, float] = (-math.inf, math.inf),
) -> Mean | None:
    """The average over people of base + the points of each item's true value.

    `items`: per item, the randomized counts of its values and each value's points. A
    person's de-biased contribution Y = (points of the counted value − (1 − p)·mean points)/p
    averages to their true points; given their true value x, the coin makes Y vary by
    ((1 − p)·σ² + p(1 − p)·(points(x) − mean)²)/p², σ² being the points' variance over the m
    values.
    """
    estimate = base
    variance = 0.0  # of the sum over items of the average Y: the coin's alone
    n = 0
    for counts, points in items:
        total = sum(counts.get(v, 0) for v in points)
        if total == 0:
            continue
        n = max(n, total)
        m = len(points)
        p = float(keep_probability(odds, m))
        mean_points = sum(points.values()) / m
        spread = sum((a - mean_points) ** 2 for a in points.values()) / m
        reported = {v: counts.get(v, 0) / total for v in points}
        estimate += sum(reported[v] * points[v] for v in points) / p - (1 - p) * mean_points / p
        debiased = {v: max(0.0, (reported[v] - (1 - p) / m) / p) for v in points}
        mass = sum(debiased.values()) or 1.0
        true_spread = sum(debiased[v] * (points[v] - mean_points) ** 2 for v in points) / mass
        variance += ((1 - p) * spread + p * (1 - p) * true_spread) / (p * p) / total
    if n == 0:
        return None
    half = Z95 * math.sqrt(variance)
    low_bound, high_bound = bounds
    clipped = min(high_bound, max(low_bound, estimate))
    return Mean(clipped, max(low_bound, estimate - half), min(high_bound, estimate + half))
