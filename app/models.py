"""The schema: aggregate counters, and the workshop rooms they can be counted in.

No table has a row per visitor: a room is a row per facilitator's room, and its
results are counters under the room's scope like any other.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import BigInteger, Date, String
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

ROOM_SCOPE_PREFIX = "room:"


class Base(DeclarativeBase):
    pass


class Counter(Base):
    """One count, keyed by where it was counted, what was counted and which value.

    scope: "global", or a room's scope; metric: "answer:<question>", "band",
    "bucket" or "completions"; value: the option id, band id or bucket start.
    """

    __tablename__ = "counter"

    scope: Mapped[str] = mapped_column(String(40), primary_key=True)
    metric: Mapped[str] = mapped_column(String(60), primary_key=True)
    value: Mapped[str] = mapped_column(String(40), primary_key=True)
    count: Mapped[int] = mapped_column(BigInteger, nullable=False, default=0)


class ShownCounter(Base):
    """The counters as last published, copied whole every k-th completion of a scope.

    Pages read these, never the live counters, so what anyone can watch moves only
    in steps of k finished quizzes and one person's answers never show alone.
    """

    __tablename__ = "shown_counter"

    scope: Mapped[str] = mapped_column(String(40), primary_key=True)
    metric: Mapped[str] = mapped_column(String(60), primary_key=True)
    value: Mapped[str] = mapped_column(String(40), primary_key=True)
    count: Mapped[int] = mapped_column(BigInteger, nullable=False, default=0)


class Room(Base):
    """A workshop room: a join code, and the hash of the presenter's secret.

    Only the day it expires is stored (no creation time, nothing finer than a day).
    Its results are counters under `scope`; they are deleted with the room.
    """

    __tablename__ = "room"

    id: Mapped[str] = mapped_column(String(16), primary_key=True)
    code: Mapped[str] = mapped_column(String(8), unique=True, nullable=False)
    title: Mapped[str] = mapped_column(String(80), nullable=False, default="")
    presenter_hash: Mapped[str] = mapped_column(String(64), nullable=False)
    expires_on: Mapped[date] = mapped_column(Date, nullable=False, index=True)
    language: Mapped[str | None] = mapped_column(String(16), nullable=True)

    @property
    def scope(self) -> str:
        """The counter scope of this room (at most 21 characters, within the 40 allowed)."""
        return ROOM_SCOPE_PREFIX + self.id
