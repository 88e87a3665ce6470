"""A PostgreSQL connection that a request holds past its deadline is cut, so a database
that hangs costs a visitor a few seconds and a 503 page, never a worker.

The server-side timeouts (statement_timeout) only help while the server answers; a
database, a pooler or a network path that accepts bytes and never replies leaves the
driver waiting forever, as no client-side query timeout exists in libpq or psycopg. So
each connection a request checks out of the pool gets a deadline; a watchdog thread shuts
down the socket of one still out after it (a `shutdown` on a duplicate of the driver's
documented `fileno()`), the driver's wait ends with "server closed the connection", and
SQLAlchemy throws the connection away. Connections are pinged when checked out (the
checkout-event ping of SQLAlchemy's "Disconnect Handling" docs), under the same deadline,
so a stale or hung pooled connection is replaced rather than handed to a view.

Only requests get a deadline: migrations and CLI commands run as long as they need.
"""

from __future__ import annotations

import contextlib
import logging
import os
import socket
import threading
import time
from typing import Any

from flask import has_request_context
from sqlalchemy import Engine, event
from sqlalchemy.exc import DisconnectionError

log = logging.getLogger(__name__)
TICK = 0.1  # how often the watchdog looks, in seconds


def cut(dbapi_connection: Any) -> None:
    """End the connection's socket under the driver's feet (the driver then reports it closed)."""
    with contextlib.suppress(Exception):  # already closed: nothing to cut
        duplicate = socket.socket(fileno=os.dup(dbapi_connection.fileno()))
        try:
            duplicate.shutdown(socket.SHUT_RDWR)
        finally:
            duplicate.close()


class Deadline:
    def __init__(self, engine: Engine, seconds: float) -> None:
        self.engine = engine
        self.seconds = seconds
        self._lock = threading.Lock()
        self._out: dict[int, tuple[float, Any]] = {}  # id(pool record) -> (deadline, connection)
        self._watcher_pid = 0
        event.listen(engine, "checkout", self._checkout)
        event.listen(engine, "checkin", self._checkin)
        event.listen(engine, "invalidate", self._invalidated)

    def _checkout(self, dbapi_connection: Any, record: Any, _proxy: Any) -> None:
        if not has_request_context():
            return
        self._ensure_watcher()
        with self._lock:
            self._out[id(record)] = (time.monotonic() + self.seconds, dbapi_connection)
        try:
            alive = self.engine.dialect.do_ping(dbapi_connection)
        except Exception:  # cut by the watchdog, refused, reset: all the same here
            alive = False
        if not alive:
            self._release(record)
            raise DisconnectionError("the database did not answer a ping")  # the pool tries a new connection once

    def _checkin(self, _dbapi_connection: Any, record: Any) -> None:
        self._release(record)

    def _invalidated(self, _dbapi_connection: Any, record: Any, _exception: BaseException | None) -> None:
        self._release(record)

    def _release(self, record: Any) -> None:
        with self._lock:
            self._out.pop(id(record), None)

    def _ensure_watcher(self) -> None:
        # Threads do not survive gunicorn's fork: each worker starts its own, once.
        if self._watcher_pid != os.getpid():
            with self._lock:
                if self._watcher_pid != os.getpid():
                    self._watcher_pid = os.getpid()
                    threading.Thread(target=self._watch, name="database-deadline", daemon=True).start()

    def _watch(self) -> None:
        while True:
            time.sleep(TICK)
            now = time.monotonic()
            with self._lock:  # checkin waits while a connection is cut, so a returned one is never cut
                late = [key for key, (deadline, _conn) in self._out.items() if deadline <= now]
                for key in late:
                    _deadline, connection = self._out.pop(key)
                    cut(connection)
            if late:
                log.warning("database: %d connection(s) cut after %ss without an answer", len(late), self.seconds)
