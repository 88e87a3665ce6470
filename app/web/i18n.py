"""Language choice and the translated names of the engine's ids.

The language is, in order: a ?lang= link the visitor followed (remembered in the
session cookie that already exists, never a cookie of its own), the room's language
when a page says so, then the browser's Accept-Language, then English.
"""

from __future__ import annotations

import logging
from pathlib import Path
from urllib.parse import urlencode

from flask import Flask, g, has_request_context, request, session
from flask_babel import get_locale, refresh

from .. import catalogue as translations
from ..catalogue import lazy_gettext as _l
from ..extensions import babel

log = logging.getLogger(__name__)

DEFAULT_LANGUAGE = "en"
SESSION_KEY = "lang"

# The code in ?lang= links -> the Babel locale whose catalogue serves it.
LOCALES = {"en": "en", "zh": "zh_Hans", "de": "de"}

# Each language's name in that language, for the switcher: a visitor who cannot read
# the current page can still find their own language.
LANGUAGES = {"en": "English", "zh": "简体中文", "de": "Deutsch"}
# On a phone's one-row header: each a part of the full name, so the link's name contains what it shows.
LANGUAGE_SHORT = {"en": "EN", "zh": "中文", "de": "DE"}

# The lang attribute (BCP 47) for each code.
HTML_LANG = {"en": "en", "zh": "zh-Hans", "de": "de"}

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


def use_language(code: str | None) -> None:
    """Let a view impose a language for this request (a room's, chosen by its facilitator)."""
    if code in LOCALES:
        g.imposed_language = code
        forget_language()


def forget_language() -> None:
    """Forget the language (and its catalogue) already settled for this request."""
    g.pop("language", None)
    translations.forget()
    refresh()  # and the locale Flask-Babel may have cached


def remember_language(code: str | None) -> None:
    """Make a language the visitor's choice from now on (e.g. on joining a room)."""
    if code in LOCALES:
        session[SESSION_KEY] = code
        forget_language()


def current_language() -> str:
    """The code (en, zh, de) of this request's language."""
    if not has_request_context():
        return DEFAULT_LANGUAGE  # CLI commands and start-up: messages in the source language
    if "language" in g:
        return g.language
    chosen = request.args.get("lang")
    if chosen in LOCALES:
        if session.get(SESSION_KEY) != chosen:
            session[SESSION_KEY] = chosen
    else:
        chosen = g.get("imposed_language") or session.get(SESSION_KEY)
    if chosen not in LOCALES:
        chosen = request.accept_languages.best_match(list(LOCALES)) or DEFAULT_LANGUAGE
    g.language = chosen
    return chosen


def select_locale() -> str:
    return LOCALES[current_language()]


def html_lang() -> str:
    return HTML_LANG[current_language()]


def switch_language_url(code: str, page: str | None = None) -> str:
    """This page again in another language: the same query with ?lang= set.

    A query-only reference ("?a=b&lang=de") resolves against the page's own address, so
    no path, however odd (`/\\evil.example/`, `//evil.example`), can make it another origin.
    A page rendered from a POST names the address that shows it again (`page`, from url_for).
    """
    if page is not None:
        return page + "?" + urlencode([("lang", code)])
    args = [(k, v) for k, v in request.args.items(multi=True) if k != "lang"]
    return "?" + urlencode([*args, ("lang", code)])


def uncompiled_catalogues(directory: Path) -> list[str]:
    """Locales whose .po has no .mo beside it (the .mo files are built, never committed)."""
    return [
        locale
        for locale in LOCALES.values()
        if (directory / locale / "LC_MESSAGES" / "messages.po").exists()
        and not (directory / locale / "LC_MESSAGES" / "messages.mo").exists()
    ]


def init_app(app: Flask) -> None:
    babel.init_app(app, locale_selector=select_locale)  # also installs gettext, pgettext... in Jinja
    # The same callables Flask-Babel installs, with the catalogue looked up once per request
    # (app/catalogue.py).
    app.jinja_env.install_gettext_callables(  # type: ignore[attr-defined]  # jinja2.ext.i18n adds it
        gettext=translations.gettext,
        ngettext=lambda s, p, n: translations.catalogue().ungettext(s, p, n),
        pgettext=lambda c, s: translations.catalogue().upgettext(c, s),
        npgettext=lambda c, s, p, n: translations.catalogue().unpgettext(c, s, p, n),
        newstyle=True,
    )
    missing = uncompiled_catalogues(Path(app.config["BABEL_TRANSLATION_DIRECTORIES"]))
    if missing:
        # Pages would silently fall back to English: say so once, at start-up.
        log.warning("translations not compiled for %s: run `make translations`", ", ".join(missing))


def init_templates(app: Flask) -> None:
    """The language switcher's helpers and the translated names of the engine's ids."""
    app.jinja_env.globals.update(
        get_locale=get_locale,
        html_lang=html_lang,
        current_language=current_language,
        switch_language_url=switch_language_url,
        BAND_NAMES=BAND_NAMES,
        EVIDENCE_LABELS=EVIDENCE_LABELS,
        EVIDENCE_HELP=EVIDENCE_HELP,
        LANGUAGES=LANGUAGES,
        LANGUAGE_SHORT=LANGUAGE_SHORT,
        HTML_LANG=HTML_LANG,
    )
