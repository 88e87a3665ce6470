"""Geometry for the server-drawn SVG charts. Templates draw; this only measures."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

from .scoring import BANDS, SCORE_MAX, SCORE_MIN, START

if TYPE_CHECKING:
    from flask import Flask

# The gauge: a half circle, 350 at the left end, 950 at the right.
CX, CY, R = 110.0, 110.0, 90.0
NEEDLE = R - 22


def _point(score: float, radius: float = R) -> tuple[float, float]:
    angle = math.pi * (1 - (score - SCORE_MIN) / (SCORE_MAX - SCORE_MIN))
    return round(CX + radius * math.cos(angle), 2), round(CY - radius * math.sin(angle), 2)


def turn(score: float) -> float:
    """Degrees clockwise from the 350 end to a score: 0 at 350, 90 at 650, 180 at 950."""
    return round(180 * (score - SCORE_MIN) / (SCORE_MAX - SCORE_MIN), 2)


@dataclass(frozen=True)
class Arc:
    band: str
    path: str
    active: bool


@dataclass(frozen=True)
class Tick:
    """A mark across the dial's ring at one score, and where its label sits outside it."""

    inner: tuple[float, float]
    outer: tuple[float, float]
    label: tuple[float, float]


@dataclass(frozen=True)
class Gauge:
    arcs: tuple[Arc, ...]
    # The needle is drawn pointing at 350 and turned: first to the start (start_turn), then,
    # in an inner group, by sweep more. CSS animates only the inner turn from 0 to its
    # attribute value, so the sweep runs from the start to the score, whatever the score.
    start_turn: float
    sweep: float
    start: Tick
    average: Tick | None = None
    average_range: str | None = None  # an arc path over the average's 95% range
    center: tuple[float, float] = (CX, CY)
    needle_length: float = NEEDLE
    low: int = SCORE_MIN  # the scale's ends, for a script that reads a score off the needle's turn
    high: int = SCORE_MAX


def _tick(score: float) -> Tick:
    return Tick(_point(score, R - 12), _point(score, R + 12), _point(score, R + 21))


def _arc(low: float, high: float, radius: float = R) -> str:
    start, end = _point(low, radius), _point(high, radius)
    return f"M {start[0]} {start[1]} A {radius} {radius} 0 0 1 {end[0]} {end[1]}"


def gauge(score: int, band: str, average: tuple[int, int, int] | None = None) -> Gauge:
    """The dial for a score; `average` (estimate, low, high) marks everyone's estimated average."""
    arcs = tuple(Arc(b, _arc(low, min(high + 1, SCORE_MAX)), b == band) for b, low, high in BANDS)
    mark = rng = None
    if average is not None:
        estimate, low, high = average
        mark = _tick(estimate)
        rng = _arc(low, high, R + 12) if high > low else None
    return Gauge(
        arcs,
        start_turn=turn(START),
        sweep=round(turn(score) - turn(START), 2),
        start=_tick(START),
        average=mark,
        average_range=rng,
    )


@dataclass(frozen=True)
class Segment:
    band: str
    x: float  # percent of the scale's width
    width: float


def scale_x(score: float) -> float:
    """Where a score sits on a straight 350-950 scale, in percent of its width."""
    return round(100 * (min(SCORE_MAX, max(SCORE_MIN, score)) - SCORE_MIN) / (SCORE_MAX - SCORE_MIN), 2)


def score_scale() -> tuple[Segment, ...]:
    """The bands as segments of the straight scale the projector's score slide draws."""
    return tuple(
        Segment(band_id, scale_x(low), round(scale_x(min(high + 1, SCORE_MAX)) - scale_x(low), 2))
        for band_id, low, high in BANDS
    )


class Percents(Protocol):
    """A share in whole percentages (app/disclosure/figures.py, Shown)."""

    @property
    def percent(self) -> int: ...
    @property
    def low(self) -> int: ...
    @property
    def high(self) -> int: ...


@dataclass(frozen=True)
class ShareBar:
    """One share on a track 0..100 wide: a solid bar from zero to the estimate, and the 95%
    range as a thin whisker with end caps. The bar's length is the estimate alone, so equal
    shares are equal bars, and the range can never be mistaken for the bar.

    `label` says how the figure is printed: "share" (50%, 40% to 60%), "zero" (≈ 0%, up to
    the range's high) or "full" (≈ 100%, at least its low)."""

    width: int
    low: int
    high: int
    label: str
    site: int | None = None  # the site's estimate, marked across the track

    @property
    def whisker(self) -> bool:
        return self.high > self.low


def _clamp(x: int) -> int:
    return min(100, max(0, x))


def share_bar(shown: Percents, site: Percents | None = None) -> ShareBar:
    label = "zero" if shown.percent <= 0 else "full" if shown.percent >= 100 else "share"
    return ShareBar(
        _clamp(shown.percent),
        _clamp(shown.low),
        _clamp(shown.high),
        label,
        None if site is None else _clamp(site.percent),
    )


def init_templates(app: Flask) -> None:
    app.jinja_env.globals.update(gauge=gauge, scale_x=scale_x, score_scale=score_scale, share_bar=share_bar)
