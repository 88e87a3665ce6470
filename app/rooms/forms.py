"""The rooms' forms: open a room, type a join code, confirm joining."""

from __future__ import annotations

from wtforms import HiddenField, PasswordField, RadioField, SelectField, StringField
from wtforms.validators import AnyOf, Length, Optional

from ..catalogue import lazy_gettext as _l
from ..config import DEFAULT_ODDS
from ..web.forms import Form
from ..web.i18n import LANGUAGES

ROOM_ODDS = (2, 4, 9)  # the levels a facilitator may choose: stronger, the default, weaker


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
    odds = RadioField(_l("How deniable each answer is"))
    passphrase = PasswordField(_l("Facilitator passphrase"))

    def __init__(self, *args: object, site_odds: int = DEFAULT_ODDS, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        # "" keeps each person's own language; anything not listed fails validation (a 400).
        self.language.choices = [("", _l("Each person's own language")), *LANGUAGES.items()]
        self.site_odds = site_odds
        # Anything but the offered levels fails validation (a 400), like a forged language.
        self.odds.choices = [(str(o), str(o)) for o in self.odds_choices()]
        if self.odds.data is None:
            self.odds.data = str(site_odds)

    def odds_choices(self) -> list[int]:
        """Stronger, the site's own, weaker: the levels bench/privacy_sim.py tabulates."""
        return sorted({*ROOM_ODDS, self.site_odds})


class JoinForm(Form):
    """A GET form: the code alone, checked by the route so that the message can be specific."""

    class Meta:
        csrf = False  # joining needs a second, protected step; this only looks the room up

    code = StringField(_l("Room code"), validators=[Optional(), Length(max=40)])


class ConfirmJoinForm(Form):
    """Joining changes the visitor's session, so it is a POST with a CSRF token."""


class CloseRoomForm(Form):
    """The presenter closes the room to new finishes ("1") or opens it again ("0")."""

    closed = HiddenField(validators=[AnyOf(("0", "1"))])
