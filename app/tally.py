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

import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from sqlalchemy import Select, delete, insert, select
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


def _upsert_increment(session: Session, keys: Iterable[CounterKey]) -> None:
    rows = [{"scope": k.scope, "metric": k.metric, "value": k.value, "count": 1} for k in keys]
    dialect = session.get_bind().dialect.name
    upsert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    stmt = upsert(Counter).values(rows)
    stmt = stmt.on_conflict_do_update(
        index_elements=[Counter.scope, Counter.metric, Counter.value],
        set_={"count": Counter.count + stmt.excluded.count},
    )
    session.execute(stmt)


def _publish_if_due(session: Session, scope: str, k: int) -> None:
    """Copy a scope's counters to the shown ones when its completions reach a multiple of k.

    The completions row was just updated in this transaction, so it stays locked
    until commit: concurrent completions of the same scope wait, and the copy
    holds exactly the quizzes counted up to this one.
    """
    completions = session.scalar(
        select(Counter.count).where(Counter.scope == scope, Counter.metric == COMPLETIONS, Counter.value == "")
    )
    if not completions or completions % k:
        return
    session.execute(delete(ShownCounter).where(ShownCounter.scope == scope))
    session.execute(
        insert(ShownCounter).from_select(
            ["scope", "metric", "value", "count"],
            select(Counter.scope, Counter.metric, Counter.value, Counter.count).where(Counter.scope == scope),
        )
    )


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


def _over_cap(session: Session, scopes: Sequence[str], cap: int | None) -> str | None:
    """The first non-global scope whose completions, this one included, exceed the cap."""
    if cap is None:
        return None
    for scope in scopes:
        if scope == GLOBAL:
            continue
        completions = session.scalar(
            select(Counter.count).where(Counter.scope == scope, Counter.metric == COMPLETIONS, Counter.value == "")
        )
        if (completions or 0) > cap:
            return scope
    return None


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
            full = _over_cap(session, scopes, room_cap)
            if full is not None:
                session.rollback()
                raise ScopeFull(full)
            for scope in sorted(set(scopes)):
                _publish_if_due(session, scope, k)
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
