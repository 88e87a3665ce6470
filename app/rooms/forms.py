"""The rooms' forms: open a room, type a join code, confirm joining."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import PasswordField, SelectField, StringField
from wtforms.validators import Length, Optional

from ..forms import Form
from ..i18n import LANGUAGES


class CreateRoomForm(Form):
    title = StringField(
        _l("Room title (optional)"),
        validators=[Optional(), Length(max=80, message=_l("Please keep the title under 80 characters."))],
        description=_l("Shown on the join screen and the projector, e.g. the name of your workshop."),
    )
    language = SelectField(
        _l("Language of the room"),
        default="",
        description=_l("Everyone who joins gets the quiz in this language, and so does the projector."),
    )
    passphrase = PasswordField(_l("Facilitator passphrase"))

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        # "" keeps each person's own language; anything not listed fails validation (a 400).
        self.language.choices = [("", _l("Each person's own language")), *LANGUAGES.items()]


class JoinForm(Form):
    """A GET form: the code alone, checked by the route so that the message can be specific."""

    class Meta:
        csrf = False  # joining needs a second, protected step; this only looks the room up

    code = StringField(_l("Room code"), validators=[Optional(), Length(max=40)])


class ConfirmJoinForm(Form):
    """Joining changes the visitor's session, so it is a POST with a CSRF token."""
