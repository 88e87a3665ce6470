"""Backups taken from a running instance, restored, and serving the same figures.

SQLite: `flask --app wsgi backup PATH` (SQLite's online backup API) while gunicorn serves
quizzes; PostgreSQL: `pg_dump -Fc` while it serves, `pg_restore` into a scratch database
(named after the test database, with `_restore`), both as docs/backups.md says. Every copy
taken under load must be one moment of the database (each question's counts add up to the
finished quizzes, one spent token per finished quiz), and the restored instance must show
what the original shows once the load has stopped.
"""

from __future__ import annotations

import os
import re
import shutil
import sqlite3
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import make_url

from app import create_app
from app.scoring import Bank, load_bank
from app.scoring.bank import DEFAULT_BANK
from app.store.backup import BackupError, backup_sqlite
from app.store.schema import upgrade
from bench.loadgen import CSRF_RE, SECRET, Server, request, running, session_cookie
from tests.helpers import TEST_MIN_FINISHED
from tests.loadgen import run_load

ROOT = Path(__file__).resolve().parent.parent
FLASK = Path(sys.executable).parent / "flask"
COMPLETIONS = 30  # finished quizzes while the copies are taken
# The restored copy is served with the same minimum; and a busy test machine must not turn
# a slow query into a visitor's "not counted" here (tests/test_database_hang.py is about that).
SERVER_ENV = {"MIN_FINISHED": str(TEST_MIN_FINISHED), "DATABASE_TIMEOUT_SECONDS": "20"}


def copies_during_load(take: Callable[[int], Path], most: int) -> tuple[list[Path], Callable[[int], None]]:
    """run_load's `during` hook: the first of the concurrent visitors takes a copy after each
    quiz it finishes (up to `most`), while the others go on answering and finishing theirs."""
    taken: list[Path] = []

    def during(done: int) -> None:
        if len(taken) < most:
            taken.append(take(done))

    return taken, during


def server_env(database_url: str, instance: Path) -> dict[str, str]:
    """What the server runs with, so a command run beside it finds the same database."""
    env = {k: v for k, v in os.environ.items() if k != "TEST_DATABASE_URL"}
    env.update(
        {
            "APP_ENV": "production",
            "SECRET_KEY": SECRET,
            "TRUSTED_HOSTS": "localhost",
            "DATABASE_URL": database_url,
            "INSTANCE_PATH": str(instance),
            "PYTHONPATH": str(ROOT),
        }
    )
    return env


def open_room_over_http(base: str) -> tuple[str, str]:
    """A facilitator opens a room; returns (room code, presenter path)."""
    form = request(base, "GET", "/rooms/new")
    cookie = session_cookie(form, None)
    token = CSRF_RE.search(form.body)
    assert token
    made = request(base, "POST", "/rooms/new", cookie=cookie, form={"csrf_token": token.group(1), "title": "Backed up"})
    assert made.status == 200, made.status
    code = re.search(r'data-room-code="(\w+)"', made.body).group(1)
    link = re.search(r"data-presenter-link>([^<]+)<", made.body).group(1)
    return code, re.sub(r"^https?://[^/]+", "", link)


def room_id(database_url: str, code: str) -> str:
    engine = create_engine(database_url)
    try:
        with engine.connect() as db:
            return db.execute(text("SELECT id FROM room WHERE code = :code"), {"code": code}).scalar_one()
    finally:
        engine.dispose()


def one_moment(engine: Engine, bank: Bank) -> int:
    """Check that a copy is one moment of the database; returns its finished quizzes.

    Each finished quiz adds 1 to its scope's completions, to one value of every question and
    of the closing one, and inserts one spent token, all in one transaction: a torn copy
    breaks one of these sums."""
    with engine.connect() as db:
        finished = dict(db.execute(text("SELECT scope, count FROM counter WHERE metric = 'completions'")).all())
        sums = db.execute(
            text(
                "SELECT scope, metric, sum(count) FROM counter"
                " WHERE metric LIKE 'answer:%' OR metric = 'chilling' GROUP BY scope, metric"
            )
        ).all()
        tokens = db.execute(text("SELECT count(*) FROM spent_token")).scalar_one()
    assert len(sums) == len(finished) * (len(bank.questions) + 1)
    for scope, metric, total in sums:
        assert total == finished[scope], (scope, metric, total, finished[scope])
    # Rooms here are at the site's level, so every finished quiz is counted in the site's scope.
    assert tokens == finished["global"]
    return finished["global"]


