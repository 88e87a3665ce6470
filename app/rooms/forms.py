"""The rooms' forms: open a room, type a join code, confirm joining."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import PasswordField, StringField
from wtforms.validators import Length, Optional


class CreateRoomForm(FlaskForm):
    title = StringField(
        _l("Room title (optional)"),
        validators=[Optional(), Length(max=80, message=_l("Please keep the title under 80 characters."))],
        description=_l("Shown on the join screen and the projector, e.g. the name of your workshop."),
    )
    passphrase = PasswordField(_l("Facilitator passphrase"))


class JoinForm(FlaskForm):
    """A GET form: the code alone, checked by the route so that the message can be specific."""

    class Meta:
        csrf = False  # joining needs a second, protected step; this only looks the room up

    code = StringField(_l("Room code"), validators=[Optional(), Length(max=40)])


class ConfirmJoinForm(FlaskForm):
    """Joining changes the visitor's session, so it is a POST with a CSRF token."""
