"""Where this site counts: its own scope at the level the operator set, and a room's at the
level its facilitator chose. The one place the site's level (EPSILON_ODDS) is read."""

from __future__ import annotations

from flask import current_app

from ..store.counters import GLOBAL
from ..store.models import Room
from .items import Scope, plan


def site_scope() -> Scope:
    return Scope(GLOBAL, current_app.config["EPSILON_ODDS"])


def room_scope(room: Room) -> Scope:
    return Scope(room.scope, room.odds)


def counted_in_site(room: Room) -> bool:
    """Whether a room member is also counted in the site's figures (items.plan decides)."""
    return site_scope() in plan(site_scope(), room_scope(room))
