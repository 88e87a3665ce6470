"""The store knows days, never times: rooms and spent tokens carry the day they expire."""

from __future__ import annotations

from datetime import UTC, date, datetime


def today() -> date:
    """The current day in UTC."""
    return datetime.now(UTC).date()
