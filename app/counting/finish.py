"""Counting a visitor's finished quiz or myth round: once, deniably, where they were told.

The route hands over the true items (from the visitor's own cookie); this module picks
the scopes and their privacy level (app/counting/items.py), has every item
randomized, and gives the tally only the randomized values, together with the start
token that makes the count happen at most once.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Protocol

from flask import current_app
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from ..disclosure.randomized_response import Counted, Item
from ..rooms import store
from ..store import counters as tally
from ..store.database import get_session
from ..store.models import Room
from ..visitor.state import ALREADY, DATABASE, ROOM_CLOSED, ROOM_FULL, ROOM_STRONGER, STALE, Activity
from ..visitor.state import room as membership
from . import items as counting

log = logging.getLogger(__name__)


class Recorder(Protocol):
    """tally.record_completion or tally.record_myth_round, as a route configures it."""

    def __call__(
        self,
        session: Session,
        counted: Mapping[str, Sequence[Counted]],
        token: tally.Token,
        *,
        before_commit: tally.BeforeCommit | None = None,
    ) -> tuple[tally.CounterKey, ...]: ...


@dataclass
class Outcome:
    keys: tuple[tally.CounterKey, ...] = ()
    changed: dict[tuple[str, str], str] = field(default_factory=dict)  # (scope, metric) -> true value
    not_counted: str | None = None
    left_room: str | None = None


def site_scope() -> counting.Scope:
    return counting.Scope(tally.GLOBAL, current_app.config["EPSILON_ODDS"])


def room_scope(room: Room) -> counting.Scope:
    return counting.Scope(room.scope, room.odds)


def _changed(items: Sequence[Item], counted: Mapping[str, Sequence[Counted]]) -> dict[tuple[str, str], str]:
    truth = {item.metric: item.true_value for item in items}
    return {(scope, c.metric): truth[c.metric] for scope, values in counted.items() for c in values if c.changed}


def _still_open(room: Room | None) -> tally.BeforeCommit:
    """The room check, made inside the counting transaction: a close that commits first refuses the count."""

    def check(session: Session) -> None:
        if room is not None:
            store.refuse_if_closed(session, room.id)

    return check


def count_finished(state: Activity, items: Sequence[Item], record: Recorder) -> Outcome:
    """Count once, in the visitor's scopes; the outcome says what was written, or why nothing was."""
    token = state.token()
    if token is None:
        state.record_outcome((), {}, STALE, None)
        return Outcome(not_counted=STALE)
    db = get_session()
    outcome = Outcome()
    try:
        room = membership.joined_room(db)
        if room is not None and room.closed:
            outcome.left_room = ROOM_CLOSED
        scopes = counting.plan(site_scope(), room_scope(room) if room is not None and not room.closed else None)
        if outcome.left_room and room is not None and room.odds < site_scope().odds:
            scopes = ()  # the site's level would be weaker than the room promised this visitor
        while scopes:
            counted = counting.randomize_for(items, scopes)
            in_room = room is not None and room.scope in counted
            try:
                outcome.keys = record(db, counted, token, before_commit=_still_open(room) if in_room else None)
            except (tally.ScopeFull, store.RoomClosed) as refused:
                if isinstance(refused, tally.ScopeFull):
                    membership.leave()
                outcome.left_room = ROOM_FULL if isinstance(refused, tally.ScopeFull) else ROOM_CLOSED
                site = site_scope()
                scopes = (site,) if room is not None and room.odds >= site.odds else ()
                continue
            outcome.changed = _changed(items, counted)
            break
        else:
            outcome.not_counted = ROOM_STRONGER
    except tally.AlreadyCounted:
        outcome.not_counted = ALREADY
    except SQLAlchemyError as exc:
        # The visitor still gets their result; the page says it was not counted.
        log.warning("not counted: database error %s", type(exc).__name__)
        outcome.not_counted = DATABASE
    state.record_outcome(outcome.keys, outcome.changed, outcome.not_counted, outcome.left_room)
    return outcome
