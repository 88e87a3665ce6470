"""The translations for this request: the catalogue Flask-Babel chooses, looked up once.

Flask-Babel finds the catalogue again at every call, about 12 µs (its context, the locale,
the locale's name), and a result page makes some 500 calls from its templates and the lazy
strings it shows (band names, evidence labels): a third of the page's time. Here it is kept
on `g` for the rest of the request, until the language changes (app/web/i18n.py forgets it).
Which language and which catalogue remain Flask-Babel's choice alone.
"""

from __future__ import annotations

from babel.support import NullTranslations, Translations
from flask import g
from flask_babel import LazyString, get_translations


def catalogue() -> Translations | NullTranslations:
    try:
        found = g.get("catalogue")
    except RuntimeError:  # outside any app context: Flask-Babel's stand-in
        return get_translations()
    if found is None:
        found = g.catalogue = get_translations()
    return found


def forget() -> None:
    """The language changed during this request: look the catalogue up again."""
    g.pop("catalogue", None)


def gettext(string: str) -> str:
    return catalogue().ugettext(string)


def lazy_gettext(string: str) -> LazyString:
    """As Flask-Babel's lazy_gettext: translated each time it is shown, in the language then."""
    return LazyString(gettext, string)
