"""Storage hygiene: what the files on disk may hold, and for how long.

- The instance folder is 0700 and the SQLite file 0600 (SQLite gives its -wal and -shm
  files the database file's mode), so no other account on the machine can read them. A
  shared folder (sticky, like /tmp) is never changed.
- SQLite runs with secure_delete, so deleted rows (a purged room, a spent token past its
  day) are overwritten with zeros rather than left in free pages.
- The WAL holds every recent transaction, a finished quiz's randomized values together,
  until a checkpoint copies it into the database. A timer in each worker process runs
  `PRAGMA wal_checkpoint(TRUNCATE)` every WAL_CHECKPOINT_SECONDS (default 60; it starts
  with the worker), which empties the WAL file to zero bytes. The same timer, on SQLite and
  PostgreSQL alike, is the one place that deletes what has expired: rooms on the day the
  pages say they are deleted, with all their counters, and spent tokens past their day. It
  runs at least hourly whatever WAL_CHECKPOINT_SECONDS says (0 only stops the checkpoints),
  so that deletion happens within the hour of the stated day.
- The site's counters are all created at zero at start, so their rows' order says
  nothing about which answer came first.
"""

from __future__ import annotations

import contextlib
import logging
import os
import sqlite3
import stat
import threading
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from flask import Flask
from sqlalchemy import Engine, bindparam, delete, literal, select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from . import counters
from .days import today
from .models import ROOM_SCOPE_PREFIX, Room

log = logging.getLogger(__name__)

FOLDER_MODE = 0o700
FILE_MODE = 0o600
CHECKPOINT_BUSY_SECONDS = 0.2  # a checkpoint that would wait longer for readers tries again next time
PURGE_AT_LEAST_EVERY = 3600  # seconds: the pages promise deletion on a day, so within its first hour


def private_folder(path: Path) -> None:
    """The app's own folder (the instance folder): made 0700 if new, closed to other accounts
    if it exists, unless it is a shared folder (sticky, like /tmp), which is never changed."""
    if not path.exists():
        path.mkdir(mode=FOLDER_MODE, parents=True, exist_ok=True)
        return
    if path.stat().st_mode & stat.S_ISVTX:
        log.warning("%s is a shared folder: its mode is left as it is", path)
        return
    _chmod(path, FOLDER_MODE)


def private_sqlite_file(path: Path) -> None:
    """Create the SQLite file 0600 before SQLite does (it would follow the umask), and
    tighten an existing one and its -wal and -shm files. A folder made for it is 0700; an
    existing folder is left alone (only the instance folder is the app's to close)."""
    if not path.parent.exists():
        path.parent.mkdir(mode=FOLDER_MODE, parents=True, exist_ok=True)
    with contextlib.suppress(FileExistsError):
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, FILE_MODE))
    for name in (path, Path(f"{path}-wal"), Path(f"{path}-shm")):
        if name.exists():
            _chmod(name, FILE_MODE)


def _chmod(path: Path, mode: int) -> None:
    try:
        if path.stat().st_mode & 0o777 != mode:
            path.chmod(mode)
    except PermissionError:
        # A folder someone else owns (a mounted volume): say so once, and go on.
        log.warning("cannot restrict %s to %o: not its owner", path, mode)


def sqlite_path(engine: Engine) -> Path | None:
    database = engine.url.database
    if engine.dialect.name != "sqlite" or not database or database == ":memory:":
        return None
    return Path(database)


def checkpoint(engine: Engine) -> bool:
    """Copy the WAL into the database and truncate it to zero bytes; False if readers kept it busy."""
    path = sqlite_path(engine)
    if path is None or not path.exists():
        return True
    # A connection of its own, with a short busy timeout: while a TRUNCATE checkpoint waits for
    # readers it holds the write lock, and writers must not wait on it for long.
    connection = sqlite3.connect(path, timeout=CHECKPOINT_BUSY_SECONDS)
    try:
        # First a PASSIVE checkpoint, which copies what it can without blocking anyone; the
        # TRUNCATE after it has little left to copy while it holds writers back (a minute of a
        # busy event's WAL copied under TRUNCATE alone held every writer for over a second).
        connection.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()
        busy, _log, _done = connection.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
    finally:
        connection.close()
    return busy == 0


