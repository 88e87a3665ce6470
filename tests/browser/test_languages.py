"""The journey in each language on a phone: system CJK font, nothing wider than the screen, screenshots."""

from __future__ import annotations

import re

import pytest

from app.web.i18n import HTML_LANG

from .conftest import take_quiz

pytestmark = pytest.mark.browser

# System font families that carry Simplified Chinese glyphs (Debian, macOS, Windows, Android).
CJK_FAMILIES = re.compile(r"CJK|PingFang|YaHei|Source Han|WenQuanYi|Droid Sans Fallback|Noto Sans SC", re.I)
START = {"en": "Start the quiz", "zh": "开始测验", "de": "Quiz starten"}
RESULT_HEADING = {"en": "What moved your score", "zh": "哪些因素影响了你的分数", "de": "Was deinen Score bewegt hat"}


def fonts_used(page, selector: str) -> list[dict]:
    """The platform fonts Chromium painted an element's text with (DevTools protocol)."""
    cdp = page.context.new_cdp_session(page)
    cdp.send("DOM.enable")
    cdp.send("CSS.enable")
    root = cdp.send("DOM.getDocument")["root"]["nodeId"]
    node = cdp.send("DOM.querySelector", {"nodeId": root, "selector": selector})["nodeId"]
    return cdp.send("CSS.getPlatformFontsForNode", {"nodeId": node})["fonts"]


def fits_the_width(page) -> bool:
    page.wait_for_load_state("domcontentloaded")  # a click may have left the next page still loading
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


@pytest.mark.parametrize("lang", ["en", "zh", "de"])
def test_the_journey_in_each_language_on_a_phone(open_page, lang):
    w = open_page("phone")
    w.goto(f"/?lang={lang}")
    assert w.page.locator("html").get_attribute("lang") == HTML_LANG[lang]
    assert fits_the_width(w.page)
    w.screenshot(f"language-{lang}-landing-phone")
    w.page.get_by_role("link", name=START[lang]).click()
    w.page.wait_for_load_state("load")
    assert fits_the_width(w.page), "the questionnaire is wider than the phone"
    w.screenshot(f"language-{lang}-question-phone")
    take_quiz(w.page, lambda step, count: step % count)
    assert w.page.url.endswith("/quiz/result")
    assert w.page.get_by_role("heading", name=RESULT_HEADING[lang]).is_visible()
    assert w.page.locator("html").get_attribute("lang") == HTML_LANG[lang]
    assert fits_the_width(w.page), "the result is wider than the phone"
    w.screenshot(f"language-{lang}-result-phone")
    w.assert_clean()


def test_switching_language_keeps_the_visitor_on_the_page(open_page):
    w = open_page("phone")
    w.goto("/privacy")
    w.page.get_by_role("link", name="Deutsch").click()
    assert w.page.url.endswith("/privacy?lang=de")
    assert w.page.locator("html").get_attribute("lang") == "de"
    w.goto("/stats")  # the choice stays without the query string
    assert w.page.locator("html").get_attribute("lang") == "de"
    assert w.page.get_by_role("link", name="Deutsch").get_attribute("aria-current") == "true"
    w.assert_clean()


def test_chinese_is_painted_with_a_system_cjk_font_and_no_web_font(open_page):
    w = open_page("phone")
    w.goto("/?lang=zh")
    for selector in ("h1", "main p.lead", "a.button.primary"):
        fonts = fonts_used(w.page, selector)
        assert fonts, selector
        assert not any(f["isCustomFont"] for f in fonts), f"{selector}: a downloaded web font"
        assert all(CJK_FAMILIES.search(f["familyName"]) for f in fonts), (
            f"{selector} painted with {[f['familyName'] for f in fonts]}: install fonts-noto-cjk "
            "(scripts/install-test-tools.sh)"
        )
    assert not [r for r in w.requests if r.resource_type == "font"]
    w.assert_clean()
