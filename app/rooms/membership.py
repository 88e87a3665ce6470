"""The workshop room a visitor joined: its id in their own cookie, nothing on the server."""

from __future__ import annotations

from flask import session
from sqlalchemy.orm import Session

from ..counting.finish import ROOM_FULL, Outcome
from ..store.models import Room
from . import store


class Membership:
    """The workshop room the visitor joined: its id in the cookie, nothing on the server."""

    def __init__(self, key: str) -> None:
        self.key = key

    def join(self, room: Room) -> bool:
        """Take the room into the cookie; True if this visitor was not in it already."""
        new = session.get(self.key) != room.id
        session[self.key] = room.id
        return new

    def leave(self) -> None:
        session.pop(self.key, None)

    def joined_room(self, db: Session) -> Room | None:
        """The visitor's room if it is still open; a closed or deleted one is forgotten."""
        room_id = session.get(self.key)
        if not isinstance(room_id, str):
            return None
        room = store.find_by_id(db, room_id)
        if room is None or not store.is_open(room):
            self.leave()
            return None
        return room

    def settle(self, outcome: Outcome) -> None:
        """After counting: a member of a room that is full now counts on their own."""
        if outcome.left_room == ROOM_FULL:
            self.leave()


membership = Membership("room")
