"""The aggregate store: the one place that writes counters and the one that reads them.

A completed quiz adds 1 to a handful of counters per scope. Each write is a
single INSERT ... ON CONFLICT DO UPDATE, so concurrent workers and machines
never lose or double an increment, and no row ever stands for one person.

Readers never see the live counters. Every k-th completion of a scope copies
that scope's counters, in the same transaction, to the shown counters; pages
read those. So what anyone can watch changes only in steps of k quizzes, and
a count below k is never shown as a number.
"""

from __future__ import annotations

import functools
import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from sqlalchemy import Insert, ScalarSelect, Select, bindparam, delete, insert, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from .models import Counter, ShownCounter
from .scoring import BAND_IDS, BUCKETS, Bank, Report

GLOBAL = "global"
COMPLETIONS = "completions"
BAND = "band"
BUCKET = "bucket"
ANSWER_PREFIX = "answer:"


@dataclass(frozen=True, order=True)
class CounterKey:
    """One counter that a completion adds 1 to."""

    scope: str
    metric: str
    value: str


def completion_keys(report: Report, answers: Mapping[str, str], scopes: Sequence[str]) -> tuple[CounterKey, ...]:
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
    return tuple(sorted(keys))


@functools.cache
def _increment_statement(dialect: str) -> Insert:
    """INSERT ... ON CONFLICT DO UPDATE count = count + 1, built once per dialect.

    Executed with one parameter set per counter (executemany), so SQLAlchemy compiles it
    once per process instead of once per completion; rows are still written in key order.
    """
    table = Counter.__table__
    upsert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    stmt = upsert(table)
    return stmt.on_conflict_do_update(
        index_elements=[table.c.scope, table.c.metric, table.c.value],
        set_={"count": table.c.count + stmt.excluded.count},
    )


def _upsert_increment(session: Session, keys: Iterable[CounterKey]) -> None:
    rows = [{"scope": k.scope, "metric": k.metric, "value": k.value, "count": 1} for k in keys]
    connection = session.connection()
    connection.execute(_increment_statement(connection.dialect.name), rows)


# Built once: every completion runs these (SQLAlchemy then reuses their compiled form).
_COMPLETIONS_OF = select(Counter.scope, Counter.count).where(
    Counter.scope.in_(bindparam("scopes", expanding=True)), Counter.metric == COMPLETIONS, Counter.value == ""
)
_UNPUBLISH = delete(ShownCounter).where(ShownCounter.scope == bindparam("scope"))
_PUBLISH = insert(ShownCounter).from_select(
    ["scope", "metric", "value", "count"],
    select(Counter.scope, Counter.metric, Counter.value, Counter.count).where(Counter.scope == bindparam("scope")),
)


def _completions_of(session: Session, scopes: Sequence[str]) -> dict[str, int]:
    """The scopes' completions as this transaction sees them, its own increment included.

    Those rows were just updated in this transaction, so they stay locked until commit:
    concurrent completions of the same scope wait, and what is read here is exact.
    """
    rows = session.connection().execute(_COMPLETIONS_OF, {"scopes": list(scopes)})
    return {scope: count for scope, count in rows}


def _publish(session: Session, scope: str) -> None:
    """Copy a scope's counters to the shown ones (done at every multiple of k)."""
    connection = session.connection()
    connection.execute(_UNPUBLISH, {"scope": scope})
    connection.execute(_PUBLISH, {"scope": scope})


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


def record_completion(
    session: Session,
    report: Report,
    answers: Mapping[str, str],
    scopes: Sequence[str] = (GLOBAL,),
    *,
    k: int = 5,
    room_cap: int | None = None,
) -> tuple[CounterKey, ...]:
    """Count one completed quiz in one transaction; returns exactly the counters it added 1 to.

    With `room_cap`, a room scope that would pass it raises ScopeFull and nothing is
    written: the check reads the row this transaction just incremented (and holds
    locked), so concurrent completions cannot slip past the cap together.
    """
    keys = completion_keys(report, answers, scopes)
    attempt = 0
    while True:
        attempt += 1
        try:
            _upsert_increment(session, keys)
            counts = _completions_of(session, scopes)
            for scope in scopes:
                if scope != GLOBAL and room_cap is not None and counts.get(scope, 0) > room_cap:
                    session.rollback()
                    raise ScopeFull(scope)
            for scope in sorted(set(scopes)):
                if counts.get(scope, 0) % k == 0:
                    _publish(session, scope)
            session.commit()
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


@dataclass
class Tally:
    """Everything counted in one scope."""

    completions: int = 0
    bands: dict[str, int] = field(default_factory=dict)
    buckets: dict[int, int] = field(default_factory=dict)
    answers: dict[str, dict[str, int]] = field(default_factory=dict)

    def answer_counts(self, question_id: str) -> dict[str, int]:
        return self.answers.get(question_id, {})


def read_tally(session: Session, bank: Bank, scope: str = GLOBAL, *, live: bool = False) -> Tally:
    """The shown counters of a scope (or, for tests and the receipt, the live ones)."""
    table = Counter if live else ShownCounter
    tally = Tally(
        bands={b: 0 for b in BAND_IDS},
        buckets={b: 0 for b in BUCKETS},
        answers={q.id: {o.id: 0 for o in q.options} for q in bank.questions},
    )
    rows = session.execute(select(table.metric, table.value, table.count).where(table.scope == scope))
    for metric, value, count in rows:
        if metric == COMPLETIONS:
            tally.completions = count
        elif metric == BAND and value in tally.bands:
            tally.bands[value] = count
        elif metric == BUCKET and value.isdigit() and int(value) in tally.buckets:
            tally.buckets[int(value)] = count
        elif metric.startswith(ANSWER_PREFIX):
            # Counters of questions a newer bank dropped are kept but not shown.
            options = tally.answers.get(metric[len(ANSWER_PREFIX) :])
            if options is not None and value in options:
                options[value] = count
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


def _completions_subquery(table: type[Counter] | type[ShownCounter]) -> ScalarSelect[int]:
    return (
        select(table.count)
        .where(table.scope == bindparam("scope"), table.metric == COMPLETIONS, table.value == "")
        .scalar_subquery()
    )


# Built once: the projector polls this every few seconds from every open presenter view.
_COMPLETION_MARKS = select(_completions_subquery(Counter), _completions_subquery(ShownCounter))


def completion_marks(session: Session, scope: str) -> tuple[int, int]:
    """A scope's live and published completions, in one query: enough to tell whether anything changed."""
    live, shown = session.execute(_COMPLETION_MARKS, {"scope": scope}).one()
    session.rollback()  # end the read transaction; nothing was written
    return live or 0, shown or 0


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
