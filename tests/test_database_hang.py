"""A database that hangs or stays locked: the site stays up and says so, and a finish is told
"not counted, your answers are kept" before the database comes back.

PostgreSQL: a private server (as in test_outage) behind a small TCP proxy (tests/tcp_proxy.py)
frozen with SIGSTOP: connections and bytes are still accepted by the kernel, but nothing ever
comes back, which is what a stuck pooler, database or network path looks like.
SQLite: the test itself holds the one write lock (BEGIN IMMEDIATE).

Each hang lasts HANG seconds, well past the server's DATABASE_TIMEOUT_SECONDS, and ends by
itself. What a visitor got while it lasted tells whether the server gave up in time: a page
that waited for the database to come back would be a 200, a finish would be counted.
"""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path

import pytest

from app.store.schema import upgrade
from bench.loadgen import Reply, Server, request, running
from bench.ports import free_port
from tests.loadgen import NOT_COUNTED, at_closing_question, completions, send_closing_answer
from tests.private_postgres import PG_PORTS

pytestmark = pytest.mark.load

ROOT = Path(__file__).resolve().parent.parent
TIMEOUT = 2  # DATABASE_TIMEOUT_SECONDS of the servers that must give up
HANG = TIMEOUT + 6  # how long each hang lasts
PATIENT = 60  # DATABASE_TIMEOUT_SECONDS of the servers that must not give up during a test
THREADS = 4  # GUNICORN_THREADS: at most THREADS - 1 requests of a worker wait on the database


