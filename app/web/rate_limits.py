"""Rate limits on opening rooms, on counted completions and on room codes that miss.

A client is known to the limiter only by a keyed hash of its address (HMAC with the
app's secret), held in memory, or in the shared store named by RATELIMIT_STORAGE_URI,
for as long as the limit's window. The address itself is never stored or logged.
"""

from __future__ import annotations

import hashlib
import hmac

from flask import current_app, request
from flask_limiter import Limiter
from werkzeug.wrappers import Response


def client_key() -> str:
    """A stable, unreadable key for the client's address (same on every instance sharing a secret)."""
    address = (request.remote_addr or "unknown").encode()
    secret = str(current_app.config["SECRET_KEY"]).encode()
    return hmac.new(secret, address, hashlib.sha256).hexdigest()[:24]


# No default limits: only what writes, and guessing at room codes, is limited.
limiter = Limiter(key_func=client_key, default_limits=[], headers_enabled=False)


def rooms_limit() -> str:
    return current_app.config["RATE_LIMIT_ROOMS"]


def completions_limit() -> str:
    return current_app.config["RATE_LIMIT_COMPLETIONS"]


def join_misses_limit() -> str:
    return current_app.config["RATE_LIMIT_JOIN_MISSES"]


def missed_a_room(response: Response) -> bool:
    """Deduct only a code that found no open room: someone with the right code never waits."""
    return response.status_code in (404, 410)


def reached_the_result(response: Response) -> bool:
    """Deduct only an answer that went on to a result page (refused forms cost nothing)."""
    location = response.location or ""
    return response.status_code == 303 and location.endswith("/result")
