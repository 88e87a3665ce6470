"""A visitor's progress through an activity, kept only in their own signed session cookie.

The quiz and the myth round each keep one small dict under their own key: what was
answered so far, the start token that makes it count once (app/counted_once.py), and,
once it was counted, exactly the counters the tally added 1 to and which of those values
the coin changed (the data receipt reads them back from there). Nothing of it is stored
on the server.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from flask import session

from . import counted_once
from .tally import CounterKey, Token

# Why a finished run was not counted (its result page words each one).
DATABASE, ALREADY, STALE, ROOM_STRONGER = "database", "already", "stale", "room_stronger"
# Why a room member was not counted in their room.
ROOM_FULL, ROOM_CLOSED = "full", "closed"


class CookieState:
    def __init__(self, key: str) -> None:
        self.key = key

    def read(self) -> dict[str, Any]:
        """The activity's state; anything that is not a dict (say, an old cookie) counts as none."""
        state = session.get(self.key)
        return state if isinstance(state, dict) else {}

    def update(self, **fields: Any) -> None:
        """Set these fields; a field set to None is removed."""
        state = self.read()
        for name, value in fields.items():
            if value is None:
                state.pop(name, None)
            else:
                state[name] = value
        session[self.key] = state

    def flag(self, name: str) -> bool:
        return bool(self.read().get(name))

    def counted_keys(self) -> tuple[CounterKey, ...] | None:
        """Exactly the counters this run added 1 to, as the tally returned them; None if not counted."""
        raw = self.read().get("counted")
        if not isinstance(raw, list):
            return None
        keys = [CounterKey(*item) for item in raw if isinstance(item, list) and len(item) == 3]
        return tuple(keys) if len(keys) == len(raw) else None

    def mark_counted(self, keys: Sequence[CounterKey], changed: Mapping[tuple[str, str], str]) -> None:
        """Keep the tally's own list of what it incremented, and, for each (scope, metric)
        whose value the coin changed, the visitor's true value."""
        self.update(
            counted=[[k.scope, k.metric, k.value] for k in keys],
            coin=[[scope, metric, true] for (scope, metric), true in changed.items()],
            not_counted=None,
        )

    def coin_changed(self) -> dict[tuple[str, str], str]:
        """(scope, metric) -> the true value, for each counted value the coin changed."""
        raw = self.read().get("coin")
        if not isinstance(raw, list):
            return {}
        return {
            (item[0], item[1]): item[2]
            for item in raw
            if isinstance(item, list) and len(item) == 3 and all(isinstance(part, str) for part in item)
        }

    def record_outcome(
        self,
        keys: Sequence[CounterKey],
        changed: Mapping[tuple[str, str], str],
        not_counted: str | None,
        left_room: str | None,
    ) -> None:
        """What counting did: the counters written (and the coin's changes), or why nothing was."""
        if keys:
            self.mark_counted(keys, changed)
        self.update(not_counted=not_counted, left_room=left_room)

    def not_counted(self) -> str | None:
        reason = self.read().get("not_counted")
        return reason if isinstance(reason, str) else None

    def left_room(self) -> str | None:
        reason = self.read().get("left_room")
        return reason if isinstance(reason, str) else None

    def start(self) -> None:
        """Issue the start token if this run has none yet (the first answer, or the round's page)."""
        if not isinstance(self.read().get("start"), dict):
            self.update(start=counted_once.new_token())

    def token(self) -> Token | None:
        """The start token, hashed, if it may still be counted."""
        return counted_once.spendable(self.read().get("start"))

    def has_token(self) -> bool:
        return isinstance(self.read().get("start"), dict)

    def clear(self) -> None:
        session.pop(self.key, None)
