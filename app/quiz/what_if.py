"""What-if: the result page with one answer changed, as a page or as JSON. Never stored, never counted.

Both answers come from the scoring engine itself, through the same partial
templates as the real result, so the what-if cannot say what the engine would not.
"""

from __future__ import annotations

from flask import jsonify, request, url_for
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from ..content import get_bank
from ..scoring import AnswerError, Change, what_if
from ..visitor.state import quiz as progress
from ..web.errors import render_error
from ..web.i18n import BAND_NAMES
from ..web.padding import RESULT, WHAT_IF_JSON, padded
from . import bp
from .forms import PAD
from .result_view import render_parts, render_result


def _change_from_form() -> Change | None:
    """The one change asked for (field `change` = "question:option"), or None if it is not one of ours."""
    bank = get_bank()
    question_id, _sep, option_id = request.form.get("change", "").partition(":")
    try:
        return what_if(bank, progress.answers(bank), question_id, option_id.rstrip(PAD))
    except AnswerError:
        return None


@bp.post("/what-if")
@padded(RESULT)
def what_if_page() -> str | tuple[str, int]:
    """Without JavaScript: the whole result page again, as if one answer had been different."""
    if not progress.is_complete(get_bank()):
        return render_error(400, "incomplete", next_url=url_for("quiz.start"))
    change = _change_from_form()
    if change is None:
        return render_error(400, "what_if", next_url=url_for("quiz.result"))
    return render_result(progress.answers(get_bank()), change)


@bp.post("/what-if.json")
@padded(WHAT_IF_JSON)
def what_if_json() -> Response | tuple[Response, int]:
    """With JavaScript: the new score and the redrawn parts of the result page."""
    if not progress.is_complete(get_bank()):
        return jsonify(error=_("There is no finished quiz in this browser.")), 400
    change = _change_from_form()
    if change is None:
        return jsonify(error=_("That answer is not one of this quiz's options.")), 400
    report = change.report
    return jsonify(
        score=report.score,
        band=report.band,
        band_name=str(BAND_NAMES[report.band]),
        gain=change.gain,
        question=change.question.id,
        option=change.after.id,
        parts=render_parts(report, change),
    )
