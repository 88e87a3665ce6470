"""How a visitor gets their language: Accept-Language, then the switcher, kept in the one session cookie."""

from __future__ import annotations

import re
from html import unescape
from urllib.parse import urljoin, urlsplit

import pytest

from app.web.i18n import HTML_LANG, LANGUAGES
from tests.helpers import csrf_token

HTML_LANG_RE = re.compile(r'<html lang="([^"]+)">')


def html_lang(page: str) -> str:
    match = HTML_LANG_RE.search(page)
    assert match, "page has no <html lang>"
    return match.group(1)


@pytest.mark.parametrize(
    ("header", "lang", "heading"),
    [
        (None, "en", "What would your score be?"),
        ("en-GB,en;q=0.9", "en", "What would your score be?"),
        ("zh-CN,zh;q=0.9,en;q=0.5", "zh-Hans", "你的分数会是多少？"),
        ("zh-TW", "zh-Hans", "你的分数会是多少？"),  # our only Chinese beats falling back to English
        ("de-AT,de;q=0.9", "de", "Wie hoch wäre dein Score?"),
        ("fr-FR,fr;q=0.9", "en", "What would your score be?"),
        ("fr-FR,de;q=0.5", "de", "Wie hoch wäre dein Score?"),
    ],
)
def test_browser_language_chooses_the_page_language(client, header, lang, heading):
    headers = {"Accept-Language": header} if header else {}
    response = client.get("/", headers=headers)
    page = response.get_data(as_text=True)
    assert html_lang(page) == lang
    assert f"<h1>{heading}</h1>" in page
    assert "Set-Cookie" not in response.headers  # reading the header stores nothing


@pytest.mark.parametrize("path", ["/", "/privacy", "/stats", "/quiz/", "/forgotten", "/no/such/page"])
def test_every_page_has_a_switcher_to_every_language(client, path):
    page = client.get(path).get_data(as_text=True)
    switcher = re.search(r'<nav class="languages".*?</nav>', page, re.S)
    assert switcher, f"{path} has no language switcher"
    for code, name in LANGUAGES.items():
        assert f'lang="{HTML_LANG[code]}"' in switcher.group(0)
        assert f'<span class="lang-name">{name}</span>' in switcher.group(0)  # a phone shows a short form
        assert f"lang={code}" in switcher.group(0)
    assert switcher.group(0).count('aria-current="true"') == 1


def test_switcher_links_stay_on_the_same_page(client):
    page = client.get("/quiz/?lang=en").get_data(as_text=True)
    assert 'href="?lang=de"' in page
    assert 'href="?lang=zh"' in page
    for href in re.findall(r'hreflang="[^"]+" href="([^"]+)"', page):
        assert urljoin("https://score.example/quiz/?lang=en", unescape(href)).startswith("https://score.example/quiz/?")


@pytest.mark.parametrize(
    "path",
    [
        "/%5Cevil.example/",
        "/%5C%5Cevil.example/",
        "//evil.example/",
        "///evil.example/x",
        "/%2F%2Fevil.example/",
        "/%252F%252Fevil.example",
        "/%09/evil.example",
        "/%5C%09evil.example",
        "/http:%2F%2Fevil.example",
        "/@evil.example",
    ],
)
def test_language_links_never_lead_to_another_origin(client, path):
    """A path chosen by an attacker ends up in every page's language links (here a 404's)."""
    response = client.get(path, query_string={"q": "//evil.example/", "next": "\\\\evil.example"})
    page = response.get_data(as_text=True)
    hrefs = re.findall(r'hreflang="[^"]+" href="([^"]+)"', page)
    assert len(hrefs) == len(LANGUAGES)
    for href in hrefs:
        # How a browser resolves the link against the page's own address (WHATWG-like: \ is /).
        resolved = urlsplit(urljoin("https://score.example" + path, unescape(href).replace("\\", "/")))
        assert (resolved.scheme, resolved.netloc) == ("https", "score.example"), href
        assert "evil.example" not in (resolved.netloc or "")
        assert href.startswith("?"), href


