"""The question bank's text in the visitor's language.

The bank (app/scoring/bank.toml) is written in English and stays pure data; the
web layer translates each string through the same gettext catalogues as the
interface. `extract_bank` is the Babel extractor that puts the bank's strings into
messages.pot (see babel.cfg), and `translate` is the `t` filter the templates use.

Amounts of money are written in the bank as {CNY:99}, so that each language shows
them in its own format (CN¥99, 99 CN¥, ¥99) rather than a translator retyping them.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterator, Mapping
from typing import IO, Any

from babel import Locale
from babel.numbers import format_currency
from flask import Flask
from flask_babel import get_locale

from ..catalogue import gettext
from ..scoring import Source

AMOUNT = re.compile(r"\{([A-Z]{3}):(\d+)\}")

# The fields of each bank table that a visitor reads. Ids, points, urls, years and
# source titles are not here: source titles keep their original language.
TRANSLATED_FIELDS: Mapping[str, tuple[str, ...]] = {
    "meta": ("title",),
    "dimensions": ("name", "description"),
    "questions": ("text", "zhima", "western", "myth"),
    "options": ("text", "explanation"),
    "perks": ("text", "partner"),
    "punishments": ("text",),
    "mirror": ("text",),
    "real_scores": ("text",),  # where real users' scores were, for the result page
    "statements": ("text", "explanation"),  # a "myth or real?" file, should one sit beside the bank
}

# A claim the bank marks "illustrative" is our own invention, so its "source" is our own
# words ("Our illustration"), not a title: those are translated like any other text.
OWN_WORDS_LABEL = "illustrative"


def money(amount: int, currency: str) -> str:
    """A whole amount in the current locale's currency format, without cents."""
    locale = get_locale() or Locale("en")
    pattern = locale.currency_formats["standard"].pattern.split(";")[0].replace(".00", "")
    return format_currency(amount, currency, format=pattern, locale=locale, currency_digits=False)


def translate(text: str) -> str:
    """Bank text in the current language, with amounts formatted for it."""
    if not text:
        return text  # gettext("") would return the catalogue's header
    # Plain str, so Jinja escapes bank text like any other value.
    return AMOUNT.sub(lambda m: money(int(m.group(2)), m.group(1)), gettext(text))


def source_title(src: Source) -> str:
    """A claim's source as shown: a real title stays as published, our own words are translated."""
    return translate(src.title) if src.label == OWN_WORDS_LABEL else src.title


def outlet(title: str) -> str:
    """Only who published a claim, for a projector slide: each source's name before its first comma.

    "Ant Financial, letter to the Financial Times, Nov 2017" gives "Ant Financial"; the full title
    is one tap away on each phone's result page."""
    return "; ".join(part.split(",")[0].strip() for part in title.split(";"))


def _bank_strings(data: Mapping[str, Any]) -> Iterator[tuple[str, str]]:
    """(where, text) for every visitor-facing string in parsed bank data, in file order."""
    meta = data.get("meta", {})
    for field in TRANSLATED_FIELDS["meta"]:
        if isinstance(meta.get(field), str):
            yield "meta", meta[field]

    def fields(kind: str, table: Mapping[str, Any], where: str) -> Iterator[tuple[str, str]]:
        for field in TRANSLATED_FIELDS[kind]:
            if isinstance(table.get(field), str):
                yield f"{where} {field}", table[field]
        # Claims: a question's zhima/western notes, or a perk/punishment/mirror entry.
        for prefix in ("zhima_", "western_", ""):
            if table.get(f"{prefix}label") == OWN_WORDS_LABEL and isinstance(table.get(f"{prefix}source"), str):
                yield f"{where} {prefix}source", table[f"{prefix}source"]

    for kind in (k for k in TRANSLATED_FIELDS if k not in ("meta", "options")):
        for i, table in enumerate(data.get(kind, []), 1):
            where = f"{kind} {table.get('id', i)}"
            yield from fields(kind, table, where)
            if kind == "questions":
                for option in table.get("options", []):
                    yield from fields("options", option, f"{where} option {option.get('id')}")


def bank_strings(data: Mapping[str, Any]) -> list[str]:
    """Every distinct string of a bank that the templates pass through `t`."""
    return list(dict.fromkeys(text for _where, text in _bank_strings(data)))


def extract_bank(
    fileobj: IO[bytes], keywords: object, comment_tags: object, options: object
) -> Iterator[tuple[int, str, str, list[str]]]:
    """Babel extractor for the TOML data files in app/scoring: (lineno, funcname, message, comments)."""
    raw = fileobj.read()
    data = tomllib.loads(raw.decode("utf-8"))
    lines = raw.decode("utf-8").splitlines()
    for where, text in _bank_strings(data):
        # The line of the string's first occurrence, so that the .pot points at it.
        needle = tomllib_repr(text)
        lineno = next((n for n, line in enumerate(lines, 1) if needle in line), 0)
        yield lineno, "gettext", text, [where]


def tomllib_repr(text: str) -> str:
    """How a basic TOML string writes `text` (enough to find its line)."""
    return text.replace("\\", "\\\\").replace('"', '\\"')


def init_templates(app: Flask) -> None:
    app.jinja_env.filters.update(t=translate, outlet=outlet)
    app.jinja_env.globals.update(source_title=source_title, money=money)
