"""What room pages word themselves from: the join address, its QR code, the privacy settings."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import current_app, url_for
from flask_babel import gettext as _

from ..content import get_bank, get_myths
from ..counting.scopes import counted_in_site
from ..disclosure.figures import level
from ..disclosure.guarantee import guarantee
from ..store.models import Room
from . import codes
from .qr import qr_svg


def join_url(room: Room) -> str:
    return url_for("rooms.join_screen", code=room.code, _external=True)


def join_host(room: Room) -> str:
    """Where people type the code: the site's host alone (its landing page asks for the code),
    so the lobby never shows the code twice."""
    return urlsplit(join_url(room)).netloc


def room_context(room: Room) -> dict[str, object]:
    url = join_url(room)
    return {
        "room": room,
        "spoken_code": codes.spoken(room.code),
        "join_url": url,
        "join_host": join_host(room),
        "qr": qr_svg(url, _("QR code for %(url)s", url=url)),
    }


def privacy(room: Room) -> dict[str, object]:
    """The settings the join, created and presenter pages word their promises from."""
    return {
        "level": level(room.odds),
        "guarantee": guarantee(room.odds, get_bank(), get_myths()),
        "counted_globally": counted_in_site(room),
        "min_finished": current_app.config["MIN_FINISHED"],
        "ttl_days": current_app.config["ROOM_TTL_DAYS"],
        "deletes_on": room.expires_on,
    }
