"""Static files at addresses that carry a fingerprint of their content, kept by browsers.

Flask serves /static/<file> with `no-cache`, so every page made the browser ask again for each
of its files, and with compression on, that 304 cost the server as much as the file itself
(Flask-Compress compresses before it compares the ETag): at an event, a fifth of all requests
and more of the CPU (docs/capacity.md). Pages link /assets/<fingerprint>/<file> instead,
which browsers keep for a year without asking. The fingerprint is of every static file's
name and content together, so a change to any file moves them all, and a module's relative
import (static/js/questionnaire.js imports ./kept-answers.js) lands under the same one. An
address with an old fingerprint (a page open since before a deploy) gets today's file,
revalidated as under /static. /static/<file> stays as Flask serves it.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

from flask import Flask, current_app, send_from_directory
from werkzeug.wrappers import Response

YEAR = 365 * 24 * 3600
ENDPOINT = "asset"


def fingerprint(folder: Path) -> str:
    digest = hashlib.sha256()
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        digest.update(path.relative_to(folder).as_posix().encode() + b"\0")
        digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


def current() -> str:
    """Today's fingerprint: read once at start, or at each use while developing (files change)."""
    if current_app.debug:
        return fingerprint(Path(current_app.static_folder or ""))
    return str(current_app.extensions["assets"])


def asset(version: str, filename: str) -> Response:
    # Flask's own file sending (a path outside the folder is a 404, conditional requests, ETag);
    # only how long the browser may keep it depends on the fingerprint.
    fresh = version == current()
    response = send_from_directory(current_app.static_folder or "", filename, max_age=YEAR if fresh else None)
    if fresh:
        response.cache_control.immutable = True
    return response


def _fingerprint_in_urls(endpoint: str, values: dict[str, Any]) -> None:
    if endpoint == ENDPOINT:
        values.setdefault("version", current())


def init_app(app: Flask) -> None:
    app.extensions["assets"] = fingerprint(Path(app.static_folder or ""))
    app.add_url_rule("/assets/<version>/<path:filename>", endpoint=ENDPOINT, view_func=asset)
    app.url_defaults(_fingerprint_in_urls)
