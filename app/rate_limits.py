"""Rate limits on opening rooms and on counted completions.

A client is known to the limiter only by a keyed hash of its address (HMAC with the
app's secret), held in memory, or in the shared store named by RATELIMIT_STORAGE_URI,
for as long as the limit's window. The address itself is never stored or logged.
"""

from __future__ import annotations

import hashlib
import hmac

from flask import Flask, current_app, request
from flask_limiter import Limiter
from werkzeug.wrappers import Response


def client_key() -> str:
    """A stable, unreadable key for the client's address (same on every instance sharing a secret)."""
    address = (request.remote_addr or "unknown").encode()
    secret = str(current_app.config["SECRET_KEY"]).encode()
    return hmac.new(secret, address, hashlib.sha256).hexdigest()[:24]


# No default limits: only the two actions that write are limited.
limiter = Limiter(key_func=client_key, default_limits=[], headers_enabled=False)


def rooms_limit() -> str:
    return current_app.config["RATE_LIMIT_ROOMS"]


def completions_limit() -> str:
    return current_app.config["RATE_LIMIT_COMPLETIONS"]


def reached_the_result(response: Response) -> bool:
    """Deduct only an answer that went on to a result page (refused forms cost nothing)."""
    location = response.location or ""
    return response.status_code == 303 and location.endswith("/result")


def init_app(app: Flask) -> None:
    limiter.init_app(app)
    # Flask-Limiter also checks every request for default and blueprint limits, of which
    # there are none here; the two limited views check their own limits in their decorator.
    # Dropping that hook saves every other page (a poll, a static file) the lookup.
    hooks = app.before_request_funcs.get(None, [])
    if limiter._check_request_limit in hooks:  # absent when limits are switched off
        hooks.remove(limiter._check_request_limit)
