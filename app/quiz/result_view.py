"""The result page, for the visitor's own answers or for one what-if change of them."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask import render_template
from sqlalchemy.exc import SQLAlchemyError

from ..content import get_bank, get_myths
from ..disclosure.figures import Standing, standing
from ..disclosure.published import room_figures, site_standing
from ..rooms.membership import membership
from ..scoring import START, Change, Report, cheapest_way_up, score_answers
from ..store import counters, inventory
from ..store.database import get_session
from ..visitor.receipt import receipt
from ..visitor.state import quiz as progress
from .takeaway import takeaway

# The parts of the result page that a what-if redraws, by element id.
WHAT_IF_PARTS = {
    "result-score": "quiz/_score_card.html",
    "result-reasons": "quiz/_reasons.html",
    "result-dimensions": "quiz/_dimensions.html",
    "result-perks": "quiz/_perks.html",
    "result-court": "quiz/_court.html",
}


def part_context(report: Report, change: Change | None) -> dict[str, Any]:
    counted = progress.counted_answers()
    keys = progress.counted_keys() or ()
    given = progress.answers(get_bank())
    return {
        "report": report,
        "change": change,
        "counted": counted,
        "counted_in_room": any(key.scope != counters.GLOBAL for key in keys),
        "changed_since_counted": counted is not None and counted != given,
        "count_failed": progress.count_failed(),
        "not_counted": progress.not_counted(),
        "left_room": progress.left_room(),
        "start": START,
        "real_scores": get_bank().real_scores,
        "takeaway": takeaway(get_bank(), report.score),
        "standing": _standing(report.score),
        "room_standing": _room_standing(report.score),
    }


def _standing(score: int) -> Standing | None:
    try:
        return site_standing(score)
    except SQLAlchemyError:
        return None  # the database is away: the visitor still gets their own result, without the comparison


def _room_standing(score: int) -> Standing | None:
    """The visitor's score against their room's estimated average, once the room shows figures
    (the same estimate its wall shows: nothing about any one of its people)."""
    try:
        room = membership.joined_room(get_session())
        return standing(score, room_figures(room)) if room is not None else None
    except SQLAlchemyError:
        return None


def render_parts(report: Report, change: Change) -> dict[str, str]:
    """Each redrawable part as HTML, from the same partials the full page includes."""
    context = part_context(report, change)
    return {element_id: render_template(name, **context) for element_id, name in WHAT_IF_PARTS.items()}


def render_result(given: Mapping[str, str], change: Change | None = None) -> str:
    """The whole result page; with a change, the report is the what-if one and is marked as such."""
    bank = get_bank()
    report = change.report if change else score_answers(bank, given)
    keys = progress.counted_keys()
    return render_template(
        "quiz/result.html",
        bank=bank,
        given=given,
        cheapest=cheapest_way_up(bank, given),
        receipt=receipt(keys, progress.coin_changed(), bank, get_myths()) if keys else None,
        not_kept=inventory.NEVER_KEPT,
        kept_a_while=inventory.database_log(*inventory.this_site()),
        **part_context(report, change),
    )
