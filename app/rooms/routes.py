"""Room pages: open a room, join it, and the presenter's projector, walkthrough and debrief."""

from __future__ import annotations

import csv
import hmac
import io
from dataclasses import dataclass
from typing import cast

from flask import abort, current_app, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from sqlalchemy.exc import SQLAlchemyError
from werkzeug.wrappers import Response

from .. import chilling, tally
from ..bank_text import translate
from ..content import get_bank, get_myths
from ..database import get_session
from ..i18n import BAND_NAMES, current_language, remember_language, use_language
from ..models import Room
from ..quiz import progress
from ..rate_limits import join_misses_limit, limiter, missed_a_room, rooms_limit
from . import bp, codes, membership, store
from .breakdown import RoomBreakdown, room_breakdown
from .debrief_prompts import choose_prompts
from .forms import ConfirmJoinForm, CreateRoomForm, JoinForm
from .qr import qr_svg
from .reflection import Reflection, room_reflection
from .unchanged_poll import CACHE_CONTROL, projection_etag

POLL_SECONDS = 5


def _k() -> int:
    return current_app.config["MIN_GROUP_SIZE"]


def _join_url(room: Room) -> str:
    return url_for("rooms.join_screen", code=room.code, _external=True)


# --- opening a room -------------------------------------------------------------------


@bp.route("/rooms/new", methods=["GET", "POST"])
@limiter.limit(rooms_limit, methods=["POST"])
def new_room() -> str | tuple[str, int]:
    form = CreateRoomForm()
    needed = current_app.config.get("FACILITATOR_PASSPHRASE")
    if not needed:
        del form.passphrase
    if form.is_submitted():
        if not form.validate():
            return render_template("rooms/new.html", form=form), 400
        if needed and not hmac.compare_digest((form.passphrase.data or "").encode(), needed.encode()):
            form.passphrase.errors = [_("That passphrase is not right. Ask the person who runs this site.")]
            return render_template("rooms/new.html", form=form), 403
        made = store.create_room(
            get_session(), form.title.data or "", current_app.config["ROOM_TTL_DAYS"], form.language.data
        )
        room = made.room
        presenter_url = url_for("rooms.projector", code=room.code, secret=made.secret, _external=True)
        # Rendered straight from the POST, never redirected: the secret appears once, here.
        return render_template(
            "rooms/created.html", presenter_url=presenter_url, **_room_context(room), **_privacy(room)
        )
    form.language.data = current_language()  # offer the facilitator's own language first
    return render_template("rooms/new.html", form=form)


# --- joining --------------------------------------------------------------------------


@bp.get("/rooms/join")
def join() -> Response | str | tuple[str, int]:
    """The landing page's code form lands here: look the code up, then show the join screen."""
    form = JoinForm(request.args)
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
def join_screen(code: str) -> Response | str | tuple[str, int]:
    """What joining means, worded from the settings, and the button that joins."""
    normal = codes.normalise(code)
    if normal is not None and normal != code:
        return redirect(url_for("rooms.join_screen", code=normal), 301 if request.method in ("GET", "HEAD") else 308)
    db = get_session()
    store.purge_expired(db, limit=store.PURGE_BATCH)
    room = store.find_by_code(db, normal) if normal else None
    if room is None or not store.is_open(room):
        return _no_such_room(code, expired=room is not None)
    use_language(room.language)  # the join screen already speaks the room's language
    if _is_full(room):
        return _room_full()
    form = ConfirmJoinForm()
    if form.is_submitted():
        if not form.validate():
            abort(400, description="csrf")
        if progress.counted_keys() is not None:
            progress.restart()  # a quiz already counted elsewhere starts afresh for the room
        membership.join(room)
        remember_language(room.language)  # the quiz follows; the switcher can still change it
        return redirect(url_for("quiz.start"), 303)
    return render_template("rooms/join.html", room=room, form=form, **_privacy(room))


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
    return tally.finished_count(get_session(), room.scope) >= current_app.config["ROOM_MAX_PARTICIPANTS"]


