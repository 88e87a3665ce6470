"""Rooms in the database: create, find, and delete expired ones with their counters."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import Select, bindparam, literal, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from .. import tally
from ..models import ROOM_SCOPE_PREFIX, Room
from . import codes

PURGE_BATCH = 20  # rooms purged per opportunistic pass, so no request waits long


def today() -> date:
    """The current day in UTC: rooms know days, never times."""
    return datetime.now(UTC).date()


def is_open(room: Room, on: date | None = None) -> bool:
    return (on or today()) < room.expires_on


@dataclass(frozen=True)
class NewRoom:
    room: Room
    secret: str  # shown once to the facilitator, never stored


def create_room(session: Session, title: str, ttl_days: int, language: str | None = None) -> NewRoom:
    """A new room with a fresh code; retries the rare code collision."""
    purge_expired(session, limit=PURGE_BATCH)
    for _attempt in range(10):
        secret = codes.new_secret()
        room = Room(
            id=codes.new_room_id(),
            code=codes.new_code(),
            title=title.strip(),
            presenter_hash=codes.secret_hash(secret),
            expires_on=today() + timedelta(days=ttl_days),
            language=language or None,
        )
        session.add(room)
        try:
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


def find_by_code(session: Session, code: str) -> Room | None:
    return _read(session, _ROOM_BY_CODE, {"code": code})


def find_by_id(session: Session, room_id: str) -> Room | None:
    return _read(session, _ROOM_BY_ID, {"id": room_id})


def _read(session: Session, query: Select[Any], params: dict[str, str]) -> Room | None:
    """A room as read, for reading only: one query on a connection of its own, outside the
    session's transaction, and built from its row rather than loaded into the session (the
    ORM's way cost more than the rest of a room member's last quiz request)."""
    with session.get_bind().connect() as connection:
        row = connection.execute(query, params).first()
    return None if row is None else Room(**row._mapping)


def purge_expired(session: Session, *, limit: int | None = None, on: date | None = None) -> int:
    """Delete expired rooms and all their counters, oldest first; returns how many rooms went."""
    query = select(Room).where(Room.expires_on <= (on or today())).order_by(Room.expires_on)
    if limit is not None:
        query = query.limit(limit)
    try:
        expired = list(session.scalars(query))
        tally.delete_scopes(session, [r.scope for r in expired])
        for room in expired:
            session.delete(room)
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
