"""The one form of the quiz: a single choice among a question's options."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import RadioField
from wtforms.validators import InputRequired

from ..forms import Form
from ..scoring import Question


class AnswerForm(Form):
    answer = RadioField(
        validators=[InputRequired(message=_l("Please choose one answer."))],
        validate_choice=True,
    )

    @classmethod
    def for_question(cls, question: Question, **kwargs: object) -> AnswerForm:
        form = cls(**kwargs)
        form.answer.choices = [(o.id, o.text) for o in question.options]
        form.answer.label.text = question.text
        return form
