"""A room's places, per address: one client cannot fill a room meant for others in seconds,
while a venue of hundreds behind one NAT address still gets in.

Why this design. A room counts at most ROOM_MAX_PARTICIPANTS finished quizzes, and the
server keeps nothing per person, so fresh cookies from one address look exactly like a
venue's people behind one wifi address: the only thing that tells a script from a crowd is
speed. A script fills a room in well under a second; people arrive over a minute or two
and take minutes over the quiz. So each address may take at most a quarter of a room's
places a minute, in that room (Flask-Limiter's documented `limit` with a key of its own):

- joining counts at most that many new members a minute (the room's "joined" figure), and
- finishing counts at most that many quizzes into the room a minute (a retake counts again,
  so one cookie could otherwise fill a room at the site-wide completion limit).

One address then needs at least four windows, over three minutes, to fill any room, and a
venue of 300 behind one address joins a room of the default 500 places within three minutes
(125 a minute). A person over the limit gets the 429 page ("wait a minute"); a sent quiz
comes back with its answers ticked. Limits are per worker with memory:// (as the others).
"""

from __future__ import annotations

from flask import current_app, g, request
from werkzeug.wrappers import Response

from ..web.rate_limits import client_key
from . import codes
from .membership import membership

# One address may take at most 1/SHARE of a room's places a minute (at least MINIMUM).
SHARE = 4
MINIMUM = 2


def places_limit() -> str:
    """The per-address, per-room limit: a quarter of a room's places a minute."""
    places = current_app.config["ROOM_MAX_PARTICIPANTS"]
    return f"{max(MINIMUM, -(-places // SHARE))} per minute"


# The keys are keyed hashes of the address and the room together: the limiter's store (memory,
# or Redis) holds no address and no room code or id, only that some client did something somewhere.
def joining_key() -> str:
    """The client in the room named by the join link."""
    code = codes.normalise((request.view_args or {}).get("code", "")) or ""
    return client_key(f"join:{code}")


def finishing_key() -> str:
    """The client in the room their cookie joined."""
    return client_key(f"finish:{membership.room_id() or ''}")


def not_in_a_room() -> bool:
    return membership.room_id() is None


def mark_joined() -> None:
    """The view counted a new member: this request uses up one of the address's places."""
    g.joined_a_room = True


def joined_now(_response: Response) -> bool:
    return bool(g.get("joined_a_room"))
