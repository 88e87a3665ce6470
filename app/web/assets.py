"""Static files at addresses that carry a fingerprint of their content, kept by browsers.

Flask serves /static/<file> with `no-cache`, so every page made the browser ask again for each
of its files; with compression on, that 304 cost the server as much as the file (Flask-Compress
compresses before it compares the ETag), and each file was compressed again for every
visitor: at an event, most of the requests and a third of the server's CPU
(docs/capacity.md). Pages link /assets/<fingerprint>/<file> instead:

- The fingerprint is of every static file's name and content together, so a change to any
  file moves them all, and a module's relative import (static/js/questionnaire.js imports
  ./kept-answers.js) lands under the same one.
- WhiteNoise serves today's fingerprint before Flask is reached, with the gzip copies that
  `make assets` (and the image's build) writes beside the files, and lets browsers keep them
  for good. Copies older than their file (an edit since) are a warning at start, and then
  Flask serves instead, compressing as it goes, as it does while developing.
- Flask's own view answers any other fingerprint (a page open since before a deploy): today's
  file, revalidated each time. /static/<file> stays as Flask serves it.
"""

from __future__ import annotations

import hashlib
import logging
from pathlib import Path
from typing import TYPE_CHECKING, Any

from flask import Flask, current_app, send_from_directory
from werkzeug.wrappers import Response
from whitenoise import WhiteNoise

from .request_log import ROUTE_KEY

if TYPE_CHECKING:
    from collections.abc import Iterable

    from _typeshed.wsgi import StartResponse, WSGIApplication, WSGIEnvironment

log = logging.getLogger(__name__)

ENDPOINT = "asset"
RULE = "/assets/<version>/<path:filename>"
COMPRESSED = ".gz"
# Files this small are sent as they are (Flask-Compress's COMPRESS_MIN_SIZE says the same).
WORTH_COMPRESSING = 500


def _sources(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*") if p.is_file() and p.suffix != COMPRESSED)


def fingerprint(folder: Path) -> str:
    digest = hashlib.sha256()
    for path in _sources(folder):
        digest.update(path.relative_to(folder).as_posix().encode() + b"\0")
        digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


def stale_copies(folder: Path) -> list[str]:
    """Files worth compressing whose gzip copy is missing or older than they are (`make assets`
    gives each copy its file's time)."""
    stale = []
    for path in _sources(folder):
        made, copy = path.stat(), path.with_name(path.name + COMPRESSED)
        if made.st_size >= WORTH_COMPRESSING and not (copy.exists() and copy.stat().st_mtime == made.st_mtime):
            stale.append(path.relative_to(folder).as_posix())
    return stale


def asset(version: str, filename: str) -> Response:
    """Whatever WhiteNoise did not answer (another fingerprint, or while developing): Flask's
    own file sending (a path outside the folder is a 404, conditional requests, ETag), today's
    file, revalidated each time."""
    return send_from_directory(current_app.static_folder or "", filename, max_age=None)


def _fingerprint_in_urls(endpoint: str, values: dict[str, Any]) -> None:
    if endpoint == ENDPOINT:
        # Read once at start: while developing, Flask's view below sends each edit anyway.
        values.setdefault("version", current_app.extensions["assets"])


def init_app(app: Flask) -> None:
    app.extensions["assets"] = fingerprint(Path(app.static_folder or ""))
    app.add_url_rule(RULE, endpoint=ENDPOINT, view_func=asset)
    app.url_defaults(_fingerprint_in_urls)


def served_first(app: Flask, inner: WSGIApplication) -> WSGIApplication:
    """WhiteNoise in front of Flask for today's fingerprint, unless developing or the gzip
    copies are out of date."""
    folder = Path(app.static_folder or "")
    if app.debug:
        return inner
    stale = stale_copies(folder)
    if stale:
        log.warning("static files without an up-to-date gzip copy (run `make assets`): %s", ", ".join(stale))
        return inner
    prefix = f"/assets/{app.extensions['assets']}/"
    files = WhiteNoise(
        inner,
        root=folder,
        prefix=prefix,
        immutable_file_test=lambda _path, _url: True,  # the fingerprint in the address is the version
        allow_all_origins=False,  # our own pages are the only ones that use them
    )

    def named(environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        if environ.get("PATH_INFO", "").startswith(prefix):
            environ[ROUTE_KEY] = RULE  # the request log names the route, as Flask would
        return files(environ, start_response)

    return named
