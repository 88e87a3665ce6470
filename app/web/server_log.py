"""gunicorn's own error log, without the client's address or the request line.

gunicorn writes `Invalid request from ip=203.0.113.7: Invalid HTTP request line: 'GET /x'`
for a malformed request, and `Error handling request GET /rooms/ABCDEF/present/<secret>`
when the app fails. gunicorn.conf.py names `ServerLog` as gunicorn's `logger_class` (a
documented setting); it adds `WithoutVisitor`, a logging filter, to gunicorn's error
logger, so such lines keep what an operator needs (what kind of error, the method) and
lose the address, the path and whatever the client sent.
"""

from __future__ import annotations

import logging
import re
from typing import Any

from gunicorn.glogging import Logger

# gunicorn's own wording (gunicorn/workers/base.py): the part before the first colon names
# the kind of error; what follows can be the raw request line or a header the client sent.
INVALID_REQUEST = re.compile(r"Invalid request from ip=[^:]*:\s*(?P<error>.*)", re.S)
ERROR_KIND = re.compile(r"[A-Za-z][A-Za-z0-9 ./-]{0,80}")
HANDLING_REQUEST = "Error handling request"


def error_kind(error: str) -> str:
    """'Invalid HTTP request line: 'GET /\\x01 HTTP/1.1'' -> 'Invalid HTTP request line'."""
    head = error.split(":", 1)[0].split("(", 1)[0].strip()
    return head if ERROR_KIND.fullmatch(head) else "malformed request"


class WithoutVisitor(logging.Filter):
    """Rewrites the two kinds of gunicorn line that carry what a client sent."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        invalid = INVALID_REQUEST.fullmatch(message)
        if invalid:
            record.msg, record.args = "Invalid request refused: %s", (error_kind(invalid.group("error")),)
        elif message.startswith(HANDLING_REQUEST):
            # The method is one word of a known set; the path can hold room codes and secrets.
            method = record.args[0] if isinstance(record.args, tuple) and len(record.args) == 2 else None
            shown = method if isinstance(method, str) and method.isalpha() and len(method) <= 10 else None
            record.msg, record.args = (
                (f"{HANDLING_REQUEST} %s (path withheld)", (shown,)) if shown else (HANDLING_REQUEST, ())
            )
        return True


class ServerLog(Logger):
    """gunicorn's logger, its error log filtered by `WithoutVisitor`."""

    def setup(self, cfg: Any) -> None:
        super().setup(cfg)
        if not any(isinstance(f, WithoutVisitor) for f in self.error_log.filters):
            self.error_log.addFilter(WithoutVisitor())
