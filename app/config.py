"""Settings read from the environment, with safe defaults.

APP_ENV chooses the mode: "production" (the default), "development" or "testing".
Only development and testing have a built-in secret; production refuses to start
without a real SECRET_KEY.
"""

from __future__ import annotations

import ipaddress
import os
import re
from collections.abc import Mapping
from datetime import timedelta
from pathlib import Path
from typing import Any

from limits import parse_many

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEV_SECRET = "dev-only-secret-not-for-production"  # noqa: S105  (refused in production)  # nosec B105
MODES = ("production", "development", "testing")
# The privacy level is e^ε of the randomized response, a whole number. The strongest and the
# weakest a site may set, and the default: ε = ln 4, so the counts change anyone's odds on one
# answer by at most ×4 (a best guess about a yes/no answer, from an even start, is right 80%).
MIN_ODDS, MAX_ODDS = 2, 9
DEFAULT_ODDS = 4
# Text the app sends, compressed on the way out (the same list as deploy/nginx.conf's gzip_types).
COMPRESSIBLE = (
    "text/html",
    "text/css",
    "text/javascript",
    "application/javascript",
    "application/json",
    "image/svg+xml",
)


class ConfigError(RuntimeError):
    """A setting that cannot be used; the message is one line for the operator."""


def instance_path(env: Mapping[str, str] | None = None) -> Path:
    env = os.environ if env is None else env
    return Path(env.get("INSTANCE_PATH") or PROJECT_ROOT / "instance").resolve()


def database_url(env: Mapping[str, str] | None = None) -> str:
    """DATABASE_URL, or an SQLite file in the instance folder."""
    env = os.environ if env is None else env
    url = env.get("DATABASE_URL", "").strip()
    if url:
        # Platforms often hand out postgres:// URLs; SQLAlchemy wants the driver named.
        for prefix in ("postgres://", "postgresql://"):
            if url.startswith(prefix):
                return "postgresql+psycopg://" + url[len(prefix) :]
        return url
    return f"sqlite:///{instance_path(env) / 'score.sqlite3'}"


def _int(env: Mapping[str, str], name: str, default: int, low: int, high: int) -> int:
    raw = env.get(name, "").strip()
    if not raw:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ConfigError(f"{name}={raw!r} is not a whole number") from None
    if not low <= value <= high:
        raise ConfigError(f"{name}={value} is outside {low}..{high}")
    return value


def _bool(env: Mapping[str, str], name: str, default: bool) -> bool:
    raw = env.get(name, "").strip().lower()
    if not raw:
        return default
    if raw in ("1", "true", "yes", "on"):
        return True
    if raw in ("0", "false", "no", "off"):
        return False
    raise ConfigError(f"{name}={raw!r} is not true or false")


def _choice(env: Mapping[str, str], name: str, default: str, allowed: tuple[str, ...]) -> str:
    raw = env.get(name, "").strip()
    if not raw:
        return default
    for value in allowed:
        if raw.lower() == value.lower():
            return value
    raise ConfigError(f"{name}={raw!r} is not one of {', '.join(allowed)}")


def server_settings(env: Mapping[str, str] | None = None) -> dict[str, Any]:
    """What gunicorn.conf.py reads: where to listen, how many workers, whom to trust."""
    env = os.environ if env is None else env
    return {
        "bind": f"{env.get('HOST', '').strip() or '127.0.0.1'}:{_int(env, 'PORT', 8000, 1, 65535)}",
        "workers": _int(env, "WEB_CONCURRENCY", 2, 1, 64),
        # Threads: a request stuck on the database leaves the worker's other threads (and /healthz) free.
        "threads": _int(env, "GUNICORN_THREADS", 4, 1, 64),
        "timeout": _int(env, "GUNICORN_TIMEOUT", 30, 5, 600),
        # Only these addresses may set X-Forwarded-*; gunicorn's own default, made explicit.
        "forwarded_allow_ips": env.get("FORWARDED_ALLOW_IPS", "").strip() or "127.0.0.1,::1",
        "loglevel": _choice(env, "LOG_LEVEL", "INFO", LOG_LEVELS).lower(),
    }


LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR")

# A host name, or ".example.org" for it and every subdomain (Flask's TRUSTED_HOSTS syntax).
_HOST_NAME = re.compile(
    r"\.?(?=.{1,253}$)[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*"
)
# Always answered: the machine itself (the image's HEALTHCHECK, a local proxy, `make run`).
LOOPBACK_HOSTS = ("localhost", "127.0.0.1")


