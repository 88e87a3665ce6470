"""The aggregate store: the one place that writes counters and the one that reads them.

A completed quiz adds 1 to a handful of counters per scope, and so does a
finished round of myth or real. Each write is a
single INSERT ... ON CONFLICT DO UPDATE, so concurrent workers and machines
never lose or double an increment, and no row ever stands for one person.

Readers never see the live counters. Every k-th completion of a scope copies
that scope's counters, in the same transaction, to the shown counters; pages
read those. So what anyone can watch changes only in steps of k quizzes, and
a count below k is never shown as a number. The quiz and the myth round are
separate families: each is published on its own k-th completion, so neither
can reveal one person's answers of the other by moving between two steps.
"""

from __future__ import annotations

import functools
import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import NamedTuple

from sqlalchemy import ColumnElement, Delete, Insert, ScalarSelect, Select, bindparam, delete, insert, or_, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from .chilling import OPTION_IDS as CHILLING_IDS
from .models import Counter, ShownCounter
from .scoring import BAND_IDS, BUCKETS, Bank, Report

GLOBAL = "global"
COMPLETIONS = "completions"
BAND = "band"
BUCKET = "bucket"
ANSWER_PREFIX = "answer:"
CHILLING = "chilling"
MYTH_ROUNDS = "myth_rounds"
MYTH_PREFIX = "myth:"
RIGHT, WRONG = "right", "wrong"


@dataclass(frozen=True)
class Family:
    """Counters published together, paced by the count of their own completions."""

    total: str
    metrics: tuple[str, ...]
    prefixes: tuple[str, ...] = ()

    def matches(self, table: type[Counter] | type[ShownCounter]) -> ColumnElement[bool]:
        return or_(
            table.metric.in_(self.metrics), *(table.metric.startswith(p, autoescape=True) for p in self.prefixes)
        )


QUIZ = Family(COMPLETIONS, (COMPLETIONS, BAND, BUCKET, CHILLING), (ANSWER_PREFIX,))
MYTHS = Family(MYTH_ROUNDS, (MYTH_ROUNDS,), (MYTH_PREFIX,))


class CounterKey(NamedTuple):
    """One counter that a completion adds 1 to (a tuple: sorting a quiz's keys is C work)."""

    scope: str
    metric: str
    value: str


def completion_keys(
    report: Report, answers: Mapping[str, str], scopes: Sequence[str], *, chilling: str | None = None
) -> tuple[CounterKey, ...]:
    """Every counter one completed quiz adds 1 to, in a fixed order.

    Sorted, so that concurrent multi-row upserts on PostgreSQL lock rows in
    the same order and cannot deadlock.
    """
    keys: list[CounterKey] = []
    for scope in scopes:
        keys.append(CounterKey(scope, COMPLETIONS, ""))
        keys.append(CounterKey(scope, BAND, report.band))
        keys.append(CounterKey(scope, BUCKET, str(report.bucket)))
        keys.extend(CounterKey(scope, ANSWER_PREFIX + q, o) for q, o in answers.items())
        if chilling is not None:
            keys.append(CounterKey(scope, CHILLING, chilling))
    return tuple(sorted(keys))


def myth_round_keys(marks: Mapping[str, bool], scopes: Sequence[str]) -> tuple[CounterKey, ...]:
    """Every counter one finished myth round adds 1 to: right or wrong per statement, never the quiz answers."""
    keys: list[CounterKey] = []
    for scope in scopes:
        keys.append(CounterKey(scope, MYTH_ROUNDS, ""))
        keys.extend(CounterKey(scope, MYTH_PREFIX + sid, RIGHT if right else WRONG) for sid, right in marks.items())
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


def _upsert_increment(session: Session, keys: Iterable[CounterKey], total: str) -> dict[str, int]:
    """Add 1 to every key's counter; returns each scope's new `total` (read from the rows just
    written, which this transaction now holds locked)."""
    rows = [{"scope": k.scope, "metric": k.metric, "value": k.value, "count": 1} for k in keys]
    connection = session.connection()
    written = connection.execute(_increment_statement(connection.dialect.name), rows)
    return {scope: count for scope, metric, value, count in written if metric == total and value == ""}


@functools.cache
def _statements(family: Family) -> tuple[Delete, Insert]:
    """A family's unpublish and publish statements, built once (every k-th completion runs them)."""
    unpublish = delete(ShownCounter).where(ShownCounter.scope == bindparam("scope"), family.matches(ShownCounter))
    publish = insert(ShownCounter).from_select(
        ["scope", "metric", "value", "count"],
        select(Counter.scope, Counter.metric, Counter.value, Counter.count).where(
            Counter.scope == bindparam("scope"), family.matches(Counter)
        ),
    )
    return unpublish, publish


class ScopeFull(Exception):
    """A room already counted as many quizzes as its cap allows; nothing was written."""

    def __init__(self, scope: str) -> None:
        super().__init__(scope)
        self.scope = scope


# Lock waits that a second try usually gets past: SQLite's "database is locked" after the
# busy timeout, PostgreSQL's deadlock and serialization failures. Anything else is an outage.
TRANSIENT = ("database is locked", "deadlock detected", "could not serialize")
ATTEMPTS = 3


def _is_transient(error: OperationalError) -> bool:
    text = str(error.orig).lower()
    return any(marker in text for marker in TRANSIENT)


