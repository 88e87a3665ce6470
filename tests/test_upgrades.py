"""An upgrade keeps every counter, room and spent token, from every release since 0003.

0003 deleted the counters made before randomized response, on purpose (they held true
answers). From then on nothing may be lost. For each revision from 0003 to the one before
head, found in the migrations folder (so a new migration is covered the day it is added):

1. an empty database is brought to that revision by the migrations of the day;
2. it is filled with what that revision's schema can hold, read from the reflected tables:
   the site's and two rooms' counters for the built-in bank (and one of a retired question),
   an open and a closed room, spent tokens; a table or column this file does not know gets
   values made from its type (a column whose values must mean something gets a line in
   MEANINGFUL below);
3. it is upgraded to head as a container's start does (`python -m app.migrate`'s steps);
4. every row of every table must still be there with every value it had, and the app must
   serve the same figures: /stats and the open room's projector and poll, from counters
   read before the upgrade; and the upgraded schema must take new writes (a join, a finished
   quiz, a new room).

It runs on SQLite, and on PostgreSQL in `make test`'s second pass (TEST_DATABASE_URL).
"""

from __future__ import annotations

import hashlib
import random
import secrets
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from alembic import command
from alembic.script import ScriptDirectory
from flask import Flask
from sqlalchemy import Column, Engine, MetaData, Table, create_engine, inspect, select, text
from sqlalchemy.orm import Session

from app import create_app
from app.config import DEFAULT_ODDS
from app.disclosure import published
from app.disclosure.figures import scope_figures
from app.rooms import codes, store
from app.scoring import Bank, MythRound, load_bank, load_myths
from app.scoring.bank import DEFAULT_BANK
from app.store.counters import (
    ANSWER_PREFIX,
    COMPLETIONS,
    GLOBAL,
    MYTH_ROUNDS,
    Tally,
    read_tally,
    scope_keys,
    tally_of,
)
from app.store.database import get_session
from app.store.days import today
from app.store.models import ROOM_SCOPE_PREFIX
from app.store.schema import alembic_config, create_site_counters, current_revision, head_revision, upgrade
from tests.helpers import TEST_MIN_FINISHED, QuizDriver, csrf_token, open_room

FIRST_KEPT = "0003"  # the last revision allowed to delete counters (it did, on purpose)
ALEMBIC_TABLE = "alembic_version"


def kept_revisions() -> list[str]:
    """Every revision from FIRST_KEPT up to the one before head, oldest first."""
    script = ScriptDirectory.from_config(alembic_config("sqlite://"))
    chain = [r.revision for r in script.walk_revisions("base", "heads")][::-1]
    return chain[chain.index(FIRST_KEPT) : -1]


# --- what a database of an earlier release holds ---------------------------------------


@dataclass(frozen=True)
class SeededRoom:
    id: str
    code: str
    secret: str
    title: str
    closed: bool
    joined: int
    odds: int
    completions: int

    @property
    def scope(self) -> str:
        return ROOM_SCOPE_PREFIX + self.id


# Rooms as a facilitator leaves them: one open, one closed to new answers (both unexpired).
ROOMS = (
    {"title": "Tuesday workshop", "language": "de", "odds": 4, "closed": False, "joined": 23, "days": 3},
    {"title": "Closed on Monday", "language": None, "odds": 6, "closed": True, "joined": 9, "days": 5},
)
SITE_COMPLETIONS, ROOM_COMPLETIONS, MYTH_ROUNDS_SEEDED = 57, (14, 11), 21
RETIRED = (GLOBAL, ANSWER_PREFIX + "a-question-a-newer-bank-dropped", "a", 5)


def split(total: int, parts: list[str], rng: random.Random) -> dict[str, int]:
    """`total` answers spread over `parts` (a question's options), as counters would hold them."""
    counts = dict.fromkeys(parts, 0)
    for _ in range(total):
        counts[rng.choice(parts)] += 1
    return counts


