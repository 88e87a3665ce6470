"""One log line per request, as text or JSON, with a request id and nothing about the visitor.

A line holds the method, the path (never the query string), the status, the time taken and
a request id. Never the client address, user agent, referrer, cookies or form data, so
answers and visitors cannot be read back from the logs.
"""

from __future__ import annotations

import json
import logging
import re
import sys
import time
import uuid
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from flask import Flask, request

from .proxies import Networks, from_trusted_proxy

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIApplication, WSGIEnvironment

LOGGER = "app"  # the package logger: app.errors, app.health... share its handler
HANDLER = "app.stdout"  # the name of that handler, so that a second app replaces it
REQUEST_LOGGER = "app.requests"
HEADER = "X-Request-ID"
# A proxy's id is kept only when it looks like an id: it is echoed back and written to the log.
INCOMING_ID = re.compile(r"[A-Za-z0-9._-]{8,64}")
ROUTE_KEY = "app.route"  # a layer that answers before Flask names its route here


class JsonFormatter(logging.Formatter):
    """One JSON object a line; request fields come from the record's `request` extra."""

    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, Any] = {
            "time": self.formatTime(record, "%Y-%m-%dT%H:%M:%S%z"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        line.update(getattr(record, "request", {}))
        if record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
        return json.dumps(line, ensure_ascii=False)


class TextFormatter(logging.Formatter):
    def __init__(self) -> None:
        super().__init__("%(asctime)s %(levelname)s %(name)s: %(message)s")


def configure_logging(log_format: str, level: str) -> None:
    """Give the app's loggers one stdout handler (idempotent: tests build many apps)."""
    logger = logging.getLogger(LOGGER)
    for handler in [h for h in logger.handlers if h.get_name() == HANDLER]:
        logger.removeHandler(handler)
    handler = logging.StreamHandler(sys.stdout)
    handler.set_name(HANDLER)
    handler.setFormatter(JsonFormatter() if log_format == "json" else TextFormatter())
    logger.addHandler(handler)
    logger.setLevel(level)
    # Our handler is the one place these lines go; the root logger would print them twice.
    logger.propagate = False


def new_request_id(incoming: str) -> str:
    """The proxy's id when it looks like one, else a fresh one."""
    return incoming if INCOMING_ID.fullmatch(incoming) else uuid.uuid4().hex


def log_request(method: str, route: str, status: int, started: float, rid: str) -> None:
    """The one line for a request. `route` is the route's pattern, never the path: paths
    carry room codes and presenter secrets, and an unmatched path could carry anything."""
    if not _log.isEnabledFor(logging.INFO):
        return
    ms = round((time.perf_counter() - started) * 1000, 1)
    fields = {"request_id": rid, "method": method, "path": route, "status": status, "duration_ms": ms}
    _log.info("%s %s %s %sms id=%s", method, route, status, ms, rid, extra={"request": fields})


_log = logging.getLogger(REQUEST_LOGGER)


def route_of(environ: WSGIEnvironment) -> str:
    """The pattern of the route that answered, as Flask or an earlier layer named it."""
    return environ.get(ROUTE_KEY) or "(no route)"


class RequestLog:
    """WSGI middleware around everything else: an id on every response, a line for every
    request, whichever layer answered it."""

    def __init__(self, wsgi_app: WSGIApplication, trusted: Networks = ()) -> None:
        self.wsgi_app = wsgi_app
        self.trusted = trusted

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        started = time.perf_counter()
        # Only a proxy we trust may name the request (anyone else could tag log lines at will).
        trusted = from_trusted_proxy(environ.get("REMOTE_ADDR", ""), self.trusted)
        rid = new_request_id(environ.get("HTTP_X_REQUEST_ID", "") if trusted else "")
        status = ["500"]

        def start(code: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
            status[0] = code
            headers.append((HEADER, rid))
            return start_response(code, headers, exc_info)

        body = self.wsgi_app(environ, start)
        log_request(environ.get("REQUEST_METHOD", ""), route_of(environ), int(status[0][:3]), started, rid)
        return body


def configure(app: Flask) -> None:
    """First thing: start-up messages go through the same handler as request lines."""
    configure_logging(app.config["LOG_FORMAT"], app.config["LOG_LEVEL"])


def name_route(_error: BaseException | None) -> None:
    """A teardown hook: Flask forgets the request when it returns; the log reads the route from here."""
    if request.url_rule is not None:
        request.environ[ROUTE_KEY] = request.url_rule.rule
