"""The rooms' forms: open a room, type a join code, confirm joining."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import PasswordField, StringField
from wtforms.validators import Length, Optional

from ..forms import Form


class CreateRoomForm(Form):
    title = StringField(
        _l("Room title (optional)"),
        validators=[Optional(), Length(max=80, message=_l("Please keep the title under 80 characters."))],
        description=_l("Shown on the join screen and the projector, e.g. the name of your workshop."),
    )
    passphrase = PasswordField(_l("Facilitator passphrase"))


class JoinForm(Form):
    """A GET form: the code alone, checked by the route so that the message can be specific."""

    class Meta:
        csrf = False  # joining needs a second, protected step; this only looks the room up

    code = StringField(_l("Room code"), validators=[Optional(), Length(max=40)])


class ConfirmJoinForm(Form):
    """Joining changes the visitor's session, so it is a POST with a CSRF token."""
