"""The rate limits' store: shared through Redis, said plainly when it is not, and never a
reason for a visitor's 500 when Redis is down or hangs.

The Redis tests use database 12 of the machine's Redis (127.0.0.1:6379), reached through a
small TCP proxy (tests/tcp_proxy.py) that the test stops, restarts and freezes: Redis that
refuses connections, and Redis that accepts them and never answers.
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
import redis
import yaml
from flask import Flask, request
from werkzeug.wrappers import Response

from app import create_app
from app.config import settings_from_env
from app.store.schema import upgrade
from app.web.rate_limits import client_key, per_worker_notice
from bench.loadgen import Server, running
from bench.ports import free_port
from tests.conftest import Store
from tests.helpers import QuizDriver, csrf_token

ROOT = Path(__file__).resolve().parent.parent
REDIS_PORT = 6379
REDIS_DB = 12  # this suite's database on the machine's Redis
PROXY_PORTS = range(8640, 8680)
ROOMS_PER_HOUR = 3


class RedisProxy:
    """tests/tcp_proxy.py in front of the machine's Redis, on a port that stays the same
    while the proxy is stopped and started again."""

    def __init__(self) -> None:
        self.port = free_port(PROXY_PORTS)
        self.process: subprocess.Popen[str] | None = None

    @property
    def uri(self) -> str:
        return f"redis://127.0.0.1:{self.port}/{REDIS_DB}"

    def start(self) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-m", "tests.tcp_proxy", str(self.port), str(REDIS_PORT)],
            cwd=ROOT,
            stdout=subprocess.PIPE,
            text=True,
        )
        assert self.process.stdout is not None and self.process.stdout.readline().strip() == "listening"

    def stop(self) -> None:
        """Redis gone: the port refuses connections, and open ones are cut."""
        if self.process is not None:
            os.kill(self.process.pid, signal.SIGCONT)
            self.process.kill()
            self.process.wait()
            self.process = None

    def freeze(self) -> None:
        assert self.process is not None
        os.kill(self.process.pid, signal.SIGSTOP)

    def thaw(self) -> None:
        assert self.process is not None
        os.kill(self.process.pid, signal.SIGCONT)


@pytest.fixture
def redis_proxy() -> Iterator[RedisProxy]:
    proxy = RedisProxy()
    try:
        yield proxy
    finally:
        proxy.stop()


class Facilitator:
    """One address opening rooms, with the form's token read once (it may be sent again)."""

    def __init__(self, app: Flask, ip: str) -> None:
        self.client = app.test_client()
        self.client.environ_base["REMOTE_ADDR"] = ip
        self.token = csrf_token(self.client.get("/rooms/new").get_data(as_text=True))

    def open(self) -> int:
        return self.client.post("/rooms/new", data={"csrf_token": self.token, "title": "t"}).status_code


def stored_count(shared: redis.Redis, hashed: str) -> int:
    """The rooms limit's count for this address in Redis (0 when nothing is stored)."""
    keys = [k for k in shared.scan_iter("*rooms.new_room*") if hashed.encode() in k]
    return sum(int(shared.get(k) or 0) for k in keys)


def wait_until_shared_again(facilitator: Facilitator, shared: redis.Redis, hashed: str) -> list[int]:
    """Open rooms until one is counted in Redis again (Flask-Limiter asks a store it gave up
    on whether it is back now and then, backing off); returns the statuses seen meanwhile."""
    before = stored_count(shared, hashed)
    statuses: list[int] = []
    for _ in range(200):
        statuses.append(facilitator.open())
        if stored_count(shared, hashed) > before:
            return statuses
        threading.Event().wait(0.25)
    raise AssertionError(f"the limiter never went back to Redis: {statuses}")


