"""The workshop room a visitor joined: its id in their own cookie, nothing on the server."""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence

from flask import session
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from ..counting.finish import DATABASE, ROOM_FULL, Outcome
from ..counting.randomized_response import Item
from ..counting.start_token import Token
from ..store.database import get_session
from ..store.models import Room
from . import store

log = logging.getLogger(__name__)

# count_quiz or count_myth_round (app/counting/finish.py)
Counter = Callable[[Token | None, Sequence[Item], Room | None], Outcome]


# Rooms this browser has joined, newest last: joining one again (switching back and forth
# between two, or after leaving) adds nobody to its "joined" figure. Ids are random; a few
# suffice, as a browser is in one workshop at a time.
REMEMBERED = 8


class Membership:
    """The workshop room the visitor joined, and the few rooms they joined before: their ids
    in the cookie, nothing on the server."""

    def __init__(self, key: str, joined_key: str) -> None:
        self.key = key
        self.joined_key = joined_key

    def join(self, room: Room) -> bool:
        """Take the room into the cookie; True the first time this browser joins it."""
        joined = self._joined()
        session[self.key] = room.id
        if room.id in joined:
            return False
        session[self.joined_key] = [*joined, room.id][-REMEMBERED:]
        return True

    def _joined(self) -> list[str]:
        raw = session.get(self.joined_key)
        return [r for r in raw if isinstance(r, str)] if isinstance(raw, list) else []

    def room_id(self) -> str | None:
        """The id of the room in the cookie, unchecked (for keys; joined_room() checks it)."""
        room_id = session.get(self.key)
        return room_id if isinstance(room_id, str) else None

    def leave(self) -> None:
        """Out of the room; it stays remembered as joined (coming back adds nobody)."""
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

    def count(self, count: Counter, token: Token | None, items: Sequence[Item]) -> Outcome:
        """Count a finished run where this visitor was told it would be: in their room (if it is
        still open) and the site. A database that cannot be reached, even for the room, counts
        nothing (never the site alone: a stronger room's member would be counted at the site's
        weaker level). A member of a room that is full from now on counts on their own."""
        try:
            room = self.joined_room(get_session())
        except SQLAlchemyError as exc:
            log.warning("not counted: database error %s", type(exc).__name__)
            return Outcome(not_counted=DATABASE)
        outcome = count(token, items, room)
        if outcome.left_room == ROOM_FULL:
            self.leave()
        return outcome


membership = Membership("room", "rooms_joined")
