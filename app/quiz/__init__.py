"""The quiz blueprint: every question in one form, then the explained result and its what-ifs."""

from __future__ import annotations

from flask import Blueprint
from sqlalchemy.exc import SQLAlchemyError

from ..rooms.membership import membership
from ..store.database import get_session
from ..store.models import Room
from .forms import change_value

bp = Blueprint("quiz", __name__, url_prefix="/quiz")


@bp.context_processor
def _joined_room() -> dict[str, object]:
    """The visitor's room, for the quiz pages' "you are in room X" line."""

    def joined() -> Room | None:
        try:
            return membership.joined_room(get_session())
        except SQLAlchemyError:
            return None  # the database is away: the quiz pages still work, without the room line

    return {"joined_room": joined}


@bp.context_processor
def _what_if_values() -> dict[str, object]:
    return {"change_value": change_value}


from . import routes, what_if  # noqa: E402,F401  (routes attach themselves to bp)
