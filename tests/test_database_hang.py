"""The database hangs (accepts bytes, never answers): the site stays up and says so within seconds.

A private PostgreSQL (as in test_outage) sits behind a small TCP proxy (tests/tcp_proxy.py)
that is frozen with SIGSTOP: connections and bytes are still accepted by the kernel, but
nothing ever comes back, which is what a stuck pooler, database or network path looks like.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from app.store.schema import upgrade
from bench.loadgen import Reply, Server, request, running
from bench.ports import free_port
from tests.private_postgres import PG_PORTS

pytestmark = pytest.mark.load

ROOT = Path(__file__).resolve().parent.parent
TIMEOUT = 2  # DATABASE_TIMEOUT_SECONDS for this server


def timed(base: str, path: str, timeout: float = 30) -> tuple[Reply, float]:
    started = time.monotonic()
    reply = request(base, "GET", path, timeout=timeout)
    return reply, time.monotonic() - started


@pytest.fixture
def frozen_proxy(private_pg):
    port = free_port(PG_PORTS)
    proxy = subprocess.Popen(
        [sys.executable, "-m", "tests.tcp_proxy", str(port), str(private_pg.port)],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert proxy.stdout is not None and proxy.stdout.readline().strip() == "listening"
    try:
        yield proxy, f"postgresql+psycopg://postgres@127.0.0.1:{port}/postgres"
    finally:
        os.kill(proxy.pid, signal.SIGCONT)
        proxy.kill()
        proxy.wait()


def test_a_hanging_database_gets_503_pages_within_seconds_and_the_site_stays_up(frozen_proxy, private_pg, tmp_path):
    proxy, url = frozen_proxy
    upgrade(private_pg.url)
    server = Server(url, workers=2, env={"DATABASE_TIMEOUT_SECONDS": str(TIMEOUT), "GUNICORN_THREADS": ""})
    with running(server, tmp_path):
        for _ in range(6):  # every worker holds pooled connections through the proxy
            assert request(server.base, "GET", "/stats").status == 200
        assert request(server.base, "GET", "/readyz").status == 200

        os.kill(proxy.pid, signal.SIGSTOP)
        with ThreadPoolExecutor(max_workers=6) as pool:
            stuck = [pool.submit(timed, server.base, path) for path in ["/stats"] * 4 + ["/readyz"] * 2]
            time.sleep(0.5)  # those six are waiting on the database now
            for path in ("/healthz", "/quiz/", "/privacy"):
                reply, seconds = timed(server.base, path, timeout=5)
                assert reply.status == 200 and seconds < 2, (path, reply.status, seconds)
            answers = [future.result() for future in stuck]
        print("while the database hangs:", [(r.status, round(t, 1)) for r, t in answers])

        for reply, seconds in answers[:4]:
            assert reply.status == 503 and seconds < 3 * TIMEOUT + 2, (reply.status, seconds)
            assert "cannot be reached" in reply.body and 'class="site-header"' in reply.body
        for reply, seconds in answers[4:]:
            assert reply.status == 503 and seconds < 3 * TIMEOUT + 2, (reply.status, seconds)
        # Later requests, on connections that are new or already thrown away, answer as fast.
        reply, seconds = timed(server.base, "/stats")
        assert reply.status == 503 and seconds < 3 * TIMEOUT + 2

        os.kill(proxy.pid, signal.SIGCONT)
        deadline = time.monotonic() + 20
        while request(server.base, "GET", "/readyz").status != 200:
            assert time.monotonic() < deadline, "not ready 20 s after the database answered again"
            time.sleep(0.3)
        assert request(server.base, "GET", "/stats").status == 200
        assert server.process is not None and server.process.poll() is None
        assert "Traceback" not in server.log()
