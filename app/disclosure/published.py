"""The figures of a scope as pages read them: the site's, or a room's, at its own level.

The only way a page or an export gets a figure: read the scope's randomized counters,
hand them to figures.scope_figures with the scope's privacy level and the minimum of
finished quizzes. Templates then only display what comes back. What comes back is
aggregate only, so a worker may keep it a few seconds for the next page that asks.
"""

from __future__ import annotations

from flask import current_app

from ..content import get_bank, get_myths
from ..counting.scopes import site_scope
from ..extensions import cache
from ..store import counters
from ..store.database import get_session
from ..store.models import Room
from .figures import Figures, Standing, scope_figures, standing

FIGURES_SECONDS = 5  # how long a worker keeps a scope's figures once worked out
HOLD_SECONDS = 3  # how old the result page's "you against everyone" may be


def figures_of(scope: str, odds: int) -> Figures:
    """A scope's figures. Working them out costs more than reading the counters, and every
    result page, projector and statistics page asks for the same few, so a worker keeps them
    for a few seconds (Flask-Caching, in its own memory) under the scope's totals: a key names
    one state of the counters (app/store/counters.py, totals), so a hit is never out of date."""
    session = get_session()
    min_finished = current_app.config["MIN_FINISHED"]
    key = ":".join(map(str, ("figures", scope, odds, min_finished, *counters.totals(session, scope, odds))))
    found = cache.get(key)
    if found is None:
        counts = counters.read_tally(session, get_bank(), scope, odds)
        found = scope_figures(get_bank(), get_myths(), counts, odds=odds, min_finished=min_finished)
        cache.set(key, found, timeout=FIGURES_SECONDS)
    return found


def site_figures() -> Figures:
    site = site_scope()
    return figures_of(site.name, site.odds)


def room_figures(room: Room) -> Figures:
    return figures_of(room.scope, room.odds)


def site_standing(score: int) -> Standing | None:
    """A visitor's score against the site's estimated average ("you against everyone").

    During an event the site's counters change with every finished quiz, so the figures above
    are worked out again for nearly every result page. This comparison may be a few seconds
    old, so a worker holds the site's figures for HOLD_SECONDS once they show an average
    (until then nothing is held, and the comparison appears as soon as it may)."""
    site = site_scope()
    key = f"standing:{site.name}:{site.odds}:{current_app.config['MIN_FINISHED']}"
    figures = cache.get(key)
    if figures is None:
        figures = site_figures()
        if figures.average is not None:
            cache.set(key, figures, timeout=HOLD_SECONDS)
    return standing(score, figures)