def figures_shown(get, presenter: str) -> dict[str, str]:
    """What the site and the room show, as a visitor and the presenter read them."""
    shown = {}
    for path in ("/stats", presenter, presenter + "/poll", presenter + "/debrief.csv"):
        body = get(path)
        shown[path] = CSRF_RE.sub("", body)  # the form token differs per visitor, not per database
    return shown


def served_by(base: str):
    def get(path: str) -> str:
        # The Host the test client uses too: join links and QR codes are made from it.
        reply = request(base, "GET", path, headers={"Host": "localhost"})
        assert reply.status == 200, (path, reply.status)
        return reply.body

    return get


def served_in_process(database_url: str, instance: Path):
    app = create_app({"DATABASE_URL": database_url, "INSTANCE_PATH": str(instance), "MIN_FINISHED": TEST_MIN_FINISHED})
    client = app.test_client()

    def get(path: str) -> str:
        reply = client.get(path)
        assert reply.status_code == 200, (path, reply.status_code)
        return reply.get_data(as_text=True)

    return app, get


@pytest.fixture
def bank() -> Bank:
    return load_bank(DEFAULT_BANK)


# --- SQLite ------------------------------------------------------------------------------


@pytest.fixture
def sqlite_instance(tmp_path) -> tuple[str, Path]:
    instance = tmp_path / "instance"
    url = f"sqlite:///{instance / 'score.sqlite3'}"
    instance.mkdir(mode=0o700)
    upgrade(url)
    return url, instance


