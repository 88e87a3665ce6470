"""A shared result: the score (or only the band) read from the link itself, nothing stored; and
the picture its link preview shows (app/share/card.py).

The link carries everything the page shows, so anyone can type any score into one, and the
page says so. A signature (itsdangerous, with the app's key) would prove only that this site
drew the page, not that anyone earned the score: anyone can take the quiz with the answers
that give the score they want. So the link stays short, readable and honest instead.
"""

from __future__ import annotations

import re

from flask import render_template
from werkzeug.wrappers import Response

from ..content import get_bank
from ..quiz.takeaway import takeaway
from ..scoring import BAND_IDS, BANDS, SCORE_MAX, SCORE_MIN, band_for
from ..web.errors import render_error
from ..web.padding import SHARED, padded
from . import bp
from .card import HEIGHT, WIDTH, card

SCORE = re.compile(r"[1-9][0-9]{2}")  # as the result page writes it: no sign, no leading zero
CARD_SIZE = (WIDTH, HEIGHT)
CARD_MAX_AGE = 24 * 3600  # the picture of a band changes only with a new release


@bp.get("/shared/<value>")
@padded(SHARED)
def shared(value: str) -> str | tuple[str, int]:
    """A score from 350 to 950, or a band's id; anything else is a 404 that writes nothing."""
    if SCORE.fullmatch(value) and SCORE_MIN <= int(value) <= SCORE_MAX:
        score = int(value)
        line = takeaway(get_bank(), score)
        return render_template("share/shared.html", score=score, band=band_for(score), line=line, card_size=CARD_SIZE)
    for band, low, high in BANDS:
        if band == value:
            return render_template(
                "share/shared.html", score=None, band=band, low=low, high=high, line=None, card_size=CARD_SIZE
            )
    return render_error(404, "share")


@bp.get("/share-card/<band>.png")
def card_image(band: str) -> Response | tuple[str, int]:
    """The preview picture of a shared link: the same for everyone, so any cache may keep it."""
    if band not in BAND_IDS:
        return render_error(404, "share")
    response = Response(card(band), mimetype="image/png")
    response.cache_control.public = True
    response.cache_control.max_age = CARD_MAX_AGE
    return response
