"""Quiz pages: the questionnaire as one form, sent once and counted once; then the result.

Answers in progress never reach the server: the page holds them (with JavaScript, one
question at a time) until the closing question sends them all. A form that comes back
incomplete, forged, stale or over the rate limit is shown again with its answers ticked,
and nothing is counted.
"""

from __future__ import annotations

from flask import redirect, render_template, request, url_for
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import TooManyRequests
from werkzeug.wrappers import Response

from ..content import closing_question, get_bank
from ..counting.finish import count_quiz
from ..counting.items import quiz_items
from ..rooms import limits as room_limits
from ..rooms.membership import membership
from ..visitor.state import quiz as progress
from ..web.errors import render_error
from ..web.forms import FORM_PROBLEMS, problem_with
from ..web.padding import RESULT, padded
from ..web.rate_limits import completions_limit, limiter, reached_the_result
from . import bp
from .forms import Filled, empty, questionnaire, read
from .result_view import render_result


@bp.route("/", methods=["GET", "POST"])
@limiter.limit(completions_limit, methods=["POST"], deduct_when=reached_the_result)
# In a room: a quarter of its places a minute per address, so one client cannot fill it (app/rooms/limits.py).
@limiter.limit(
    room_limits.places_limit,
    methods=["POST"],
    key_func=room_limits.finishing_key,
    exempt_when=room_limits.not_in_a_room,
    deduct_when=reached_the_result,
)
def start() -> Response | str | tuple[str, int]:
    """The questionnaire; sent back whole, it is counted once and the result follows."""
    bank = get_bank()
    if request.method != "POST":  # GET or HEAD
        if progress.is_complete(bank):
            return redirect(url_for("quiz.result"))
        return _render_form(empty(bank))
    filled = read(bank, request.form)
    chilling = filled.chilling()
    if not filled.sent.complete or chilling is None:  # a complete form answered every field
        return _render_form(filled, problem_with(filled.sent)), 400
    progress.save_finished(filled.answers(), chilling)
    _count()
    return redirect(url_for("quiz.result"), 303)


def _render_form(filled: Filled, problem: str | None = None) -> str:
    bank = filled.bank
    progress.begin(bank)  # the run's start token (kept in the cookie) makes it count once
    return render_template(
        "quiz/questionnaire.html",
        items=questionnaire(bank),
        bank=bank,
        closing_question=closing_question,
        filled=filled.sent,
        problem=FORM_PROBLEMS[problem] if problem else None,
    )


def _count() -> None:
    """Count the finished quiz once (randomized); a repeat of the same run counts nothing."""
    if progress.counted_keys() is None:
        bank = get_bank()
        items = quiz_items(bank, progress.answers(bank), progress.chilling_answer())
        progress.record_outcome(membership.count(count_quiz, progress.token(), items))


def _sending_the_form() -> bool:
    return request.endpoint == "quiz.start" and request.method == "POST"


@bp.errorhandler(CSRFError)
def _stale_form(_error: CSRFError) -> tuple[str, int]:
    """The form's token is out of date (the page was open too long, or the cookie expired):
    the questionnaire again with its answers ticked and a fresh token, nothing counted."""
    if not _sending_the_form():
        return render_error(400, "csrf")
    return _render_form(read(get_bank(), request.form), "stale"), 400


@bp.errorhandler(TooManyRequests)
def _over_the_limit(_error: TooManyRequests) -> tuple[str, int]:
    """Too many counted quizzes from this address: the answers stay ticked, to send later."""
    if not _sending_the_form():
        return render_error(429)
    return _render_form(read(get_bank(), request.form), "limit"), 429


@bp.get("/result")
@padded(RESULT)
def result() -> str | tuple[str, int]:
    bank = get_bank()
    if not progress.is_complete(bank):
        return render_error(400, "incomplete", next_url=url_for("quiz.start"))
    return render_result(progress.answers(bank))


@bp.post("/restart")
def restart() -> Response:
    progress.restart()
    return redirect(url_for("quiz.start"), 303)
