"""Language choice and the translated names of the engine's ids."""

from __future__ import annotations

from flask import Flask, request
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l

from .extensions import babel

LANGUAGES = {"en": "English"}

BAND_NAMES = {
    "poor": _l("Poor"),
    "fair": _l("Fair"),
    "good": _l("Good"),
    "excellent": _l("Excellent"),
    "extremely_good": _l("Extremely good"),
}

EVIDENCE_LABELS = {
    "documented": _l("documented"),
    "reported": _l("reported"),
    "illustrative": _l("illustrative"),
    "myth": _l("myth"),
}

EVIDENCE_HELP = {
    "documented": _l("A primary source, or several independent outlets agree."),
    "reported": _l("One outlet, or a weaker source."),
    "illustrative": _l("Our own invention for this quiz."),
    "myth": _l("Widely repeated, but no evidence was found."),
}


def select_locale() -> str | None:
    return request.accept_languages.best_match(LANGUAGES) or "en"


def init_app(app: Flask) -> None:
    babel.init_app(app, locale_selector=select_locale)
    app.jinja_env.globals.update(
        get_locale=get_locale,
        BAND_NAMES=BAND_NAMES,
        EVIDENCE_LABELS=EVIDENCE_LABELS,
        EVIDENCE_HELP=EVIDENCE_HELP,
        LANGUAGES=LANGUAGES,
    )
