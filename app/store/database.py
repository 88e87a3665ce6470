"""One engine and one session factory per app; a session per request, removed at teardown."""

from __future__ import annotations

from contextlib import AbstractContextManager
from pathlib import Path
from typing import Any

from flask import Flask, current_app, g
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from . import hygiene
from .deadline import Deadline


def make_engine(url: str, timeout: int | None = None) -> Engine:
    """An engine tuned for the backend: WAL and a busy timeout for SQLite. With a `timeout`
    (the app's, DATABASE_TIMEOUT_SECONDS) PostgreSQL gets connect, statement, pool and
    per-request deadlines (app/store/deadline.py); without one (migrations, which may
    wait for each other's lock) it waits as long as the database needs."""
    if url.startswith("sqlite"):
        path = url.split("///", 1)[-1]
        if path and path != ":memory:":
            hygiene.private_sqlite_file(Path(path))  # 0600 in a 0700 folder, before SQLite opens it
        # Writers queue for SQLite's one write lock: three times the deadline (9 s by default).
        busy = timeout * 3 if timeout else 30
        engine = create_engine(url, connect_args={"timeout": busy})

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
            cursor = dbapi_connection.cursor()
            # WAL lets readers and one writer work at once across gunicorn workers.
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.execute(f"PRAGMA busy_timeout={busy * 1000}")
            # Deleted rows are overwritten with zeros, not left readable in free pages.
            cursor.execute("PRAGMA secure_delete=ON")
            cursor.close()

        return engine
    if timeout is None:
        return create_engine(url, pool_pre_ping=True, pool_size=5, max_overflow=5)
    engine = create_engine(
        url,
        pool_size=5,
        max_overflow=5,
        pool_timeout=timeout,  # waiting for a free connection
        connect_args={"connect_timeout": timeout, "options": f"-c statement_timeout={timeout * 1000}"},
    )
    Deadline(engine, timeout)  # also pings each connection a request checks out
    return engine


class Database:
    """The app's engine and session factory."""

    def __init__(self, url: str, timeout: int | None = None) -> None:
        self.engine = make_engine(url, timeout)
        self.sessions = sessionmaker(self.engine, expire_on_commit=False)

    def init_app(self, app: Flask) -> None:
        app.extensions["database"] = self
        app.teardown_appcontext(self._remove_session)

    @staticmethod
    def _remove_session(_exc: BaseException | None) -> None:
        session = g.pop("db_session", None)
        if session is not None:
            try:
                session.close()
            except SQLAlchemyError:
                # Its connection was cut (held past the request's deadline) after the view had
                # answered: the answer stands, and the connection is thrown away unused.
                session.invalidate()


def get_database() -> Database:
    return current_app.extensions["database"]


def get_session() -> Session:
    """The session of the current request, opened on first use."""
    if "db_session" not in g:
        g.db_session = get_database().sessions()
    return g.db_session


def discard_session() -> None:
    """Roll back and drop the request's session after a database error (a fresh one is opened if needed)."""
    session = g.pop("db_session", None)
    if session is not None:
        try:
            session.rollback()
        except SQLAlchemyError:
            pass  # the connection is already gone; closing below releases what is left
        finally:
            session.close()


def transaction() -> AbstractContextManager[Session]:
    """A write of its own: a fresh session whose transaction commits when the block ends, or
    rolls back if it raises (SQLAlchemy's sessionmaker.begin())."""
    return get_database().sessions.begin()
