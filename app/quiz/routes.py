"""Quiz pages. Answers stay in the visitor's cookie; only a finished quiz is counted."""

from __future__ import annotations

import logging

from flask import abort, current_app, redirect, render_template, url_for
from sqlalchemy.exc import SQLAlchemyError
from werkzeug.wrappers import Response

from .. import tally
from ..content import get_bank
from ..database import get_session
from ..errors import render_error
from ..rate_limits import completions_limit, is_not_final_answer, limiter, reached_the_result
from ..rooms import membership
from ..scoring import Report, score_answers
from . import bp, progress
from .forms import AnswerForm

log = logging.getLogger(__name__)


@bp.get("/")
def start() -> Response:
    """Continue where the visitor left off, or begin at the first question."""
    bank = get_bank()
    if progress.is_complete(bank):
        return redirect(url_for("quiz.result"))
    return redirect(url_for("quiz.question", step=progress.answered_prefix(bank) + 1))


@bp.route("/<int:step>", methods=["GET", "POST"])
@limiter.limit(completions_limit, methods=["POST"], exempt_when=is_not_final_answer, deduct_when=reached_the_result)
def question(step: int) -> Response | str | tuple[str, int]:
    bank = get_bank()
    if not 1 <= step <= len(bank.questions):
        abort(404)
    reachable = progress.answered_prefix(bank) + 1
    if step > reachable:
        return render_error(400, "skipped", next_url=url_for("quiz.question", step=reachable))

    q = bank.questions[step - 1]
    form = AnswerForm.for_question(q)
    if form.is_submitted():
        if not form.validate():
            return _render_question(step, form), 400
        progress.save_answer(bank, q.id, form.answer.data)
        if step < len(bank.questions):
            return redirect(url_for("quiz.question", step=step + 1), 303)
        return _finish()

    form.answer.data = progress.answers(bank).get(q.id)
    return _render_question(step, form)


def _render_question(step: int, form: AnswerForm) -> str:
    bank = get_bank()
    q = bank.questions[step - 1]
    return render_template(
        "quiz/question.html",
        q=q,
        step=step,
        total=len(bank.questions),
        form=form,
        dimension=bank.dimension(q.dimension),
    )


def _finish() -> Response:
    """Count the finished quiz once, then show the result."""
    bank = get_bank()
    if progress.counted() is None:
        given = progress.answers(bank)
        report = score_answers(bank, given)
        scopes = [tally.GLOBAL]
        try:
            room = membership.joined_room(get_session())
            if room is not None:
                scopes.append(room.scope)  # a workshop participant counts in their room as well
            scopes = _record(report, given, scopes)
        except SQLAlchemyError as exc:
            # The visitor still gets their result; the page says it was not counted.
            log.warning("completion not counted: database error %s", type(exc).__name__)
            progress.mark_count_failed()
        else:
            progress.mark_counted(given, scopes)
    return redirect(url_for("quiz.result"), 303)


def _record(report: Report, given: dict[str, str], scopes: list[str]) -> list[str]:
    """Count in every scope; a room at its cap is left out (and left), the rest still counted."""
    config = current_app.config
    try:
        tally.record_completion(
            get_session(), report, given, scopes, k=config["MIN_GROUP_SIZE"], room_cap=config["ROOM_MAX_PARTICIPANTS"]
        )
    except tally.ScopeFull:
        scopes = [tally.GLOBAL]
        tally.record_completion(get_session(), report, given, scopes, k=config["MIN_GROUP_SIZE"])
        membership.leave()
        progress.mark_room_full()
    return scopes


@bp.get("/result")
def result() -> str | tuple[str, int]:
    bank = get_bank()
    if not progress.is_complete(bank):
        return render_error(400, "incomplete", next_url=url_for("quiz.start"))
    given = progress.answers(bank)
    report = score_answers(bank, given)
    counted = progress.counted()
    return render_template(
        "quiz/result.html",
        report=report,
        bank=bank,
        counted=counted,
        changed_since_counted=counted is not None and counted["answers"] != given,
        count_failed=progress.count_failed(),
        room_full=progress.room_full(),
    )


@bp.post("/restart")
def restart() -> Response:
    progress.restart()
    return redirect(url_for("quiz.question", step=1), 303)
