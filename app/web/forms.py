"""The base of every form: Flask-WTF with WTForms' own messages loaded once per language,
no CSRF field of its own (CSRFProtect guards every POST of the app), and no control
characters in any text field. Below it, the reading of a form of one-answer fields (the
questionnaire, the myth round).

Flask-WTF reads WTForms' message catalogue from disk on every request that builds a
form; the catalogue never changes while the process runs, so it is kept per locale.
"""

from __future__ import annotations

import functools
import unicodedata
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass

from babel import support
from flask_babel import get_locale
from flask_wtf import FlaskForm
from werkzeug.datastructures import MultiDict
from wtforms import Field, RadioField, StringField, TextAreaField, ValidationError
from wtforms.fields.choices import SelectChoice
from wtforms.form import BaseForm
from wtforms.i18n import messages_path
from wtforms.validators import InputRequired

from ..catalogue import lazy_gettext as _l
from .errors import DEFAULT_MESSAGES, TITLES


@functools.cache
def _wtforms_messages(locale: str) -> support.NullTranslations:
    return support.Translations.load(messages_path(), [locale], domain="wtforms")


class _CachedTranslations:
    def gettext(self, string: str) -> str:
        return _wtforms_messages(str(get_locale())).ugettext(string)

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        return _wtforms_messages(str(get_locale())).ungettext(singular, plural, n)


TRANSLATIONS = _CachedTranslations()


CONTROL_CHARACTERS = _l(
    "This contained invisible control characters, which we have taken out. Please check it and send it again."
)


def plain_text(_form: object, field: Field) -> None:
    """No control characters (C0, DEL, C1: Unicode's Cc) in typed text, except a tab, and
    line breaks where a text area allows them. Nobody types them; PostgreSQL cannot even
    store a NUL, and the others would reach the projector unseen. The field is given back
    without them, so the re-rendered form shows what would be kept."""
    allowed = "\t\r\n" if isinstance(field, TextAreaField) else "\t"
    text = field.data if isinstance(field.data, str) else ""
    kept = "".join(c for c in text if c in allowed or unicodedata.category(c) != "Cc")
    if kept != text:
        field.data = kept
        raise ValidationError(str(CONTROL_CHARACTERS))


class Form(FlaskForm):
    class Meta(FlaskForm.Meta):
        # CSRFProtect checks every POST before any view runs; a second check by each
        # form would only verify the same token again. Templates write the token with
        # csrf_token().
        csrf = False

        def get_translations(self, form: object) -> _CachedTranslations:
            return TRANSLATIONS

    def validate(self, extra_validators: Mapping[str, Sequence[object]] | None = None) -> bool:
        """Every text field (StringField and its kinds: text areas, passwords, hidden fields)
        is plain text: the one place this rule is applied, through WTForms' extra_validators."""
        extra: dict[str, list[object]] = {name: list(checks) for name, checks in (extra_validators or {}).items()}
        for field in self:
            if isinstance(field, StringField):
                extra.setdefault(field.name, []).append(plain_text)
        return super().validate(extra_validators=extra)


# --- one answer per field: the questionnaire and the myth round, each sent as one form ----

MISSING = _l("Please choose one answer.")
UNKNOWN = _l("That is not one of the answers offered. Please choose again.")
REPEATED = _l("Only one answer can be sent. Please choose again.")

# Why a whole form came back: said above its questions, as a title and a sentence. The
# answers that could be used are ticked again; nothing was counted.
FORM_PROBLEMS = {
    "answers": (
        _l("Please check your answers"),
        _l("Some answers are missing or could not be used. They are marked below; nothing was counted."),
    ),
    "stray": (
        _l("That form could not be used"),
        _l(
            "It carried something none of the questions asks, so nothing was counted. "
            "Please check your answers and send them again."
        ),
    ),
    "stale": (
        _l("That form had expired"),
        _l(
            "It had been open too long to be sent, so nothing was counted. "
            "Your answers are still ticked: please send them again."
        ),
    ),
    "limit": (TITLES[429], DEFAULT_MESSAGES[429]),
}


def problem_with(sent: Answered) -> str:
    """Which of FORM_PROBLEMS a form that did not complete has."""
    return "stray" if sent.stray else "answers"


class OneAnswer(RadioField):
    """A radio group that takes exactly one of its own values. A repeated field is refused
    rather than cut to its first value; so is a value that is not one of the choices."""

    def process_formdata(self, valuelist: list[str]) -> None:
        if len(valuelist) > 1:
            raise ValueError(str(REPEATED))  # WTForms keeps it as this field's error; data stays None
        super().process_formdata(valuelist)

    def pre_validate(self, form: object) -> None:
        if self.data is not None and self.data not in {choice.value for choice in self.choices or ()}:
            raise ValidationError(str(UNKNOWN))


@dataclass
class Answered:
    """A sent form of one-answer fields: the values it may keep, each field's problem, and
    whether it carried a field none of ours asks for."""

    values: dict[str, str]  # field name -> the value sent, where it is one of that field's choices
    errors: dict[str, str]
    stray: bool = False

    @property
    def complete(self) -> bool:
        return not self.errors and not self.stray


def read_answers(fields: Mapping[str, Collection[str]], formdata: MultiDict[str, str]) -> Answered:
    """Validate a sent form whose fields (name -> the values it offers) each take one answer.

    Built with WTForms' BaseForm, the documented form for fields known only at run time; the
    CSRF token was already checked by CSRFProtect and is the one other field allowed."""
    form = BaseForm(
        [
            (
                name,
                OneAnswer(
                    choices=[SelectChoice(value, value) for value in values], validators=[InputRequired(MISSING)]
                ),
            )
            for name, values in fields.items()
        ]
    )
    form.process(formdata)
    form.validate()
    values = {field.name: field.data for field in form if not field.errors and field.data}
    errors = {field.name: str(field.errors[0]) for field in form if field.errors}
    return Answered(values, errors, stray=any(name not in fields and name != "csrf_token" for name in formdata))
