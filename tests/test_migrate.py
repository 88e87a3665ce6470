"""Migrations from an empty database, and replicas that boot at the same moment."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import create_engine, inspect, text

from app.store.schema import MIGRATION_LOCK_KEY, current_revision, head_revision, upgrade

ROOT = Path(__file__).resolve().parent.parent


def test_an_empty_database_is_brought_to_head(database_url):
    engine = create_engine(database_url)
    try:
        assert inspect(engine).get_table_names() == [] and current_revision(engine) is None  # truly empty
        upgrade(database_url)
        assert current_revision(engine) == head_revision(database_url)
        tables = set(inspect(engine).get_table_names())
        assert {"counter", "room", "spent_token"} <= tables and "shown_counter" not in tables
        upgrade(database_url)  # a second boot finds nothing to do
        assert current_revision(engine) == head_revision(database_url)
    finally:
        engine.dispose()


def test_counts_made_before_deniable_counting_are_deleted_by_the_upgrade(database_url):
    """Counters written before randomized response hold true answers: the upgrade that brings
    randomized response deletes them (and the published copy), and keeps the rooms."""
    from alembic import command

    from app.store.schema import alembic_config

    engine = create_engine(database_url)
    try:
        command.upgrade(alembic_config(database_url), "0002")
        with engine.begin() as db:
            for table in ("counter", "shown_counter"):
                db.execute(text(f"INSERT INTO {table} VALUES ('global', 'answer:q', 'a', 4)"))  # noqa: S608
            db.execute(text("INSERT INTO room VALUES ('r1', 'ABCDEF', '', 'h', '2999-01-01', NULL)"))
        upgrade(database_url)
        with engine.connect() as db:
            assert db.execute(text("SELECT count(*) FROM counter")).scalar() == 0
            assert db.execute(text("SELECT odds, closed FROM room")).one() == (4, False)
        assert "shown_counter" not in inspect(engine).get_table_names()
    finally:
        engine.dispose()


@pytest.mark.skipif(
    not os.environ.get("TEST_DATABASE_URL", "").startswith("postgresql"),
    reason="replicas share a database only on PostgreSQL: runs in make test's PostgreSQL pass",
)
def test_replicas_migrating_together_take_turns(database_url):
    # Three containers start at once on one empty database. The test holds the migration lock
    # first, so all three are inside their upgrade at the same time; none may fail on "exists".
    engine = create_engine(database_url)
    env = {**os.environ, "DATABASE_URL": database_url, "APP_ENV": "testing"}
    with engine.connect() as holder:
        holder.execute(text("SELECT pg_advisory_lock(:k)"), {"k": MIGRATION_LOCK_KEY})
        boots = [
            subprocess.Popen(
                [sys.executable, "-m", "app.migrate"], cwd=ROOT, env=env, stderr=subprocess.PIPE, text=True
            )
            for _ in range(3)
        ]
        waiting = 0
        deadline = time.monotonic() + 60
        while waiting < 3 and time.monotonic() < deadline:
            time.sleep(0.2)
            waiting = holder.scalar(
                text("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted AND objid = :k"),
                {"k": MIGRATION_LOCK_KEY},
            )
        assert waiting == 3, "the upgrades did not wait for the migration lock"
        assert [boot.poll() for boot in boots] == [None, None, None]
        holder.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": MIGRATION_LOCK_KEY})
        holder.commit()
    results = [(boot.wait(timeout=120), boot.stderr.read()) for boot in boots]
    assert [code for code, _ in results] == [0, 0, 0], results
    assert current_revision(engine) == head_revision(database_url)
    engine.dispose()
