"""Edges an attacker tried: a forged Host, a chunked body over the limit, a forged request id."""

from __future__ import annotations

import re
import socket

import pytest

from app import create_app
from app.config import ConfigError, settings_from_env
from bench.loadgen import Server, running
from tests.helpers import csrf_token


@pytest.fixture
def production_like(database_url, tmp_path):
    """The app as production reads it from the environment (TRUSTED_HOSTS set)."""
    from app.store.schema import upgrade

    upgrade(database_url)
    env = {"APP_ENV": "production", "SECRET_KEY": "s" * 32, "TRUSTED_HOSTS": "score.example.org"}
    app = create_app({**settings_from_env(env), "DATABASE_URL": database_url, "INSTANCE_PATH": str(tmp_path)})
    yield app
    app.extensions["database"].engine.dispose()


def test_production_needs_the_names_visitors_use():
    with pytest.raises(ConfigError, match="TRUSTED_HOSTS is not set"):
        settings_from_env({"APP_ENV": "production", "SECRET_KEY": "s" * 32})
    for bad in ("*", "https://score.example.org", "score.example.org:443", "score example"):
        with pytest.raises(ConfigError, match="TRUSTED_HOSTS"):
            settings_from_env({"APP_ENV": "production", "SECRET_KEY": "s" * 32, "TRUSTED_HOSTS": bad})
    hosts = settings_from_env({"APP_ENV": "production", "SECRET_KEY": "s" * 32, "TRUSTED_HOSTS": ".example.org"})
    assert hosts["TRUSTED_HOSTS"] == [".example.org", "localhost", "127.0.0.1"]


def test_a_forged_host_never_reaches_a_join_url_or_qr_code(production_like, store):
    client = production_like.test_client()
    page = client.get("/rooms/new", headers={"Host": "evil.example"})
    assert page.status_code == 400
    body = page.get_data(as_text=True)
    assert "evil.example" not in body and 'class="site-header"' in body
    assert store.total() == 0


def test_the_names_visitors_use_build_the_links(production_like):
    client = production_like.test_client()
    base = "http://score.example.org"
    form = client.get(base + "/rooms/new")
    assert form.status_code == 200
    created = client.post(
        base + "/rooms/new", data={"csrf_token": csrf_token(form.get_data(as_text=True)), "title": "t"}
    )
    assert created.status_code == 200
    links = re.findall(r"https?://[^\s\"<]+", created.get_data(as_text=True))
    assert links and all(link.startswith(base + "/") for link in links if "/r/" in link or "/present/" in link)
    assert client.get("http://localhost/healthz").status_code == 200  # probes on the machine itself


def test_a_request_id_is_believed_only_from_a_trusted_proxy(client):
    trusted = client.get("/", headers={"X-Request-ID": "lb-1234abcd"}, environ_base={"REMOTE_ADDR": "127.0.0.1"})
    assert trusted.headers["X-Request-ID"] == "lb-1234abcd"
    for peer in ("203.0.113.9", "10.0.0.2", ""):
        stranger = client.get("/", headers={"X-Request-ID": "visitor-chosen-id"}, environ_base={"REMOTE_ADDR": peer})
        assert stranger.headers["X-Request-ID"] != "visitor-chosen-id"


def test_the_trusted_proxies_are_the_ones_gunicorn_believes(database_url, tmp_path):
    from app.store.schema import upgrade

    upgrade(database_url)
    settings = settings_from_env({"APP_ENV": "testing", "FORWARDED_ALLOW_IPS": "10.0.0.0/8"})
    app = create_app({**settings, "DATABASE_URL": database_url, "INSTANCE_PATH": str(tmp_path)})
    client = app.test_client()
    proxy = client.get("/", headers={"X-Request-ID": "lb-1234abcd"}, environ_base={"REMOTE_ADDR": "10.1.2.3"})
    local = client.get("/", headers={"X-Request-ID": "lb-1234abcd"}, environ_base={"REMOTE_ADDR": "127.0.0.1"})
    assert proxy.headers["X-Request-ID"] == "lb-1234abcd" and local.headers["X-Request-ID"] != "lb-1234abcd"
    app.extensions["database"].engine.dispose()


def send_chunked(base: str, path: str, body: bytes) -> bytes:
    host, port = base.split(":")
    with socket.create_connection((host, int(port)), timeout=15) as s:
        s.sendall(
            f"POST {path} HTTP/1.1\r\nHost: localhost\r\nTransfer-Encoding: chunked\r\n"
            "Content-Type: application/x-www-form-urlencoded\r\nConnection: close\r\n\r\n".encode()
        )
        for start in range(0, len(body), 4096):
            chunk = body[start : start + 4096]
            s.sendall(f"{len(chunk):x}\r\n".encode() + chunk + b"\r\n")
        s.sendall(b"0\r\n\r\n")
        answer = b""
        while data := s.recv(65536):
            answer += data
    return answer


@pytest.fixture(scope="module")
def gunicorn(tmp_path_factory):
    from app.store.schema import upgrade

    folder = tmp_path_factory.mktemp("chunked")
    server = Server(f"sqlite:///{folder / 'chunked.sqlite3'}", workers=1, env={"MAX_BODY_BYTES": "2048"})
    upgrade(server.database_url)
    with running(server, folder):
        yield server


@pytest.mark.slow
@pytest.mark.parametrize("size", [2049, 5000, 100_000])
def test_a_chunked_body_over_the_limit_gets_a_413(gunicorn, size):
    answer = send_chunked(gunicorn.base, "/quiz/", b"answer=" + b"x" * (size - 7))
    assert answer.startswith(b"HTTP/1.1 413"), answer[:60]
    assert b"That was too much to send" in answer


@pytest.mark.slow
def test_a_chunked_body_within_the_limit_is_read_whole(gunicorn):
    # No cookie and no token: the CSRF check reads the whole form and says what is missing.
    answer = send_chunked(gunicorn.base, "/forget", b"answer=" + b"x" * (2048 - 7))
    assert answer.startswith(b"HTTP/1.1 400"), answer[:60]
    assert b"security token" in answer
