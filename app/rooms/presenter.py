"""The presenter's pages: the projector's slides, the facilitator's controls, the debrief.

Every one of them is reached through the presenter link (the room's code and its secret);
anything but the exact secret is a 404, an expired room a 410, in `_presented` alone.
The slides only display what app/disclosure publishes: the room's figures and the site's.
"""

from __future__ import annotations

from collections.abc import Callable

from flask import abort, jsonify, make_response, redirect, render_template, request, url_for
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from ..content import closing_question as chilling
from ..content import get_bank, get_myths
from ..disclosure import published
from ..disclosure.figures import Figures
from ..store.database import get_session, transaction
from ..store.days import today
from ..store.models import Room
from ..web.i18n import use_language
from . import bp, codes, debrief_csv, presenter_cookie, store
from .coin import coin_effect
from .context import privacy, room_context
from .debrief_prompts import choose_prompts, hardest_myth
from .forms import CloseRoomForm
from .slides import DECKS, GUESSED, deck

POLL_SECONDS = 3
CACHE_CONTROL = "no-cache, private"


def _authorised(code: str, secret: str) -> store.Presented | None:
    """The room behind a presenter link, with its live counts (one query), if the secret is exactly its own."""
    normal = codes.normalise(code)
    presented = store.find_presented(get_session(), normal) if normal else None
    if presented is None or not codes.secret_matches(secret, presented.room.presenter_hash):
        return None
    return presented


def _presented(code: str, secret: str) -> store.Presented:
    """Every presenter page and the poll pass here: 404 for anything but the exact secret, 410 once expired."""
    presented = _authorised(code, secret)
    if presented is None:
        abort(404)
    if not store.is_open(presented.room):
        abort(410)
    use_language(presented.room.language)  # the projector follows the room, whoever's browser shows it
    return presented


def remembered_rooms() -> list[Room]:
    """The open rooms whose presenter secret this browser keeps (presenter_cookie.py)."""
    rooms = []
    for code in presenter_cookie.remembered_codes():
        presented = _authorised(code, presenter_cookie.secret_for(code) or "")
        if presented is not None and store.is_open(presented.room):
            rooms.append(presented.room)
    return rooms


@bp.get("/rooms/<code>/present")
def back(code: str) -> Response:
    """Back to the projector from the browser that opened the room: the secret comes from its cookie."""
    secret = presenter_cookie.secret_for(code) or ""
    presented = _presented(code, secret)
    return redirect(url_for("rooms.projector", code=presented.room.code, secret=secret), 303)


def opened_page(room: Room, secret: str) -> str:
    """ "Your room is open", with the presenter link. Its language links lead to `opened`, which
    shows it again through that link (the page itself was the answer to a POST)."""
    return render_template(
        "rooms/created.html",
        presenter_url=url_for("rooms.projector", code=room.code, secret=secret, _external=True),
        language_page=url_for("rooms.opened", code=room.code, secret=secret),
        **room_context(room),
        **privacy(room),
    )


@bp.get("/rooms/<code>/present/<secret>/opened")
def opened(code: str, secret: str) -> str:
    """The "room is open" page again, in the language asked for (?lang=): only for the presenter link."""
    return opened_page(_presented(code, secret).room, secret)


# --- the slides ---------------------------------------------------------------------------


def _deck_name() -> str:
    name = request.args.get("deck", "full")
    return name if name in DECKS else "full"


def _slide_url(room: Room, secret: str, deck_name: str) -> Callable[..., str]:
    """A slide's address in this deck; `shown` reveals a slide's figures (hidden on arrival)."""

    def url(number: int, shown: bool = False) -> str:
        deck_arg, shown_arg = _deck_arg(deck_name), 1 if shown else None
        if number == 0:
            return url_for("rooms.projector", code=room.code, secret=secret, deck=deck_arg, shown=shown_arg)
        return url_for("rooms.slide", code=room.code, secret=secret, number=number, deck=deck_arg, shown=shown_arg)

    return url


def _slide_context(presented: store.Presented, secret: str, number: int) -> dict[str, object]:
    """What a slide is drawn from, for the whole page and for the poll's fragment alike."""
    room = presented.room
    deck_name = _deck_name()
    slides = deck(get_bank(), get_myths(), deck_name)
    if not 0 <= number < len(slides):
        abort(404)
    slide = slides[number]
    hidden = slide.kind in GUESSED and request.args.get("shown") != "1"
    figures = published.room_figures(room)
    site = published.site_figures()
    slide_url = _slide_url(room, secret, deck_name)
    return {
        "slide": slide,
        "number": number,
        "last": len(slides) - 1,
        "slide_url": slide_url,
        "toggle_url": slide_url(number, shown=hidden),
        "hidden": hidden,
        "guessed": slide.kind in GUESSED,
        "secret": secret,
        "presented": presented,
        "f": figures,
        "site": site,
        "prompts": choose_prompts(figures, site),
        "hardest_myth": hardest_myth(figures),
        "coin": coin_effect(get_bank(), room.odds, figures.finished),
        "chilling": chilling,
        "myths": get_myths(),
        "etag": presented.etag,
        "slide_template": f"rooms/slides/_{slide.kind}.html",
        "poll_url": url_for("rooms.poll", code=room.code, secret=secret, slide=number, deck=_deck_arg(deck_name)),
        "poll_seconds": POLL_SECONDS,
        **room_context(room),
        **privacy(room),
    }


