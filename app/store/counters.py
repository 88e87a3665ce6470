"""The counters: the one place that writes them and the one that reads them.

Only randomized values arrive here (app/counting/ randomizes them first): a finished quiz
adds 1 to its scope's finished count and to the counted value of each item, and so does a
finished myth round. Each write is one multi-row INSERT ... ON CONFLICT DO UPDATE, so
concurrent workers and machines never lose or double an increment, and no row ever stands
for one person. Every row of a scope is created at zero when the scope is (the site's at
start, a room's when it opens), so the rows' order and number say nothing.

Every row carries the level (e^ε) its values were randomized at, and every read names the
level it reads: counts made at different levels are never mixed (a site whose EPSILON_ODDS
changes starts afresh at the new level, its old counts kept but not read).

The names of what is counted (metrics and their values) live here too: the store, the
counting and the figures all speak them, and none of them holds translated text.
Statements only: the caller owns the transaction.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import NamedTuple

from sqlalchemy import Delete, Insert, ScalarSelect, Select, bindparam, delete, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session
from sqlalchemy.sql import ColumnElement

from ..scoring import Bank, MythRound
from .models import Counter, SpentToken

GLOBAL = "global"  # the site's scope; a room's is ROOM_SCOPE_PREFIX + its id
COMPLETIONS = "completions"
MYTH_ROUNDS = "myth_rounds"
ANSWER_PREFIX = "answer:"
CHILLING = "chilling"
MYTH_PREFIX = "myth:"
RIGHT, WRONG = "right", "wrong"
# The closing question's answers (app/content/closing_question.py words them): ids only, so
# that the store and the figures import no translated text.
CHILLING_IDS = ("no", "considered", "changed")


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


def create_scope(session: Session, scope: str, odds: int, bank: Bank, myths: MythRound) -> None:
    """Every counter of a scope at its level at zero, in key order; rows that exist are left as
    they are (a room's counters are made in the room's own transaction)."""
    connection = session.connection()
    table = Counter.__table__
    upsert = postgresql.insert if connection.dialect.name == "postgresql" else sqlite.insert
    rows = [
        {"scope": k.scope, "odds": odds, "metric": k.metric, "value": k.value, "count": 0}
        for k in scope_keys(scope, bank, myths)
    ]
    connection.execute(upsert(table).on_conflict_do_nothing(index_elements=["scope", "odds", "metric", "value"]), rows)


@functools.cache
def _increment_statement(dialect: str) -> Insert:
    """INSERT ... VALUES (...), (...) ON CONFLICT DO UPDATE count = count + 1 RETURNING the
    new counts, built once per dialect. SQLAlchemy sends the rows as one multi-row statement
    and compiles it once per process; rows are written in key order."""
    table = Counter.__table__
    upsert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    stmt = upsert(table)
    return stmt.on_conflict_do_update(
        index_elements=[table.c.scope, table.c.odds, table.c.metric, table.c.value],
        set_={"count": table.c.count + stmt.excluded.count},
    ).returning(table.c.scope, table.c.metric, table.c.value, table.c.count)


def increment(session: Session, keys: Sequence[CounterKey], total: str, levels: Mapping[str, int]) -> dict[str, int]:
    """Add 1 to every key's counter at its scope's level (`levels`: scope -> e^ε; keys sorted, so
    that concurrent writers lock rows in the same order and cannot deadlock); returns each
    scope's new `total`, read from the rows just written, which this transaction now holds
    locked until it ends."""
    rows = [{"scope": k.scope, "odds": levels[k.scope], "metric": k.metric, "value": k.value, "count": 1} for k in keys]
    connection = session.connection()
    written = connection.execute(_increment_statement(connection.dialect.name), rows)
    return {scope: count for scope, metric, value, count in written if metric == total and value == ""}


_SPEND = SpentToken.__table__.insert()


def spend_token(session: Session, token_hash: str, expires_on: date) -> None:
    """Insert a start token's hash: raises IntegrityError if it was spent already."""
    session.connection().execute(_SPEND, {"token_hash": token_hash, "expires_on": expires_on})


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


def read_tally(session: Session, bank: Bank, scope: str, odds: int) -> Tally:
    """The counters of a scope at one level, as counted (randomized); app/disclosure/figures.py
    turns them into figures."""
    rows = session.execute(
        select(Counter.metric, Counter.value, Counter.count).where(Counter.scope == scope, Counter.odds == odds)
    )
    # The caller's transaction stays the caller's: the view (or its teardown) ends it.
    return tally_of(bank, [(metric, value, count) for metric, value, count in rows])


def tally_of(bank: Bank, rows: Iterable[tuple[str, str, int]]) -> Tally:
    """A Tally from one scope's (metric, value, count) rows, for the bank in use."""
    tally = Tally(
        answers={q.id: {o.id: 0 for o in q.options} for q in bank.questions},
        chilling={c: 0 for c in CHILLING_IDS},
    )
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
    return tally


_TOTALS = select(Counter.metric, Counter.count).where(
    Counter.scope == bindparam("scope"),
    Counter.odds == bindparam("odds"),
    Counter.metric.in_((COMPLETIONS, MYTH_ROUNDS)),
    Counter.value == "",
)


def totals(session: Session, scope: str, odds: int) -> tuple[int, int]:
    """A scope's finished quizzes and myth rounds at one level. Every other count of the scope
    changes in the same transaction as one of these, so the pair names one state of all its
    counters."""
    found: dict[str, int] = {
        metric: count for metric, count in session.execute(_TOTALS, {"scope": scope, "odds": odds})
    }
    return found.get(COMPLETIONS, 0), found.get(MYTH_ROUNDS, 0)


def finished_count(session: Session, scope: str) -> int:
    """How many quizzes a room has counted so far: it says that someone finished, never what they
    answered. (A room keeps the level it was opened at, so its counters are at one level.)"""
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
    """Delete every counter of these scopes."""
    if scopes:
        session.execute(delete(Counter).where(Counter.scope.in_(scopes)))


def delete_orphan_scopes(session: Session, prefix: str, kept: Select[str]) -> int:
    """Delete counters of scopes starting with `prefix` that `kept` no longer names. Looks
    first, so that the usual case takes no write lock."""
    orphan = (Counter.scope.startswith(prefix), Counter.scope.not_in(kept))
    if session.execute(select(Counter.scope).where(*orphan).limit(1)).first() is None:
        return 0
    return session.connection().execute(delete(Counter).where(*orphan)).rowcount


_PAST_DAY = SpentToken.expires_on < bindparam("today")
_ANY_PAST = select(SpentToken.token_hash).where(_PAST_DAY).limit(1)
_PURGE_TOKENS: Delete = delete(SpentToken).where(_PAST_DAY)


def purge_spent_tokens(session: Session, today: date) -> int:
    """Delete spent tokens past their day (a cookie holding one is refused by then). Looks
    first, so that the usual case takes no write lock."""
    if session.execute(_ANY_PAST, {"today": today}).first() is None:
        return 0
    return session.connection().execute(_PURGE_TOKENS, {"today": today}).rowcount
