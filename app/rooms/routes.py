"""Room pages: open a room, join it, and the presenter's projector, walkthrough and debrief."""

from __future__ import annotations

import csv
import hmac
import io
from dataclasses import dataclass
from typing import cast

from flask import abort, current_app, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from .. import chilling, tally, visitor
from ..bank_text import translate
from ..content import get_bank, get_myths
from ..database import get_session
from ..disclosure import counting, published
from ..disclosure.estimates import Share
from ..disclosure.figures import Figures, Level, level
from ..i18n import current_language, remember_language, use_language
from ..models import Room
from ..rate_limits import join_misses_limit, limiter, missed_a_room, rooms_limit
from . import bp, codes, store
from .debrief_prompts import choose_prompts
from .forms import CloseRoomForm, ConfirmJoinForm, CreateRoomForm, JoinForm
from .qr import qr_svg

POLL_SECONDS = 5
CACHE_CONTROL = "no-cache, private"


def _join_url(room: Room) -> str:
    return url_for("rooms.join_screen", code=room.code, _external=True)


# --- opening a room -------------------------------------------------------------------


@bp.route("/rooms/new", methods=["GET", "POST"])
@limiter.limit(rooms_limit, methods=["POST"])
def new_room() -> str | tuple[str, int]:
    form = CreateRoomForm(site_odds=current_app.config["EPSILON_ODDS"])
    needed = current_app.config.get("FACILITATOR_PASSPHRASE")
    if not needed:
        del form.passphrase
    if form.is_submitted():
        if not form.validate():
            return render_template("rooms/new.html", form=form, levels=_levels(form.odds_choices())), 400
        if needed and not hmac.compare_digest((form.passphrase.data or "").encode(), needed.encode()):
            form.passphrase.errors = [_("That passphrase is not right. Ask the person who runs this site.")]
            return render_template("rooms/new.html", form=form, levels=_levels(form.odds_choices())), 403
        settings = store.RoomSettings(
            form.title.data or "", current_app.config["ROOM_TTL_DAYS"], int(form.odds.data), form.language.data
        )
        made = store.create_room(get_session(), settings, get_bank(), get_myths())
        room = made.room
        presenter_url = url_for("rooms.projector", code=room.code, secret=made.secret, _external=True)
        # Rendered straight from the POST, never redirected: the secret appears once, here.
        return render_template(
            "rooms/created.html", presenter_url=presenter_url, **_room_context(room), **_privacy(room)
        )
    form.language.data = current_language()  # offer the facilitator's own language first
    return render_template("rooms/new.html", form=form, levels=_levels(form.odds_choices()))


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
    if room.closed:
        return _room_closed()
    if _is_full(room):
        return _room_full()
    form = ConfirmJoinForm()
    if form.is_submitted():
        if not form.validate():
            abort(400, description="csrf")
        if visitor.quiz.counted_keys() is not None:
            visitor.quiz.restart()  # a quiz already counted elsewhere starts afresh for the room
        visitor.room.join(room)
        remember_language(room.language)  # the quiz follows; the switcher can still change it
        return redirect(url_for("quiz.start"), 303)
    return render_template("rooms/join.html", room=room, form=form, **_privacy(room))


@bp.post("/rooms/leave")
def leave() -> Response:
    visitor.room.leave()
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


def _room_closed() -> tuple[str, int]:
    form = JoinForm(formdata=None)
    message = _("That room's facilitator has closed it to new answers. You can still take the quiz on your own.")
    return render_template("rooms/join_code.html", form=form, message=message), 409


def _levels(choices: list[int]) -> list[Level]:
    return [level(odds) for odds in choices]


def _privacy(room: Room) -> dict[str, object]:
    """The settings the join and created screens word their promises from."""
    site = counting.Scope(tally.GLOBAL, current_app.config["EPSILON_ODDS"])
    return {
        "level": level(room.odds),
        "counted_globally": site in counting.plan(site, counting.Scope(room.scope, room.odds)),
        "min_finished": current_app.config["MIN_FINISHED"],
        "ttl_days": current_app.config["ROOM_TTL_DAYS"],
        "deletes_on": room.expires_on,
    }


# --- the presenter's views --------------------------------------------------------------


@dataclass(frozen=True)
class Projection:
    """Everything a presenter view shows: the live finished count and the room's figures."""

    finished: int
    figures: Figures
    closed: bool

    @property
    def waiting_for(self) -> int:
        return self.figures.waiting_for


def _presented(code: str, secret: str) -> store.Presented:
    """The room behind a presenter link and its finished counts (one query); anything but the
    exact secret is a 404, an expired room a 410. Every presenter view and the poll pass here."""
    normal = codes.normalise(code)
    presented = store.find_presented(get_session(), normal) if normal else None
    if presented is None or not codes.secret_matches(secret, presented.room.presenter_hash):
        abort(404)
    if not store.is_open(presented.room):
        abort(410)
    use_language(presented.room.language)  # the projector follows the room, whoever's browser shows it
    return presented


def _projection(presented: store.Presented) -> Projection:
    return Projection(presented.finished, published.room_figures(presented.room), presented.room.closed)


