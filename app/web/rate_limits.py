"""Rate limits on opening rooms, on counted completions and on room codes that miss.

A client is known to the limiter only by a keyed hash of its address (HMAC with the
app's secret), held in memory, or in the shared store named by RATELIMIT_STORAGE_URI,
for as long as the limit's window. The address itself is never stored or logged.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Mapping
from typing import Any

from flask import Flask, current_app, request
from flask_limiter import Limiter
from limits import RateLimitItem, parse_many
from werkzeug.wrappers import Response


def client_key(within: str = "") -> str:
    """A stable, unreadable key for the client's address (same on every instance sharing a
    secret); with `within` (a limit per room), for the address there, equally unreadable."""
    address = (request.remote_addr or "unknown").encode()
    secret = str(current_app.config["SECRET_KEY"]).encode()
    if within:
        address += b"\n" + within.encode()
    return hmac.new(secret, address, hashlib.sha256).hexdigest()[:24]


# No default limits: only what writes, and guessing at room codes, is limited.
limiter = Limiter(key_func=client_key, default_limits=[], headers_enabled=False)

# How long a request waits for a shared store (Redis) before its worker counts in memory
# instead; the store answers in a millisecond on a private network.
STORE_TIMEOUT_SECONDS = 0.5


def store_options(uri: str) -> dict[str, float]:
    """Connect and read deadlines for a Redis store, so a store that hangs costs a request
    half a second, not redis-py's wait of several seconds."""
    if uri.split("://", 1)[0] in ("redis", "rediss", "redis+unix"):
        return {"socket_connect_timeout": STORE_TIMEOUT_SECONDS, "socket_timeout": STORE_TIMEOUT_SECONDS}
    return {}


def init_app(app: Flask) -> None:
    app.config.setdefault("RATELIMIT_STORAGE_OPTIONS", store_options(app.config["RATELIMIT_STORAGE_URI"]))
    limiter.init_app(app)


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


# What each limit counts, as the start-up notice names it (the README's table has the details).
LIMITED = {
    "RATE_LIMIT_COMPLETIONS": "completions",
    "RATE_LIMIT_ROOMS": "rooms opened",
    "RATE_LIMIT_JOIN_MISSES": "room codes that miss",
}


def _times(item: RateLimitItem, factor: int) -> str:
    unit = item.GRANULARITY.name
    window = unit if item.multiples == 1 else f"{item.multiples} {unit}s"
    return f"{item.amount * factor} per {window}"


def per_worker_notice(settings: Mapping[str, Any], workers: int) -> str | None:
    """The limits an address really gets when every worker counts in its own memory, or None
    when they are shared (a redis:// store), off, or there is only one worker."""
    if workers < 2 or not settings["RATELIMIT_ENABLED"]:
        return None
    if not settings["RATELIMIT_STORAGE_URI"].startswith("memory:"):
        return None
    effective = ", ".join(
        f"{label} {' and '.join(_times(item, workers) for item in parse_many(settings[name]))}"
        for name, label in LIMITED.items()
    )
    return (
        f"rate limits are per worker: with {workers} workers, {effective} per address; "
        "set RATELIMIT_STORAGE_URI=redis://... to share them between workers and replicas"
    )
