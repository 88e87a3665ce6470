"""The room a visitor joined, kept only in their own session cookie."""

from __future__ import annotations

from flask import session
from sqlalchemy.orm import Session

from .. import tally
from ..models import Room
from . import store

KEY = "room"


def join(room: Room) -> None:
    session[KEY] = room.id


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


def counting_scopes(db: Session) -> list[str]:
    """Where a finished quiz or myth round is counted: everyone, and the visitor's open room if any."""
    room = joined_room(db)
    return [tally.GLOBAL] if room is None else [tally.GLOBAL, room.scope]
