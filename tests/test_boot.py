"""A production start that cannot work stops with one line, and migrations wait for the database."""

from __future__ import annotations

import os
import runpy
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

import pytest
from sqlalchemy.exc import OperationalError

from app.config import ConfigError, server_settings
from app.migrate import migrate_when_ready

ROOT = Path(__file__).resolve().parent.parent
GUNICORN = Path(sys.executable).parent / "gunicorn"


def production_env(tmp_path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("SECRET_KEY", "DATABASE_URL", "APP_ENV")}
    env.update({"APP_ENV": "production", "INSTANCE_PATH": str(tmp_path), "PATH": f"{GUNICORN.parent}:{env['PATH']}"})
    env.update(extra)
    return env


OK_KEYS = {"SECRET_KEY": "k" * 32, "TRUSTED_HOSTS": "score.example.org"}
BAD_STARTS = [
    ({}, "SECRET_KEY is not set"),
    ({"SECRET_KEY": "short"}, "SECRET_KEY is too short"),
    ({"SECRET_KEY": "k" * 32}, "TRUSTED_HOSTS is not set"),
    ({**OK_KEYS, "TRUSTED_HOSTS": "https://score.example.org"}, "TRUSTED_HOSTS: 'https://score.example.org'"),
    ({**OK_KEYS, "MIN_FINISHED": "five"}, "MIN_FINISHED='five' is not a whole number"),
    ({**OK_KEYS, "EPSILON_ODDS": "12"}, "EPSILON_ODDS=12 is outside 2..9"),
    ({**OK_KEYS, "WEB_CONCURRENCY": "lots"}, "WEB_CONCURRENCY='lots' is not a whole number"),
    ({**OK_KEYS, "LOG_FORMAT": "xml"}, "LOG_FORMAT='xml' is not one of text, json"),
    ({**OK_KEYS, "BANK_PATH": "/nonexistent/bank.toml"}, "bank.toml"),
    ({**OK_KEYS, "BANK_PATH": str(ROOT / "app")}, "app: file: is a directory"),
]


@pytest.mark.slow
@pytest.mark.parametrize(("extra", "reason"), BAD_STARTS)
def test_entrypoint_stops_with_one_line(tmp_path, extra, reason):
    done = subprocess.run(
        ["sh", str(ROOT / "docker" / "entrypoint.sh")],
        env=production_env(tmp_path, **extra),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 2
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    assert lines[0].startswith("score: cannot start:") and reason in lines[0]
    assert not list(tmp_path.iterdir())  # no database file was created


@pytest.mark.slow
@pytest.mark.parametrize(("extra", "reason"), [BAD_STARTS[0], BAD_STARTS[2], BAD_STARTS[4]])
def test_gunicorn_alone_stops_with_one_line(tmp_path, extra, reason):
    # Someone may run gunicorn -c gunicorn.conf.py without the entrypoint.
    done = subprocess.run(
        [str(GUNICORN), "-c", "gunicorn.conf.py", "wsgi:app"],
        cwd=ROOT,
        env=production_env(tmp_path, PORT="8299", HOST="127.0.0.1", **extra),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode != 0
    assert "Traceback" not in done.stderr
    reasons = [line for line in done.stderr.splitlines() if line.startswith("score:")]
    assert len(reasons) == 1 and reason in reasons[0]


@pytest.mark.slow
def test_a_bank_that_is_not_utf8_stops_with_one_line(tmp_path_factory):
    bank = tmp_path_factory.mktemp("bank") / "bank.toml"
    bank.write_bytes('[meta]\ntitle = "Caf\u00e9"\n'.encode("latin-1"))
    data = tmp_path_factory.mktemp("data")
    done = subprocess.run(
        ["sh", str(ROOT / "docker" / "entrypoint.sh")],
        env=production_env(data, **OK_KEYS, BANK_PATH=str(bank)),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 2 and "Traceback" not in done.stderr
    assert done.stderr.strip().splitlines() == [f"score: cannot start: {bank}: file: not UTF-8 text (byte 19)"]


def test_migrations_wait_for_the_database_then_run(capsys):
    calls: list[str] = []
    naps: list[float] = []

    def upgrade(url: str) -> None:
        calls.append(url)
        if len(calls) < 3:
            raise OperationalError("connect", {}, ConnectionRefusedError("the database is starting up"))

    migrate_when_ready(upgrade, "db-url", attempts=5, delay=2, sleep=naps.append)
    assert calls == ["db-url"] * 3
    assert naps == [2, 2]
    err = capsys.readouterr().err
    assert "database not ready (1/5): the database is starting up" in err
    assert "(2/5)" in err and "(3/5)" not in err


def test_migrations_give_up_after_the_last_attempt(capsys):
    def upgrade(_url: str) -> None:
        raise OperationalError("connect", {}, ConnectionRefusedError("refused"))

    with pytest.raises(SystemExit) as stop:
        migrate_when_ready(upgrade, "db-url", attempts=3, delay=0, sleep=lambda _s: None)
    assert stop.value.code == 3
    assert "database not reachable after 3 attempts: refused" in capsys.readouterr().err


def test_server_settings_come_from_the_environment():
    s = server_settings({"HOST": "0.0.0.0", "PORT": "8080", "WEB_CONCURRENCY": "4", "FORWARDED_ALLOW_IPS": "10.0.0.2"})
    assert s["bind"] == "0.0.0.0:8080" and s["workers"] == 4 and s["forwarded_allow_ips"] == "10.0.0.2"
    default = server_settings({})
    assert default["bind"] == "127.0.0.1:8000" and default["forwarded_allow_ips"] == "127.0.0.1,::1"
    with pytest.raises(ConfigError, match="PORT"):
        server_settings({"PORT": "99999"})


def test_workers_fork_from_a_built_app_and_never_share_its_connections(app):
    conf = runpy.run_path(str(ROOT / "gunicorn.conf.py"))
    assert conf["preload_app"] is True  # a recycled worker is a fork, not a new start
    engine = app.extensions["database"].engine
    with engine.connect():
        pass  # the master's pool now holds a connection
    masters_pool = engine.pool
    conf["post_fork"](None, SimpleNamespace(app=SimpleNamespace(wsgi=lambda: app)))
    assert engine.pool is not masters_pool and engine.pool.checkedin() == 0
    with engine.connect() as connection:  # and the worker opens its own
        assert connection.exec_driver_sql("SELECT 1").scalar() == 1
