"""Whoever gets the files: what the SQLite WAL and PostgreSQL's row versions give an attacker.

Both keep each finished quiz as its own transaction, so both isolate one person's counted
values (issue 12, attack 3). What they isolate now is the randomized values and nothing
else, so the attacker's guesses obey the same bound as every other attack (tests/attack.py).
"""

from __future__ import annotations

import random
import re
import sqlite3
import struct
import time
from datetime import UTC, datetime, timedelta
from html import unescape
from pathlib import Path

import pytest
from sqlalchemy import event, text

from app.counting import items as counting
from app.scoring import load_bank, load_myths
from app.store import counters as tally
from app.store import hygiene as storage
from app.store import inventory
from app.store.database import make_engine
from app.store.models import Counter
from tests.attack import SITE, Score, Victim, finish, guess_from, yes_no

VICTIMS = 200
BANK = load_bank()
MYTHS = load_myths()


def wal_commits(main: bytes, wal: bytes):
    """The database file as it stood after each commit in the WAL, oldest first: the WAL's
    frames applied one by one onto the main file, as SQLite itself would on recovery."""
    _magic, _version, page_size, _seq, salt1, salt2, _c1, _c2 = struct.unpack(">8I", wal[:32])
    db = bytearray(main)
    offset = 32
    while offset + 24 + page_size <= len(wal):
        page_number, commit_size, s1, s2 = struct.unpack(">4I", wal[offset : offset + 16])
        if (s1, s2) != (salt1, salt2):
            break  # a frame left over from before the WAL was last reset
        page = wal[offset + 24 : offset + 24 + page_size]
        start = (page_number - 1) * page_size
        if len(db) < start + page_size:
            db.extend(b"\0" * (start + page_size - len(db)))
        db[start : start + page_size] = page
        if commit_size:
            del db[commit_size * page_size :]
            yield bytes(db)
        offset += 24 + page_size


def global_counters(snapshot: bytes, folder: Path) -> dict[tuple[str, str], int]:
    path = folder / "snapshot.sqlite3"
    path.write_bytes(snapshot)
    with sqlite3.connect(f"file:{path}?immutable=1", uri=True) as db:
        rows = db.execute("SELECT metric, value, count FROM counter WHERE scope = 'global'").fetchall()
    return {(metric, value): count for metric, value, count in rows}


def guess_each_item(score: Score, ms: list[int], victim: Victim, seen: dict[str, list[str]], rng) -> None:
    """The attacker's best guess of each of the victim's items from the values seen for it."""
    for item in victim.items(BANK, MYTHS):
        score.add(guess_from(seen[item.metric], rng), item.true_value, len(item.values))
        ms.append(len(item.values))


def judge(score: Score, ms: list[int], capsys, what: str) -> None:
    score.assert_within_the_guarantee()
    yes_no(score, ms).assert_within_the_guarantee()
    with capsys.disabled():
        print(f"\n[forensic] {score.report(what)}")


@pytest.mark.slow
def test_replaying_the_sqlite_wal_commit_by_commit_gives_only_randomized_values(database_url, app, tmp_path, capsys):
    if not database_url.startswith("sqlite"):
        pytest.skip("the WAL is SQLite's: the PostgreSQL pass reads xmin instead (the next test)")
    path = Path(database_url.split("///", 1)[1])
    engine = make_engine(database_url)

    @event.listens_for(engine, "connect")
    def _no_automatic_checkpoint(dbapi_connection, _record):
        # The attacker's best case: every commit still in the WAL (SQLite would fold them in after 1,000 pages).
        dbapi_connection.execute("PRAGMA wal_autocheckpoint=0")

    assert storage.checkpoint(app.extensions["database"].engine)  # start from an empty WAL
    main = path.read_bytes()
    rng = random.Random(21)
    victims, written = [], []
    from sqlalchemy.orm import Session

    with engine.connect() as holder, Session(engine) as session:  # holder keeps the WAL from being folded in at close
        holder.execute(text("SELECT 1"))
        for _ in range(VICTIMS):
            victim = Victim(BANK, MYTHS, rng)
            victims.append(victim)
            written.append(finish(session, BANK, MYTHS, victim, counting.plan(SITE)))
        wal = Path(f"{path}-wal").read_bytes()
    engine.dispose()

    states = [global_counters(main, tmp_path)]
    states += [global_counters(s, tmp_path) for s in wal_commits(main, wal)]
    assert len(states) == 1 + 2 * VICTIMS  # one commit per quiz, one per myth round
    score, ms = Score(4), []
    for n, victim in enumerate(victims):
        before, after = states[2 * n], states[2 * n + 2]
        grew = {key: after[key] - before.get(key, 0) for key in after if after[key] != before.get(key, 0)}
        # each commit holds exactly what the tally was given: the randomized values, as the receipt says
        assert grew == {(k.metric, k.value): 1 for k in written[n] if k.scope == tally.GLOBAL}
        seen: dict[str, list[str]] = {}
        for metric, value in grew:
            seen.setdefault(metric, []).append(value)
        guess_each_item(score, ms, victim, seen, rng)
    judge(score, ms, capsys, f"SQLite WAL replayed commit by commit, {VICTIMS} victims")


