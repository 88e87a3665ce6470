"""The real app under gunicorn, driven by Debian's Chromium through Playwright.

One server (a temporary SQLite database, production settings) and one browser serve the
whole session; every test opens its own browser contexts, so no cookie leaks between
tests. In CI (CI=true) a missing browser, Java or Node tool fails the run; elsewhere the
tests skip with the command that installs it (scripts/install-test-tools.sh).

Artifacts a person can look at afterwards go under artifacts/ (or $ARTIFACTS_DIR):
screenshots/, html/ (the raw bytes the server sent, as validated), lighthouse/.
"""

from __future__ import annotations

import http.cookiejar
import os
import re
import secrets
import shutil
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from app.quiz.forms import PAD
from app.scoring import load_bank
from bench.ports import free_port
from tests.helpers import CSRF_RE, require

PROJECT_ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = Path(os.environ.get("ARTIFACTS_DIR") or PROJECT_ROOT / "artifacts")
SCREENSHOTS = ARTIFACTS / "screenshots"
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
PORTS = range(8400, 8500)  # this project's range for test servers

VIEWPORTS = {
    "phone": {"width": 390, "height": 844},
    "desktop": {"width": 1280, "height": 800},
    "projector": {"width": 1920, "height": 1080},
}


@dataclass
class LiveServer:
    url: str
    pid: int
    log: Path

    def get(self, path: str, **kwargs: Any):
        return fetch(self.url + path, **kwargs)


@pytest.fixture(scope="session")
def live_server(tmp_path_factory) -> Iterator[LiveServer]:
    """gunicorn as in production (gunicorn.conf.py) on a free port in 8400-8499, stopped by its PID.

    One worker with threads: the same code paths, without a second 3 s app start on 2 cores.
    """
    # Figures from five finished quizzes (the default is 10): a room of five phones shows them.
    # One server for the whole browser session: its tests open more rooms from one address
    # than the production limit of 10 an hour (that limit is tests/test_rate_limits.py's).
    yield from serve(tmp_path_factory.mktemp("server"), {"MIN_FINISHED": "5", "RATE_LIMIT_ROOMS": "200 per hour"})