def flask_backup(env: dict[str, str], path: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(FLASK), "--app", "wsgi", "backup", str(path)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def load_a_room(server, bank, url: str, during) -> str:
    """Open a room over HTTP and finish COMPLETIONS quizzes into it while `during` takes copies;
    returns the presenter path."""
    code, presenter = open_room_over_http(server.base)
    load = run_load(server.base, bank, completions=COMPLETIONS, clients=4, room_id=room_id(url, code), during=during)
    assert not load.failed and len(load.acknowledged) == COMPLETIONS, (load.failed[:3], server.log())
    return presenter


def test_an_sqlite_backup_taken_while_serving_restores_to_the_same_figures(sqlite_instance, bank, tmp_path):
    url, instance = sqlite_instance
    env = server_env(url, instance)
    backups = tmp_path / "backups"
    backups.mkdir()
    server = Server(url, workers=2, env={**SERVER_ENV, "INSTANCE_PATH": str(instance)})

    def back_up_now(done: int) -> Path:
        # The command's own function, in this process: a copy lands between the others' writes.
        return backup_sqlite(instance / "score.sqlite3", backups / f"under-load-{done}.sqlite3").path

    taken, during = copies_during_load(back_up_now, most=4)

    with running(server, tmp_path):
        presenter = load_a_room(server, bank, url, during)
        # Quiet now, still serving: the last copy, and what the original shows.
        final = backups / "final.sqlite3"
        made = flask_backup(env, final)
        assert made.returncode == 0, made.stderr
        assert re.fullmatch(rf"backed up .+ to {re.escape(str(final))}: \d+ bytes, schema revision \d+\n", made.stdout)
        original = figures_shown(served_by(server.base), presenter)

    assert taken
    counts = []
    for path in [*taken, final]:
        assert path.stat().st_mode & 0o777 == 0o600
        assert not Path(f"{path}-wal").exists()  # one file: nothing else to carry away
        with sqlite3.connect(path) as copy:
            assert copy.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        engine = create_engine(f"sqlite:///{path}")
        counts.append(one_moment(engine, bank))
        engine.dispose()
    assert counts == sorted(counts) and counts[-1] == COMPLETIONS

    # Restore as docs/backups.md says: the copy becomes score.sqlite3 of a stopped instance.
    restored_instance = tmp_path / "restored"
    restored_instance.mkdir(mode=0o700)
    shutil.copy2(final, restored_instance / "score.sqlite3")
    restored_url = f"sqlite:///{restored_instance / 'score.sqlite3'}"
    upgrade(restored_url)  # the start's migration step: nothing to do for a copy of this release
    app, get = served_in_process(restored_url, restored_instance)
    try:
        assert figures_shown(get, presenter) == original
    finally:
        app.extensions["database"].engine.dispose()


def test_a_backup_never_overwrites_and_leaves_nothing_half_made(sqlite_instance, tmp_path):
    _url, instance = sqlite_instance
    source = instance / "score.sqlite3"
    existing = tmp_path / "kept.sqlite3"
    existing.write_text("an older backup")
    with pytest.raises(BackupError, match="exists"):
        backup_sqlite(source, existing)
    assert existing.read_text() == "an older backup"
    with pytest.raises(BackupError, match="is not a folder"):
        backup_sqlite(source, tmp_path / "no-such-folder" / "b.sqlite3")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["instance", "kept.sqlite3"]


def test_the_backup_command_on_postgresql_points_to_pg_dump(tmp_path):
    # Nothing listens on port 1: the app starts without its database, as the command needs none.
    app = create_app(
        {"DATABASE_URL": "postgresql+psycopg://postgres@127.0.0.1:1/score", "INSTANCE_PATH": str(tmp_path)}
    )
    made = app.test_cli_runner().invoke(args=["backup", str(tmp_path / "b.sqlite3")])
    assert made.exit_code != 0
    assert "back PostgreSQL up with pg_dump (docs/backups.md)" in made.output
    assert not list(tmp_path.iterdir())


# --- PostgreSQL --------------------------------------------------------------------------

on_postgresql = pytest.mark.skipif(
    not os.environ.get("TEST_DATABASE_URL", "").startswith("postgresql"),
    reason="pg_dump and pg_restore need PostgreSQL: runs in make test's PostgreSQL pass",
)


def libpq(url: str) -> str:
    """The SQLAlchemy URL as pg_dump and pg_restore take it."""
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


@pytest.fixture
def scratch_database(database_url: str) -> Iterator[str]:
    """An empty database beside the test's, named after it with _restore, dropped afterwards."""
    url = make_url(database_url)
    name = f"{url.database}_restore"
    admin = create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as db:
        db.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        db.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield url.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as db:
            db.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def pg_tool(*args: str) -> None:
    done = subprocess.run(list(args), capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr


@on_postgresql
def test_a_pg_dump_taken_while_serving_restores_to_the_same_figures(database_url, scratch_database, bank, tmp_path):
    upgrade(database_url)
    dumps = tmp_path / "dumps"
    dumps.mkdir()
    server = Server(database_url, workers=2, env=SERVER_ENV)

    def dump_now(done: int) -> Path:
        path = dumps / f"under-load-{done}.dump"
        pg_tool("pg_dump", "--format=custom", f"--file={path}", f"--dbname={libpq(database_url)}")
        return path

    taken, during = copies_during_load(dump_now, most=2)

    with running(server, tmp_path):
        presenter = load_a_room(server, bank, database_url, during)
        final = dumps / "final.dump"
        pg_tool("pg_dump", "--format=custom", f"--file={final}", f"--dbname={libpq(database_url)}")
        original = figures_shown(served_by(server.base), presenter)

    assert taken
    restored = create_engine(scratch_database)
    counts = []
    try:
        for path in [*taken, final]:
            with restored.begin() as db:  # empty the scratch database for the next restore
                db.execute(text("DROP SCHEMA public CASCADE"))
                db.execute(text("CREATE SCHEMA public"))
            target = f"--dbname={libpq(scratch_database)}"
            pg_tool("pg_restore", "--no-owner", "--no-privileges", "--exit-on-error", target, str(path))
            counts.append(one_moment(restored, bank))
    finally:
        restored.dispose()
    assert counts == sorted(counts) and counts[-1] == COMPLETIONS

    upgrade(scratch_database)
    app, get = served_in_process(scratch_database, tmp_path)
    try:
        assert figures_shown(get, presenter) == original
    finally:
        app.extensions["database"].engine.dispose()
