"""Pages that need no quiz state."""

from __future__ import annotations

from flask import current_app, redirect, render_template, send_from_directory, session, url_for
from werkzeug.wrappers import Response

from ..content import closing_question as chilling
from ..content import get_bank, get_myths
from ..counting.scopes import site_scope
from ..disclosure import published
from ..disclosure.figures import level
from ..disclosure.guarantee import guarantee
from ..store import inventory
from . import bp


@bp.get("/")
def index() -> str:
    bank = get_bank()
    return render_template(
        "pages/index.html",
        bank=bank,
        minutes=max(3, round(len(bank.questions) * 15 / 60)),
        myths_count=len(get_myths().statements),
        kept=inventory.SUMMARY_KEPT,
        never_kept=inventory.SUMMARY_NEVER_KEPT,
    )


@bp.get("/privacy")
def privacy() -> str:
    return render_template(
        "pages/privacy.html",
        bank=get_bank(),
        level=level(site_scope().odds),
        guarantee=guarantee(site_scope().odds, get_bank(), get_myths()),
        min_finished=current_app.config["MIN_FINISHED"],
        inventory=inventory.everything(*inventory.this_site()),
        columns=inventory.COLUMNS,
    )


@bp.get("/stats")
def stats() -> str:
    return render_template("pages/stats.html", figures=published.site_figures(), chilling=chilling)


@bp.post("/forget")
def forget() -> Response:
    """Clear the session cookie at once: answers in progress and the CSRF token."""
    session.clear()
    return redirect(url_for("pages.forgotten"), 303)


@bp.get("/forgotten")
def forgotten() -> str:
    return render_template("pages/forgotten.html")


@bp.get("/favicon.ico")
def favicon() -> Response:
    return send_from_directory(current_app.static_folder or "static", "favicon.svg", mimetype="image/svg+xml")
