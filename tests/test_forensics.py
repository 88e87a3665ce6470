"""Whoever gets the files: what the SQLite WAL and PostgreSQL's row versions give an attacker.

Both keep each finished quiz as its own transaction, so both isolate one person's counted
values (issue 12, attack 3). What they isolate now is the randomized values and nothing
else, so the attacker's guesses obey the same bound as every other attack (tests/attack.py).
"""

from __future__ import annotations

import random
import sqlite3
import struct
from pathlib import Path

import pytest
from sqlalchemy import event, text

from app.counting import items as counting
from app.scoring import load_bank, load_myths
from app.store import counters as tally
from app.store import hygiene as storage
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
