"""gunicorn settings, all from the environment (see the README's configuration table).

`gunicorn -c gunicorn.conf.py wsgi:app` is how both `make run` and the container start.
"""

from __future__ import annotations

import os
from typing import Any

from app.boot import check_settings, fail
from app.config import ConfigError, server_settings
from app.web.rate_limits import per_worker_notice

try:
    _server = server_settings()
except ConfigError as _error:
    raise fail(f"cannot start: {_error}") from None

bind = _server["bind"]
workers = _server["workers"]
threads = _server["threads"]
timeout = _server["timeout"]
graceful_timeout = 20  # a deploy waits this long for requests in flight
keepalive = 5  # a little longer than nothing, shorter than a proxy's idle timeout
# Recycle workers now and then, at staggered times, so a slow leak never adds up.
max_requests = 10000
max_requests_jitter = 1000
# Build the app once in the master and fork workers from it: a recycled worker then costs
# a fork, not the imports and set-up of the whole app. Each worker still opens its own
# database connections (see post_fork). A code change needs a restart, not a HUP.
preload_app = True
forwarded_allow_ips = _server["forwarded_allow_ips"]

# Logs go to stdout/stderr for the platform to collect. The app writes one line per request
# itself (app/web/request_log.py); gunicorn's own access log stays off. If you switch it on
# (--access-logfile -), this format leaves out the client address (%(h)s), user agent and
# referrer, and %(U)s is the path without its query string.
accesslog = None
access_log_format = "%(m)s %(U)s %(s)s %(B)s %(M)sms id=%({x-request-id}o)s"
errorlog = "-"
# gunicorn's error log without the client's address or request line (app/web/server_log.py).
logger_class = "app.web.server_log.ServerLog"
loglevel = _server["loglevel"]
if os.environ.get("LOG_FORMAT", "").strip().lower() == "json":
    # gunicorn's own lines (start, workers, errors) in the same JSON shape as the app's.
    _json_handler = {"class": "logging.StreamHandler", "formatter": "json"}
    logconfig_dict = {
        "root": {"level": "WARNING", "handlers": ["error_console"]},
        "loggers": {
            "gunicorn.error": {"level": loglevel.upper(), "handlers": ["error_console"], "propagate": False},
            # A logging config turns gunicorn's access log on despite accesslog = None, and the
            # app already writes one line per request: these would be a second line for each.
            "gunicorn.access": {"level": "WARNING", "handlers": [], "propagate": False},
        },
        "handlers": {
            "error_console": {**_json_handler, "stream": "ext://sys.stderr"},
        },
        "formatters": {"json": {"()": "app.web.request_log.JsonFormatter"}},
    }

# No control socket in the home folder (a read-only, non-root container has none to write).
control_socket_disable = True
# Worker heartbeats in memory rather than on a possibly slow container disk.
worker_tmp_dir = "/dev/shm" if os.path.isdir("/dev/shm") else None  # noqa: S108


def post_fork(_server_arbiter: object, worker: Any) -> None:
    """Connections are never shared across processes: drop any the master's pool holds. Then
    start the worker's storage timer, so that expired rooms and tokens are deleted on their
    day even if this worker serves no request."""
    extensions = getattr(worker.app.wsgi(), "extensions", {})
    database = extensions.get("database")
    if database is not None:
        database.engine.dispose(close=False)
    maintenance = extensions.get("storage_maintenance")
    if maintenance is not None and not worker.app.wsgi().testing:
        maintenance.ensure_running()


def on_starting(arbiter: Any) -> None:
    """Before any worker: a missing SECRET_KEY or a bad setting stops here, in one line; and
    limits that every worker counts on its own are said once, with what they add up to."""
    notice = per_worker_notice(check_settings(), arbiter.num_workers)
    if notice:
        arbiter.log.warning(notice)