def _deck_arg(deck_name: str) -> str | None:
    return None if deck_name == "full" else deck_name


def _slide_page(code: str, secret: str, number: int) -> Response:
    presented = _presented(code, secret)
    response = make_response(render_template("rooms/slide.html", **_slide_context(presented, secret, number)))
    if number == 0:
        presenter_cookie.remember(response, presented.room, secret)  # whichever browser opens the link can come back
    return response


@bp.get("/rooms/<code>/present/<secret>")
def projector(code: str, secret: str) -> Response:
    """The lobby: the first slide, and where the presenter link lands."""
    return _slide_page(code, secret, 0)


@bp.get("/rooms/<code>/present/<secret>/slide/<int:number>")
def slide(code: str, secret: str, number: int) -> Response:
    if number == 0:
        return redirect(url_for("rooms.projector", code=code, secret=secret), 308)
    return _slide_page(code, secret, number)


@bp.get("/rooms/<code>/present/<secret>/poll")
def poll(code: str, secret: str) -> Response:
    """A small JSON the slides poll. Every access rule applies first; then, while nothing
    changed, a 304 from the one query made so far, before any figure is computed. With
    ?slide=N (and the deck), it carries that slide drawn again, for the projector to swap
    in place (no reload: full screen and the reveal stay)."""
    presented = _presented(code, secret)
    if presented.etag in request.if_none_match:
        response = Response(status=304)
    else:
        figures = published.room_figures(presented.room)
        body: dict[str, object] = {
            "joined": presented.room.joined,
            "finished": presented.finished,
            "myth_rounds": presented.myth_rounds,
            "closed": presented.room.closed,
            "status": _status_text(presented.room, figures),
        }
        number = request.args.get("slide", type=int)
        if number is not None:
            context = _slide_context(presented, secret, number)
            body["slide"] = render_template(str(context["slide_template"]), **context)
            body["bar"] = render_template("rooms/_slide_join.html", **context)
        response = jsonify(body)
    response.set_etag(presented.etag)
    response.headers["Cache-Control"] = CACHE_CONTROL
    return response


def _status_text(room: Room, figures: Figures) -> str:
    if room.closed:
        return _("Closed to new answers.")
    if figures.waiting_for:
        return _("Waiting for %(n)s more before anything is shown.", n=figures.waiting_for)
    return _("Figures for everyone who has finished, updated as each person finishes.")


# --- the facilitator's own pages (never on the wall) -------------------------------------------


def _presenter_context(presented: store.Presented, secret: str) -> dict[str, object]:
    room = presented.room
    figures = published.room_figures(room)
    return {
        **room_context(room),
        **privacy(room),
        "secret": secret,
        "presented": presented,
        "presenter_url": url_for("rooms.projector", code=room.code, secret=secret, _external=True),
        "f": figures,
        "status": _status_text(room, figures),
        "chilling": chilling,
    }


@bp.get("/rooms/<code>/present/<secret>/controls")
def controls(code: str, secret: str) -> str:
    """The controls, with an overview of the chosen deck (?deck=short) to jump to any slide."""
    presented = _presented(code, secret)
    deck_name = _deck_name()
    return render_template(
        "rooms/controls.html",
        deck_name=deck_name,
        deck_sizes={name: len(deck(get_bank(), get_myths(), name)) for name in DECKS},
        slides=deck(get_bank(), get_myths(), deck_name),
        slide_url=_slide_url(presented.room, secret, deck_name),
        **_presenter_context(presented, secret),
    )


@bp.post("/rooms/<code>/present/<secret>/close")
def close(code: str, secret: str) -> Response:
    """The presenter closes the room to new finishes, or opens it again."""
    presented = _presented(code, secret)
    form = CloseRoomForm()
    if not form.validate():
        abort(400)
    with transaction() as write:
        store.set_closed(write, presented.room, form.closed.data == "1")
    return redirect(url_for("rooms.controls", code=presented.room.code, secret=secret), 303)


@bp.get("/rooms/<code>/present/<secret>/debrief")
def debrief(code: str, secret: str) -> str:
    presented = _presented(code, secret)
    site = published.site_figures()
    prompts = choose_prompts(published.room_figures(presented.room), site)
    return render_template("rooms/debrief.html", prompts=prompts, site=site, **_presenter_context(presented, secret))


@bp.get("/rooms/<code>/present/<secret>/handout")
def handout(code: str, secret: str) -> str:
    """One printed page of the discussion prompts, for the tables."""
    presented = _presented(code, secret)
    prompts = choose_prompts(published.room_figures(presented.room), published.site_figures())
    return render_template("rooms/handout.html", prompts=prompts, **_presenter_context(presented, secret))


@bp.get("/rooms/<code>/present/<secret>/debrief.csv", endpoint="debrief_csv")
def debrief_csv_file(code: str, secret: str) -> Response:
    """The debrief's figures, as its page shows them: estimates in percent with their 95% range."""
    room = _presented(code, secret).room
    body = debrief_csv.build(room, published.room_figures(room), published.site_figures())
    filename = f"room-{room.code}-{today().isoformat()}.csv"
    return Response(
        body,
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{filename}"', "Cache-Control": "no-store"},
    )
