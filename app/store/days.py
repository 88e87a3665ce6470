"""The store knows days, never times: rooms and spent tokens carry the day they expire."""

from __future__ import annotations

from datetime import UTC, date, datetime


def now() -> datetime:
    """The current time in UTC: the one clock every day below is read from."""
    return datetime.now(UTC)


def today() -> date:
    """The current day in UTC."""
    return now().date()
