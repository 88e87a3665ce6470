"""Counting a finished quiz or myth round: once, deniably, where the visitor was told.

The route hands over the true items (from the visitor's own cookie), the start token and
the room the visitor joined. Here, and nowhere else:

1. the scopes and their level (items.plan: a room stronger than the site is never counted
   in the site's figures);
2. every item randomized, once: the true values stop here;
3. one transaction: spend the token, add 1 to each counter, check the room's cap and that
   the room is still open, commit. Nothing is ever half-written.

If the room turns out full or closed, the site's values of the same draw are counted alone.
The coin is never tossed again: the aborted attempt's values can stay in the database's own
log, and a second draw would spend the visitor's privacy twice.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from flask import current_app
from sqlalchemy import bindparam, select
from sqlalchemy.exc import IntegrityError, OperationalError, SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from ..store import counters, waits
from ..store.database import get_database
from ..store.models import Room
from .items import completion_keys, plan, randomize_for
from .randomized_response import Counted, Item
from .scopes import room_scope, site_scope
from .start_token import Token

log = logging.getLogger(__name__)

# Why a finished run was not counted (its result page words each one).
DATABASE, ALREADY, STALE, ROOM_STRONGER = "database", "already", "stale", "room_stronger"
# Why a room member was not counted in their room.
ROOM_FULL, ROOM_CLOSED = "full", "closed"

# Lock waits that a second try usually gets past: SQLite's "database is locked" after the
# busy timeout, PostgreSQL's deadlock and serialization failures. Anything else is an outage.
# Every try waits within the request's one deadline (app/store/waits.py), never past it.
TRANSIENT = ("database is locked", "deadlock detected", "could not serialize")
ATTEMPTS = 3


@dataclass
class Outcome:
    """What counting did: exactly the counters it added 1 to, or why nothing was written."""

    keys: tuple[counters.CounterKey, ...] = ()
    changed: dict[tuple[str, str], str] = field(default_factory=dict)  # (scope, metric) -> true value
    not_counted: str | None = None
    left_room: str | None = None


class AlreadyCounted(Exception):
    """The start token was already spent: this quiz or round was counted; nothing was written."""


class ScopeFull(Exception):
    """A room already counted as many quizzes as its cap allows; nothing was written."""


class RoomClosed(Exception):
    """The room was closed (or deleted) before the count could commit; nothing was written."""


def count_quiz(token: Token | None, items: Sequence[Item], room: Room | None) -> Outcome:
    return count_finished(
        token, items, room, total=counters.COMPLETIONS, cap=current_app.config["ROOM_MAX_PARTICIPANTS"]
    )


def count_myth_round(token: Token | None, items: Sequence[Item], room: Room | None) -> Outcome:
    return count_finished(token, items, room, total=counters.MYTH_ROUNDS, cap=None)


def count_finished(
    token: Token | None, items: Sequence[Item], room: Room | None, *, total: str, cap: int | None
) -> Outcome:
    """Count once, in the visitor's scopes; the outcome says what was written, or why nothing was."""
    if token is None:
        return Outcome(not_counted=STALE)
    site = site_scope()
    outcome = Outcome()
    open_room = room if room is not None and not room.closed else None
    if room is not None and open_room is None:
        outcome.left_room = ROOM_CLOSED
    scopes = plan(site, room_scope(room) if room is not None else None)
    if open_room is None:
        scopes = tuple(s for s in scopes if s == site)  # the site's, if it keeps the room's promise
    if not scopes:
        outcome.not_counted = ROOM_STRONGER
        return outcome
    counted = randomize_for(items, scopes)  # the one draw of the coin for this run
    levels = {s.name: s.odds for s in scopes}  # each scope's rows are those of its level
    try:
        try:
            outcome.keys = write(get_database().sessions, counted, levels, token, total, cap=cap, room=open_room)
        except (ScopeFull, RoomClosed) as refused:
            outcome.left_room = ROOM_FULL if isinstance(refused, ScopeFull) else ROOM_CLOSED
            if site.name not in counted:
                outcome.not_counted = ROOM_STRONGER
                return outcome
            counted = {site.name: counted[site.name]}  # the same draw's site values, never a fresh one
            outcome.keys = write(get_database().sessions, counted, levels, token, total)
        outcome.changed = _changed(items, counted)
    except AlreadyCounted:
        outcome.not_counted = ALREADY
    except SQLAlchemyError as exc:
        # The visitor still gets their result; the page says it was not counted.
        log.warning("not counted: database error %s", type(exc).__name__)
        outcome.not_counted = DATABASE
    return outcome


def _changed(items: Sequence[Item], counted: Mapping[str, Sequence[Counted]]) -> dict[tuple[str, str], str]:
    truth = {item.metric: item.true_value for item in items}
    return {(scope, c.metric): truth[c.metric] for scope, values in counted.items() for c in values if c.changed}


def write(
    sessions: sessionmaker[Session],
    counted: Mapping[str, Sequence[Counted]],
    levels: Mapping[str, int],
    token: Token,
    total: str,
    *,
    cap: int | None = None,
    room: Room | None = None,
) -> tuple[counters.CounterKey, ...]:
    """Spend the token and add the randomized values, in one transaction of a fresh session,
    tried again on a lock wait while the request's deadline allows; returns exactly the
    counters written.
    Raises AlreadyCounted, ScopeFull (a room past `cap`) or RoomClosed, having written nothing."""
    keys = completion_keys(counted, total)
    attempt = 0
    while True:
        attempt += 1
        try:
            with sessions.begin() as session:
                _spend_and_add(session, keys, levels, token, total, cap, room)
        except OperationalError as error:
            left = waits.remaining()  # a request's waits end at its deadline, however many tries
            if attempt == ATTEMPTS or not _is_transient(error) or left == 0:
                raise
            time.sleep(0.05 * attempt if left is None else min(0.05 * attempt, left))
        else:
            return keys


def _spend_and_add(
    session: Session,
    keys: Sequence[counters.CounterKey],
    levels: Mapping[str, int],
    token: Token,
    total: str,
    cap: int | None,
    room: Room | None,
) -> None:
    """The token goes first: a replay fails on its primary key before any counter is touched
    (on PostgreSQL a concurrent replay waits for the first to commit, then fails). The totals
    come back from the increment itself, so those rows stay locked until commit: concurrent
    completions of the same scope wait, and the cap cannot be passed by two at once."""
    try:
        counters.spend_token(session, token.token_hash, token.expires_on)
    except IntegrityError:
        raise AlreadyCounted from None
    totals = counters.increment(session, keys, total, levels)
    if cap is not None and any(scope != counters.GLOBAL and n > cap for scope, n in totals.items()):
        raise ScopeFull
    if room is not None:
        _refuse_if_closed(session, room.id)


_ROOM_CLOSED_SHARED = select(Room.closed).where(Room.id == bindparam("id")).with_for_update(read=True)


def _refuse_if_closed(session: Session, room_id: str) -> None:
    """Before the commit: raise RoomClosed if the room is closed or gone. On PostgreSQL the
    room's row stays share-locked until that commit, so a close either committed first (and
    is seen here) or waits for this count; on SQLite the count already holds the one write
    lock, so no close can commit in between."""
    closed = session.execute(_ROOM_CLOSED_SHARED, {"id": room_id}).scalar_one_or_none()
    if closed is None or closed:
        raise RoomClosed(room_id)


def _is_transient(error: OperationalError) -> bool:
    text = str(error.orig).lower()
    return any(marker in text for marker in TRANSIENT)
