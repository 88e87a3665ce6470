"""A visitor's progress through an activity, kept only in their own signed session cookie.

The quiz and the myth round each keep one small dict under their own key: what was
answered so far, and, once it was counted, exactly the counters the tally added 1 to
(the data receipt reads them back from there). Nothing of it is stored on the server.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from flask import session

from .tally import CounterKey


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

    def mark_counted(self, keys: Sequence[CounterKey]) -> None:
        """Keep the tally's own list of what it incremented."""
        self.update(counted=[[k.scope, k.metric, k.value] for k in keys], count_failed=None)

    def clear(self) -> None:
        session.pop(self.key, None)