def trusted_hosts(env: Mapping[str, str], production: bool) -> list[str] | None:
    """TRUSTED_HOSTS: the names visitors reach the site by. The Host header becomes join
    URLs, presenter links and QR codes, so production answers only these names (plus loopback)."""
    raw = env.get("TRUSTED_HOSTS", "").strip()
    if not raw:
        if production:
            raise ConfigError(
                "TRUSTED_HOSTS is not set: list the host names visitors use, e.g. score.example.org,localhost"
            )
        return None
    names = [name.strip() for name in raw.split(",") if name.strip()]
    for name in names:
        if not _HOST_NAME.fullmatch(name):
            raise ConfigError(
                f"TRUSTED_HOSTS: {name!r} is not a host name (no scheme, port or wildcard; .example.org for subdomains)"
            )
    return [*names, *(h for h in LOOPBACK_HOSTS if h not in names)]


def forwarded_networks(raw: str) -> tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...] | None:
    """FORWARDED_ALLOW_IPS as networks (None: '*', every address), as gunicorn reads it."""
    parts = [p.strip() for p in raw.split(",") if p.strip()]
    if "*" in parts:
        return None
    try:
        return tuple(ipaddress.ip_network(p, strict=False) for p in parts)
    except ValueError:
        raise ConfigError(f"FORWARDED_ALLOW_IPS={raw!r} is not a list of addresses or networks") from None


# A whole workshop can share one address (a venue's wifi): the completion limit must let
# 300 people finish within seconds, while a script that loops is still slowed down.
DEFAULT_LIMITS = {
    "RATE_LIMIT_ROOMS": "10 per hour",
    "RATE_LIMIT_COMPLETIONS": "600 per 10 minutes",
    # Room codes that found no room, per client: a venue's typos fit, a guesser is slowed to a crawl.
    "RATE_LIMIT_JOIN_MISSES": "60 per 10 minutes;300 per day",
}


def _limit(env: Mapping[str, str], name: str, default: str) -> str:
    raw = env.get(name, "").strip() or default
    try:
        valid = bool(parse_many(raw))
    except ValueError:
        valid = False
    if not valid:
        raise ConfigError(f"{name}={raw!r} is not a rate limit such as '10 per hour' or '5/minute'")
    return raw


