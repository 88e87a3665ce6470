"""Geometry for the server-drawn SVG charts. Templates draw; this only measures."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

from .scoring import BANDS, SCORE_MAX, SCORE_MIN

if TYPE_CHECKING:
    from flask import Flask

# The gauge: a half circle, 350 at the left end, 950 at the right.
CX, CY, R = 110.0, 110.0, 90.0


def _point(score: float, radius: float = R) -> tuple[float, float]:
    angle = math.pi * (1 - (score - SCORE_MIN) / (SCORE_MAX - SCORE_MIN))
    return round(CX + radius * math.cos(angle), 2), round(CY - radius * math.sin(angle), 2)


@dataclass(frozen=True)
class Arc:
    band: str
    path: str
    active: bool


@dataclass(frozen=True)
class Gauge:
    arcs: tuple[Arc, ...]
    needle: tuple[float, float]
    center: tuple[float, float] = (CX, CY)


def gauge(score: int, band: str) -> Gauge:
    arcs = []
    for band_id, low, high in BANDS:
        start = _point(low)
        end = _point(min(high + 1, SCORE_MAX))
        arcs.append(Arc(band_id, f"M {start[0]} {start[1]} A {R} {R} 0 0 1 {end[0]} {end[1]}", band_id == band))
    return Gauge(tuple(arcs), _point(score, R - 22))


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


def init_templates(app: Flask) -> None:
    app.jinja_env.globals.update(gauge=gauge, scale_x=scale_x, score_scale=score_scale)
