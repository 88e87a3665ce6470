"""Randomized response: the write side of deniable counting.

Each counted item (a quiz answer, the closing answer, a myth verdict) is replaced, before
anything is written, by a value drawn from a distribution that depends only on the true
value: the true value with probability p, otherwise one of the item's m values uniformly
(which may again be the true one). With p = (e^ε − 1)/(e^ε − 1 + m):

    P(counted = true value)  = e^ε / (e^ε + m − 1)
    P(counted = any other)   = 1   / (e^ε + m − 1)

so whatever is counted, it is at most e^ε times likelier under one true value than under
another: ε-local differential privacy for that item (Warner 1965; RAPPOR; Apple's telemetry).

The privacy level is given as `odds` = e^ε, a whole number, so both probabilities are
fractions over e^ε + m − 1 and one `secrets.randbelow` draw samples them exactly (no float
rounding can tilt them). Pure Python: no Flask, no database.
"""

from __future__ import annotations

import math
import secrets
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Protocol

from ..config import MAX_ODDS, MIN_ODDS


class Draw(Protocol):
    def __call__(self, n: int, /) -> int: ...


def epsilon(odds: int) -> float:
    return math.log(odds)


def keep_probability(odds: int, m: int) -> Fraction:
    """p: the chance the true value is kept before the uniform draw (exact)."""
    return Fraction(odds - 1, odds - 1 + m)


def truth_probability(odds: int, m: int) -> Fraction:
    """The chance the counted value is the true one: also the best any guesser can do, for a
    value that was a priori uniform among m (the figure the privacy page states)."""
    return Fraction(odds, odds + m - 1)


def randomize(true_value: str, values: Sequence[str], odds: int, draw: Draw = secrets.randbelow) -> str:
    """The value to count for one item: one draw from 0 .. odds + m − 2.

    Below `odds`: the true value; each of the remaining m − 1 numbers names one other value.
    """
    if true_value not in values:
        raise ValueError(f"{true_value!r} is not one of {list(values)!r}")
    if not MIN_ODDS <= odds <= MAX_ODDS:
        raise ValueError(f"odds {odds} outside {MIN_ODDS}..{MAX_ODDS}")
    others = [v for v in values if v != true_value]
    r = draw(odds + len(others))
    return true_value if r < odds else others[r - odds]


def rerandomize(
    counted: str, values: Sequence[str], from_odds: int, to_odds: int, draw: Draw = secrets.randbelow
) -> str:
    """A value already randomized at `from_odds`, randomized further so that, from the true
    value, it is exactly as if randomized once at the stronger `to_odds`.

    Randomized response with keep probabilities p1 then p2 is randomized response with p1·p2,
    so p2 = p(to)/p(from). Post-processing: it can only lose information, never add any.
    """
    if to_odds > from_odds:
        raise ValueError("rerandomizing can only make a value more deniable")
    if to_odds == from_odds:
        return counted
    m = len(values)
    keep = keep_probability(to_odds, m) / keep_probability(from_odds, m)
    # P(same) = keep + (1 − keep)/m and P(each other) = (1 − keep)/m, over the denominator of
    # the latter (keep = 1 − m·other, so the former is a whole number of its parts too).
    other = (1 - keep) / m
    same = int((keep + other) * other.denominator)
    others = [v for v in values if v != counted]
    r = draw(same + (m - 1) * other.numerator)
    if r < same:
        return counted
    return others[(r - same) // other.numerator]


@dataclass(frozen=True)
class Item:
    """One counted item: its counter metric, the values it can take, and the visitor's true value."""

    metric: str
    values: tuple[str, ...]
    true_value: str


@dataclass(frozen=True)
class Counted:
    """What is counted for one item in one scope: only the randomized value ever leaves here."""

    metric: str
    value: str
    changed: bool  # the coin replaced the true value (told to the visitor alone, in their cookie)


def randomize_items(items: Sequence[Item], odds: int, draw: Draw = secrets.randbelow) -> tuple[Counted, ...]:
    return tuple(_counted(item, randomize(item.true_value, item.values, odds, draw)) for item in items)


def rerandomize_items(
    items: Sequence[Item], counted: Sequence[Counted], from_odds: int, to_odds: int, draw: Draw = secrets.randbelow
) -> tuple[Counted, ...]:
    by_metric: Mapping[str, Counted] = {c.metric: c for c in counted}
    return tuple(
        _counted(item, rerandomize(by_metric[item.metric].value, item.values, from_odds, to_odds, draw))
        for item in items
    )


def _counted(item: Item, value: str) -> Counted:
    return Counted(item.metric, value, value != item.true_value)
