"""The way back to a room's projector from the browser that opened it, after its tab closed.

When a facilitator opens a room (or its presenter link), their browser keeps the presenter
secret in a cookie of its own: HttpOnly (no script reads it), SameSite=Strict, Secure over
https, sent only to /rooms/ pages (never with a quiz page), and, like every cookie of this
site, gone when the browser closes. "Run a workshop" then offers "back to your room", which
reads the cookie and redirects to the projector. A cookie rather than sessionStorage,
because sessionStorage belongs to the tab and dies with it; rather than inside the session
cookie, because that one holds a visitor's answers, is sent with every request and is
emptied by "Forget my answers". The secret goes nowhere the presenter link itself has not
been (the browser's history has it anyway): not into a page, not into the database (which
keeps only its hash).
"""

from __future__ import annotations

from flask import current_app, request
from werkzeug.wrappers import Response

from ..store.models import Room
from . import codes

PREFIX = "presenter-"
PATH = "/rooms/"
MAX_REMEMBERED = 5  # rooms offered back on "Run a workshop"


def name(code: str) -> str:
    return PREFIX + code


def remember(response: Response, room: Room, secret: str) -> None:
    """Keep the secret for this room's pages until the browser closes (the room may expire sooner:
    then the cookie opens nothing)."""
    if request.cookies.get(name(room.code)) == secret:
        return
    response.set_cookie(
        name(room.code),
        secret,
        path=PATH,
        secure=current_app.config["SESSION_COOKIE_SECURE"],
        httponly=True,
        samesite="Strict",
    )


def secret_for(code: str) -> str | None:
    return request.cookies.get(name(code))


def remembered_codes() -> list[str]:
    """The room codes this browser keeps a presenter secret for (checked against the database by the caller)."""
    found = [n.removeprefix(PREFIX) for n in request.cookies if n.startswith(PREFIX)]
    return sorted(c for c in found if codes.normalise(c) == c)[:MAX_REMEMBERED]