def _write(session: Session, keys: tuple[CounterKey, ...], family: Family, k: int, cap: int | None) -> None:
    """Increment, check the cap, publish every k-th, commit: one transaction.

    The family's totals come back from the increment itself, so those rows stay locked
    until commit: concurrent completions of the same scope wait, the cap cannot be passed
    by two at once, and each published copy holds exactly the completions counted up to
    this one.
    """
    unpublish, publish = _statements(family)
    counts = _upsert_increment(session, keys, family.total)
    connection = session.connection()
    scopes = sorted({key.scope for key in keys})
    for scope in scopes:
        if cap is not None and scope != GLOBAL and counts.get(scope, 0) > cap:
            raise ScopeFull(scope)
    for scope in scopes:
        if counts.get(scope, 0) % k == 0:
            connection.execute(unpublish, {"scope": scope})
            connection.execute(publish, {"scope": scope})
    session.commit()


def _record(
    session: Session, keys: tuple[CounterKey, ...], family: Family, k: int, cap: int | None = None
) -> tuple[CounterKey, ...]:
    """Write in one transaction, retrying a lock wait a bounded number of times; nothing is ever half-written."""
    attempt = 0
    while True:
        attempt += 1
        try:
            _write(session, keys, family, k, cap)
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
    report: Report,
    answers: Mapping[str, str],
    scopes: Sequence[str] = (GLOBAL,),
    *,
    k: int = 5,
    chilling: str | None = None,
    room_cap: int | None = None,
) -> tuple[CounterKey, ...]:
    """Count one completed quiz in one transaction; returns exactly the counters it added 1 to.

    With `room_cap`, a room that would pass it raises ScopeFull and nothing is written.
    """
    return _record(session, completion_keys(report, answers, scopes, chilling=chilling), QUIZ, k, room_cap)


def record_myth_round(
    session: Session, marks: Mapping[str, bool], scopes: Sequence[str] = (GLOBAL,), *, k: int = 5
) -> tuple[CounterKey, ...]:
    """Count one finished myth round in one transaction; returns exactly the counters it added 1 to."""
    return _record(session, myth_round_keys(marks, scopes), MYTHS, k)


@dataclass
class Tally:
    """Everything counted in one scope."""

    completions: int = 0
    bands: dict[str, int] = field(default_factory=dict)
    buckets: dict[int, int] = field(default_factory=dict)
    answers: dict[str, dict[str, int]] = field(default_factory=dict)
    chilling: dict[str, int] = field(default_factory=dict)
    myth_rounds: int = 0
    myths: dict[str, dict[str, int]] = field(default_factory=dict)

    def answer_counts(self, question_id: str) -> dict[str, int]:
        return self.answers.get(question_id, {})

    def myth_counts(self, statement_id: str) -> dict[str, int]:
        return self.myths.get(statement_id, {RIGHT: 0, WRONG: 0})


def read_tally(session: Session, bank: Bank, scope: str = GLOBAL, *, live: bool = False) -> Tally:
    """The shown counters of a scope (or, for tests and the receipt, the live ones)."""
    table = Counter if live else ShownCounter
    tally = Tally(
        bands={b: 0 for b in BAND_IDS},
        buckets={b: 0 for b in BUCKETS},
        answers={q.id: {o.id: 0 for o in q.options} for q in bank.questions},
        chilling={c: 0 for c in CHILLING_IDS},
    )
    rows = session.execute(select(table.metric, table.value, table.count).where(table.scope == scope))
    for metric, value, count in rows:
        if metric == COMPLETIONS:
            tally.completions = count
        elif metric == BAND and value in tally.bands:
            tally.bands[value] = count
        elif metric == BUCKET and value.isdigit() and int(value) in tally.buckets:
            tally.buckets[int(value)] = count
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
    session.rollback()  # end the read transaction; nothing was written
    return tally


def finished_count(session: Session, scope: str) -> int:
    """How many quizzes a scope has counted so far, live.

    The one live figure a page may show: it says that someone finished, never
    what they answered. Everything else is read from the shown copy.
    """
    count = session.scalar(
        select(Counter.count).where(Counter.scope == scope, Counter.metric == COMPLETIONS, Counter.value == "")
    )
    session.rollback()  # end the read transaction; nothing was written
    return count or 0


def _total_subquery(table: type[Counter | ShownCounter], metric: str, scope: ColumnElement[str]) -> ScalarSelect[int]:
    return select(table.count).where(table.scope == scope, table.metric == metric, table.value == "").scalar_subquery()


def completion_mark_columns(scope: ColumnElement[str]) -> tuple[ScalarSelect[int], ...]:
    """A scope's live and published quizzes and its published myth rounds, as three columns:
    enough to tell whether anything a presenter view shows has changed."""
    return (
        _total_subquery(Counter, COMPLETIONS, scope),
        _total_subquery(ShownCounter, COMPLETIONS, scope),
        _total_subquery(ShownCounter, MYTH_ROUNDS, scope),
    )


def delete_scopes(session: Session, scopes: Sequence[str]) -> None:
    """Delete every live and shown counter of these scopes; the caller commits."""
    if scopes:
        session.execute(delete(Counter).where(Counter.scope.in_(scopes)))
        session.execute(delete(ShownCounter).where(ShownCounter.scope.in_(scopes)))


def delete_orphan_scopes(session: Session, prefix: str, kept: Select[tuple[str]]) -> int:
    """Delete counters of scopes starting with `prefix` that `kept` no longer names; the caller commits."""
    deleted = 0
    for table in (Counter, ShownCounter):
        result = session.execute(delete(table).where(table.scope.startswith(prefix), table.scope.not_in(kept)))
        deleted += result.rowcount or 0
    return deleted
