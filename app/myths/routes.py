"""The myth round: one page of statements, then the verdicts. Counted once per round, right or wrong."""

from __future__ import annotations

from flask import redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from ..content import get_bank, get_myths
from ..counting.finish import count_myth_round
from ..counting.items import myth_items
from ..disclosure import published
from ..rooms.membership import membership
from ..scoring import MythRound
from ..scoring.myths import VERDICTS
from ..store.database import get_session
from ..visitor.receipt import receipt
from ..visitor.state import myths as progress
from ..web.errors import render_error
from ..web.rate_limits import completions_limit, limiter, reached_the_result
from . import bp


@bp.route("/", methods=["GET", "POST"])
@limiter.limit(completions_limit, methods=["POST"], deduct_when=reached_the_result)
def round_page() -> Response | str | tuple[str, int]:
    myths = get_myths()
    if request.method != "POST":  # GET or HEAD
        return _render_round(myths, progress.guesses(myths), ())

    given = {s.id: request.form.get(s.id, "") for s in myths.statements}
    if any(v and v not in VERDICTS for v in given.values()):
        return render_error(400)  # a forged answer: nothing is saved or counted
    missing = tuple(sid for sid, v in given.items() if not v)
    if missing:
        answered = {sid: v for sid, v in given.items() if v}
        return _render_round(myths, answered, missing), 400

    progress.save_guesses(given)
    if progress.counted_keys() is None:
        items = myth_items(myths, myths.marks(given))
        progress.record_outcome(membership.count(count_myth_round, progress.token(), items))
    return redirect(url_for("myths.result"), 303)


def _render_round(myths: MythRound, guesses: dict[str, str], missing: tuple[str, ...]) -> str:
    progress.start()  # the round has started: its cookie carries the token that makes it count once
    room = membership.joined_room(get_session())
    return render_template("myths/round.html", myths=myths, guesses=guesses, missing=missing, room=room)


@bp.get("/result")
def result() -> str | tuple[str, int]:
    myths = get_myths()
    if not progress.is_complete(myths):
        return render_error(400, "myths_incomplete", next_url=url_for("myths.round_page"))
    given = progress.guesses(myths)
    keys = progress.counted_keys()
    return render_template(
        "myths/result.html",
        myths=myths,
        guesses=given,
        marks=myths.marks(given),
        everyone=published.site_figures(),
        receipt=receipt(keys, progress.coin_changed(), get_bank(), myths) if keys else None,
        not_counted=progress.not_counted(),
    )


@bp.post("/restart")
def restart() -> Response:
    progress.restart()
    return redirect(url_for("myths.round_page"), 303)
