"""Room pages: open a room and join it (the presenter's pages are in presenter.py)."""

from __future__ import annotations

import hmac

from flask import abort, current_app, make_response, redirect, render_template, request, url_for
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from ..content import get_bank, get_myths
from ..counting.scopes import site_scope
from ..disclosure.figures import Level, level
from ..store import counters
from ..store.database import get_database, get_session, transaction
from ..store.models import Room
from ..visitor.state import quiz as quiz_progress
from ..web.i18n import current_language, remember_language, use_language
from ..web.rate_limits import join_misses_limit, limiter, missed_a_room, rooms_limit
from . import bp, codes, limits, presenter, presenter_cookie, store
from .context import privacy
from .forms import ConfirmJoinForm, CreateRoomForm, JoinForm
from .membership import membership

# --- opening a room -------------------------------------------------------------------


@bp.route("/rooms/new", methods=["GET", "POST"])
@limiter.limit(rooms_limit, methods=["POST"])
def new_room() -> Response | str | tuple[str, int]:
    form = CreateRoomForm(site_odds=site_scope().odds)
    needed = current_app.config.get("FACILITATOR_PASSPHRASE")
    if not needed:
        del form.passphrase
    if form.is_submitted():
        if not form.validate():
            return _new_room_page(form), 400
        if needed and not hmac.compare_digest((form.passphrase.data or "").encode(), needed.encode()):
            form.passphrase.errors = [_("That passphrase is not right. Ask the person who runs this site.")]
            return _new_room_page(form), 403
        settings = store.RoomSettings(
            form.title.data or "", current_app.config["ROOM_TTL_DAYS"], int(form.odds.data), form.language.data
        )
        made = store.create_room(get_database().sessions, settings, get_bank(), get_myths())
        room = made.room
        # Rendered straight from the POST, never redirected: the secret appears once, here.
        response = make_response(presenter.opened_page(room, made.secret))
        presenter_cookie.remember(response, room, made.secret)  # the way back if this tab is closed
        return response
    form.language.data = current_language()  # offer the facilitator's own language first
    return _new_room_page(form)


def _new_room_page(form: CreateRoomForm) -> str:
    """The form, and the rooms this browser can go back to (from their presenter cookies)."""
    return render_template(
        "rooms/new.html", form=form, levels=_levels(form.odds_choices()), my_rooms=presenter.remembered_rooms()
    )


# --- joining --------------------------------------------------------------------------


@bp.get("/rooms/join")
def join() -> Response | str | tuple[str, int]:
    """The landing page's code form lands here: look the code up, then show the join screen."""
    form = JoinForm(request.args)
    if not form.validate() and form.code.errors:  # e.g. control characters: said as the field's error
        return render_template("rooms/join_code.html", form=form, message=form.code.errors[0]), 400
    raw = (form.code.data or "").strip()
    if not raw:
        return render_template("rooms/join_code.html", form=form)
    code = codes.normalise(raw)
    if code is None:
        message = _(
            "“%(raw)s” is not a room code. Codes have 6 letters and digits, without 0, O, 1, I or L.", raw=raw[:40]
        )
        return render_template("rooms/join_code.html", form=form, message=message), 400
    return redirect(url_for("rooms.join_screen", code=code), 303)


@bp.route("/r/<code>", methods=["GET", "POST"])
@limiter.limit(join_misses_limit, deduct_when=missed_a_room)  # guessing codes: 404/410 count, joins never
# A quarter of the room's places a minute per address, counted only for new members (limits.py).
@limiter.limit(limits.places_limit, methods=["POST"], key_func=limits.joining_key, deduct_when=limits.joined_now)
def join_screen(code: str) -> Response | str | tuple[str, int]:
    """What joining means, worded from the settings, and the button that joins."""
    normal = codes.normalise(code)
    if normal is not None and normal != code:
        return redirect(url_for("rooms.join_screen", code=normal), 301 if request.method in ("GET", "HEAD") else 308)
    db = get_session()
    room = store.find_by_code(db, normal) if normal else None
    if room is None or not store.is_open(room):
        return _no_such_room(code, expired=room is not None)
    use_language(room.language)  # the join screen already speaks the room's language
    if room.closed:
        return _room_closed()
    if _is_full(room):
        return _room_full()
    form = ConfirmJoinForm()
    if form.is_submitted():
        if not form.validate():
            abort(400, description="csrf")
        if quiz_progress.counted_keys() is not None:
            quiz_progress.restart()  # a quiz already counted elsewhere starts afresh for the room
        if membership.join(room):
            limits.mark_joined()
            with transaction() as write:
                store.count_join(write, room)  # once per member: joining again from the same cookie adds nothing
        remember_language(room.language)  # the quiz follows; the switcher can still change it
        return redirect(url_for("quiz.start"), 303)
    return render_template("rooms/join.html", room=room, form=form, **privacy(room))


@bp.post("/rooms/leave")
def leave() -> Response:
    membership.leave()
    return redirect(url_for("pages.index"), 303)


def _no_such_room(code: str, *, expired: bool) -> tuple[str, int]:
    form = JoinForm(formdata=None, code=code[:40])
    if expired:
        message = _("That room has closed and its counts are being deleted. You can still take the quiz on your own.")
        return render_template("rooms/join_code.html", form=form, message=message), 410
    message = _(
        "No open room has the code %(code)s. Check it with the facilitator; rooms close after %(days)s days.",
        code=codes.spoken(code.upper()) if len(code) == codes.LENGTH else code[:40],
        days=current_app.config["ROOM_TTL_DAYS"],
    )
    return render_template("rooms/join_code.html", form=form, message=message), 404


def _is_full(room: Room) -> bool:
    return counters.finished_count(get_session(), room.scope) >= current_app.config["ROOM_MAX_PARTICIPANTS"]


def _room_full() -> tuple[str, int]:
    form = JoinForm(formdata=None)
    message = _(
        "That room already has %(n)s finished quizzes, as many as a room may count. "
        "You can still take the quiz on your own.",
        n=current_app.config["ROOM_MAX_PARTICIPANTS"],
    )
    return render_template("rooms/join_code.html", form=form, message=message), 409


def _room_closed() -> tuple[str, int]:
    form = JoinForm(formdata=None)
    message = _("That room's facilitator has closed it to new answers. You can still take the quiz on your own.")
    return render_template("rooms/join_code.html", form=form, message=message), 409


def _levels(choices: list[int]) -> list[Level]:
    return [level(odds) for odds in choices]