def _room_full() -> tuple[str, int]:
    form = JoinForm(formdata=None)
    message = _(
        "That room already has %(n)s finished quizzes, as many as a room may count. "
        "You can still take the quiz on your own.",
        n=current_app.config["ROOM_MAX_PARTICIPANTS"],
    )
    return render_template("rooms/join_code.html", form=form, message=message), 409


def _privacy(room: Room) -> dict[str, object]:
    """The settings the join and created screens word their promises from."""
    return {"k": _k(), "ttl_days": current_app.config["ROOM_TTL_DAYS"], "deletes_on": room.expires_on}


# --- the presenter's views --------------------------------------------------------------


@dataclass(frozen=True)
class Projection:
    """Everything a presenter view shows: the live finished count, the rest as published."""

    finished: int
    breakdown: RoomBreakdown
    reflection: Reflection  # the closing question and the myth round, under the same k rules

    @property
    def waiting_for(self) -> int:
        return max(0, self.breakdown.k - self.finished)

    @property
    def next_update_in(self) -> int:
        return self.breakdown.k - self.finished % self.breakdown.k

    @property
    def etag(self) -> str:
        return projection_etag(self.finished, self.breakdown.completions, self.reflection.myth_rounds)


def _presented_room(code: str, secret: str) -> Room:
    """The room behind a presenter link; anything but the exact secret is a 404."""
    normal = codes.normalise(code)
    room = store.find_by_code(get_session(), normal) if normal else None
    if room is None or not codes.secret_matches(secret, room.presenter_hash):
        abort(404)
    if not store.is_open(room):
        abort(410)
    use_language(room.language)  # the projector follows the room, whoever's browser shows it
    return room


def _projection(room: Room) -> Projection:
    db = get_session()
    shown = tally.read_tally(db, get_bank(), room.scope)
    return Projection(
        tally.finished_count(db, room.scope),
        room_breakdown(get_bank(), shown, _k()),
        room_reflection(get_myths(), shown, _k(), chilling.OPTION_IDS),
    )


def _room_context(room: Room) -> dict[str, object]:
    join_url = _join_url(room)
    return {
        "room": room,
        "spoken_code": codes.spoken(room.code),
        "join_url": join_url,
        "qr": qr_svg(join_url, _("QR code for %(url)s", url=join_url)),
    }


def _presenter_context(room: Room, secret: str) -> dict[str, object]:
    store.purge_expired(get_session(), limit=store.PURGE_BATCH)
    return {
        **_room_context(room),
        **_privacy(room),
        "secret": secret,
        "view": _projection(room),
        "poll_seconds": POLL_SECONDS,
        "bank": get_bank(),
        "chilling": chilling,
    }


@bp.get("/rooms/<code>/present/<secret>")
def projector(code: str, secret: str) -> str:
    room = _presented_room(code, secret)
    return render_template("rooms/projector.html", **_presenter_context(room, secret))


# After the questions, the walkthrough ends on the room's closing question and its myth round.
CLOSING_SLIDES = ("chilling", "myths")


@bp.get("/rooms/<code>/present/<secret>/walk/<int:step>")
def walkthrough(code: str, secret: str, step: int) -> str:
    room = _presented_room(code, secret)
    questions = get_bank().questions
    if not 1 <= step <= len(questions) + len(CLOSING_SLIDES):
        abort(404)
    slide = CLOSING_SLIDES[step - len(questions) - 1] if step > len(questions) else None
    return render_template(
        "rooms/walkthrough.html",
        q=questions[step - 1] if slide is None else None,
        slide=slide,
        step=step,
        total=len(questions),
        last=len(questions) + len(CLOSING_SLIDES),
        **_presenter_context(room, secret),
    )


