"""The figures of a scope as pages read them: the site's, or a room's, at its own level.

The only way a page or an export gets a figure: read the scope's randomized counters,
hand them to figures.scope_figures with the scope's privacy level and the minimum of
finished quizzes. Templates then only display what comes back.
"""

from __future__ import annotations

from flask import current_app

from ..content import get_bank, get_myths
from ..counting.scopes import site_scope
from ..store import counters
from ..store.database import get_session
from ..store.models import Room
from .figures import Figures, Standing, scope_figures, standing


def figures_of(scope: str, odds: int) -> Figures:
    counts = counters.read_tally(get_session(), get_bank(), scope)
    return scope_figures(get_bank(), get_myths(), counts, odds=odds, min_finished=current_app.config["MIN_FINISHED"])


def site_figures() -> Figures:
    site = site_scope()
    return figures_of(site.name, site.odds)


def room_figures(room: Room) -> Figures:
    return figures_of(room.scope, room.odds)


def site_standing(score: int) -> Standing | None:
    """A visitor's score against the site's estimated average ("you against everyone")."""
    return standing(score, site_figures())
