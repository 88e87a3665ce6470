"""Every page type as people see it: screenshots, axe-core, weight, origins, console, themes."""

from __future__ import annotations

import json

import pytest

from .conftest import ARTIFACTS, PAGE_TYPES, PageType

pytestmark = pytest.mark.browser

BUDGET_BYTES = 30 * 1024  # HTML + CSS + JS of one page, as transferred
# The result page is sent at one fixed size (app/web/padding.py: 18 KiB gzipped), so that its
# size tells nothing of the answers; unpadded it weighed 10 to 14 KB. Its budget allows for that.
PADDED = {"result": 8 * 1024}
TEXT_RESOURCES = ("document", "stylesheet", "script")
BY_NAME = {p.name: p for p in PAGE_TYPES}
ids = [p.name for p in PAGE_TYPES]


@pytest.mark.parametrize("page_type", PAGE_TYPES, ids=ids)
@pytest.mark.parametrize("viewport", ["phone", "projector"])
def test_page_type_is_light_local_and_quiet(visit, page_type: PageType, viewport):
    """A screenshot to look at; no sideways scrolling; under budget; own origin only; no console error."""
    w, _ = visit(page_type, viewport)
    w.page.wait_for_load_state("load")
    w.page.screenshot(
        path=str(w.screenshot(f"{page_type.name}-{viewport}").with_name(f"{page_type.name}-{viewport}-top.png"))
    )
    assert w.page.evaluate("document.documentElement.scrollWidth <= innerWidth"), "nothing sticks out sideways"
    if viewport == "phone":  # and the layout still holds on the narrowest common phone
        w.page.set_viewport_size({"width": 360, "height": 740})
        assert w.page.evaluate("document.documentElement.scrollWidth <= innerWidth"), "nothing sticks out at 360 px"

    sizes = {}
    for request in w.requests:
        if request.resource_type in TEXT_RESOURCES:
            s = request.sizes()
            sizes[request.url] = s["responseHeadersSize"] + s["responseBodySize"]
    total = sum(sizes.values())
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    with (ARTIFACTS / "page-weight.jsonl").open("a") as log:
        log.write(json.dumps({"page": page_type.name, "viewport": viewport, "bytes": total, "resources": sizes}) + "\n")
    assert any(url.endswith(".css") for url in sizes), "the stylesheet was loaded"
    budget = BUDGET_BYTES + PADDED.get(page_type.name, 0)
    assert total < budget, f"{page_type.name}: {total} bytes of HTML+CSS+JS: {sizes}"
    w.assert_clean()


def _axe_report(violations: list[dict]) -> str:
    return "\n".join(
        f"{v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes']][:5]}" for v in violations
    )


@pytest.mark.parametrize("page_type", PAGE_TYPES, ids=ids)
def test_axe_finds_no_violation_in_light_or_dark(visit, page_type: PageType):
    from axe_playwright_python.sync_playwright import Axe

    w, _ = visit(page_type, "phone")
    # Open every disclosure so that axe also checks what is folded away.
    w.page.evaluate("document.querySelectorAll('details').forEach(d => d.open = true)")
    axe = Axe()
    light = axe.run(w.page)
    assert light.violations_count == 0, _axe_report(light.response["violations"])
    # The dark theme changes only colours: check their contrast again (axe is already in the page).
    w.page.emulate_media(color_scheme="dark")
    w.page.evaluate("Promise.all(document.getAnimations().map(a => a.finished))")  # colours ease in: wait
    dark = w.page.evaluate("axe.run({runOnly: ['color-contrast'], resultTypes: ['violations']})")
    assert dark["violations"] == [], _axe_report(dark["violations"])


def test_the_document_travels_gzipped(visit):
    _, response = visit(BY_NAME["result"], "phone")
    assert response.header_value("content-encoding") == "gzip"


BACKGROUND = "getComputedStyle(document.body).backgroundColor"
TEXT = "getComputedStyle(document.body).color"


def test_dark_colour_scheme_is_honoured(visit):
    light, _ = visit(BY_NAME["landing"], "phone", color_scheme="light")
    dark, _ = visit(BY_NAME["landing"], "phone", color_scheme="dark")
    assert light.page.evaluate(BACKGROUND) == "rgb(251, 250, 247)"
    assert light.page.evaluate(TEXT) == "rgb(26, 26, 26)"
    assert dark.page.evaluate(BACKGROUND) == "rgb(18, 20, 23)"
    assert dark.page.evaluate(TEXT) == "rgb(241, 241, 241)"
    dark.screenshot("landing-phone-dark")


MOTION = """() => [...document.querySelectorAll('.button, .option')].map(el => {
  const s = getComputedStyle(el);
  return parseFloat(s.transitionDuration) + parseFloat(s.animationDuration || '0');
})"""


def test_reduced_motion_is_honoured(visit):
    moving, _ = visit(BY_NAME["questionnaire"], "phone", reduced_motion="no-preference")
    still, _ = visit(BY_NAME["questionnaire"], "phone", reduced_motion="reduce")
    assert max(moving.page.evaluate(MOTION)) > 0, "buttons and options ease their colour change"
    assert max(still.page.evaluate(MOTION)) == 0, "nothing moves for people who asked for less motion"


def test_the_what_if_page_without_javascript_passes_axe(open_page, finished_visitor):
    """The what-if answers a form post, so it is not among the page types: reach it by its button."""
    from axe_playwright_python.sync_playwright import Axe

    w = open_page("phone", js=False, cookies=[{"name": "session", "value": finished_visitor.cookie()}])
    w.goto("/quiz/result")
    w.page.locator("details.more-part > summary", has_text="What if?").click()  # one tap away
    with w.page.expect_navigation():
        w.page.click("form.what-if-try button")
    assert w.page.url.endswith("/quiz/what-if")
    assert w.page.locator("a", has_text="Back to your real result").count() >= 1
    w.screenshot("what-if-phone")
    # axe is a script itself: check the same page in a browser that runs scripts.
    js = open_page("phone", cookies=[{"name": "session", "value": finished_visitor.cookie()}])
    js.goto("/quiz/result")
    js.page.evaluate(
        """() => {  // the same post, without what-if.js intercepting it
        const form = document.querySelector('form.what-if-try');
        HTMLFormElement.prototype.submit.call(form);
    }"""
    )
    js.page.wait_for_url("**/quiz/what-if")
    result = Axe().run(js.page)
    assert result.violations_count == 0, _axe_report(result.response["violations"])
    js.assert_clean()
