"""The one form of the quiz: a single choice among a question's options."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import RadioField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired

from ..content import closing_question as chilling
from ..scoring import Question
from ..web.forms import Form


class AnswerForm(Form):
    answer = RadioField(
        validators=[InputRequired(message=_l("Please choose one answer."))],
        validate_choice=True,
    )

    @classmethod
    def for_question(cls, question: Question, **kwargs: object) -> AnswerForm:
        form = cls(**kwargs)
        form.answer.choices = [SelectChoice(o.id, o.text) for o in question.options]
        form.answer.label.text = question.text
        return form


class ClosingForm(Form):
    """The unscored chilling-effect question at the end of the quiz."""

    answer = RadioField(
        label=chilling.QUESTION,
        choices=[SelectChoice(value, label) for value, label in chilling.OPTIONS.items()],
        validators=[InputRequired(message=_l("Please choose one answer."))],
        validate_choice=True,
    )
