"""Gzip for text responses: the result page is ~30 KB of HTML, ~6 KB on the wire.

A few lines by hand rather than a dependency: only gzip, only text types, only whole
bodies (pages and error pages, not ranges or 304s), and only when the browser says it accepts gzip.
"""

from __future__ import annotations

import gzip

from flask import Response, request

COMPRESSIBLE = frozenset(
    {"text/html", "text/css", "text/javascript", "application/javascript", "application/json", "image/svg+xml"}
)
PARTIAL_OR_EMPTY = frozenset({204, 206, 304})  # a range or no body: nothing whole to compress
MIN_BYTES = 500  # below this the gzip header costs more than it saves
LEVEL = 6


def accepts_gzip(accept_encoding: str) -> bool:
    """True when Accept-Encoding lists gzip (or *) without q=0."""
    for part in accept_encoding.split(","):
        name, _, params = part.strip().partition(";")
        if name.strip().lower() in ("gzip", "*"):
            q = params.strip().lower().removeprefix("q=")
            try:
                return not params or float(q) > 0
            except ValueError:
                return False
    return False


def compress(response: Response) -> Response:
    if response.mimetype not in COMPRESSIBLE:
        return response
    # Caches must keep the gzip and plain copies apart, whatever this request gets.
    response.vary.add("Accept-Encoding")
    if (
        response.status_code in PARTIAL_OR_EMPTY
        or "Content-Encoding" in response.headers
        or (response.is_streamed and not response.direct_passthrough)  # a live stream: leave it alone
        or not accepts_gzip(request.headers.get("Accept-Encoding", ""))
    ):
        return response
    # Static files come as a file wrapper meant to be passed straight through; read it.
    response.direct_passthrough = False
    body = response.get_data()
    if len(body) < MIN_BYTES:
        return response
    response.set_data(gzip.compress(body, compresslevel=LEVEL, mtime=0))
    response.headers["Content-Encoding"] = "gzip"
    # A strong ETag names exact bytes; the compressed bytes are a different representation.
    etag, weak = response.get_etag()
    if etag and not weak:
        response.set_etag(etag, weak=True)
    return response
