"""gunicorn's own log lines hold no client address and nothing the client sent."""

from __future__ import annotations

import logging
import socket

import pytest

from app.web.server_log import WithoutVisitor
from bench.loadgen import Server, request, running

MARKER = "k7q-visitor-sent-this"
CLIENT = "127.0.0.2"  # the visitor's address: not the one the server listens on, which it logs at start

MALFORMED = [
    f"GET /\x01{MARKER} HTTP/1.1\r\nHost: x\r\n\r\n".encode("latin-1"),  # control character in the line
    f"GET /{MARKER} HTTP/9.9\r\nHost: x\r\n\r\n".encode(),  # unknown version
    f"GET /{MARKER}\r\n\r\n".encode(),  # no version at all
    f"GET / HTTP/1.1\r\nHost: x\r\nBad{MARKER}(: y\r\n\r\n".encode(),  # invalid header name
    f"GET /{'a' * 9000}{MARKER} HTTP/1.1\r\nHost: x\r\n\r\n".encode(),  # request line too long
    f"POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz{MARKER}\r\n".encode(),  # bad chunk size
    f"{MARKER} / HTTP/1.1\r\nHost: x\r\n\r\n".encode(),  # invalid method
]


def send_raw(base: str, payload: bytes) -> bytes:
    host, port = base.split(":")
    with socket.create_connection((host, int(port)), timeout=10, source_address=(CLIENT, 0)) as s:
        s.sendall(payload)
        s.shutdown(socket.SHUT_WR)
        chunks = []
        while chunk := s.recv(65536):
            chunks.append(chunk)
    return b"".join(chunks)


@pytest.fixture(params=["text", "json"])
def gunicorn(tmp_path, request):
    env = {"LOG_LEVEL": "INFO", "LOG_FORMAT": request.param}  # json: gunicorn.conf.py's logconfig_dict
    server = Server(f"sqlite:///{tmp_path / 'log.sqlite3'}", workers=1, env=env)
    from app.store.schema import upgrade

    upgrade(server.database_url)
    with running(server, tmp_path):
        yield server


@pytest.mark.slow
def test_malformed_requests_leave_no_address_or_request_line_in_gunicorns_log(gunicorn):
    for payload in MALFORMED:
        answer = send_raw(gunicorn.base, payload)
        assert answer.startswith(b"HTTP/1.1 4"), answer[:80]
    assert request(gunicorn.base, "GET", "/healthz").status == 200  # the log is flushed by now
    log = gunicorn.log_path.read_text(errors="replace")
    assert "Invalid request refused" in log
    assert "Invalid HTTP request line" in log or "Invalid HTTP method" in log  # the kind of error stays
    for leak in (CLIENT, "ip=", MARKER, "\\x01", "aaaaaaaa"):
        assert leak not in log, leak


@pytest.mark.slow
def test_gunicorn_names_no_version_in_its_server_header(gunicorn):
    # gunicorn always sends "Server: gunicorn"; no version is named, and nginx replaces it
    # with its own version-less "Server: nginx" (server_tokens off, deploy/nginx.conf).
    server = request(gunicorn.base, "GET", "/healthz").headers.get("server", "")
    assert server in ("", "gunicorn")


def _record(msg: str, *args: object) -> logging.LogRecord:
    return logging.LogRecord("gunicorn.error", logging.ERROR, __file__, 1, msg, args, None)


def test_an_app_error_is_logged_with_its_method_but_never_its_path():
    record = _record("Error handling request %s %s", "GET", "/rooms/ABCDEF/present/secret-abc")
    assert WithoutVisitor().filter(record)
    assert record.getMessage() == "Error handling request GET (path withheld)"
    odd = _record("Error handling request %s %s", "<script>", "/x")
    WithoutVisitor().filter(odd)
    assert odd.getMessage() == "Error handling request"


def test_other_gunicorn_lines_are_kept_as_they_are():
    record = _record("Booting worker with pid: %s", 42)
    assert WithoutVisitor().filter(record) and record.getMessage() == "Booting worker with pid: 42"