def test_templates_have_every_gettext_callable(app):
    """Flask-Babel's own template callables, pgettext and npgettext included."""
    with app.test_request_context("/", headers={"Accept-Language": "de"}):
        rendered = app.jinja_env.from_string(
            "{{ _('Language') }}|{{ pgettext('menu', 'Language') }}|{{ npgettext('c', 'one', 'many', 2) }}"
        ).render()
    assert rendered == "Sprache|Language|many"  # no msgctxt "menu" in the catalogue: the source


def test_a_language_imposed_during_a_request_is_the_one_every_string_then_uses(app):
    """The catalogue is looked up once per request (app/catalogue.py): a room that imposes its
    language after some text was already translated must still get all the rest in its own."""
    from app.web.i18n import BAND_NAMES, use_language

    template = app.jinja_env.from_string("{{ _('Language') }} {{ BAND_NAMES['good'] }}")
    with app.test_request_context("/", headers={"Accept-Language": "en"}):
        before = template.render(BAND_NAMES=BAND_NAMES)
        use_language("de")
        after = template.render(BAND_NAMES=BAND_NAMES)
        use_language("zh")
        last = template.render(BAND_NAMES=BAND_NAMES)
    assert (before, after, last) == ("Language Good", "Sprache Gut", "语言 良好")


def test_choice_is_kept_in_the_session_cookie_and_beats_the_browser(client):
    response = client.get("/?lang=de", headers={"Accept-Language": "zh-CN"})
    assert html_lang(response.get_data(as_text=True)) == "de"
    cookies = response.headers.getlist("Set-Cookie")
    assert len(cookies) == 1 and cookies[0].startswith("session=")  # no cookie of its own
    later = client.get("/privacy", headers={"Accept-Language": "zh-CN"}).get_data(as_text=True)
    assert html_lang(later) == "de"
    assert "Was gespeichert wird und was nie" in later


def test_forget_my_answers_also_forgets_the_language(client):
    page = client.get("/privacy?lang=zh").get_data(as_text=True)
    client.post("/forget", data={"csrf_token": csrf_token(page)})
    assert html_lang(client.get("/").get_data(as_text=True)) == "en"


@pytest.mark.parametrize("value", ["fr", "", "zh_Hans", "<script>", "de" * 50])
def test_an_unknown_language_is_ignored(client, value):
    response = client.get("/", query_string={"lang": value}, headers={"Accept-Language": "de"})
    assert response.status_code == 200
    assert html_lang(response.get_data(as_text=True)) == "de"
    assert "Set-Cookie" not in response.headers


def test_error_pages_are_in_the_visitors_language(client):
    response = client.get("/no/such/page", headers={"Accept-Language": "de"})
    page = response.get_data(as_text=True)
    assert response.status_code == 404
    assert html_lang(page) == "de" and "Seite nicht gefunden" in page


def test_form_errors_are_translated(client):
    page = client.get("/quiz/?lang=zh").get_data(as_text=True)
    response = client.post("/quiz/", data={"csrf_token": csrf_token(page)})
    assert response.status_code == 400
    assert "请选择一个答案。" in response.get_data(as_text=True)


def test_start_up_warns_when_catalogues_were_not_compiled(database_url, tmp_path, caplog):
    from app import create_app

    po = tmp_path / "translations" / "de" / "LC_MESSAGES" / "messages.po"
    po.parent.mkdir(parents=True)
    po.write_text('msgid ""\nmsgstr ""\n', encoding="utf-8")
    settings = {"DATABASE_URL": database_url, "INSTANCE_PATH": str(tmp_path)}
    with caplog.at_level("WARNING", logger="app.web.i18n"):
        create_app({**settings, "BABEL_TRANSLATION_DIRECTORIES": str(tmp_path / "translations")})
    assert "translations not compiled for de" in caplog.text
    caplog.clear()
    with caplog.at_level("WARNING", logger="app.web.i18n"):
        create_app(settings)  # the project's own catalogues, compiled by `make test`
    assert "translations not compiled" not in caplog.text


def test_messages_outside_a_request_are_in_english(app):
    from flask_babel import gettext

    with app.app_context():
        assert gettext("Page not found") == "Page not found"
