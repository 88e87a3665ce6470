"""The aggregate store: the one place that writes counters and the one that reads them.

Only randomized values arrive here (app/counting/items.py makes them): a finished
quiz adds 1 to its scope's finished count and to the counted value of each item, and so
does a finished round of myth or real. Each write is one multi-row INSERT ... ON CONFLICT
DO UPDATE, so concurrent workers and machines never lose or double an increment, and no
row ever stands for one person. Every row of a scope is created at zero when the scope is
(the site's at start, a room's when it opens), so the rows' order and number say nothing.

A count is made once: the visitor's start token is spent, by inserting its hash, in the
same transaction as the counters; a replayed cookie finds it spent and writes nothing.
"""

from __future__ import annotations

import functools
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import NamedTuple

from sqlalchemy import Delete, Insert, ScalarSelect, Select, bindparam, delete, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import Session
from sqlalchemy.sql import ColumnElement

from ..counting.items import ANSWER_PREFIX, CHILLING, CHILLING_IDS, MYTH_PREFIX, RIGHT, WRONG
from ..disclosure.randomized_response import Counted
from ..scoring import Bank, MythRound
from .models import Counter, SpentToken

__all__ = ["ANSWER_PREFIX", "CHILLING", "MYTH_PREFIX", "RIGHT", "WRONG"]

GLOBAL = "global"
COMPLETIONS = "completions"
MYTH_ROUNDS = "myth_rounds"


class CounterKey(NamedTuple):
    """One counter that a completion adds 1 to (a tuple: sorting a quiz's keys is C work)."""

    scope: str
    metric: str
    value: str


def scope_keys(scope: str, bank: Bank, myths: MythRound) -> tuple[CounterKey, ...]:
    """Every counter a scope can ever hold, for the bank and round in use, in key order."""
    keys = [CounterKey(scope, COMPLETIONS, ""), CounterKey(scope, MYTH_ROUNDS, "")]
    keys.extend(CounterKey(scope, ANSWER_PREFIX + q.id, o.id) for q in bank.questions for o in q.options)
    keys.extend(CounterKey(scope, CHILLING, c) for c in CHILLING_IDS)
    keys.extend(CounterKey(scope, MYTH_PREFIX + s.id, v) for s in myths.statements for v in (RIGHT, WRONG))
    return tuple(sorted(keys))


def create_scope(session: Session, scope: str, bank: Bank, myths: MythRound) -> None:
    """Every counter of a scope at zero, in key order; rows that exist are left as they are.
    The caller commits (a room's counters are made in the room's own transaction)."""
    connection = session.connection()
    table = Counter.__table__
    upsert = postgresql.insert if connection.dialect.name == "postgresql" else sqlite.insert
    rows = [
        {"scope": k.scope, "metric": k.metric, "value": k.value, "count": 0} for k in scope_keys(scope, bank, myths)
    ]
    connection.execute(upsert(table).on_conflict_do_nothing(index_elements=["scope", "metric", "value"]), rows)


def create_scope_now(session: Session, scope: str, bank: Bank, myths: MythRound) -> None:
    try:
        create_scope(session, scope, bank, myths)
        session.commit()
    except Exception:
        session.rollback()
        raise


def completion_keys(counted: Mapping[str, Sequence[Counted]], total: str = COMPLETIONS) -> tuple[CounterKey, ...]:
    """Every counter one finished quiz (or, with total=MYTH_ROUNDS, myth round) adds 1 to.

    Sorted, so that concurrent multi-row upserts on PostgreSQL lock rows in the same
    order and cannot deadlock.
    """
    keys: list[CounterKey] = []
    for scope, values in counted.items():
        keys.append(CounterKey(scope, total, ""))
        keys.extend(CounterKey(scope, c.metric, c.value) for c in values)
    return tuple(sorted(keys))


@functools.cache
def _increment_statement(dialect: str) -> Insert:
    """INSERT ... VALUES (...), (...) ON CONFLICT DO UPDATE count = count + 1 RETURNING the
    new counts, built once per dialect. SQLAlchemy sends the rows as one multi-row statement
    and compiles it once per process; rows are written in key order."""
    table = Counter.__table__
    upsert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    stmt = upsert(table)
    return stmt.on_conflict_do_update(
        index_elements=[table.c.scope, table.c.metric, table.c.value],
        set_={"count": table.c.count + stmt.excluded.count},
    ).returning(table.c.scope, table.c.metric, table.c.value, table.c.count)


