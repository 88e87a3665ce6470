"""The room a visitor joined, kept only in their own session cookie."""

from __future__ import annotations

from flask import session
from sqlalchemy.orm import Session

from ..models import Room
from . import store

KEY = "room"


def join(room: Room) -> bool:
    """Take the room into the cookie; True if this visitor was not in it already."""
    new = session.get(KEY) != room.id
    session[KEY] = room.id
    return new


def leave() -> None:
    session.pop(KEY, None)


def joined_room(db: Session) -> Room | None:
    """The visitor's room if it is still open; a closed or deleted one is forgotten."""
    room_id = session.get(KEY)
    if not isinstance(room_id, str):
        return None
    room = store.find_by_id(db, room_id)
    if room is None or not store.is_open(room):
        leave()
        return None
    return room
