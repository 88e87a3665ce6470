"""Rooms in the database: create, find, and delete expired ones with their counters."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from sqlalchemy import Connection, Engine, Select, bindparam, literal, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from ..scoring import Bank, MythRound
from ..store import counters
from ..store.days import today
from ..store.models import ROOM_SCOPE_PREFIX, Room
from . import codes


def is_open(room: Room, on: date | None = None) -> bool:
    return (on or today()) < room.expires_on


@dataclass(frozen=True)
class NewRoom:
    room: Room
    secret: str  # shown once to the facilitator, never stored


@dataclass(frozen=True)
class RoomSettings:
    title: str
    ttl_days: int
    odds: int  # e^ε of the room's randomized response
    language: str | None = None


def create_room(sessions: sessionmaker[Session], settings: RoomSettings, bank: Bank, myths: MythRound) -> NewRoom:
    """A new room with a fresh code and all its counters at zero, in one transaction of its
    own; a new code for the rare collision."""
    for _attempt in range(10):
        secret = codes.new_secret()
        room = Room(
            id=codes.new_room_id(),
            code=codes.new_code(),
            title=settings.title.strip(),
            presenter_hash=codes.secret_hash(secret),
            expires_on=today() + timedelta(days=settings.ttl_days),
            language=settings.language or None,
            odds=settings.odds,
            closed=False,
            joined=0,
        )
        try:
            with sessions.begin() as session:
                session.add(room)
                session.flush()
                counters.create_scope(session, room.scope, room.odds, bank, myths)
        except IntegrityError:
            continue
        return NewRoom(room, secret)
    raise RuntimeError("could not find a free room code")


# Built once: every room page, and every finished quiz of a room member, looks a room up.
_ROOMS = Room.__table__
_ROOM_BY_CODE = select(_ROOMS).where(_ROOMS.c.code == bindparam("code"))
_ROOM_BY_ID = select(_ROOMS).where(_ROOMS.c.id == bindparam("id"))


_ROOM_AND_FINISHED = select(_ROOMS, *counters.finished_columns(literal(ROOM_SCOPE_PREFIX) + _ROOMS.c.id)).where(
    _ROOMS.c.code == bindparam("code")
)


def find_by_code(session: Session, code: str) -> Room | None:
    return _read(session, _ROOM_BY_CODE, {"code": code})


@dataclass(frozen=True)
class Presented:
    """A room as its presenter views see it, with what their figures depend on."""

    room: Room
    finished: int
    myth_rounds: int

    @property
    def etag(self) -> str:
        """Changes whenever anything a presenter view shows may have changed."""
        return f"{self.finished}-{self.myth_rounds}-{int(self.room.closed)}-{self.room.joined}"


def find_presented(session: Session, code: str) -> Presented | None:
    """A room and its finished counts in one query: the projector's poll needs nothing more
    to answer 304."""
    with _own_connection(session) as connection:
        row = connection.execute(_ROOM_AND_FINISHED, {"code": code}).first()
    if row is None:
        return None
    *columns, finished, myth_rounds = row
    room = Room(**dict(zip(_ROOMS.c.keys(), columns, strict=True)))
    return Presented(room, finished or 0, myth_rounds or 0)


def find_by_id(session: Session, room_id: str) -> Room | None:
    return _read(session, _ROOM_BY_ID, {"id": room_id})


def _read(session: Session, query: Select[Any], params: dict[str, str]) -> Room | None:
    """A room as read, for reading only: one query on a connection of its own, outside the
    session's transaction, and built from its row rather than loaded into the session (the
    ORM's way cost more than the rest of a room member's last quiz request)."""
    with _own_connection(session) as connection:
        row = connection.execute(query, params).first()
    return None if row is None else Room(**row._mapping)


def _own_connection(session: Session) -> Connection:
    """A connection of its own from the session's engine, beside the session's transaction."""
    bind = session.get_bind()
    return (bind if isinstance(bind, Engine) else bind.engine).connect()


def count_join(session: Session, room: Room) -> None:
    """Add one to the room's joined count (one atomic statement: concurrent joins all count)."""
    session.execute(update(Room).where(Room.id == room.id).values(joined=Room.joined + 1))


def set_closed(session: Session, room: Room, closed: bool) -> None:
    """Close a room to new finishes (or open it again); its figures stay on the presenter's screens."""
    session.execute(update(Room).where(Room.id == room.id).values(closed=closed))