@bp.get("/rooms/<code>/present/<secret>/poll")
def poll(code: str, secret: str) -> Response:
    """A small JSON the projector script polls; 304 while nothing changed. Most polls change
    nothing and are answered before they reach this view (see unchanged_poll)."""
    view = _projection(_presented_room(code, secret))
    response = jsonify(
        finished=view.finished,
        published=view.breakdown.completions,
        myths_published=view.reflection.myth_rounds,
        status=_status_text(view),
    )
    response.set_etag(view.etag)
    response.headers["Cache-Control"] = CACHE_CONTROL
    return response.make_conditional(request)


def _status_text(view: Projection) -> str:
    if view.waiting_for:
        return _("Waiting for %(n)s more before anything is shown.", n=view.waiting_for)
    return _("Figures for the first %(shown)s. They move on after %(n)s more.", shown=view.breakdown.completions,
             n=view.next_update_in)  # fmt: skip


@bp.get("/rooms/<code>/present/<secret>/debrief")
def debrief(code: str, secret: str) -> str:
    room = _presented_room(code, secret)
    context = _presenter_context(room, secret)
    view = cast(Projection, context["view"])
    everyone = tally.read_tally(get_session(), get_bank(), tally.GLOBAL)
    prompts = choose_prompts(view.breakdown, view.reflection, everyone)
    return render_template("rooms/debrief.html", prompts=prompts, **context)


@bp.get("/rooms/<code>/present/<secret>/debrief.csv")
def debrief_csv(code: str, secret: str) -> Response:
    """The thresholded figures only, as the debrief page shows them."""
    room = _presented_room(code, secret)
    view = _projection(room)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["section", "item", "detail", "people"])
    writer.writerow(["room", _cell(room.title or codes.spoken(room.code)), f"k={view.breakdown.k}", ""])
    writer.writerow(["room", "published", _("finished quizzes included"), view.breakdown.completions])
    bd = view.breakdown
    for band in bd.bands:
        writer.writerow(["band", " / ".join(_band_names(band.bands)), f"{band.low}-{band.high}", band.count])
    for group in bd.ranges:
        writer.writerow(["score", f"{group.low}-{group.high}", "", group.count])
    for qrows in bd.questions:
        for row in qrows.rows:
            writer.writerow(
                [
                    "answer",
                    _cell(translate(qrows.question.text)),
                    _cell(" / ".join(translate(o.text) for o in row.options)),
                    row.count,
                ]
            )
    refl = view.reflection
    if refl.chilling_visible:
        for crow in refl.chilling:
            options = " / ".join(str(chilling.OPTIONS[c]) for c in crow.options)
            writer.writerow(["chilling", _cell(str(chilling.QUESTION)), _cell(options), crow.count])
    if refl.myths_visible:
        writer.writerow(["myths", "rounds published", _("finished rounds of myth or real included"), refl.myth_rounds])
        for mrow in refl.myths:
            if mrow.shown:
                writer.writerow(["myth", _cell(translate(mrow.statement.text)), "right", mrow.right])
                writer.writerow(["myth", _cell(translate(mrow.statement.text)), "wrong", mrow.wrong])
    body = out.getvalue()
    filename = f"room-{room.code}-{store.today().isoformat()}.csv"
    return Response(
        body,
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{filename}"', "Cache-Control": "no-store"},
    )


def _band_names(bands: tuple[str, ...]) -> list[str]:
    return [str(BAND_NAMES[b]) for b in bands]


def _cell(text: str) -> str:
    # A spreadsheet would run a cell starting with = + - @ as a formula.
    return "'" + text if text[:1] in ("=", "+", "-", "@") else text


@bp.app_context_processor
def _joined_room() -> dict[str, object]:
    """The visitor's room, for the quiz pages' "you are in room X" line."""

    def joined() -> Room | None:
        if request.blueprint != "quiz":
            return None
        try:
            return membership.joined_room(get_session())
        except SQLAlchemyError:
            return None  # the database is away: the quiz pages still work, without the room line

    return {"joined_room": joined, "spoken": codes.spoken}
