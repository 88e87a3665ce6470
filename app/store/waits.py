"""How many of a worker's requests may wait on the database, and for how long.

A slow, locked or hung database costs a visitor a few seconds and a clear page, never the
worker: /healthz and the pages that need no database keep answering.

- **A cap (a bulkhead).** At most `limit` requests of a worker process use the database at
  once (GUNICORN_THREADS − 1, at least 1), so one thread always stays free for the rest. A
  request that finds every slot taken waits for one while the slots turn over (a busy but
  healthy database frees one every few milliseconds); once none was taken or freed for
  PATIENCE, the database is stuck, and every request over the cap gets DatabaseBusy at
  once, which every caller already treats as the database being away (the 503 page; a
  finish says "not counted, your answers are kept"). So the free thread is never held up
  longer than PATIENCE by a stuck database, and /healthz answers within a second. The slot
  is taken when the request first asks the pool for a connection (its deadline starts
  then) and given back when the request ends.
- **One deadline per request.** A request's waits on the database end
  DATABASE_TIMEOUT_SECONDS after its first use of it, in total, however many statements,
  tries or connections it takes:
  - SQLite: each connection it checks out gets the time left as its busy timeout.
  - PostgreSQL: libpq and the server bound connecting (given the time left), a dead host
    or network path, a slow statement, a lock wait and an abandoned transaction
    (app/store/database.py). None of them ends a wait on an established connection to a
    peer that accepts bytes and never answers (a stuck pooler, a stopped server process,
    a frozen proxy): the peer's kernel acknowledges every byte, so tcp_user_timeout and
    keepalives never fire, and neither libpq nor psycopg has a client-side query timeout.
    For that one case a thread per worker shuts down the socket of a connection a request
    still holds past its deadline (on a duplicate of the driver's documented `fileno()`);
    the driver then reports the connection lost, and SQLAlchemy discards it.

Only requests are capped and bounded: migrations, the CLI and the maintenance timer are not.
"""

from __future__ import annotations

import contextlib
import itertools
import logging
import os
import socket
import threading
import time
from typing import Any

from flask import g, has_request_context
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.pool import QueuePool

log = logging.getLogger(__name__)
TICK = 0.1  # how often the watchdog looks, in seconds
# Seconds without a slot taken or freed after which the database counts as stuck. A slot is
# held until its request ends, page included, so this must outlast a page made by a worker
# that has just started under a crowd (0.5 s refused finishes in a load test's first seconds);
# once stuck, a request over the cap is refused at once, so /healthz waits at most this, once.
PATIENCE = 1.0
_WAIT = "database_wait"  # in flask.g: (this request's slot, when its waits end by time.monotonic())


class DatabaseBusy(SQLAlchemyError):
    """Every database slot of this worker is taken: nothing was sent to the database. A
    SQLAlchemyError, so that it is handled wherever an unreachable database is."""


def remaining() -> float | None:
    """Seconds left of this request's deadline (None outside a request that used the database)."""
    if not has_request_context() or _WAIT not in g:
        return None
    return max(0.0, g.get(_WAIT)[1] - time.monotonic())


class Waits:
    """One per engine; each worker process gets its own slots and watchdog after the fork."""

    def __init__(self, limit: int, seconds: float, watch_connections: bool) -> None:
        self.limit, self.seconds, self.watch_connections = max(1, limit), seconds, watch_connections
        self._pid = 0
        self._lock = threading.Lock()
        self._slots = threading.Condition()
        self._holders: set[int] = set()  # the slots taken, by number
        self._moved = 0.0  # when a slot was last taken or freed
        self._taken = itertools.count()
        self._out: dict[int, tuple[float, Any]] = {}  # id(pool record) -> (deadline, DBAPI connection)

    def _this_process(self) -> None:
        # Neither threads nor locks may cross gunicorn's fork: each worker starts afresh.
        if self._pid != os.getpid():
            with self._lock:
                if self._pid != os.getpid():
                    self._slots, self._holders, self._out = threading.Condition(), set(), {}
                    if self.watch_connections:
                        threading.Thread(target=self._watch, name="database-deadline", daemon=True).start()
                    self._pid = os.getpid()

    def admit(self) -> None:
        """Before a request's first connection: take a slot and start its deadline, or refuse."""
        if not has_request_context() or _WAIT in g:
            return
        self._this_process()
        deadline = time.monotonic() + self.seconds
        with self._slots:
            while len(self._holders) >= self.limit:
                give_up = min(self._moved + PATIENCE, deadline)
                now = time.monotonic()
                if now >= give_up:
                    raise DatabaseBusy(f"the {self.limit} database slots of this worker are stuck")
                self._slots.wait(give_up - now)
            slot = next(self._taken)
            self._holders.add(slot)
            self._moved = time.monotonic()
        g.setdefault(_WAIT, (slot, deadline))

    def release(self) -> None:
        """When the request ends (teardown)."""
        taken = g.pop(_WAIT, None)
        if taken is not None:
            with self._slots:
                self._holders.discard(taken[0])
                self._moved = time.monotonic()
                self._slots.notify()

    def checked_out(self, dbapi_connection: Any, record: Any) -> None:
        """A request's connection is watched until it comes back, against the request's deadline."""
        if not self.watch_connections or not has_request_context() or _WAIT not in g:
            return
        with self._lock:
            self._out[id(record)] = (g.get(_WAIT)[1], dbapi_connection)

    def returned(self, record: Any) -> None:
        with self._lock:
            self._out.pop(id(record), None)

    def _watch(self) -> None:
        while True:
            time.sleep(TICK)
            now = time.monotonic()
            with self._lock:  # a connection is never cut after it came back: checkin waits for this lock
                late = [key for key, (deadline, _connection) in self._out.items() if deadline <= now]
                for key in late:
                    _cut(self._out.pop(key)[1])
            if late:
                log.warning("database: %d connection(s) cut after %ss without an answer", len(late), self.seconds)


def _cut(dbapi_connection: Any) -> None:
    """End the connection's socket under the driver's feet (the driver then reports it closed)."""
    with contextlib.suppress(Exception):  # already closed (the driver's error or the OS's): nothing to cut
        duplicate = socket.socket(fileno=os.dup(dbapi_connection.fileno()))
        try:
            duplicate.shutdown(socket.SHUT_RDWR)
        finally:
            duplicate.close()


class AdmittingPool(QueuePool):
    """SQLAlchemy's QueuePool that admits a request (Waits.admit) before it hands out a
    connection, so a request over the cap never waits for the pool or the database."""

    waits: Waits  # set on the subclass made for each engine (see pool_class), so recreate() keeps it

    def connect(self) -> Any:
        self.waits.admit()
        return super().connect()


def pool_class(waits: Waits) -> type[AdmittingPool]:
    # SQLAlchemy names a pool's logger after its class's module: its lines stay under
    # sqlalchemy.pool (quiet unless asked for), not under the app's logger.
    return type("AdmittingPool", (AdmittingPool,), {"waits": waits, "__module__": QueuePool.__module__})