def settings_from_env(env: Mapping[str, str] | None = None) -> dict[str, Any]:
    """Every setting the app reads, as a Flask config mapping."""
    env = os.environ if env is None else env
    mode = env.get("APP_ENV", "production").strip() or "production"
    if mode not in MODES:
        raise ConfigError(f"APP_ENV={mode!r} is not one of {', '.join(MODES)}")

    secret = env.get("SECRET_KEY", "")
    if mode == "production" and (not secret or secret == DEV_SECRET):
        raise ConfigError(
            "SECRET_KEY is not set: production needs a long random value "
            '(python -c "import secrets; print(secrets.token_hex(32))")'
        )
    if mode == "production" and len(secret) < 16:
        raise ConfigError("SECRET_KEY is too short: use at least 16 random characters")

    https = _bool(env, "BEHIND_HTTPS", False)
    session_hours = _int(env, "SESSION_LIFETIME_HOURS", 24, 1, 24 * 30)
    limits = {name: _limit(env, name, default) for name, default in DEFAULT_LIMITS.items()}
    return {
        "APP_ENV": mode,
        "TESTING": mode == "testing",
        "SECRET_KEY": secret or DEV_SECRET,
        "DATABASE_URL": database_url(env),
        # A request's waits on the database end this long after its first use of it, in total
        # (app/store/waits.py): a slow or hung database gets a 503 page, not a stuck worker.
        "DATABASE_TIMEOUT": _int(env, "DATABASE_TIMEOUT_SECONDS", 3, 1, 60),
        # Requests of a worker that may use the database at once: one thread stays free for the rest.
        "DATABASE_WAITERS": max(1, server_settings(env)["threads"] - 1),
        "INSTANCE_PATH": str(instance_path(env)),
        "BANK_PATH": env.get("BANK_PATH", "").strip() or None,
        "BEHIND_HTTPS": https,
        "SESSION_COOKIE_NAME": "session",
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": https,
        # The cookie ends with the browser; on the server it is refused once this old (encrypted with its time).
        "PERMANENT_SESSION_LIFETIME": timedelta(hours=session_hours),
        "TRUSTED_HOSTS": trusted_hosts(env, mode == "production"),
        # The proxies whose X-Request-ID is believed: the ones gunicorn believes X-Forwarded-Proto from.
        "FORWARDED_NETWORKS": forwarded_networks(server_settings(env)["forwarded_allow_ips"]),
        "PREFERRED_URL_SCHEME": "https" if https else "http",
        # Answers are a few short ids; anything larger is not a form of ours.
        "MAX_CONTENT_LENGTH": _int(env, "MAX_BODY_BYTES", 16 * 1024, 1024, 1024 * 1024),
        "MAX_FORM_MEMORY_SIZE": _int(env, "MAX_BODY_BYTES", 16 * 1024, 1024, 1024 * 1024),
        # Deniable counting: e^ε of the site's randomized response (ε = ln of a whole number),
        # and the finished quizzes below which a scope shows no figure (bench/privacy_sim.py).
        "EPSILON_ODDS": _int(env, "EPSILON_ODDS", DEFAULT_ODDS, MIN_ODDS, MAX_ODDS),
        "MIN_FINISHED": _int(env, "MIN_FINISHED", 10, 1, 100_000),
        # SQLite: seconds between WAL checkpoints that truncate the WAL file (0: never).
        "WAL_CHECKPOINT_SECONDS": _int(env, "WAL_CHECKPOINT_SECONDS", 60, 0, 86_400),
        # Workshop rooms: how long a room and its counters live, and who may open one.
        "ROOM_TTL_DAYS": _int(env, "ROOM_TTL_DAYS", 7, 1, 365),
        "FACILITATOR_PASSPHRASE": env.get("FACILITATOR_PASSPHRASE", "") or None,
        # Abuse: a cap on a room's finished quizzes, and rate limits per client address.
        "ROOM_MAX_PARTICIPANTS": _int(env, "ROOM_MAX_PARTICIPANTS", 500, 5, 100_000),
        "RATELIMIT_ENABLED": _bool(env, "RATE_LIMITS_ENABLED", True),
        # memory:// is per worker process; a redis:// URI shares the counts between workers and instances.
        "RATELIMIT_STORAGE_URI": env.get("RATELIMIT_STORAGE_URI", "").strip() or "memory://",
        # A shared store that is down or hangs must not cost a visitor a page: each worker counts
        # in its own memory until the store answers again, and a count that cannot be written
        # after the view ran is logged and dropped (Flask-Limiter's documented options; the
        # store's deadlines are set in app/web/rate_limits.py).
        "RATELIMIT_IN_MEMORY_FALLBACK_ENABLED": True,
        "RATELIMIT_SWALLOW_ERRORS": True,
        **limits,
        "WTF_CSRF_TIME_LIMIT": session_hours * 3600,  # a form's token lives as long as a session
        # Flask-WTF's https check wants a Referer, which browsers never send under our
        # Referrer-Policy: no-referrer. The token (tied to the SameSite=Lax session) stays, and
        # app/web/cross_site.py refuses a form posted from another site by Sec-Fetch-Site and Origin.
        "WTF_CSRF_SSL_STRICT": False,
        # How many reverse proxies stand in front (their X-Forwarded-* headers are then believed).
        "PROXY_COUNT": _int(env, "PROXY_COUNT", 0, 0, 10),
        # gzip in the app (Flask-Compress), unless a proxy in front compresses (deploy/nginx.conf).
        # gzip only, as nginx's gzip module: a response's size on the wire is the same either way.
        "COMPRESS_RESPONSES": _bool(env, "COMPRESS_RESPONSES", True),
        "COMPRESS_ALGORITHM": ["gzip"],
        "COMPRESS_ALGORITHM_STREAMING": ["gzip"],  # static files are sent as streams
        # a static file's 304 answered after compression, however Flask serves it (app/web/assets.py)
        "COMPRESS_STREAMING_ENDPOINT_CONDITIONAL": ["static", "asset"],
        "COMPRESS_MIMETYPES": list(COMPRESSIBLE),
        "COMPRESS_LEVEL": 6,
        "COMPRESS_MIN_SIZE": 500,  # below this the gzip header costs more than it saves
        "LOG_FORMAT": _choice(env, "LOG_FORMAT", "text", ("text", "json")),
        "LOG_LEVEL": _choice(env, "LOG_LEVEL", "INFO", LOG_LEVELS),
        "MIGRATE_ATTEMPTS": _int(env, "MIGRATE_ATTEMPTS", 30, 1, 1000),
        "MIGRATE_RETRY_SECONDS": _int(env, "MIGRATE_RETRY_SECONDS", 2, 0, 60),
        "BABEL_DEFAULT_LOCALE": "en",
        "BABEL_TRANSLATION_DIRECTORIES": str(PROJECT_ROOT / "translations"),
    }
