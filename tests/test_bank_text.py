"""The question bank through gettext: what the extractor finds, and how bank text is shown."""

from __future__ import annotations

import io
import tomllib

import pytest
from flask_babel import force_locale

from app.content.bank_text import bank_strings, extract_bank, money, source_title, translate
from app.scoring.bank import DEFAULT_BANK


@pytest.fixture(scope="module")
def extracted() -> list[tuple[int, str, str, list[str]]]:
    with DEFAULT_BANK.open("rb") as fh:
        return list(extract_bank(fh, None, [], {}))


def visitor_facing(bank) -> set[str]:
    texts = {d.name for d in bank.dimensions} | {d.description for d in bank.dimensions}
    for q in bank.questions:
        texts |= {q.text, q.zhima.note, q.western.note}
        texts |= {o.text for o in q.options} | {o.explanation for o in q.options}
    texts |= {p.text for p in bank.perks} | {p.partner for p in bank.perks}
    texts |= {p.note for p in bank.punishments} | {m.note for m in bank.mirror}
    texts |= {r.claim.note for r in bank.real_scores}
    return texts | {bank.title}


def test_extractor_finds_every_string_a_visitor_reads(bank, extracted):
    found = {message for _line, _func, message, _comments in extracted}
    assert visitor_facing(bank) <= found


def test_extractor_leaves_ids_urls_and_published_titles_alone(bank, extracted):
    found = {message for _line, _func, message, _comments in extracted}
    assert "Ant Financial, letter to the Financial Times, Nov 2017" not in found
    assert "Our illustration" in found  # an illustrative claim's "source" is our own words
    assert not any(m.startswith("http") for m in found)
    assert not {q.id for q in bank.questions} & found


def test_extractor_points_at_the_line_and_the_field(extracted):
    lines = DEFAULT_BANK.read_text(encoding="utf-8").splitlines()
    for lineno, _func, message, comments in extracted:
        assert lineno > 0, message
        assert message.replace('"', '\\"') in lines[lineno - 1]
        assert comments and comments[0]


def test_bank_strings_are_distinct_and_in_file_order():
    data = tomllib.loads(DEFAULT_BANK.read_text(encoding="utf-8"))
    strings = bank_strings(data)
    assert len(strings) == len(set(strings))
    assert strings[0] == data["meta"]["title"]


def test_extractor_reads_a_bank_of_ones_own():
    own = b'[meta]\ntitle = "My bank"\n[[mirror]]\ntext = "A claim"\nlabel = "reported"\nsource = "X"\n'
    messages = [m for _l, _f, m, _c in extract_bank(io.BytesIO(own), None, [], {})]
    assert messages == ["My bank", "A claim"]


@pytest.mark.parametrize(
    ("locale", "expected"),
    [("en", "CN¥1,000"), ("de", "1.000\xa0CN¥"), ("zh_Hans", "¥1,000")],
)
def test_amounts_are_whole_and_in_the_languages_format(app, locale, expected):
    with app.test_request_context(), force_locale(locale):
        assert money(1000, "CNY") == expected


def test_translate_formats_amounts_and_falls_back_to_english(app):
    with app.test_request_context(), force_locale("de"):
        assert translate("Ride ofo bikes in Shanghai without the {CNY:99} deposit.") == (
            "ofo-Räder in Shanghai ohne die Kaution von 99\xa0CN¥ fahren."
        )
        # A bank of one's own that nobody translated yet still reads, in English.
        assert translate("A question nobody translated") == "A question nobody translated"
        assert translate("") == ""  # not the catalogue's header


def test_bank_text_is_escaped_like_any_other_text(app):
    with app.test_request_context():
        rendered = app.jinja_env.from_string("{{ text|t }}").render(text="<b>bold</b> & {CNY:5}")
    assert rendered == "&lt;b&gt;bold&lt;/b&gt; &amp; CN¥5"


def test_only_our_own_words_among_source_titles_are_translated(app, bank):
    savings, court = bank.question("savings_in_app"), bank.question("court_judgment")
    with app.test_request_context(), force_locale("zh_Hans"):
        assert source_title(savings.zhima) == "本测验的示意"  # illustrative: our own words
        assert source_title(court.zhima) == court.zhima.title  # Wired's headline stays in English


def test_extractor_reads_statements_of_a_myth_round():
    myths = b'[[statements]]\nid = "a"\ntext = "A claim"\nverdict = "myth"\nexplanation = "Why"\nsource = "S"\n'
    messages = [m for _l, _f, m, _c in extract_bank(io.BytesIO(myths), None, [], {})]
    assert messages == ["A claim", "Why"]
