"""The schema: aggregate counters of randomized values, the workshop rooms they can be
counted in, and the spent tokens that make a finished quiz count once.

No table has a row per visitor's answers: a room is a row per facilitator's room, its
results are counters under the room's scope like any other, and a spent token holds
nothing but a hash and a day.
"""

from __future__ import annotations

from datetime import date
from typing import ClassVar

from sqlalchemy import BigInteger, Boolean, Date, Integer, String, Table
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

ROOM_SCOPE_PREFIX = "room:"


class Base(DeclarativeBase):
    # Declarative gives every model a Table; typed as one, so Core statements can use it.
    __table__: ClassVar[Table]


class Counter(Base):
    """One count, keyed by where it was counted, what was counted and which value.

    scope: "global", or a room's scope; odds: the level (e^ε) its values were randomized
    at; metric: "completions", "answer:<question>", "chilling", "myth_rounds" or
    "myth:<statement>"; value: the option (or right/wrong) as randomized before it was
    counted. Every row of a scope is created at zero with the scope, so neither row order
    nor row count says anything about who came first.

    Counts made at one level are never added to counts made at another: de-biasing them
    needs the level they were made at. A site whose EPSILON_ODDS changes starts new rows at
    the new level; the old ones are kept, and not read.
    """

    __tablename__ = "counter"

    scope: Mapped[str] = mapped_column(String(40), primary_key=True)
    odds: Mapped[int] = mapped_column(Integer, primary_key=True)
    metric: Mapped[str] = mapped_column(String(60), primary_key=True)
    value: Mapped[str] = mapped_column(String(40), primary_key=True)
    count: Mapped[int] = mapped_column(BigInteger, nullable=False, default=0)


class SpentToken(Base):
    """A finished quiz or myth round that was counted: the SHA-256 of the random token the
    visitor's cookie got when it started, so that replaying the cookie counts nothing more.

    It holds no answer, no scope and no time finer than the day it may be deleted (the
    token is refused after that day anyway). Written in the same transaction as the counters.
    """

    __tablename__ = "spent_token"

    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    expires_on: Mapped[date] = mapped_column(Date, nullable=False, index=True)


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
    # e^ε of the room's randomized response (a whole number), chosen when it was opened.
    odds: Mapped[int] = mapped_column(Integer, nullable=False, default=4)
    # Closed by its facilitator: no new finished quiz or myth round is counted in it.
    closed: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    # How many visitors joined (each once, when their cookie first takes the room): a count of
    # joins, linked to nothing, for the lobby's "N joined" before anyone finishes.
    joined: Mapped[int] = mapped_column(Integer, nullable=False, default=0)

    @property
    def scope(self) -> str:
        """The counter scope of this room (at most 21 characters, within the 40 allowed)."""
        return ROOM_SCOPE_PREFIX + self.id
