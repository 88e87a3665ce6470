"""The myth round: one form of statements, sent once, then the verdicts. Counted once per round, right or wrong.

Like the quiz, the guesses stay in the visitor's page until the form is sent; a form that
comes back incomplete, forged, stale or over the rate limit is shown again with its guesses
ticked, and nothing is counted.
"""

from __future__ import annotations

from flask import redirect, render_template, request, url_for
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import TooManyRequests
from werkzeug.wrappers import Response

from ..content import get_bank, get_myths
from ..counting.finish import count_myth_round
from ..counting.items import myth_items
from ..disclosure import published
from ..rooms.membership import membership
from ..scoring import MythRound
from ..scoring.myths import VERDICTS
from ..store import inventory
from ..store.database import get_session
from ..visitor.receipt import receipt
from ..visitor.state import myths as progress
from ..web.errors import render_error
from ..web.forms import FORM_PROBLEMS, Answered, problem_with, read_answers
from ..web.padding import MYTH_RESULT, padded
from ..web.rate_limits import completions_limit, limiter, reached_the_result
from . import bp


def _read(myths: MythRound) -> Answered:
    return read_answers({s.id: VERDICTS for s in myths.statements}, request.form)


@bp.route("/", methods=["GET", "POST"])
@limiter.limit(completions_limit, methods=["POST"], deduct_when=reached_the_result)
def round_page() -> Response | str | tuple[str, int]:
    myths = get_myths()
    if request.method != "POST":  # GET or HEAD: a finished round's guesses are shown ticked
        return _render_round(myths, Answered(progress.guesses(myths), {}))
    sent = _read(myths)
    if not sent.complete:
        return _render_round(myths, sent, problem_with(sent)), 400

    progress.save_guesses(sent.values)
    if progress.counted_keys() is None:
        items = myth_items(myths, myths.marks(sent.values))
        progress.record_outcome(membership.count(count_myth_round, progress.token(), items))
    return redirect(url_for("myths.result"), 303)


def _render_round(myths: MythRound, sent: Answered, problem: str | None = None) -> str:
    progress.start()  # the round has started: its cookie carries the token that makes it count once
    room = membership.joined_room(get_session())
    return render_template(
        "myths/round.html",
        myths=myths,
        filled=sent,
        room=room,
        problem=FORM_PROBLEMS[problem] if problem else None,
    )


def _sending_the_round() -> bool:
    return request.endpoint == "myths.round_page" and request.method == "POST"


@bp.errorhandler(CSRFError)
def _stale_form(_error: CSRFError) -> tuple[str, int]:
    """A token out of date: the round again with its guesses ticked and a fresh token, nothing counted."""
    if not _sending_the_round():
        return render_error(400, "csrf")
    return _render_round(get_myths(), _read(get_myths()), "stale"), 400


@bp.errorhandler(TooManyRequests)
def _over_the_limit(_error: TooManyRequests) -> tuple[str, int]:
    if not _sending_the_round():
        return render_error(429)
    return _render_round(get_myths(), _read(get_myths()), "limit"), 429


@bp.get("/result")
@padded(MYTH_RESULT)
def result() -> str | tuple[str, int]:
    myths = get_myths()
    if not progress.is_complete(myths):
        return render_error(400, "myths_incomplete", next_url=url_for("myths.round_page"))
    given = progress.guesses(myths)
    keys = progress.counted_keys()
    return render_template(
        "myths/result.html",
        myths=myths,
        guesses=given,
        marks=myths.marks(given),
        everyone=published.site_figures(),
        receipt=receipt(keys, progress.coin_changed(), get_bank(), myths) if keys else None,
        not_counted=progress.not_counted(),
        kept_a_while=inventory.database_log(*inventory.this_site()),
    )


@bp.post("/restart")
def restart() -> Response:
    progress.restart()
    return redirect(url_for("myths.round_page"), 303)
