"""The translation catalogues: complete, not fuzzy, placeholders intact, and up to date.

When a test here fails after new pages arrive, run `make messages`, translate the
entries it lists in translations/*/LC_MESSAGES/messages.po, and run `make test`.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po

from app.config import PROJECT_ROOT
from app.web.i18n import LOCALES

TRANSLATIONS = PROJECT_ROOT / "translations"
SOURCE_LOCALE = "en"
TRANSLATED = sorted(set(LOCALES.values()) - {SOURCE_LOCALE})
KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2), "lazy_gettext": None, "_l": None}
PLACEHOLDER = re.compile(r"%\([a-z_]+\)s|\{[A-Z]{3}:\d+\}")


def _read(path: Path, locale: str | None = None) -> Catalog:
    with path.open("rb") as fh:
        return read_po(fh, locale=locale)


def _key(message_id: str | tuple[str, ...]) -> str:
    return message_id[0] if isinstance(message_id, tuple) else message_id


@pytest.fixture(scope="module")
def template() -> Catalog:
    return _read(TRANSLATIONS / "messages.pot")


def catalogue(locale: str) -> Catalog:
    return _read(TRANSLATIONS / locale / "LC_MESSAGES" / "messages.po", locale)


def test_messages_pot_holds_every_message_in_the_code_templates_and_bank(template):
    """New strings must be extracted: otherwise they would silently stay in English."""
    with (PROJECT_ROOT / "babel.cfg").open() as fh:
        method_map, options_map = parse_mapping_cfg(fh)
    found = {
        _key(message[2]) for message in extract_from_dir(str(PROJECT_ROOT), method_map, options_map, keywords=KEYWORDS)
    }
    in_pot = {_key(m.id) for m in template if m.id}
    not_extracted = sorted(found - in_pot)
    assert not not_extracted, "run `make messages`; not in messages.pot:\n" + "\n".join(not_extracted)
    stale = sorted(in_pot - found)
    assert not stale, "run `make messages`; no longer used but still in messages.pot:\n" + "\n".join(stale)


@pytest.mark.parametrize("locale", sorted(LOCALES.values()))
def test_catalogue_has_every_message_and_none_is_fuzzy(template, locale):
    po = catalogue(locale)
    missing = sorted(_key(m.id) for m in template if m.id and m.id not in po)
    fuzzy = sorted(_key(m.id) for m in po if m.id and m.fuzzy)
    problems = [f"missing: {m}" for m in missing] + [f"fuzzy: {m}" for m in fuzzy]
    assert not problems, f"{locale}: run `make messages` and translate:\n" + "\n".join(problems)
    assert not po.fuzzy, f"{locale}: the catalogue header is marked fuzzy, so it would not be compiled"


@pytest.mark.parametrize("locale", TRANSLATED)
def test_every_message_is_translated(template, locale):
    po = catalogue(locale)
    untranslated = []
    for m in po:
        if not m.id:
            continue
        strings = m.string if isinstance(m.string, tuple) else (m.string,)
        if not all(s.strip() for s in strings):
            untranslated.append(_key(m.id))
    assert not untranslated, f"{locale}: untranslated:\n" + "\n".join(sorted(untranslated))


@pytest.mark.parametrize("locale", TRANSLATED)
def test_translations_keep_every_placeholder(locale):
    po = catalogue(locale)
    broken = []
    for m in po:
        if not m.id:
            continue
        ids = m.id if isinstance(m.id, tuple) else (m.id,)
        strings = m.string if isinstance(m.string, tuple) else (m.string,)
        wanted = set(PLACEHOLDER.findall(ids[-1]))
        for s in strings:
            # A plural form in a language with one form may say the number in words; others may not drop it.
            if set(PLACEHOLDER.findall(s)) != wanted:
                broken.append(f"{_key(m.id)!r} -> {s!r}")
    assert not broken, f"{locale}: placeholders differ:\n" + "\n".join(broken)


@pytest.mark.parametrize("locale", TRANSLATED)
def test_catalogue_passes_babels_own_checks(locale):
    errors = [f"{_key(m.id)}: {e}" for m, errs in catalogue(locale).check() for e in errs]
    assert not errors, "\n".join(errors)


def test_compiled_catalogues_are_built_not_committed():
    ignored = (PROJECT_ROOT / ".gitignore").read_text(encoding="utf-8").split()
    assert "*.mo" in ignored
    for locale in LOCALES.values():
        mo = TRANSLATIONS / locale / "LC_MESSAGES" / "messages.mo"
        assert mo.exists(), f"{mo} missing: `make translations` compiles it (make run and make test do)"


# One word for one thing in each language (the first translation review's T3-T5, T12-T14, T19,
# and the second review's): variants that crept in before, and the word every entry now uses
# instead. Each variant is a regular expression.
TERMS = {
    "zh_Hans": {
        "谣言": "谣传 (myth)",
        "档位": "等级 (band)",
        "特权": "优待 (perks)",
        "忘记我的答案": "清除我的答案",
        "被关注": "被人看着 (being watched; 关注 is attention or following)",
        "投影视图": "投影画面 (the projector view)",
        "评分者": "评分方 (scorer)",
        "蚂蚁(?!金服|集团)": "蚂蚁金服 (until 2020) or 蚂蚁集团 (today)",
        "全部内容": "数据库收到的计数 (the receipt is the counts, not everything)",
    },
    "de": {
        "Scorer": "Bewerter (scorer)",
        "Quizze": "Quiz (plural)",
        "Gerichtsliste unehrlicher": "Liste unredlicher Vollstreckungsschuldner",
        "Mythos oder real": "Mythos oder Fakt",
        "Sozialkredit-System": "Sozialkreditsystem",
        "Projektor": "Beamer (projector)",
        "Kreditchef": "Leiter der Kreditauskunftsabteilung",
        r"rechnet (?:es |das )?dir (?:es |das )?an\b": "legt es dir negativ aus (counts it against you)",
        "gegen dich": "negativ angerechnet or ausgelegt (counts against you)",
        "nicht einmal zufällig": "auch nicht in zufällig veränderter Form",
    },
}


@pytest.mark.parametrize("locale", sorted(TERMS))
def test_each_language_uses_one_word_for_each_thing(locale):
    found = []
    for m in catalogue(locale):
        strings = m.string if isinstance(m.string, tuple) else (m.string,)
        for variant, preferred in TERMS[locale].items():
            if m.id and any(re.search(variant, s) for s in strings):
                found.append(f"{_key(m.id)!r}: '{variant}', use {preferred}")
    assert not found, "\n".join(found)


# Where the English names one thing, every translation of it uses the one word: (English
# pattern, the word, the word it replaced). The estimate's range is 区间, as the tables say.
SAID_AS = {
    "zh_Hans": [(r"95%% range|with a range|The range is", "区间", "范围"), (r"\bprojector\b", "投影", None)],
    "de": [(r"\bprojector\b", "Beamer", "Projektor"), (r"95%% range|with a range|The range is", "Bereich", None)],
}


@pytest.mark.parametrize("locale", sorted(SAID_AS))
def test_one_thing_is_said_with_one_word_wherever_the_english_names_it(locale):
    wrong = []
    for m in catalogue(locale):
        ids = m.id if isinstance(m.id, tuple) else (m.id,)
        strings = m.string if isinstance(m.string, tuple) else (m.string,)
        for english, word, replaced in SAID_AS[locale]:
            if not m.id or not re.search(english, ids[0]):
                continue
            if not all(word in s for s in strings) or (replaced and any(replaced in s for s in strings)):
                wrong.append(f"{_key(m.id)!r}: say '{word}'" + (f", not '{replaced}'" if replaced else ""))
    assert not wrong, "\n".join(wrong)
