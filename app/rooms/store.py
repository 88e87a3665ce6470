"""Rooms in the database: create, find, and delete expired ones with their counters."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from sqlalchemy import Select, bindparam, literal, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from ..counting import start_token as counted_once
from ..scoring import Bank, MythRound
from ..store import counters as tally
from ..store.models import ROOM_SCOPE_PREFIX, Room
from . import codes

PURGE_BATCH = 20  # rooms purged per opportunistic pass, so no request waits long


today = counted_once.today  # rooms know days, never times


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


def create_room(session: Session, settings: RoomSettings, bank: Bank, myths: MythRound) -> NewRoom:
    """A new room with a fresh code and all its counters at zero; retries the rare code collision."""
    purge_expired(session, limit=PURGE_BATCH)
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
        session.add(room)
        try:
            session.flush()
            tally.create_scope(session, room.scope, bank, myths)  # in the room's own transaction
            session.commit()
        except IntegrityError:
            session.rollback()
            continue
        return NewRoom(room, secret)
    raise RuntimeError("could not find a free room code")


# Built once: every room page, and every finished quiz of a room member, looks a room up.
_ROOMS = Room.__table__
_ROOM_BY_CODE = select(_ROOMS).where(_ROOMS.c.code == bindparam("code"))
_ROOM_BY_ID = select(_ROOMS).where(_ROOMS.c.id == bindparam("id"))


_ROOM_AND_FINISHED = select(_ROOMS, *tally.finished_columns(literal(ROOM_SCOPE_PREFIX) + _ROOMS.c.id)).where(
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
    with session.get_bind().connect() as connection:
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
    with session.get_bind().connect() as connection:
        row = connection.execute(query, params).first()
    return None if row is None else Room(**row._mapping)


class RoomClosed(Exception):
    """The room was closed (or deleted) before a count in it could commit; nothing was written."""


_ROOM_CLOSED_SHARED = select(Room.closed).where(Room.id == bindparam("id")).with_for_update(read=True)


def refuse_if_closed(session: Session, room_id: str) -> None:
    """Inside a counting transaction, before its commit: raise RoomClosed if the room is closed
    or gone. On PostgreSQL the room's row stays share-locked until that commit, so a close
    either committed first (and is seen here) or waits for this count; on SQLite the count
    already holds the one write lock, so no close can commit in between."""
    closed = session.execute(_ROOM_CLOSED_SHARED, {"id": room_id}).scalar_one_or_none()
    if closed is None or closed:
        raise RoomClosed(room_id)


def count_join(session: Session, room: Room) -> None:
    """Add one to the room's joined count (one atomic statement: concurrent joins all count)."""
    try:
        session.execute(update(Room).where(Room.id == room.id).values(joined=Room.joined + 1))
        session.commit()
    except Exception:
        session.rollback()
        raise


def set_closed(session: Session, room: Room, closed: bool) -> None:
    """Close a room to new finishes (or open it again); its figures stay on the presenter's screens."""
    try:
        session.execute(update(Room).where(Room.id == room.id).values(closed=closed))
        session.commit()
    except Exception:
        session.rollback()
        raise


def purge_expired(session: Session, *, limit: int | None = None, on: date | None = None) -> int:
    """Delete expired rooms and all their counters, oldest first, and spent tokens past their
    day; returns how many rooms went."""
    day = on or today()
    query = select(Room).where(Room.expires_on <= day).order_by(Room.expires_on)
    if limit is not None:
        query = query.limit(limit)
    try:
        expired = list(session.scalars(query))
        tally.delete_scopes(session, [r.scope for r in expired])
        for room in expired:
            session.delete(room)
        tally.purge_spent_tokens(session, day)
        session.commit()
    except Exception:
        session.rollback()
        raise
    return len(expired)


def purge_orphan_counters(session: Session) -> int:
    """Delete room counters whose room is gone (e.g. a quiz finished while its room was purged)."""
    kept = select(literal(ROOM_SCOPE_PREFIX) + Room.id)
    try:
        deleted = tally.delete_orphan_scopes(session, ROOM_SCOPE_PREFIX, kept)
        session.commit()
    except Exception:
        session.rollback()
        raise
    return deleted
