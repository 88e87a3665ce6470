"""The schema: aggregate counters only. No table has a row per visitor."""

from __future__ import annotations

from sqlalchemy import BigInteger, String
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


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