def test_postgresql_row_versions_isolate_only_randomized_values(database_url, app, capsys):
    if not database_url.startswith("postgresql"):
        pytest.skip("xmin is PostgreSQL's: the SQLite pass replays the WAL instead (the test above)")
    rng = random.Random(22)
    score, ms = Score(4), []
    last_person = text(
        "SELECT metric, value FROM counter WHERE scope = 'global' AND metric <> 'completions' AND metric <> "
        "'myth_rounds' AND xmin = (SELECT xmin FROM counter WHERE scope = 'global' AND metric = :total)"
    )
    with app.extensions["database"].sessions() as session:
        for _ in range(VICTIMS):
            victim = Victim(BANK, MYTHS, rng)
            keys = finish(session, BANK, MYTHS, victim, counting.plan(SITE))
            seen: dict[str, list[str]] = {}
            for total in ("completions", "myth_rounds"):
                # `SELECT xmin, * FROM counter`: the rows the last transaction wrote are the last person's
                for metric, value in session.execute(last_person, {"total": total}):
                    seen.setdefault(metric, []).append(value)
            session.rollback()
            assert sorted((m, v) for m, vs in seen.items() for v in vs) == sorted(
                (k.metric, k.value) for k in keys if k.scope == tally.GLOBAL and k.value
            )
            guess_each_item(score, ms, victim, seen, rng)
    judge(score, ms, capsys, f"PostgreSQL xmin of the last transaction, {VICTIMS} victims")


def test_no_row_is_added_by_a_finish(app, database_url):
    """Row order cannot link first choosers: every counter row exists before anyone finishes.
    (On PostgreSQL an update writes a new row version, so physical order follows the last
    updates: the same information as xmin, bounded by the test above.)"""
    from sqlalchemy import select

    with app.extensions["database"].sessions() as session:
        keys_before = [tuple(r) for r in session.execute(select(Counter.scope, Counter.metric, Counter.value))]
        finish(session, BANK, MYTHS, Victim(BANK, MYTHS, random.Random(1)), counting.plan(SITE))
        keys_after = [tuple(r) for r in session.execute(select(Counter.scope, Counter.metric, Counter.value))]
    assert sorted(keys_after) == sorted(keys_before) and len(keys_after) == len(set(keys_after))
    if database_url.startswith("sqlite"):
        with app.extensions["database"].engine.connect() as connection:
            rowids = connection.exec_driver_sql("SELECT rowid, scope, metric, value FROM counter ORDER BY rowid").all()
        # in key order: the insertion order is the keys' order, nothing else
        assert [r[1:] for r in rowids] == sorted(r[1:] for r in rowids)


# --- what the database's own files keep, and what the pages say they keep ---------------

TIME_TO_THE_MICROSECOND = re.compile(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{6}")


def said_about_the_files(app, client, engine: str) -> tuple[str, str]:
    """The privacy page and the receipt (after a finish), with the words the inventory has for this engine."""
    privacy = unescape(client.get("/privacy").get_data(as_text=True))
    receipt = unescape(client.get("/quiz/result").get_data(as_text=True))
    with app.test_request_context():
        kept = inventory.database_log(app.config, engine)
    for page in (privacy, receipt):
        assert kept.what in page and kept.how_long in page
    assert "date or time of your visit" not in receipt
    return kept.what, kept.how_long


def test_postgresql_s_wal_holds_each_finish_with_its_commit_time_as_the_pages_say(app, database_url, quiz, client):
    if not database_url.startswith("postgresql"):
        pytest.skip("PostgreSQL's WAL: the SQLite pass reads SQLite's (the next test)")
    engine = app.extensions["database"].engine
    with engine.begin() as connection:
        connection.execute(text("CREATE EXTENSION IF NOT EXISTS pg_walinspect"))
        start = connection.execute(text("SELECT pg_current_wal_insert_lsn()")).scalar()
        counter = connection.execute(text("SELECT pg_relation_filenode('counter')")).scalar()
    before = datetime.now(UTC)
    quiz.complete()
    after = datetime.now(UTC)
    with engine.begin() as connection:
        records = connection.execute(
            text("SELECT xid, record_type, description, block_ref FROM pg_get_wal_records_info_till_end_of_wal(:s)"),
            {"s": start},
        ).all()
        connection.execute(text("DROP EXTENSION pg_walinspect"))  # the database as the other tests expect it
    finish = {xid for xid, _type, _d, refs in records if refs and f"/{counter} " in refs}
    assert len(finish) == 1  # one transaction wrote the finish's counters
    (commit,) = [d for xid, kind, d, _r in records if xid in finish and kind == "COMMIT"]
    written = datetime.fromisoformat(TIME_TO_THE_MICROSECOND.match(commit).group(0)).replace(tzinfo=UTC)
    assert before - timedelta(seconds=1) <= written <= after + timedelta(seconds=1)
    what, how_long = said_about_the_files(app, client, "postgresql")
    assert "the time it was written, to the microsecond" in what
    assert "write-ahead log" in how_long and "Archives" in how_long


def test_sqlite_s_wal_holds_each_finish_until_the_timer_s_checkpoint_as_the_pages_say(app, database_url, quiz, client):
    if not database_url.startswith("sqlite"):
        pytest.skip("SQLite's WAL: the PostgreSQL pass reads PostgreSQL's (the test above)")
    wal = Path(f"{database_url.split('///', 1)[1]}-wal")
    maintenance = app.extensions["storage_maintenance"]
    maintenance.run_once()
    assert wal.stat().st_size == 0
    before = time.time()
    quiz.complete()
    # the finish is in the WAL, in order, with no time of its own; the file's time is the latest write's
    assert wal.stat().st_size > 0 and before - 1 <= wal.stat().st_mtime <= time.time() + 1
    what, how_long = said_about_the_files(app, client, "sqlite")
    assert "the file's time says when the latest was written" in what
    assert f"at most about {maintenance.every} seconds" in how_long
    maintenance.run_once()  # what the timer does every `every` seconds
    assert wal.stat().st_size == 0
