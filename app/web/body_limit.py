"""A chunked body over MAX_BODY_BYTES gets a 413, like one that says its length.

Werkzeug refuses a body whose Content-Length is over the limit, but a chunked body has
none: it reads such a stream up to the limit and stops there, so the form a view saw was
silently cut. Here a chunked body is read (up to one byte over the limit) before any form
is parsed; the form parser then reads it from that copy.
"""

from __future__ import annotations

from flask import abort, current_app, request
from werkzeug.exceptions import HTTPException


def refuse_oversized_chunked_body() -> None:
    """A request hook (app/web/layers.py), before anything reads a form."""
    if request.content_length is not None or "chunked" not in request.headers.get("Transfer-Encoding", "").lower():
        return
    limit = current_app.config["MAX_CONTENT_LENGTH"]
    request.max_content_length = limit + 1  # one byte past the limit tells "over" from "exactly"
    try:
        body = request.get_data(cache=True)
    except HTTPException:
        raise  # 413, or a client that went away (400)
    except Exception:  # the server's own parse error (gunicorn's InvalidChunkSize is no OSError)
        abort(400)  # its message quotes what the client sent: it goes nowhere, not even the log
    if len(body) > limit:
        abort(413)