def _upsert_increment(session: Session, keys: Sequence[CounterKey], total: str) -> dict[str, int]:
    """Add 1 to every key's counter; returns each scope's new `total` (read from the rows just
    written, which this transaction now holds locked)."""
    rows = [{"scope": k.scope, "metric": k.metric, "value": k.value, "count": 1} for k in keys]
    connection = session.connection()
    written = connection.execute(_increment_statement(connection.dialect.name), rows)
    return {scope: count for scope, metric, value, count in written if metric == total and value == ""}


class ScopeFull(Exception):
    """A room already counted as many quizzes as its cap allows; nothing was written."""

    def __init__(self, scope: str) -> None:
        super().__init__(scope)
        self.scope = scope


class AlreadyCounted(Exception):
    """The start token was already spent: this quiz or round was counted; nothing was written."""


@dataclass(frozen=True)
class Token:
    """The hash of a visitor's start token, and the day after which it is refused and deleted."""

    token_hash: str
    expires_on: date


# Lock waits that a second try usually gets past: SQLite's "database is locked" after the
# busy timeout, PostgreSQL's deadlock and serialization failures. Anything else is an outage.
TRANSIENT = ("database is locked", "deadlock detected", "could not serialize")
ATTEMPTS = 3


def _is_transient(error: OperationalError) -> bool:
    text = str(error.orig).lower()
    return any(marker in text for marker in TRANSIENT)


_SPEND = SpentToken.__table__.insert()

# A last check inside the counting transaction, after the counters are written and before the
# commit (e.g. that the visitor's room is still open); it raises to write nothing.
BeforeCommit = Callable[[Session], None]


def _write(
    session: Session,
    keys: Sequence[CounterKey],
    total: str,
    token: Token,
    cap: int | None,
    before_commit: BeforeCommit | None = None,
) -> None:
    """Spend the token, increment, check the cap, run `before_commit`, commit: one transaction.

    The token goes first: a replay fails on its primary key before any counter is touched
    (on PostgreSQL a concurrent replay waits for the first to commit, then fails). The
    totals come back from the increment itself, so those rows stay locked until commit:
    concurrent completions of the same scope wait, and the cap cannot be passed by two at once.
    """
    try:
        session.connection().execute(_SPEND, {"token_hash": token.token_hash, "expires_on": token.expires_on})
    except IntegrityError:
        raise AlreadyCounted from None
    counts = _upsert_increment(session, keys, total)
    if cap is not None:
        for scope, count in counts.items():
            if scope != GLOBAL and count > cap:
                raise ScopeFull(scope)
    if before_commit is not None:
        before_commit(session)
    session.commit()


def _record(
    session: Session,
    keys: tuple[CounterKey, ...],
    total: str,
    token: Token,
    cap: int | None = None,
    before_commit: BeforeCommit | None = None,
) -> tuple[CounterKey, ...]:
    """Write in one transaction, retrying a lock wait a bounded number of times; nothing is ever half-written."""
    attempt = 0
    while True:
        attempt += 1
        try:
            _write(session, keys, total, token, cap, before_commit)
        except OperationalError as error:
            session.rollback()
            if attempt == ATTEMPTS or not _is_transient(error):
                raise
            time.sleep(0.05 * attempt)
        except Exception:
            session.rollback()
            raise
        else:
            return keys


def record_completion(
    session: Session,
    counted: Mapping[str, Sequence[Counted]],
    token: Token,
    *,
    room_cap: int | None = None,
    before_commit: BeforeCommit | None = None,
) -> tuple[CounterKey, ...]:
    """Count one finished quiz, from its randomized values, in one transaction; returns
    exactly the counters it added 1 to.

    Raises AlreadyCounted for a spent token, and ScopeFull when a room would pass
    `room_cap`; in both cases nothing is written, as when `before_commit` raises.
    """
    return _record(session, completion_keys(counted, COMPLETIONS), COMPLETIONS, token, room_cap, before_commit)