@dataclass(frozen=True)
class Purged:
    rooms: int
    orphan_counters: int
    spent_tokens: int


_EXPIRED = Room.expires_on <= bindparam("day")
_ROOM_SCOPES = select(literal(ROOM_SCOPE_PREFIX) + Room.id)


def purge_expired(sessions: sessionmaker[Session], on: date | None = None) -> Purged:
    """The one home of deletion on the day the pages promise: expired rooms with all their
    counters, room counters left without a room, and spent tokens past their day. Each part
    looks before it deletes, so that the usual case takes no write lock."""
    day = on or today()
    with sessions.begin() as session:
        expired = list(session.scalars(select(Room.id).where(_EXPIRED), {"day": day}))
        if expired:
            counters.delete_scopes(session, [ROOM_SCOPE_PREFIX + room_id for room_id in expired])
            session.execute(delete(Room).where(_EXPIRED), {"day": day})
        orphans = counters.delete_orphan_scopes(session, ROOM_SCOPE_PREFIX, _ROOM_SCOPES)
        tokens = counters.purge_spent_tokens(session, day)
    return Purged(len(expired), orphans, tokens)


def interval(checkpoint_seconds: int) -> int:
    """Seconds between two runs of the timer: the WAL setting, but never more than an hour."""
    return min(checkpoint_seconds or PURGE_AT_LEAST_EVERY, PURGE_AT_LEAST_EVERY)


class Maintenance:
    """Each worker process's timer: what has expired is deleted, then a WAL checkpoint."""

    def __init__(self, engine: Engine, sessions: sessionmaker[Session], checkpoint_seconds: int) -> None:
        self.engine, self.sessions = engine, sessions
        self.every, self.checkpoints = interval(checkpoint_seconds), checkpoint_seconds > 0
        self.pid: int | None = None
        self.lock = threading.Lock()

    def ensure_running(self) -> None:
        """Start the timer once in this process (a forked worker gets its own)."""
        if self.pid == os.getpid():
            return
        with self.lock:
            if self.pid != os.getpid():
                self.pid = os.getpid()
                threading.Thread(target=self._loop, name="storage-maintenance", daemon=True).start()

    def _loop(self) -> None:
        stop = threading.Event()
        while not stop.wait(self.every):
            self.run_once()

    def run_once(self) -> None:
        try:
            purge_expired(self.sessions)
            if self.checkpoints:
                checkpoint(self.engine)
        except (SQLAlchemyError, sqlite3.Error) as error:
            log.warning("storage maintenance skipped: %s", type(error).__name__)


def create_site_counters(app: Flask) -> None:
    """Every site counter at zero, once; a database that does not answer yet is left for later
    (the migration step does the same, before any worker starts)."""
    database = app.extensions["database"]
    try:
        with database.sessions.begin() as session:
            counters.create_scope(
                session, counters.GLOBAL, app.config["EPSILON_ODDS"], app.extensions["bank"], app.extensions["myths"]
            )
    except SQLAlchemyError as error:
        log.warning("site counters not created at start: %s", type(error).__name__)


def init_app(app: Flask) -> None:
    private_folder(Path(app.instance_path))
    create_site_counters(app)
    database = app.extensions["database"]
    maintenance = Maintenance(database.engine, database.sessions, app.config["WAL_CHECKPOINT_SECONDS"])
    app.extensions["storage_maintenance"] = maintenance
    if not app.testing:
        # gunicorn's post_fork starts it as each worker starts; a server without that hook, at
        # the first request.
        app.before_request(maintenance.ensure_running)