def serve(home: Path, settings: dict[str, str]) -> Iterator[LiveServer]:
    """A production gunicorn on a fresh SQLite database in `home`, with `settings` added to its
    environment; yields it, then stops it by its PID."""
    env = {
        **os.environ,
        "APP_ENV": "production",
        "TRUSTED_HOSTS": "localhost",
        "SECRET_KEY": secrets.token_hex(32),
        "DATABASE_URL": f"sqlite:///{home / 'browser.sqlite3'}",
        "INSTANCE_PATH": str(home),
        **settings,
    }
    env.pop("TEST_DATABASE_URL", None)
    subprocess.run([sys.executable, "-m", "app.migrate"], cwd=PROJECT_ROOT, env=env, check=True)
    port = free_port(PORTS)
    log = home / "gunicorn.log"
    gunicorn = Path(sys.executable).with_name("gunicorn")
    with log.open("wb") as out:
        process = subprocess.Popen(
            [str(gunicorn), "-c", "gunicorn.conf.py", "wsgi:app"],  # the production server settings
            cwd=PROJECT_ROOT,
            env={**env, "HOST": "127.0.0.1", "PORT": str(port), "WEB_CONCURRENCY": "1", "GUNICORN_THREADS": "8"},
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    server = LiveServer(f"http://127.0.0.1:{port}", process.pid, log)
    try:
        deadline = time.monotonic() + 30
        while True:
            if process.poll() is not None:
                pytest.fail(f"gunicorn stopped at start:\n{log.read_text()}", pytrace=False)
            try:
                if fetch(server.url + "/privacy").status == 200:
                    break
            except OSError:
                pass
            if time.monotonic() > deadline:
                pytest.fail(f"gunicorn did not answer within 30 s:\n{log.read_text()}", pytrace=False)
            time.sleep(0.2)
        yield server
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@dataclass
class Fetched:
    status: int
    headers: Any
    body: bytes

    @property
    def text(self) -> str:
        return self.body.decode("utf-8")


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


def fetch(
    url: str, data: dict[str, str] | None = None, jar: http.cookiejar.CookieJar | None = None, follow: bool = True
) -> Fetched:
    """The bytes the server sent (no gzip asked for), like a browser without a renderer."""
    handlers: list[Any] = [urllib.request.HTTPCookieProcessor(jar if jar is not None else http.cookiejar.CookieJar())]
    if not follow:
        handlers.append(_NoRedirect())
    opener = urllib.request.build_opener(*handlers)
    body = urllib.parse.urlencode(data).encode() if data is not None else None
    try:
        with opener.open(urllib.request.Request(url, data=body), timeout=15) as response:
            return Fetched(response.status, response.headers, response.read())
    except urllib.error.HTTPError as error:
        return Fetched(error.code, error.headers, error.read())


class HttpVisitor:
    """A visitor without a browser: answers the quiz over plain HTTP with a cookie jar."""

    def __init__(self, server: LiveServer) -> None:
        self.server = server
        self.jar = http.cookiejar.CookieJar()

    def get(self, path: str) -> Fetched:
        return fetch(self.server.url + path, jar=self.jar)

    def complete_quiz(self, choose: Callable[[int, list[str]], str] = lambda step, options: options[0]) -> Fetched:
        """Answer every question and the unscored closing one in the questionnaire, send it once,
        then open the result. `choose(step, option ids)` picks each answer's id."""
        page = self.get("/quiz/")
        assert page.status == 200, page.status
        offered: dict[str, list[str]] = {}
        for name, value in RADIO.findall(page.text):
            offered.setdefault(name, []).append(value)
        token = CSRF_RE.search(page.text)
        assert token and offered
        form = {"csrf_token": token.group(1)}
        for step, (name, values) in enumerate(offered.items(), 1):
            by_id = {value.rstrip(PAD): value for value in values}  # the page pads each question's ids to one width
            form[name] = by_id[choose(step, list(by_id))]
        sent = fetch(self.server.url + "/quiz/", data=form, jar=self.jar, follow=False)
        assert sent.status == 303, (sent.status, re.findall(r'<p class="error"[^>]*>(.*?)</p>', sent.text))
        assert urllib.parse.urlsplit(sent.headers["Location"]).path == "/quiz/result"
        return self.get("/quiz/result")

    def post_form(self, path: str, fields: dict[str, str] | None = None) -> Fetched:
        """GET a page, then POST its form back with the page's CSRF token (no redirect followed)."""
        page = self.get(path)
        token = CSRF_RE.search(page.text)
        assert page.status == 200 and token, (path, page.status)
        return fetch(
            self.server.url + path, data={"csrf_token": token.group(1), **(fields or {})}, jar=self.jar, follow=False
        )

    def join_room(self, code: str) -> None:
        joined = self.post_form(f"/r/{code}")
        assert joined.status == 303 and joined.headers["Location"].endswith("/quiz/"), joined.status

    def cookie(self, name: str = "session") -> str:
        return next(c.value for c in self.jar if c.name == name)


@pytest.fixture(scope="session")
def finished_visitor(live_server: LiveServer) -> HttpVisitor:
    """Someone who finished the quiz, with mixed answers, and the myth round; their cookie
    opens both result pages."""
    visitor = HttpVisitor(live_server)
    result = visitor.complete_quiz(lambda step, options: options[step % len(options)])
    assert result.status == 200
    statements = re.findall(r'name="([\w-]+)" value="real"', visitor.get("/myths/").text)
    guesses = {sid: ("real", "myth")[n % 2] for n, sid in enumerate(statements)}
    played = visitor.post_form("/myths/", guesses)
    assert statements and played.status == 303 and played.headers["Location"].endswith("/myths/result")
    return visitor


@pytest.fixture(scope="session")
def published_statistics(live_server: LiveServer, finished_visitor: HttpVisitor) -> None:
    """Ten finished quizzes (figures from 5): the statistics show their estimates."""
    for i in range(9):
        choose = (lambda step, options: options[0]) if i < 5 else (lambda step, options, i=i: options[-1 - i % 2])
        HttpVisitor(live_server).complete_quiz(choose)


@dataclass(frozen=True)
class Workshop:
    code: str
    presenter_path: str  # /rooms/<code>/present/<secret>
    created_page: bytes  # the page that shows the presenter link, once


PRESENTER_LINK = re.compile(r'href="([^"]+)" data-presenter-link')
ROOM_CODE = re.compile(r'data-room-code="([^"]+)"')


def open_room(server: LiveServer, title: str, odds: int | None = None) -> Workshop:
    created = HttpVisitor(server).post_form("/rooms/new", {"title": title, **({"odds": str(odds)} if odds else {})})
    assert created.status == 200, created.status
    link, code = PRESENTER_LINK.search(created.text), ROOM_CODE.search(created.text)
    assert link and code
    return Workshop(code.group(1), urllib.parse.urlsplit(link.group(1)).path, created.body)


@pytest.fixture(scope="session")
def workshop_room(live_server: LiveServer) -> Workshop:
    """A room where 5 people finished, so its presenter views show figures."""
    room = open_room(live_server, "Evening class")
    for i in range(5):
        visitor = HttpVisitor(live_server)
        visitor.join_room(room.code)
        visitor.complete_quiz(lambda step, options, i=i: options[(step * i) % len(options)])
    return room


@pytest.fixture(scope="session")
def playwright() -> Iterator[Any]:
    """One Playwright driver for the whole session: its sync API runs once per process, so
    every browser a test needs is launched from this one."""
    require(Path(CHROMIUM).exists(), f"Chromium ({CHROMIUM})")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        require(False, "Playwright for Python")
    with sync_playwright() as driver:
        yield driver


@pytest.fixture(scope="session")
def browser(playwright: Any) -> Iterator[Any]:
    """One Debian Chromium for the whole session."""
    chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
    yield chromium
    chromium.close()


# Chromium reports CSP violations to the page as events; make them console errors we can see.
CSP_REPORTER = """
document.addEventListener('securitypolicyviolation', (e) => {
  console.error('CSP violation: ' + e.violatedDirective + ' blocked ' + e.blockedURI);
});
"""


@dataclass
class Watched:
    """A browser context with everything a page asked for and complained about."""

    context: Any
    page: Any
    base_url: str
    requests: list[Any] = field(default_factory=list)
    console_errors: list[str] = field(default_factory=list)
    expected_failures: set[str] = field(default_factory=set)

    @classmethod
    def open(cls, context: Any, base_url: str, *, js: bool) -> Watched:
        """A new page in this context, every request, console error and CSP violation recorded."""
        if js:
            context.add_init_script(CSP_REPORTER)
        page = context.new_page()
        watched = cls(context, page, base_url)
        context.on("request", lambda request: watched.requests.append(request))
        page.on("console", lambda m: m.type == "error" and watched.console_errors.append(f"{m.text} ({page.url})"))
        page.on("pageerror", lambda e: watched.console_errors.append(f"uncaught {e} ({page.url})"))
        return watched

    def goto(self, path: str, expect_status: int = 200) -> Any:
        """Open a page; an expected 4xx is not counted as the page's console error."""
        if expect_status >= 400:
            # Chromium logs every 4xx document as "Failed to load resource": that is the test's doing.
            self.expected_failures.add(self.base_url + path)
        response = self.page.goto(self.base_url + path)
        assert response is not None and response.status == expect_status, (path, response and response.status)
        return response

    def open_a_room(self, title: str) -> str:
        """The facilitator's way in, from the landing page; the new room's code."""
        self.goto("/")
        self.page.get_by_role("link", name="Run a workshop").click()
        self.page.get_by_label("Room title").fill(title)
        self.page.get_by_role("button", name="Open a room").click()
        assert self.page.get_by_role("heading", name=re.compile("Your room is open")).is_visible()
        return self.page.locator("[data-room-code]").first.get_attribute("data-room-code")

    def _unexpected_console_errors(self) -> list[str]:
        return [
            e
            for e in self.console_errors
            if not (e.startswith("Failed to load resource") and e.rsplit(" (", 1)[-1][:-1] in self.expected_failures)
        ]

    def foreign_requests(self) -> list[str]:
        return [r.url for r in self.requests if not r.url.startswith(self.base_url + "/")]

    def assert_clean(self) -> None:
        assert self.foreign_requests() == [], "requests to another origin"
        assert self._unexpected_console_errors() == [], "console errors or CSP violations"

    def screenshot(self, name: str) -> Path:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        path = SCREENSHOTS / f"{name}.png"
        self.page.screenshot(path=str(path), full_page=True)
        return path


@pytest.fixture
def open_page(browser, live_server: LiveServer) -> Iterator[Callable[..., Watched]]:
    """Open a fresh context: open_page("phone", js=True, color_scheme="dark", reduced_motion="reduce")."""
    contexts: list[Any] = []

    def _open(
        viewport: str = "phone",
        *,
        js: bool = True,
        color_scheme: str = "light",
        reduced_motion: str = "no-preference",
        cookies: list[dict[str, str]] | None = None,
    ) -> Watched:
        context = browser.new_context(
            viewport=VIEWPORTS[viewport],
            java_script_enabled=js,
            color_scheme=color_scheme,
            reduced_motion=reduced_motion,
        )
        contexts.append(context)
        if cookies:
            context.add_cookies([{**c, "url": live_server.url} for c in cookies])
        return Watched.open(context, live_server.url, js=js)

    yield _open
    for context in contexts:
        context.close()


def take_quiz(page: Any, choose: Callable[[int, int], int] = lambda step, count: 0) -> int:
    """Answer the questionnaire in the page as a visitor does, send it, and return the taps it took.
    With JavaScript one question shows at a time and a tap on an answer moves on; the last
    answer is then sent by its button. Without, every question is ticked, then the button at the
    end. `choose(step, how many answers)` picks the index of each answer."""
    from playwright.sync_api import expect

    page.wait_for_load_state("load")  # module scripts have run by then
    steps = page.locator("form[data-one-at-a-time] [data-step]")
    taps = 0
    for n in range(steps.count()):
        step = steps.nth(n)
        expect(step).to_be_visible()  # with JavaScript: shown once the tap before moved on
        radios = step.get_by_role("radio")
        radios.nth(choose(n + 1, radios.count())).check()
        taps += 1
    with page.expect_navigation():
        page.locator("[data-step-send]").click()
    return taps + 1


def landed_score(page: Any) -> int:
    """The result's score once the needle has landed and the number shows (static/js/reveal.js)."""
    from playwright.sync_api import expect

    number = page.locator(".score-number")
    expect(number).to_be_visible()
    return int(number.inner_text())


@dataclass(frozen=True)
class PageType:
    """One kind of page, and how a visitor gets to it."""

    name: str
    path: str
    status: int = 200
    needs_finished_quiz: bool = False


PAGE_TYPES = [
    PageType("landing", "/"),
    PageType("questionnaire", "/quiz/"),
    PageType("result", "/quiz/result", needs_finished_quiz=True),
    PageType("myth-round", "/myths/"),
    PageType("myth-result", "/myths/result", needs_finished_quiz=True),
    PageType("privacy", "/privacy"),
    PageType("statistics", "/stats"),
    PageType("forgotten", "/forgotten"),
    PageType("error-404", "/no-such-page", status=404),
    PageType("error-400", "/quiz/result", status=400),
    PageType("room-new", "/rooms/new"),
    PageType("room-join-code", "/rooms/join"),
    PageType("room-join", "/r/{code}"),
    PageType("room-unknown", "/r/ZZZZZZ", status=404),
    PageType("projector", "{presenter}"),
    PageType("slide-scores", "{presenter}/slide/1"),
    PageType("walkthrough", "{presenter}/slide/2"),
    PageType("walkthrough-closing", "{presenter}/slide/{after_questions}"),
    PageType("walkthrough-coin", "{presenter}/slide/{coin}"),
    PageType("walkthrough-myths", "{presenter}/slide/{myths}"),
    PageType("walkthrough-summary", "{presenter}/slide/{summary}"),
    PageType("room-controls", "{presenter}/controls"),
    PageType("debrief", "{presenter}/debrief"),
    PageType("shared-score", "/shared/612"),
    PageType("shared-band", "/shared/good"),
    PageType("shared-bad", "/shared/1000", status=404),
    PageType("handout", "{presenter}/handout"),
]
RADIO = re.compile(r'<input type="radio" name="([^"]+)" value="([^"]+)"')
PROJECTOR_PAGE_TYPES = [p for p in PAGE_TYPES if p.name in ("projector", "slide-scores", "walkthrough")]
QUESTIONS = len(load_bank().questions)


def page_path(page_type: PageType, room: Workshop) -> str:
    return page_type.path.format(
        code=room.code,
        presenter=room.presenter_path,
        after_questions=QUESTIONS + 2,
        coin=QUESTIONS + 3,
        myths=QUESTIONS + 4,
        summary=QUESTIONS + 6,
    )


@pytest.fixture
def visit(
    open_page, finished_visitor: HttpVisitor, published_statistics: None, workshop_room: Workshop
) -> Callable[..., tuple[Watched, Any]]:
    """Open a page type in a fresh context (with the finished quiz's cookie when it needs one)."""

    def _visit(page_type: PageType, viewport: str = "phone", **options: Any) -> tuple[Watched, Any]:
        cookies = [{"name": "session", "value": finished_visitor.cookie()}] if page_type.needs_finished_quiz else None
        watched = open_page(viewport, cookies=cookies, **options)
        return watched, watched.goto(page_path(page_type, workshop_room), page_type.status)

    return _visit


def pytest_terminal_summary(terminalreporter, exitstatus, config) -> None:
    if SCREENSHOTS.exists() and any(SCREENSHOTS.iterdir()):
        terminalreporter.write_line(f"browser screenshots: {SCREENSHOTS}")


def which(tool: str) -> str | None:
    return shutil.which(tool)


# What the projector's text is measured against: size in CSS px, contrast with what is behind it.
MIN_PROJECTOR_PX = 28
MIN_PROJECTOR_CONTRAST = 7.0

# For every visible piece of text: its rendered size in CSS px and its contrast with what is behind it.
TEXT_METRICS = """() => {
  const rgba = (s) => {
    const m = s && s.match(/rgba?\\(([^)]+)\\)/);
    if (!m) return null;
    const p = m[1].split(/[\\s,\\/]+/).filter(Boolean).map(Number);
    return { rgb: p.slice(0, 3), a: p.length > 3 ? p[3] : 1 };
  };
  const lum = (rgb) => {
    const [r, g, b] = rgb.map((v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; });
    return 0.2126 * r + 0.7152 * g + 0.0722 * b;
  };
  const behind = (el) => {
    for (let e = el; e; e = e.parentElement) {
      const c = rgba(getComputedStyle(e).backgroundColor);
      if (c && c.a > 0) return c.rgb;
    }
    return [255, 255, 255];
  };
  const out = [];
  const seen = new Set();
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  while (walker.nextNode()) {
    const node = walker.currentNode;
    const el = node.parentElement;
    if (!node.textContent.trim() || seen.has(el)) continue;
    seen.add(el);
    const box = el.getBoundingClientRect();
    const s = getComputedStyle(el);
    const hidden = s.visibility === 'hidden' || el.closest('.visually-hidden, .skip, title');
    if (!box.width || !box.height || hidden) continue;
    let size = parseFloat(s.fontSize);
    let colour = s.color;
    if (el instanceof SVGElement) {
      const svg = el.ownerSVGElement;
      size *= svg.getBoundingClientRect().width / svg.viewBox.baseVal.width;  // user units to px
      colour = s.fill;
    }
    const fg = rgba(colour).rgb, bg = behind(el);
    const [hi, lo] = [lum(fg), lum(bg)].sort((a, b) => b - a);
    out.push({ text: node.textContent.trim().slice(0, 50), cls: el.getAttribute('class') || el.tagName,
               px: Math.round(size * 10) / 10, contrast: Math.round((hi + 0.05) / (lo + 0.05) * 100) / 100 });
  }
  return out;
}"""