def test_limits_survive_redis_down_hanging_and_back_without_a_single_500(database_url, tmp_path, redis_proxy, caplog):
    upgrade(database_url)
    app = create_app(
        {
            "DATABASE_URL": database_url,
            "INSTANCE_PATH": str(tmp_path),
            "RATELIMIT_STORAGE_URI": redis_proxy.uri,  # nothing listens there yet: Redis is down
            "RATE_LIMIT_ROOMS": f"{ROOMS_PER_HOUR} per hour",
        }
    )
    lose_redis = threading.Event()

    @app.after_request
    def redis_goes_away(response: Response) -> Response:
        # Registered after the limiter's own after_request, so it runs first (Flask runs them in
        # reverse): after the view, before the limiter writes the count the view earned.
        if lose_redis.is_set() and request.method == "POST":
            lose_redis.clear()
            redis_proxy.stop()
        return response

    ip = f"203.0.113.{random.randint(1, 254)}"
    with app.test_request_context(environ_base={"REMOTE_ADDR": ip}):
        hashed = client_key()
    shared = redis.Redis(port=REDIS_PORT, db=REDIS_DB)
    facilitator = Facilitator(app, ip)
    bank = app.extensions["bank"]
    try:
        # Down from the start: every page answers, the quiz counts, and the limit still holds,
        # counted in this worker's memory.
        visitor = app.test_client()
        visitor.environ_base["REMOTE_ADDR"] = ip
        assert QuizDriver(visitor, bank).complete().status_code == 303
        assert visitor.get("/quiz/result").status_code == 200
        assert visitor.get("/r/ZZZZZZ").status_code == 404  # a missed code, counted (deduct_when)
        opened = [facilitator.open() for _ in range(ROOMS_PER_HOUR + 1)]
        assert opened == [200] * ROOMS_PER_HOUR + [429]
        assert stored_count(shared, hashed) == 0

        # Redis back: the counts go to Redis again, shared by every worker and replica.
        redis_proxy.start()
        meanwhile = wait_until_shared_again(facilitator, shared, hashed)
        assert set(meanwhile) <= {200, 429} and meanwhile[-1] == 200
        assert stored_count(shared, hashed) == 1

        # Redis lost while a request is in its view: the count after it cannot be written, the
        # visitor still gets their result and the quiz is counted.
        driver = QuizDriver(app.test_client(), bank)
        driver.answer_scored()
        lose_redis.set()
        assert driver.close().status_code == 303
        assert driver.client.get("/quiz/result").status_code == 200
        assert Store(app).count("completions") == 2
        assert visitor.get("/r/ZZZZZY").status_code == 404

        # Down again: the limit holds in memory within as many rooms as it allows.
        statuses = [facilitator.open() for _ in range(ROOMS_PER_HOUR + 1)]
        assert 429 in statuses and set(statuses) <= {200, 429}, statuses

        # Back, then hanging (connections accepted, nothing answered): answered anyway, once
        # the store's half-second deadlines pass.
        redis_proxy.start()
        wait_until_shared_again(facilitator, shared, hashed)
        redis_proxy.freeze()
        answered: list[int] = []
        hung = threading.Thread(target=lambda: answered.append(facilitator.open()))
        hung.start()
        hung.join(timeout=30)
        assert answered and answered[0] in (200, 429), "a request waited on a hanging Redis"
        assert visitor.get("/r/ZZZZZX").status_code == 404

        redis_proxy.thaw()
        wait_until_shared_again(facilitator, shared, hashed)
        # The frozen proxy delivers the hung request's count late, once thawed: at least the limit.
        assert stored_count(shared, hashed) >= ROOMS_PER_HOUR
        assert facilitator.open() == 429  # Redis's count, shared again
    finally:
        for key in shared.scan_iter(f"*{hashed}*"):
            shared.delete(key)
        app.extensions["database"].engine.dispose()
    assert "Rate limit storage unreachable" in caplog.text
    assert ip not in caplog.text


def test_a_production_start_with_limits_per_worker_says_what_they_add_up_to(database_url, tmp_path):
    upgrade(database_url)
    server = Server(database_url, workers=2, env={"RATE_LIMITS_ENABLED": "true", "RATELIMIT_STORAGE_URI": ""})
    with running(server, tmp_path):
        pass
    notices = [line for line in server.log().splitlines() if "rate limits are per worker" in line]
    assert len(notices) == 1, server.log()
    assert notices[0].endswith(
        "rate limits are per worker: with 2 workers, completions 1200 per 10 minutes, rooms opened 20 per hour, "
        "room codes that miss 120 per 10 minutes and 600 per day per address; "
        "set RATELIMIT_STORAGE_URI=redis://... to share them between workers and replicas"
    )


@pytest.mark.parametrize(
    ("env", "workers", "effective"),
    [
        ({}, 1, None),
        ({"RATELIMIT_STORAGE_URI": "redis://redis:6379/0"}, 4, None),
        ({"RATE_LIMITS_ENABLED": "false"}, 4, None),
        (
            {"RATE_LIMIT_COMPLETIONS": "5/minute;100 per day", "RATE_LIMIT_ROOMS": "2 per 3 hours"},
            3,
            "with 3 workers, completions 15 per minute and 300 per day, rooms opened 6 per 3 hours, "
            "room codes that miss 180 per 10 minutes and 900 per day per address",
        ),
    ],
)
def test_the_notice_multiplies_each_limit_by_the_workers(env, workers, effective):
    notice = per_worker_notice(settings_from_env({"APP_ENV": "testing", **env}), workers)
    if effective is None:
        assert notice is None
    else:
        assert notice is not None and effective in notice


# --- the compose deployment shares its limits ------------------------------------------


def test_every_replica_of_the_compose_file_counts_its_limits_in_the_one_redis():
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    services = compose["services"]
    replicas = {name: s for name, s in services.items() if s.get("build") == "."}
    assert len(replicas) >= 2
    uris = {s["environment"]["RATELIMIT_STORAGE_URI"] for s in replicas.values()}
    assert uris == {"redis://redis:6379/0"}
    for service in replicas.values():
        assert service["depends_on"]["redis"]["condition"] == "service_healthy"
    redis_service = services["redis"]
    assert redis_service["image"].startswith("redis:7.")
    assert "ports" not in redis_service  # reachable only on the compose network
    # Counts of hashed addresses live only in memory: no snapshot, no append-only file.
    command = redis_service["command"]
    assert command[command.index("--save") + 1] == "" and command[command.index("--appendonly") + 1] == "no"
    assert redis_service["read_only"] is True and "volumes" not in redis_service
    assert "healthcheck" in redis_service