@pytest.fixture
def frozen_proxy(private_pg):
    """A TCP proxy to the private PostgreSQL: (process, URL through it). SIGSTOP freezes it."""
    port = free_port(PG_PORTS)
    proxy = subprocess.Popen(
        [sys.executable, "-m", "tests.tcp_proxy", str(port), str(private_pg.port)],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert proxy.stdout is not None and proxy.stdout.readline().strip() == "listening"
    upgrade(private_pg.url)
    try:
        yield proxy, f"postgresql+psycopg://postgres@127.0.0.1:{port}/postgres"
    finally:
        os.kill(proxy.pid, signal.SIGCONT)
        proxy.kill()
        proxy.wait()


@contextmanager
def frozen(proxy: subprocess.Popen[str]) -> Iterator[None]:
    os.kill(proxy.pid, signal.SIGSTOP)
    try:
        yield
    finally:
        os.kill(proxy.pid, signal.SIGCONT)


@contextmanager
def write_locked(path: Path) -> Iterator[None]:
    """Hold SQLite's one write lock, as a long writer in another process would."""
    connection = sqlite3.connect(path, isolation_level=None)
    try:
        connection.execute("BEGIN IMMEDIATE")
        yield
        connection.execute("ROLLBACK")
    finally:
        connection.close()


@pytest.fixture
def sqlite_file(tmp_path) -> tuple[Path, str]:
    path = tmp_path / "score.sqlite3"
    upgrade(f"sqlite:///{path}")
    return path, f"sqlite:///{path}"


def server(url: str, timeout: int, workers: int = 1) -> Server:
    env = {"DATABASE_TIMEOUT_SECONDS": str(timeout), "GUNICORN_THREADS": str(THREADS)}
    return Server(url, workers=workers, env=env)


def get(base: str, path: str) -> Future[Reply]:
    return POOL.submit(request, base, "GET", path, timeout=PATIENT + 30)


def finish(srv: Server, cookie: str, token: str) -> Future[str]:
    return POOL.submit(send_closing_answer, srv, cookie, token, PATIENT + 30)


POOL = ThreadPoolExecutor(max_workers=32)


def assert_the_site_answers(base: str) -> None:
    """What needs no database answers at once, however the database is doing."""
    for path in ("/healthz", "/quiz/", "/privacy"):
        assert request(base, "GET", path, timeout=10).status == 200, path


def assert_unavailable(reply: Reply) -> None:
    assert reply.status == 503, reply.status
    assert "cannot be reached" in reply.body and 'class="site-header"' in reply.body


def ready_again(base: str) -> None:
    deadline = time.monotonic() + 20
    while request(base, "GET", "/readyz").status != 200:
        assert time.monotonic() < deadline, "not ready 20 s after the database answered again"
        time.sleep(0.3)


# --- PostgreSQL that accepts bytes and never answers ----------------------------------------


def test_a_hanging_postgresql_gets_503_pages_and_not_counted_finishes_while_it_hangs(
    frozen_proxy, private_pg, bank, tmp_path
):
    proxy, url = frozen_proxy
    srv = server(url, TIMEOUT, workers=2)
    with running(srv, tmp_path):
        for _ in range(6):  # every worker holds pooled connections through the proxy
            assert request(srv.base, "GET", "/stats").status == 200
        visitor = at_closing_question(srv, bank)

        with frozen(proxy):
            pages = [get(srv.base, path) for path in ["/stats"] * 8 + ["/readyz"] * 2]
            # Told within the timeout and a second, in total (a longer wait would raise).
            finished = POOL.submit(send_closing_answer, srv, *visitor, TIMEOUT + 1)
            assert_the_site_answers(srv.base)
            time.sleep(HANG)  # the hang lasts; then the proxy thaws
        answers = [page.result() for page in pages]

        for reply in answers[:8]:  # a page that had waited for the thaw would be a 200
            assert_unavailable(reply)
        assert [reply.status for reply in answers[8:]] == [503, 503]
        assert NOT_COUNTED in finished.result()
        ready_again(srv.base)
        assert request(srv.base, "GET", "/stats").status == 200
        assert srv.process is not None and srv.process.poll() is None
        assert "Traceback" not in srv.log()
    assert completions(private_pg.url) == 0  # the finish's transaction never committed, not even after the thaw


def test_healthz_answers_while_every_database_slot_waits_on_a_hanging_postgresql(frozen_proxy, tmp_path):
    proxy, url = frozen_proxy
    srv = server(url, PATIENT)
    with running(srv, tmp_path):
        assert request(srv.base, "GET", "/stats").status == 200
        with frozen(proxy):
            pages = [get(srv.base, "/stats") for _ in range(3 * THREADS)]
            # Over the cap, answered while the database still hangs; the others wait for it.
            refused = answered_while_waiting(pages, waiting=THREADS - 1)
            assert all(page.result().status == 503 for page in refused)
            assert request(srv.base, "GET", "/healthz", timeout=1).status == 200  # within a second
            assert_the_site_answers(srv.base)
            assert_unavailable(request(srv.base, "GET", "/stats", timeout=10))
        waited = [page.result() for page in pages if page not in refused]
        assert [reply.status for reply in waited] == [200] * (THREADS - 1)  # served once it answered


# --- SQLite whose write lock another process holds -------------------------------------------


def test_a_finish_on_a_locked_sqlite_is_told_not_counted_before_the_lock_ends(sqlite_file, bank, tmp_path):
    path, url = sqlite_file
    srv = server(url, TIMEOUT)
    with running(srv, tmp_path):
        visitors = [at_closing_question(srv, bank) for _ in range(2)]
        with write_locked(path):
            finished = [finish(srv, *visitor) for visitor in visitors]
            assert_the_site_answers(srv.base)
            time.sleep(HANG)  # the lock is held this long, then let go
        # Each try used to wait 3 x the timeout, 3 tries: these were counted after the lock.
        assert all(NOT_COUNTED in result.result() for result in finished)
        assert completions(url) == 0
        # Nothing was half-written: the same cookie's start token still counts, once.
        assert NOT_COUNTED not in send_closing_answer(srv, *visitors[0])
        assert completions(url) == 1
        assert "Traceback" not in srv.log()


def test_healthz_answers_while_every_database_slot_waits_on_a_locked_sqlite(sqlite_file, bank, tmp_path):
    path, url = sqlite_file
    srv = server(url, PATIENT)
    with running(srv, tmp_path):
        visitors = [at_closing_question(srv, bank) for _ in range(2 * THREADS)]
        with write_locked(path):
            finished = [finish(srv, *visitor) for visitor in visitors]
            refused = answered_while_waiting(finished, waiting=THREADS - 1)
            assert all(NOT_COUNTED in result.result() for result in refused)  # told at once, answers kept
            assert request(srv.base, "GET", "/healthz", timeout=1).status == 200  # within a second
            assert_the_site_answers(srv.base)
            assert_unavailable(request(srv.base, "GET", "/stats", timeout=10))  # the slots are taken
        waited = [result.result() for result in finished if result not in refused]
        assert all(NOT_COUNTED not in body for body in waited)  # counted once the lock was gone
        assert completions(url) == THREADS - 1
        assert "Traceback" not in srv.log()


def test_a_locked_sqlite_holds_no_finish_past_the_timeout(sqlite_file, bank, tmp_path):
    """Ten finishers at once, more than the worker's threads, against a write lock held far
    longer than DATABASE_TIMEOUT_SECONDS (once: 9 s a try, 3 tries, 27 s a finish). Each is
    told "not counted, your answers are kept" by a client that waits for the finish no longer
    than the timeout and a second in total (the second: the page's making on a busy machine)."""
    path, url = sqlite_file
    srv = server(url, TIMEOUT)
    with running(srv, tmp_path):
        visitors = [at_closing_question(srv, bank) for _ in range(10)]
        with write_locked(path):
            finished = [POOL.submit(send_closing_answer, srv, *visitor, TIMEOUT + 1) for visitor in visitors]
            told = [result.result() for result in finished]  # a client that waited longer would raise
            time.sleep(HANG)  # the lock outlasts them all
        assert all(NOT_COUNTED in body for body in told)
        assert completions(url) == 0
        assert "Traceback" not in srv.log()


def answered_while_waiting(futures: list[Future], waiting: int) -> list[Future]:
    """The requests answered while `waiting` of them still wait on the database, which does
    not answer them while the test holds it (their server's timeout is longer than the test)."""
    bound = time.monotonic() + 30
    while sum(f.done() for f in futures) < len(futures) - waiting and time.monotonic() < bound:
        time.sleep(0.1)
    done = [f for f in futures if f.done()]
    assert len(done) == len(futures) - waiting, f"{len(done)} of {len(futures)} answered"
    return done
