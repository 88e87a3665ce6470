"""Every error is a page in the site's layout, with a reason a visitor can act on."""

from __future__ import annotations

import logging

from flask import Flask, current_app, render_template, request, url_for
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import SQLAlchemyError
from werkzeug.exceptions import BadRequest, HTTPException, InternalServerError

from ..catalogue import lazy_gettext as _l
from ..store.database import discard_session
from .session import session_expired

log = logging.getLogger(__name__)

TITLES = {
    400: _l("That request could not be used"),
    403: _l("Not allowed"),
    404: _l("Page not found"),
    405: _l("That is not how this page is used"),
    413: _l("That was too much to send"),
    429: _l("Too many requests"),
    500: _l("Something went wrong on our side"),
    503: _l("Not available just now"),
}

# Known reasons for a 400, chosen by the code that aborts.
REASONS = {
    "session": _l(
        "Your browser sent a session cookie that this site did not sign, so it was cleared. "
        "Nothing was counted. You can start again."
    ),
    "csrf": _l(
        "The form's security token was missing or out of date, perhaps because the page was open "
        "for a long time or your answers were forgotten. Nothing was counted. Please go back, reload "
        "the page and try again."
    ),
    "cross_site": _l("This form was sent from another site, so it was refused. Nothing was counted."),
    "incomplete": _l("There is no finished quiz in this browser to show. Start the quiz to get a score."),
    "what_if": _l("That change is not one of this quiz's answers. Nothing was stored or counted."),
    "myths_incomplete": _l("There is no finished round of myth or real in this browser to show."),
    "share": _l("A shared link holds a score from 350 to 950, or a band's name. This one holds neither."),
    "expired": _l(
        "Your answers are kept in this browser only for a limited time, and that time has passed, "
        "so they were forgotten. Nothing was counted. You can start the quiz again."
    ),
}

# A reason that deserves its own heading rather than the status code's.
REASON_TITLES = {"expired": _l("Your answers have expired")}

# What a visitor whose session expired runs into: said as what it is, with a way to start again.
LOST_WITH_THE_SESSION = ("csrf", "incomplete", "myths_incomplete")

DEFAULT_MESSAGES = {  # by status code, when no reason is given
    400: _l("Something in that request was not what this page expects. Nothing was counted."),
    403: _l("You do not have access to this page."),
    404: _l("There is nothing at this address. Check the link, or start from the home page."),
    405: _l("This address does not accept that kind of request."),
    413: _l("The form sent more data than any of our forms need, so it was refused. Nothing was counted."),
    429: _l("You have sent many requests in a short time. Please wait a minute and try again."),
    500: _l("The error was logged without any personal data. Nothing you sent was kept."),
    503: _l(
        "Our database cannot be reached just now, so this page cannot be shown. Nothing you sent was kept. "
        "Please try again in a minute; the quiz itself still works."
    ),
}


FALLBACK_500 = (
    "<!doctype html><html lang=en><meta charset=utf-8><title>Error 500</title>"
    "<h1>Something went wrong on our side</h1><p><a href=/>Home</a></p></html>"
)


# Error pages link home with url_for; a request whose Host header was refused has no URL
# adapter to build links with, so its page is rendered in a request context for this
# placeholder host (always trusted, see config). Only paths are built, so it never shows.
PLACEHOLDER_HOST = "localhost"


def _host_refused() -> bool:
    """Flask refused this request's Host (untrusted or malformed) before routing: it keeps that
    400 as the request's routing exception, and has no URL adapter to build links with."""
    return isinstance(request.routing_exception, BadRequest)


def render_error(code: int, reason: str | None = None, *, next_url: str | None = None) -> tuple[str, int]:
    if _host_refused():
        with current_app.request_context({**request.environ, "HTTP_HOST": PLACEHOLDER_HOST}):
            return _render_error(code, reason, next_url)
    return _render_error(code, reason, next_url)


def _render_error(code: int, reason: str | None, next_url: str | None) -> tuple[str, int]:
    if reason in LOST_WITH_THE_SESSION and session_expired():
        reason, next_url = "expired", url_for("quiz.start")
    message = REASONS[reason] if reason in REASONS else DEFAULT_MESSAGES.get(code, DEFAULT_MESSAGES[400])
    title = REASON_TITLES.get(reason or "") or TITLES.get(code, TITLES[400])
    return render_template("errors/error.html", code=code, title=title, message=message, next_url=next_url), code


def _route() -> str:
    """The route's pattern, never the concrete path: paths can hold room codes and presenter secrets."""
    return request.url_rule.rule if request.url_rule is not None else "(no route)"


def init_app(app: Flask) -> None:
    @app.errorhandler(CSRFError)
    def _csrf(_error: CSRFError) -> tuple[str, int]:
        return render_error(400, "csrf")

    @app.errorhandler(HTTPException)
    def _http(error: HTTPException) -> tuple[str, int] | HTTPException:
        code = error.code or 500
        if code < 400:
            return error
        reason = error.description if isinstance(error.description, str) and error.description in REASONS else None
        return render_error(code, reason)

    @app.errorhandler(SQLAlchemyError)
    def _database_away(error: SQLAlchemyError) -> tuple[str, int]:
        # An outage is not a bug: say so with a 503, log only the error's type.
        log.warning("database unavailable: %s on %s %s", type(error).__name__, request.method, _route())
        discard_session()
        return render_error(503)

    @app.errorhandler(Exception)
    def _unexpected(error: Exception) -> tuple[str, int]:
        # Log the type and the path only: never the form, cookies or the client.
        log.exception("unhandled %s on %s %s", type(error).__name__, request.method, _route())
        try:
            return render_error(InternalServerError.code)
        except Exception:  # the layout itself failed: answer plainly rather than not at all
            log.exception("error page failed")
            return FALLBACK_500, 500