def record_myth_round(
    session: Session,
    counted: Mapping[str, Sequence[Counted]],
    token: Token,
    *,
    before_commit: BeforeCommit | None = None,
) -> tuple[CounterKey, ...]:
    """Count one finished myth round, from its randomized verdicts; returns the counters it added 1 to."""
    return _record(session, completion_keys(counted, MYTH_ROUNDS), MYTH_ROUNDS, token, before_commit=before_commit)


@dataclass
class Tally:
    """Everything counted in one scope: randomized values, and how many finished."""

    completions: int = 0
    answers: dict[str, dict[str, int]] = field(default_factory=dict)
    chilling: dict[str, int] = field(default_factory=dict)
    myth_rounds: int = 0
    myths: dict[str, dict[str, int]] = field(default_factory=dict)

    def answer_counts(self, question_id: str) -> dict[str, int]:
        return self.answers.get(question_id, {})

    def myth_counts(self, statement_id: str) -> dict[str, int]:
        return self.myths.get(statement_id, {RIGHT: 0, WRONG: 0})


def read_tally(session: Session, bank: Bank, scope: str = GLOBAL) -> Tally:
    """The counters of a scope, as counted (randomized); app/disclosure/figures.py turns them into figures."""
    tally = Tally(
        answers={q.id: {o.id: 0 for o in q.options} for q in bank.questions},
        chilling={c: 0 for c in CHILLING_IDS},
    )
    rows = session.execute(select(Counter.metric, Counter.value, Counter.count).where(Counter.scope == scope))
    for metric, value, count in rows:
        if metric == COMPLETIONS:
            tally.completions = count
        elif metric == CHILLING and value in tally.chilling:
            tally.chilling[value] = count
        elif metric.startswith(ANSWER_PREFIX):
            # Counters of questions a newer bank dropped are kept but not shown.
            options = tally.answers.get(metric[len(ANSWER_PREFIX) :])
            if options is not None and value in options:
                options[value] = count
        elif metric == MYTH_ROUNDS:
            tally.myth_rounds = count
        elif metric.startswith(MYTH_PREFIX) and value in (RIGHT, WRONG):
            tally.myths.setdefault(metric[len(MYTH_PREFIX) :], {RIGHT: 0, WRONG: 0})[value] = count
    return tally  # the caller's transaction stays the caller's: the view (or its teardown) ends it


def finished_count(session: Session, scope: str) -> int:
    """How many quizzes a scope has counted so far: it says that someone finished, never what they answered."""
    count = session.scalar(
        select(Counter.count).where(Counter.scope == scope, Counter.metric == COMPLETIONS, Counter.value == "")
    )
    return count or 0


def _total_subquery(metric: str, scope: ColumnElement[str]) -> ScalarSelect[int]:
    return (
        select(Counter.count)
        .where(Counter.scope == scope, Counter.metric == metric, Counter.value == "")
        .scalar_subquery()
    )


def finished_columns(scope: ColumnElement[str]) -> tuple[ScalarSelect[int], ScalarSelect[int]]:
    """A scope's finished quizzes and myth rounds, as two columns: enough to tell whether
    anything a presenter view shows has changed."""
    return _total_subquery(COMPLETIONS, scope), _total_subquery(MYTH_ROUNDS, scope)


def delete_scopes(session: Session, scopes: Sequence[str]) -> None:
    """Delete every counter of these scopes; the caller commits."""
    if scopes:
        session.execute(delete(Counter).where(Counter.scope.in_(scopes)))


def delete_orphan_scopes(session: Session, prefix: str, kept: Select[tuple[str]]) -> int:
    """Delete counters of scopes starting with `prefix` that `kept` no longer names; the caller commits."""
    result = session.execute(delete(Counter).where(Counter.scope.startswith(prefix), Counter.scope.not_in(kept)))
    return result.rowcount or 0


_PAST_DAY = SpentToken.expires_on < bindparam("today")
_ANY_PAST = select(SpentToken.token_hash).where(_PAST_DAY).limit(1)
_PURGE_TOKENS: Delete = delete(SpentToken).where(_PAST_DAY)


def purge_spent_tokens(session: Session, today: date) -> int:
    """Delete spent tokens past their day (a cookie holding one is refused by then); the caller
    commits. Looks first, so that the usual case takes no write lock."""
    if session.execute(_ANY_PAST, {"today": today}).first() is None:
        return 0
    result = session.execute(_PURGE_TOKENS, {"today": today})
    return result.rowcount or 0