@dataclass
class Seeder:
    """Rows for each reflected table: meaningful ones for the tables the app reads, values
    made from the column type for anything else."""

    bank: Bank
    myths: MythRound
    rng: random.Random
    rooms: list[SeededRoom] = field(default_factory=list)
    rows: dict[str, list[dict[str, Any]]] = field(default_factory=dict)

    def fill(self, table: Table, known: Mapping[str, Any]) -> dict[str, Any]:
        """One row: the known values this revision has columns for, the rest by type."""
        return {c.name: known[c.name] if c.name in known else self.by_type(table, c) for c in table.columns}

    def by_type(self, table: Table, column: Column[Any]) -> Any:
        meaningful = MEANINGFUL.get((table.name, column.name))
        if meaningful is not None:
            return meaningful(self.rng)
        for key in column.foreign_keys:
            parents = self.rows.get(key.column.table.name) or []
            if parents:
                return self.rng.choice(parents)[key.column.name]
        try:
            kind = column.type.python_type
        except NotImplementedError:
            kind = object
        if kind is bool:
            return True  # the opposite of the usual default, so that losing it shows
        if kind is int:
            return self.rng.randint(2, 10**6)
        if kind in (float, Decimal):
            return kind("2.5")
        if kind is str:
            length = getattr(column.type, "length", None) or 24
            return secrets.token_hex(12)[: max(1, min(length, 24))]
        if kind is datetime:
            return datetime.now(UTC).replace(microsecond=0) + timedelta(days=2)
        if kind is date:
            return today() + timedelta(days=2)
        if kind is bytes:
            return self.rng.randbytes(8)
        if kind in (dict, list):
            return {"seeded": 1}
        raise AssertionError(f"{table.name}.{column.name} ({column.type}): add a value to MEANINGFUL")

    def table_rows(self, table: Table) -> list[dict[str, Any]]:
        if table.name == "room":
            return [self.fill(table, known) for known in self.room_values()]
        if table.name == "counter":
            return [self.fill(table, known) for known in self.counter_values()]
        if table.name == "spent_token":
            return [self.fill(table, known) for known in self.token_values()]
        return [self.fill(table, {}) for _ in range(3)]

    def room_values(self) -> list[dict[str, Any]]:
        values = []
        for settings, completions in zip(ROOMS, ROOM_COMPLETIONS, strict=True):
            secret = codes.new_secret()
            room = SeededRoom(
                id=codes.new_room_id(),
                code=codes.new_code(),
                secret=secret,
                title=settings["title"],
                closed=settings["closed"],
                joined=settings["joined"],
                odds=settings["odds"],
                completions=completions,
            )
            self.rooms.append(room)
            values.append(
                {
                    "id": room.id,
                    "code": room.code,
                    "title": room.title,
                    "presenter_hash": codes.secret_hash(secret),
                    "expires_on": today() + timedelta(days=settings["days"]),
                    "language": settings["language"],
                    "odds": room.odds,
                    "closed": room.closed,
                    "joined": room.joined,
                }
            )
        return values

    def counter_values(self) -> list[dict[str, Any]]:
        scopes = [(GLOBAL, SITE_COMPLETIONS)] + [(room.scope, room.completions) for room in self.rooms]
        counts: dict[tuple[str, str, str], int] = {}
        for scope, finished in scopes:
            rounds = max(1, finished * MYTH_ROUNDS_SEEDED // SITE_COMPLETIONS)
            keys = scope_keys(scope, self.bank, self.myths)
            by_metric: dict[str, list[str]] = {}
            for key in keys:
                by_metric.setdefault(key.metric, []).append(key.value)
            for metric, values in by_metric.items():
                total = finished if metric == COMPLETIONS else rounds if metric == MYTH_ROUNDS else None
                if total is not None:
                    counts[(scope, metric, "")] = total
                    continue
                total = rounds if metric.startswith("myth:") else finished
                for value, count in split(total, values, self.rng).items():
                    counts[(scope, metric, value)] = count
        scope, metric, value, count = RETIRED
        counts[(scope, metric, value)] = count
        return [{"scope": s, "metric": m, "value": v, "count": c} for (s, m, v), c in sorted(counts.items())]

    def token_values(self) -> list[dict[str, Any]]:
        return [
            {
                "token_hash": hashlib.sha256(secrets.token_bytes(16)).hexdigest(),
                "expires_on": today() + timedelta(days=1),
            }
            for _ in range(5)
        ]

    def seed(self, engine: Engine) -> None:
        meta = MetaData()
        meta.reflect(engine)
        with engine.begin() as connection:
            # Parents before the tables that refer to them; rooms before the counters of their scopes.
            for table in sorted(meta.sorted_tables, key=lambda t: t.name != "room"):
                if table.name == ALEMBIC_TABLE:
                    continue
                rows = self.table_rows(table)
                connection.execute(table.insert(), rows)
                self.rows[table.name] = rows


# Columns of tables this file does not seed by name whose values must mean something to the
# app (a migration adding one adds a line here: (table, column) -> a value from the rng).
MEANINGFUL: dict[tuple[str, str], Callable[[random.Random], Any]] = {}


# --- comparing the rows before and after ------------------------------------------------


@dataclass(frozen=True)
class TableRows:
    key: list[str]  # the primary key's columns, or every column for a table without one
    columns: list[str]
    rows: list[dict[str, Any]]


def snapshot(engine: Engine) -> dict[str, TableRows]:
    meta = MetaData()
    meta.reflect(engine)
    found = {}
    with engine.connect() as connection:
        for table in meta.sorted_tables:
            if table.name == ALEMBIC_TABLE:
                continue
            columns = [c.name for c in table.columns]
            key = [c.name for c in table.primary_key.columns] or columns
            found[table.name] = TableRows(key, columns, [dict(r) for r in connection.execute(select(table)).mappings()])
    return found


def losses(before: dict[str, TableRows], after: dict[str, TableRows]) -> list[str]:
    """Every row or value of `before` that `after` no longer has (added rows and columns are fine)."""
    lost: list[str] = []
    for name, old in before.items():
        new = after.get(name)
        if new is None:
            lost.append(f"table {name} is gone with its {len(old.rows)} rows")
            continue
        gone = [c for c in old.columns if c not in new.columns]
        lost.extend(f"{name}.{c}: the column is gone with its {len(old.rows)} values" for c in gone)
        if any(k in gone for k in old.key):
            continue
        by_key = {tuple(row[k] for k in old.key): row for row in new.rows}
        for row in old.rows:
            where = {k: row[k] for k in old.key}
            now = by_key.get(tuple(where.values()))
            if now is None:
                lost.append(f"{name}: the row {where} is gone")
                continue
            lost.extend(
                f"{name}.{c} of {where}: {row[c]!r} became {now[c]!r}"
                for c in old.columns
                if c not in gone and now[c] != row[c]
            )
    return lost


# --- the app on the upgraded database ---------------------------------------------------


def tallies(engine: Engine, bank: Bank, scopes: dict[str, int]) -> dict[str, Tally]:
    """Each scope's counters: at its level (`scopes`: scope -> e^ε) once counters carry one
    (0005), all of the scope's before."""
    with Session(engine) as session:
        if "odds" in {c["name"] for c in inspect(engine).get_columns("counter")}:
            return {scope: read_tally(session, bank, scope, odds) for scope, odds in scopes.items()}
        query = text("SELECT metric, value, count FROM counter WHERE scope = :scope")
        return {scope: tally_of(bank, [tuple(r) for r in session.execute(query, {"scope": scope})]) for scope in scopes}


def presenter(room: SeededRoom) -> str:
    return f"/rooms/{room.code}/present/{room.secret}"


def assert_serves(app: Flask, seeded: Seeder, before: dict[str, Tally], joined_column: bool) -> None:
    bank, myths = app.extensions["bank"], app.extensions["myths"]
    min_finished = app.config["MIN_FINISHED"]
    client = app.test_client()
    with app.app_context():
        site = scope_figures(bank, myths, before[GLOBAL], odds=app.config["EPSILON_ODDS"], min_finished=min_finished)
        assert published.site_figures() == site
        for room in seeded.rooms:
            kept = store.find_by_id(get_session(), room.id)
            assert kept is not None
            figures = scope_figures(bank, myths, before[room.scope], odds=room.odds, min_finished=min_finished)
            assert published.room_figures(kept) == figures

    stats = client.get("/stats").get_data(as_text=True)
    assert f'data-finished="{SITE_COMPLETIONS}"' in stats
    assert site.average is not None and f'data-average="{site.average.estimate}"' in stats

    for room in seeded.rooms:
        projector = client.get(presenter(room))
        assert projector.status_code == 200 and room.title in projector.get_data(as_text=True)
        poll = client.get(presenter(room) + "/poll").get_json()
        assert poll["finished"] == room.completions
        assert poll["myth_rounds"] == before[room.scope].myth_rounds
        assert poll["closed"] is room.closed
        assert poll["joined"] == (room.joined if joined_column else 0)

    # The upgraded schema takes new writes: someone joins the open room and finishes.
    open_one = next(room for room in seeded.rooms if not room.closed)
    visitor = app.test_client()
    page = visitor.get(f"/r/{open_one.code}")
    assert page.status_code == 200
    joined = visitor.post(f"/r/{open_one.code}", data={"csrf_token": csrf_token(page.get_data(as_text=True))})
    assert joined.status_code == 303
    QuizDriver(visitor, bank).complete()
    poll = client.get(presenter(open_one) + "/poll").get_json()
    assert poll["finished"] == open_one.completions + 1
    assert poll["joined"] == (open_one.joined if joined_column else 0) + 1
    # A room at the site's level is counted in both.
    assert f'data-finished="{SITE_COMPLETIONS + 1}"' in client.get("/stats").get_data(as_text=True)
    open_room(app.test_client(), title="Opened after the upgrade")


@pytest.mark.parametrize("revision", kept_revisions())
def test_a_database_of_an_earlier_release_upgrades_with_everything_intact(revision, database_url, tmp_path):
    engine = create_engine(database_url)
    try:
        command.upgrade(alembic_config(database_url), revision)
        assert current_revision(engine) == revision
        bank, myths = load_bank(DEFAULT_BANK), load_myths()
        seeded = Seeder(bank, myths, random.Random(revision))
        seeded.seed(engine)
        joined_column = "joined" in seeded.rows["room"][0]
        before = snapshot(engine)
        scopes = {GLOBAL: DEFAULT_ODDS} | {room.scope: room.odds for room in seeded.rooms}
        counted_before = tallies(engine, bank, scopes)

        # What `python -m app.migrate` does at a container's start.
        upgrade(database_url)
        create_site_counters(database_url, DEFAULT_ODDS)
        assert current_revision(engine) == head_revision(database_url)

        lost = losses(before, snapshot(engine))
        assert not lost, f"upgrading from {revision} to {head_revision(database_url)} loses data:\n" + "\n".join(lost)
        assert tallies(engine, bank, scopes) == counted_before
    finally:
        engine.dispose()

    app = create_app({"DATABASE_URL": database_url, "INSTANCE_PATH": str(tmp_path), "MIN_FINISHED": TEST_MIN_FINISHED})
    try:
        assert_serves(app, seeded, counted_before, joined_column)
    finally:
        app.extensions["database"].engine.dispose()


def test_the_revisions_walked_run_from_the_deliberate_deletion_to_the_one_before_head():
    script = ScriptDirectory.from_config(alembic_config("sqlite://"))
    walked = kept_revisions()
    assert walked[0] == FIRST_KEPT
    for older, newer in zip(walked, [*walked[1:], script.get_current_head()], strict=True):
        assert script.get_revision(newer).down_revision == older
