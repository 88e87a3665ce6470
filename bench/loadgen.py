"""A real gunicorn started by its own pid, and the small HTTP helpers that talk to it.

Shared by bench/run.py (the capacity run) and the tests that need a real server
(tests/loadgen.py builds its concurrent visitors on these). Nothing here imports test code.
"""

from __future__ import annotations

import functools
import http.client
import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode

from app.web.session import CookieBox
from bench.ports import free_port

ROOT = Path(__file__).resolve().parent.parent
PORTS = range(8700, 8800)  # the servers' range on a shared machine (other suites use others)
SECRET = "load-test-secret-0123456789abcdef"  # noqa: S105  (a throwaway server's)
CSRF_RE = re.compile(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"')


def found(pattern: re.Pattern[str] | str, text: str, what: str) -> str:
    """The first group of `pattern` in `text`; a page without it stops the run, naming `what`."""
    match = re.search(pattern, text)
    if match is None:
        raise RuntimeError(f"{what} is missing from the page")
    return match.group(1)


@dataclass
class Server:
    """A gunicorn started with the project's gunicorn.conf.py, stopped by its own pid."""

    database_url: str
    workers: int = 4
    env: Mapping[str, str] = field(default_factory=dict)
    app_module: str = "wsgi:app"
    ready_path: str = "/healthz"
    port: int = 0
    process: subprocess.Popen[bytes] | None = None
    log_path: Path | None = None

    @property
    def base(self) -> str:
        return f"127.0.0.1:{self.port}"

    def start(self, log_dir: Path) -> Server:
        self.port = self.port or free_port(PORTS)
        env = {
            **os.environ,
            "APP_ENV": "production",
            "TRUSTED_HOSTS": "localhost",
            "SECRET_KEY": SECRET,
            "DATABASE_URL": self.database_url,
            "HOST": "127.0.0.1",
            "PORT": str(self.port),
            "WEB_CONCURRENCY": str(self.workers),
            "LOG_LEVEL": "WARNING",
            "RATE_LIMITS_ENABLED": "false",
            "PYTHONPATH": str(ROOT),
            **self.env,
        }
        env.pop("TEST_DATABASE_URL", None)
        self.log_path = log_dir / f"gunicorn-{self.port}.log"
        log = self.log_path.open("wb")
        gunicorn = Path(sys.executable).parent / "gunicorn"
        self.process = subprocess.Popen(  # noqa: S603  (our own gunicorn)
            [str(gunicorn), "-c", str(ROOT / "gunicorn.conf.py"), self.app_module],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        self.wait_ready()
        return self

    def wait_ready(self, timeout: float = 30) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process is not None and self.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited: {self.log()}")
            try:
                if request(self.base, "GET", self.ready_path).status == 200 and len(self.worker_pids()) == self.workers:
                    return
            except OSError:
                pass
            time.sleep(0.1)
        raise RuntimeError(f"gunicorn did not answer in {timeout}s: {self.log()}")

    def worker_pids(self) -> list[int]:
        if self.process is None:
            return []
        children = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children")
        return [int(p) for p in children.read_text().split()] if children.exists() else []

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")[-3000:] if self.log_path else ""

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


@contextmanager
def running(server: Server, log_dir: Path) -> Iterator[Server]:
    server.start(log_dir)
    try:
        yield server
    finally:
        server.stop()


@dataclass
class Reply:
    status: int
    headers: dict[str, str]
    body: str


def request(base: str, method: str, path: str, *, cookie: str | None = None, form: Mapping[str, str] | None = None,
            headers: Mapping[str, str] | None = None, timeout: float = 30) -> Reply:  # fmt: skip
    """One HTTP request on a fresh connection (gunicorn's sync workers close after each response)."""
    host, port = base.split(":")
    conn = http.client.HTTPConnection(host, int(port), timeout=timeout)
    try:
        sent = dict(headers or {})
        body = None
        if cookie:
            sent["Cookie"] = f"session={cookie}"
        if form is not None:
            body = urlencode(form)
            sent["Content-Type"] = "application/x-www-form-urlencoded"
        conn.request(method, path, body=body, headers=sent)
        response = conn.getresponse()
        text = response.read().decode("utf-8", "replace")
        return Reply(response.status, {k.lower(): v for k, v in response.getheaders()}, text)
    finally:
        conn.close()


def session_cookie(reply: Reply, current: str | None) -> str | None:
    """The session cookie after a reply: the new one if set, gone if deleted, else unchanged."""
    raw = reply.headers.get("set-cookie", "")
    match = re.search(r"session=([^;]*)", raw)
    if not match:
        return current
    return match.group(1) or None


@functools.cache
def _box() -> CookieBox:
    return CookieBox([SECRET])


def forge_cookie(data: dict[str, object]) -> str:
    """The session cookie the server itself would have set for this state (same secret, same sealing)."""
    return _box().seal(data)
