"""A question's shares made to add up: the de-biased shares projected onto the simplex.

De-biased shares are unbiased one by one, but can fall below 0% or above 100% and add to
anything (a room of 12 showed 118%). The nearest point (in squared error) that is a real
distribution and lies inside every share's 95% range is x_i = clip(v_i − τ, low_i, high_i),
with the one τ that makes them add to 1: the Euclidean projection onto the simplex
intersected with the ranges' box. Projecting onto a convex set that holds the truth never
moves an estimate further from it (statistics-review.md, item 5: 4–11% less error in small
rooms, never more). The room's average score is not built from these: the linear estimate
from the unprojected shares stays unbiased, and its range valid.

Shown as whole percentages, the shares are rounded by largest remainder, so that they add
to exactly 100 on the wall.

Pure Python: no Flask, no database.
"""

from __future__ import annotations

import math
from collections.abc import Sequence


def _fill(values: Sequence[float], lows: Sequence[float], highs: Sequence[float], tau: float) -> list[float]:
    return [min(h, max(lo, v - tau)) for v, lo, h in zip(values, lows, highs, strict=True)]


def project(
    values: Sequence[float], lows: Sequence[float] | None = None, highs: Sequence[float] | None = None
) -> list[float]:
    """The point of {x : Σx = 1, low ≤ x ≤ high} nearest to `values` (ranges default to 0..1).

    If the ranges cannot hold a distribution at all (their lows add to more than 1, or their
    highs to less), they are dropped and the plain simplex is used."""
    n = len(values)
    if n == 0:
        return []
    lo = [max(0.0, x) for x in lows] if lows is not None else [0.0] * n
    hi = [min(1.0, x) for x in highs] if highs is not None else [1.0] * n
    if sum(lo) > 1 + 1e-12 or sum(hi) < 1 - 1e-12 or any(a > b for a, b in zip(lo, hi, strict=True)):
        lo, hi = [0.0] * n, [1.0] * n
    # Σ clip(v − τ) falls as τ grows: bisect τ between where every share sits at its high
    # and where every share sits at its low.
    left = min(v - h for v, h in zip(values, hi, strict=True))
    right = max(v - a for v, a in zip(values, lo, strict=True))
    for _ in range(100):
        mid = (left + right) / 2
        if sum(_fill(values, lo, hi, mid)) > 1:
            left = mid
        else:
            right = mid
    x = _fill(values, lo, hi, (left + right) / 2)
    # What bisection leaves (below 1e-15) goes to the shares not pinned at a bound.
    rest = 1 - sum(x)
    free = [i for i in range(n) if lo[i] < x[i] < hi[i]] or list(range(n))
    for i in free:
        x[i] = min(hi[i], max(lo[i], x[i] + rest / len(free)))
    return x


def whole_percents(shares: Sequence[float]) -> list[int]:
    """Shares that add to 1, as whole percentages that add to exactly 100 (largest remainder)."""
    if not shares:
        return []
    scaled = [100 * s for s in shares]
    floors = [math.floor(s + 1e-9) for s in scaled]
    short = 100 - sum(floors)
    by_remainder = sorted(range(len(scaled)), key=lambda i: (-(scaled[i] - floors[i]), i))
    for i in by_remainder[: max(0, short)]:
        floors[i] += 1
    return floors