def _room_context(room: Room) -> dict[str, object]:
    join_url = _join_url(room)
    return {
        "room": room,
        "spoken_code": codes.spoken(room.code),
        "join_url": join_url,
        "qr": qr_svg(join_url, _("QR code for %(url)s", url=join_url)),
    }


def _presenter_context(presented: store.Presented, secret: str) -> dict[str, object]:
    store.purge_expired(get_session(), limit=store.PURGE_BATCH)
    room = presented.room
    return {
        **_room_context(room),
        **_privacy(room),
        "secret": secret,
        "view": _projection(presented),
        "etag": presented.etag,
        "poll_seconds": POLL_SECONDS,
        "bank": get_bank(),
        "chilling": chilling,
    }


@bp.get("/rooms/<code>/present/<secret>")
def projector(code: str, secret: str) -> str:
    return render_template("rooms/projector.html", **_presenter_context(_presented(code, secret), secret))


@bp.post("/rooms/<code>/present/<secret>/close")
def close(code: str, secret: str) -> Response:
    """The presenter closes the room to new finishes, or opens it again."""
    presented = _presented(code, secret)
    form = CloseRoomForm()
    if not form.validate():
        abort(400)
    store.set_closed(get_session(), presented.room, form.closed.data == "1")
    return redirect(url_for("rooms.projector", code=presented.room.code, secret=secret), 303)


# After the questions, the walkthrough ends on the room's closing question and its myth round.
CLOSING_SLIDES = ("chilling", "myths")


@bp.get("/rooms/<code>/present/<secret>/walk/<int:step>")
def walkthrough(code: str, secret: str, step: int) -> str:
    presented = _presented(code, secret)
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
        **_presenter_context(presented, secret),
    )


@bp.get("/rooms/<code>/present/<secret>/poll")
def poll(code: str, secret: str) -> Response:
    """A small JSON the projector script polls. Every access rule applies first; then, while
    nothing changed, a 304 from the one query made so far, before any figure is computed."""
    presented = _presented(code, secret)
    if presented.etag in request.if_none_match:
        response = Response(status=304)
    else:
        view = _projection(presented)
        response = jsonify(
            finished=view.finished, myth_rounds=presented.myth_rounds, closed=view.closed, status=_status_text(view)
        )
    response.set_etag(presented.etag)
    response.headers["Cache-Control"] = CACHE_CONTROL
    return response


def _status_text(view: Projection) -> str:
    if view.closed:
        return _("Closed to new answers.")
    if view.waiting_for:
        return _("Waiting for %(n)s more before anything is shown.", n=view.waiting_for)
    return _("Figures for everyone who has finished, updated as each person finishes.")


@bp.get("/rooms/<code>/present/<secret>/debrief")
def debrief(code: str, secret: str) -> str:
    context = _presenter_context(_presented(code, secret), secret)
    view = cast(Projection, context["view"])
    prompts = choose_prompts(view.figures, published.site_figures())
    return render_template("rooms/debrief.html", prompts=prompts, **context)


def _percent(value: float) -> int:
    return round(100 * value)


def _share_cells(share: Share) -> list[int]:
    return [_percent(share.estimate), _percent(share.low), _percent(share.high)]


@bp.get("/rooms/<code>/present/<secret>/debrief.csv")
def debrief_csv(code: str, secret: str) -> Response:
    """The debrief's figures, as its page shows them: estimates in percent with their 95% range."""
    presented = _presented(code, secret)
    room = presented.room
    figures = _projection(presented).figures
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["section", "item", "detail", "estimate", "low", "high"])
    writer.writerow(["room", _cell(room.title or codes.spoken(room.code)), f"epsilon=ln {room.odds}", "", "", ""])
    writer.writerow(["room", "finished", _("finished quizzes"), figures.finished, "", ""])
    if figures.average is not None:
        a = figures.average
        writer.writerow(["score", "average", _("estimated average score"), a.estimate, a.low, a.high])
    for habit in figures.costliest:
        writer.writerow(
            ["costliest", _cell(translate(habit.question.text)), _cell(translate(habit.option.text)),
             *_share_cells(habit.share)]
        )  # fmt: skip
    for question in figures.questions:
        for option in question.options:
            writer.writerow(
                ["answer", _cell(translate(question.question.text)), _cell(translate(option.option.text)),
                 *_share_cells(option.share)]
            )  # fmt: skip
    for row in figures.chilling:
        writer.writerow(
            ["chilling", _cell(str(chilling.QUESTION)), _cell(str(chilling.OPTIONS[row.option_id])),
             *_share_cells(row.share)]
        )  # fmt: skip
    writer.writerow(["myths", "rounds", _("finished rounds of myth or real"), figures.myth_rounds, "", ""])
    for myth in figures.myths:
        writer.writerow(["myth", _cell(translate(myth.statement.text)), "right", *_share_cells(myth.right)])
    body = out.getvalue()
    filename = f"room-{room.code}-{store.today().isoformat()}.csv"
    return Response(
        body,
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{filename}"', "Cache-Control": "no-store"},
    )


def _cell(text: str) -> str:
    # A spreadsheet would run a cell starting with = + - @ as a formula.
    return "'" + text if text[:1] in ("=", "+", "-", "@") else text
