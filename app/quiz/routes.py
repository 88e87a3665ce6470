"""Quiz pages. Answers stay in the visitor's cookie; only a finished quiz is counted."""

from __future__ import annotations

from flask import abort, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from ..content import get_bank
from ..counting.finish import count_quiz
from ..counting.items import quiz_items
from ..rooms.membership import membership
from ..scoring import Question
from ..visitor.state import quiz as progress
from ..web.errors import render_error
from ..web.rate_limits import completions_limit, limiter, reached_the_result
from . import bp
from .forms import AnswerForm, ClosingForm
from .result_view import render_result


@bp.get("/")
def start() -> Response:
    """Continue where the visitor left off, or begin at the first question."""
    bank = get_bank()
    if progress.is_complete(bank):
        return redirect(url_for("quiz.result"))
    if progress.scored_complete(bank):
        return redirect(url_for("quiz.closing"))
    return redirect(url_for("quiz.question", step=progress.answered_prefix(bank) + 1))


@bp.route("/<int:step>", methods=["GET", "POST"])
def question(step: int) -> Response | str | tuple[str, int]:
    bank = get_bank()
    if not 1 <= step <= len(bank.questions):
        abort(404)
    reachable = progress.answered_prefix(bank) + 1
    if step > reachable:
        return render_error(400, "skipped", next_url=url_for("quiz.question", step=reachable))

    q = bank.questions[step - 1]
    if request.method != "POST":  # GET or HEAD
        selected = progress.answers(bank).get(q.id)
        return _render_question(step, _answered(q, selected))
    form = AnswerForm.for_question(q)
    if not form.validate():
        return _render_question(step, form), 400
    progress.save_answer(bank, q.id, form.answer.data)
    if step < len(bank.questions):
        return redirect(url_for("quiz.question", step=step + 1), 303)
    return redirect(url_for("quiz.closing"), 303)


def _answered(q: Question, selected: str | None) -> AnswerForm:
    form = AnswerForm.for_question(q)
    form.answer.data = selected
    return form


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


@bp.route("/closing", methods=["GET", "POST"])
@limiter.limit(completions_limit, methods=["POST"], deduct_when=reached_the_result)
def closing() -> Response | str | tuple[str, int]:
    """The unscored last question: did being watched change any answer? Then count and show."""
    bank = get_bank()
    if not progress.scored_complete(bank):
        return render_error(400, "skipped", next_url=url_for("quiz.question", step=progress.answered_prefix(bank) + 1))
    form = ClosingForm()
    if form.is_submitted():
        if not form.validate():
            return render_template("quiz/closing.html", form=form, total=len(bank.questions)), 400
        progress.save_chilling(form.answer.data)
        return _finish()
    form.answer.data = progress.chilling_answer()
    progress.start()  # a cookie from before start tokens existed gets one here
    return render_template("quiz/closing.html", form=form, total=len(bank.questions))


def _finish() -> Response:
    """Count the finished quiz once (randomized), then show the result from the true answers."""
    if progress.counted_keys() is None:
        bank = get_bank()
        items = quiz_items(bank, progress.answers(bank), progress.chilling_answer())
        progress.record_outcome(membership.count(count_quiz, progress.token(), items))
    return redirect(url_for("quiz.result"), 303)


@bp.get("/result")
def result() -> str | tuple[str, int]:
    bank = get_bank()
    if not progress.is_complete(bank):
        return render_error(400, "incomplete", next_url=url_for("quiz.start"))
    return render_result(progress.answers(bank))


@bp.post("/restart")
def restart() -> Response:
    progress.restart()
    return redirect(url_for("quiz.question", step=1), 303)
