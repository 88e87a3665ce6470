"""The base of every form: Flask-WTF with WTForms' own messages loaded once per language,
and no CSRF field of its own (CSRFProtect guards every POST of the app).

Flask-WTF reads WTForms' message catalogue from disk on every request that builds a
form; the catalogue never changes while the process runs, so it is kept per locale.
"""

from __future__ import annotations

import functools

from babel import support
from flask_babel import get_locale
from flask_wtf import FlaskForm
from wtforms.i18n import messages_path


@functools.cache
def _wtforms_messages(locale: str) -> support.NullTranslations:
    return support.Translations.load(messages_path(), [locale], domain="wtforms")


class _CachedTranslations:
    def gettext(self, string: str) -> str:
        return _wtforms_messages(str(get_locale())).ugettext(string)

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        return _wtforms_messages(str(get_locale())).ungettext(singular, plural, n)


TRANSLATIONS = _CachedTranslations()


class Form(FlaskForm):
    class Meta(FlaskForm.Meta):
        # CSRFProtect checks every POST before any view runs; a second check by each
        # form would only verify the same token again. Templates write the token with
        # csrf_token().
        csrf = False

        def get_translations(self, form: object) -> _CachedTranslations:
            return TRANSLATIONS
