"""The projector's unchanged poll, answered before Flask does any work for it.

Every open projector asks every few seconds whether the room's figures moved, and
nearly always they have not. That answer (304) needs only the room's presenter hash,
its expiry and three counts, which one query reads. So a small WSGI layer answers it
straight away, without a session, a template or the request machinery; anything else
(a first poll, a change, a wrong secret, a database error) goes on to the Flask view,
which answers it in full.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date
from typing import TYPE_CHECKING, Any

from flask import Flask
from sqlalchemy import Engine, bindparam, literal, select
from sqlalchemy.exc import SQLAlchemyError
from werkzeug.http import parse_etags, quote_etag

from .. import tally
from ..models import ROOM_SCOPE_PREFIX, Room
from ..request_log import ROUTE_KEY
from . import codes, store

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIApplication, WSGIEnvironment

ROUTE = "/rooms/<code>/present/<secret>/poll"  # the Flask view's rule, as the request log names it
PATH = re.compile(r"/rooms/([^/]+)/present/([^/]+)/poll")
CACHE_CONTROL = "no-cache, private"

# The room and its counts in one round trip (built once).
_PRESENTER_MARKS = select(
    Room.presenter_hash,
    Room.expires_on,
    *tally.completion_mark_columns(literal(ROOM_SCOPE_PREFIX) + Room.id),
).where(Room.code == bindparam("code"))


def projection_etag(finished: int, published: int, myths_published: int) -> str:
    """What a projector's figures depend on: people finished, quizzes and myth rounds shown."""
    return f"{finished}-{published}-{myths_published}"


class UnchangedPoll:
    """WSGI middleware: 304 for a projector poll whose ETag still holds, else the app."""

    def __init__(self, wsgi_app: WSGIApplication, engine: Engine) -> None:
        self.wsgi_app = wsgi_app
        self.engine = engine
        # The query is compiled once and run on a pooled driver connection: SQLAlchemy's
        # execution layer costs three times the query itself, on the busiest request there is.
        compiled = _PRESENTER_MARKS.compile(dialect=engine.dialect)
        self.sql = str(compiled)
        self.params = compiled.construct_params({"code": ""})
        self.order = tuple(compiled.positiontup or ()) if compiled.positional else None
        self.driver_errors = (SQLAlchemyError, engine.dialect.loaded_dbapi.Error)

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        if_none_match = environ.get("HTTP_IF_NONE_MATCH")
        if if_none_match and environ.get("REQUEST_METHOD") == "GET":
            found = PATH.fullmatch(environ.get("PATH_INFO", ""))
            etag = found and self.current_etag(found[1], found[2])
            if etag and parse_etags(if_none_match).contains(etag):
                environ[ROUTE_KEY] = ROUTE
                start_response("304 Not Modified", [("ETag", quote_etag(etag)), ("Cache-Control", CACHE_CONTROL)])
                return []
        return self.wsgi_app(environ, start_response)

    def current_etag(self, code: str, secret: str) -> str | None:
        """The ETag the view would give now, or None where the view must answer (it says why)."""
        if codes.normalise(code) != code:
            return None
        try:
            row = self.read(code)
        except self.driver_errors:
            return None
        if row is None:
            return None
        presenter_hash, expires_on, *marks = row
        if not codes.secret_matches(secret, presenter_hash) or store.today() >= _day(expires_on):
            return None
        return projection_etag(*(n or 0 for n in marks))

    def read(self, code: str) -> tuple[Any, ...] | None:
        params = {**self.params, "code": code}
        values = params if self.order is None else tuple(params[name] for name in self.order)
        connection = self.engine.raw_connection()
        try:
            cursor = connection.cursor()
            cursor.execute(self.sql, values)
            row = cursor.fetchone()
            cursor.close()
        finally:
            connection.close()  # back to the pool, which ends the read transaction
        return row


def _day(value: date | str) -> date:
    """A DATE as the driver returns it: SQLite's is ISO text, PostgreSQL's a date."""
    return value if isinstance(value, date) else date.fromisoformat(value)


def init_app(app: Flask) -> None:
    app.wsgi_app = UnchangedPoll(app.wsgi_app, app.extensions["database"].engine)  # type: ignore[method-assign]
