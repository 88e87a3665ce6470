"""One engine and one session factory per app; a session per request, removed at teardown."""

from __future__ import annotations

import logging
import math
from contextlib import AbstractContextManager
from pathlib import Path
from typing import Any

from flask import Flask, current_app, g
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.exc import DisconnectionError, SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from . import hygiene, waits

SQLITE_BUSY_SECONDS = 30  # outside requests (migrations, the CLI, the maintenance timer)
# The server ends a transaction left idle this long (its client hung with locks held). Longer
# than the deadline: a request's read stays open, idle, while its page is made.
ABANDONED_TRANSACTION_MS = 30_000
log = logging.getLogger(__name__)


def make_engine(url: str, timeout: int | None = None, waiting: int = 1) -> Engine:
    """An engine tuned for the backend. With a `timeout` (the app's, DATABASE_TIMEOUT_SECONDS)
    at most `waiting` requests of a worker use the database at once, and each request's waits
    end `timeout` seconds after its first use of it (app/store/waits.py); without one
    (migrations, which may wait for each other's lock) it waits as long as the database needs."""
    if url.startswith("sqlite"):
        return _sqlite_engine(url, timeout, waiting)
    if timeout is None:
        return create_engine(url, pool_pre_ping=True, pool_size=5, max_overflow=5)
    limits = waits.Waits(waiting, timeout, watch_connections=True)
    ms = timeout * 1000
    engine = create_engine(
        url,
        poolclass=waits.pool_class(limits),
        pool_size=5,
        max_overflow=5,
        pool_timeout=timeout,  # waiting for a free connection
        # libpq's and the server's own deadlines (PostgreSQL's "Connection Strings" and
        # "Client Connection Defaults"): connecting; a host or path that stopped acknowledging
        # (keepalives while idle, tcp_user_timeout while sending); a slow statement; a lock
        # wait; and a transaction left open by a client that hangs, so its locks go.
        connect_args={
            "connect_timeout": timeout,
            "keepalives": 1,
            "keepalives_idle": 30,
            "keepalives_interval": 5,
            "keepalives_count": 3,
            "tcp_user_timeout": ms,
            "options": (
                f"-c statement_timeout={ms} -c lock_timeout={ms}"
                f" -c idle_in_transaction_session_timeout={ABANDONED_TRANSACTION_MS}"
            ),
        },
    )

    @event.listens_for(engine, "do_connect")
    def _connect_within_the_deadline(_dialect: Any, _record: Any, _cargs: Any, cparams: dict[str, Any]) -> None:
        left = waits.remaining()
        if left is not None:
            cparams["connect_timeout"] = max(1, math.ceil(left))  # libpq waits at least 2 s

    _watch_requests(engine, limits)

    @event.listens_for(engine, "checkout")
    def _ping(dbapi_connection: Any, record: Any, _proxy: Any) -> None:
        # SQLAlchemy's pessimistic ping ("Disconnect Handling"), as a checkout event rather than
        # pool_pre_ping so that it runs watched, under the request's deadline: a pooled
        # connection to a hung peer is cut and replaced (once) instead of hanging the request.
        try:
            alive = engine.dialect.do_ping(dbapi_connection)
        except Exception:  # cut, refused, reset: all the same here
            alive = False
        if not alive:
            limits.returned(record)
            raise DisconnectionError("the database did not answer a ping")

    return engine


def _sqlite_engine(url: str, timeout: int | None, waiting: int) -> Engine:
    path = url.split("///", 1)[-1]
    if path and path != ":memory:":
        hygiene.private_sqlite_file(Path(path))  # 0600 in a 0700 folder, before SQLite opens it
    options: dict[str, Any] = {"connect_args": {"timeout": SQLITE_BUSY_SECONDS}}
    limits = None
    if timeout is not None and path and path != ":memory:":
        limits = waits.Waits(waiting, timeout, watch_connections=False)
        options["poolclass"] = waits.pool_class(limits)
    engine = create_engine(url, **options)

    @event.listens_for(engine, "connect")
    def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
        cursor = dbapi_connection.cursor()
        # WAL lets readers and one writer work at once across gunicorn workers.
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        # Deleted rows are overwritten with zeros, not left readable in free pages.
        cursor.execute("PRAGMA secure_delete=ON")
        cursor.close()

    @event.listens_for(engine, "checkout")
    def _busy_until_the_deadline(dbapi_connection: Any, _record: Any, _proxy: Any) -> None:
        # Writers queue for SQLite's one write lock: a request's connection waits for it only
        # as long as the request has left; anything else, as long as it takes (up to 30 s).
        left = waits.remaining()
        busy_ms = SQLITE_BUSY_SECONDS * 1000 if left is None else int(left * 1000)
        dbapi_connection.execute(f"PRAGMA busy_timeout={busy_ms}")

    if limits is not None:
        _watch_requests(engine, limits)
    return engine


def _watch_requests(engine: Engine, limits: waits.Waits) -> None:
    event.listen(engine, "checkout", lambda connection, record, _proxy: limits.checked_out(connection, record))
    event.listen(engine, "checkin", lambda _connection, record: limits.returned(record))
    event.listen(engine, "invalidate", lambda _connection, record, _error: limits.returned(record))


class Database:
    """The app's engine and session factory."""

    def __init__(self, url: str, timeout: int | None = None, waiting: int = 1) -> None:
        self.engine = make_engine(url, timeout, waiting)
        self.sessions = sessionmaker(self.engine, expire_on_commit=False)

    def init_app(self, app: Flask) -> None:
        app.extensions["database"] = self
        app.teardown_appcontext(self._end_request)

    def _end_request(self, _exc: BaseException | None) -> None:
        session = g.pop("db_session", None)
        if session is not None:
            try:
                session.close()
            except SQLAlchemyError as error:
                # Its connection was cut (held past the request's deadline) or ended by the server
                # after the view had answered: the answer stands, and the connection is thrown
                # away unused (a teardown must not raise).
                log.warning("database: a request's connection was gone at its end (%s)", type(error).__name__)
                session.invalidate()
        pool = self.engine.pool
        if isinstance(pool, waits.AdmittingPool):
            pool.waits.release()


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
