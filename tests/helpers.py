"""What several test modules share: reading a form's CSRF token, answering the quiz and the
myth round through the test client, opening a room, grading headers like an observatory,
requiring a test tool (it fails in CI and skips elsewhere), a page the app compressed itself.
Fixtures stay in conftest.py."""

from __future__ import annotations

import gzip
import os
import re

import pytest
from flask import Flask, Response
from flask.testing import FlaskClient

from app.quiz.forms import questionnaire
from app.scoring import Bank, load_myths
from bench.loadgen import CSRF_RE  # one pattern for the tests and the load generator

# Rooms show figures from this many finished quizzes in the tests (the default is 10), so
# that a test of what a room shows needs fewer simulated participants.
TEST_MIN_FINISHED = 4


IN_CI = os.environ.get("CI", "").strip().lower() in ("1", "true", "yes")


def require(present: bool, what: str) -> None:
    """A missing tool fails in CI and skips elsewhere, saying how to install it."""
    if present:
        return
    message = f"{what} is missing; scripts/install-test-tools.sh installs it"
    if IN_CI:
        pytest.fail(message, pytrace=False)
    pytest.skip(message)


def csrf_token(html: str) -> str:
    match = CSRF_RE.search(html)
    assert match, "page has no CSRF token"
    return match.group(1)


def without_csrf_token(html: str) -> str:
    """The page with its form tokens taken out: a token is signed with the time, so two
    renderings of one page a second apart differ there and nowhere else."""
    return CSRF_RE.sub("csrf", html)


# --- the quiz, the myth round and rooms, through the test client ----------------------


def questionnaire_form(
    bank: Bank, token: str, answers: dict[str, str] | None = None, chilling: str | None = "no"
) -> dict[str, str]:
    """The questionnaire as a browser sends it: the CSRF token, then each question answered (the
    first option unless told; an option of ours padded as the page writes it, anything else as is),
    then the closing answer, in the page's order."""
    answers = {q.id: q.options[0].id for q in bank.questions} if answers is None else answers
    data = {"csrf_token": token}
    for item in questionnaire(bank):
        chosen = answers.get(item.name) if item.question else chilling
        if chosen is not None:
            data[item.name] = item.value_for(chosen) or chosen
    return data


class QuizDriver:
    """Takes the quiz through the test client as a browser does: one page holds every question;
    answers are ticked in it (nothing leaves the browser), then sent once, with the closing
    question, which counts them. Once sent, ticking another answer sends the form again."""

    def __init__(self, client: FlaskClient, bank: Bank) -> None:
        self.client, self.bank = client, bank
        self.ticked: dict[str, str] = {}
        self.shown = None  # the questionnaire page as last loaded
        self.chilling: str | None = None
        self.sent = False

    def open(self):
        """Load the questionnaire, as a browser does when the quiz starts."""
        self.shown = self.client.get("/quiz/")
        assert self.shown.status_code == 200, self.shown.status_code
        return self.shown

    def answer(self, step: int, option_id: str):
        """Tick the answer to question `step`: the page's response, or, once the quiz was sent,
        the response to sending it again with this answer changed."""
        self.ticked[self.bank.questions[step - 1].id] = option_id
        if self.sent:
            return self.close(self.chilling or "no")
        return self.shown or self.open()

    def answer_scored(self, answers: dict[str, str] | None = None) -> None:
        """Load the questionnaire and tick every scored question (the first option unless told);
        the closing question comes next."""
        answers = answers or {}
        self.open()
        self.sent = False
        for q in self.bank.questions:
            self.ticked[q.id] = answers.get(q.id, q.options[0].id)

    def form(self, chilling: str) -> dict[str, str]:
        """The body a browser sends: the page's CSRF token, then every field in the page's order."""
        if self.shown is None:
            self.open()
        return questionnaire_form(self.bank, csrf_token(self.shown.get_data(as_text=True)), self.ticked, chilling)

    def close(self, chilling: str = "no"):
        """Send the form with the closing answer: that counts the quiz."""
        response = self.client.post("/quiz/", data=self.form(chilling))
        if response.status_code == 303:
            self.sent, self.chilling = True, chilling
        return response

    def complete(self, answers: dict[str, str] | None = None, chilling: str = "no"):
        """Answer every question and the closing one, and return the last response."""
        self.answer_scored(answers)
        response = self.close(chilling)
        assert response.status_code == 303, response.status_code
        return response


def myth_guesses(right: bool = True) -> dict[str, str]:
    flip = {"real": "myth", "myth": "real"}
    return {s.id: s.verdict if right else flip[s.verdict] for s in load_myths().statements}


def play_myths(client, guesses: dict[str, str]):
    page = client.get("/myths/")
    assert page.status_code == 200
    return client.post("/myths/", data={"csrf_token": csrf_token(page.get_data(as_text=True)), **guesses})


def participant(app, bank, code: str, answers: dict[str, str] | None = None):
    """A new browser that joins the room by its URL and finishes the quiz."""
    browser = app.test_client()
    join_page = browser.get(f"/r/{code}")
    assert join_page.status_code == 200
    joined = browser.post(f"/r/{code}", data={"csrf_token": csrf_token(join_page.get_data(as_text=True))})
    assert joined.status_code == 303 and joined.headers["Location"] == "/quiz/"
    QuizDriver(browser, bank).complete(answers)
    return browser


def open_room(client, title: str = "Tuesday workshop", **extra) -> tuple[str, str, str]:
    """Open a room as a facilitator; returns (code, presenter path, created page)."""
    page = client.get("/rooms/new").get_data(as_text=True)
    response = client.post("/rooms/new", data={"csrf_token": csrf_token(page), "title": title, **extra})
    assert response.status_code == 200, response.status_code
    html = response.get_data(as_text=True)
    code = re.search(r'data-room-code="(\w+)"', html).group(1)
    link = re.search(r"data-presenter-link>([^<]+)<", html).group(1)
    return code, link.removeprefix("http://localhost"), html


# --- headers graded as a strict HTTP observatory (e.g. Mozilla's) would -----------------

SIX_MONTHS = 15_552_000


def _csp(headers) -> dict[str, list[str]]:
    policy: dict[str, list[str]] = {}
    for part in headers.get("Content-Security-Policy", "").split(";"):
        words = part.split()
        if words:
            policy[words[0]] = words[1:]
    return policy


def grade(headers, *, https: bool) -> list[str]:
    """The observatory's failures for one response; an empty list is a pass."""
    failures: list[str] = []
    csp = _csp(headers)
    if not csp:
        failures.append("no Content-Security-Policy")
    script = csp.get("script-src", csp.get("default-src", []))
    if any(s in script for s in ("'unsafe-inline'", "'unsafe-eval'", "*", "http:", "https:", "data:")):
        failures.append("script-src allows inline, eval or any origin")
    style = csp.get("style-src", csp.get("default-src", []))
    if "'unsafe-inline'" in style:
        failures.append("style-src allows inline")
    if csp.get("default-src") not in (["'none'"], ["'self'"]):
        failures.append("default-src is not 'none' or 'self'")
    for directive in ("object-src", "base-uri", "frame-ancestors"):
        if csp.get(directive) not in (["'none'"], ["'self'"]):
            failures.append(f"{directive} not restricted")
    if "form-action" not in csp:
        failures.append("form-action not restricted")
    if headers.get("X-Content-Type-Options") != "nosniff":
        failures.append("X-Content-Type-Options")
    if headers.get("X-Frame-Options") not in ("DENY", "SAMEORIGIN"):
        failures.append("X-Frame-Options")
    if headers.get("Referrer-Policy") not in ("no-referrer", "same-origin", "strict-origin"):
        failures.append("Referrer-Policy leaks the address")
    if headers.get("Access-Control-Allow-Origin"):
        failures.append("CORS open")
    for banner in ("X-Powered-By", "X-AspNet-Version"):
        if banner in headers:
            failures.append(f"{banner} banner")
    # A bare product name ("nginx", "gunicorn") is tolerated; a version helps an attacker pick an exploit.
    if re.search(r"\d", headers.get("Server", "")):
        failures.append("Server banner names a version")
    hsts = headers.get("Strict-Transport-Security")
    if https:
        match = re.search(r"max-age=(\d+)", hsts or "")
        if not match or int(match.group(1)) < SIX_MONTHS:
            failures.append("HSTS missing or shorter than six months")
    elif hsts:
        failures.append("HSTS sent over plain http (browsers ignore it; it shows a misconfiguration)")
    for cookie in headers.getlist("Set-Cookie"):
        flags = {part.strip().split("=")[0].lower() for part in cookie.split(";")[1:]}
        if "httponly" not in flags or "samesite" not in flags or (https and "secure" not in flags):
            failures.append(f"cookie flags: {cookie.split('=')[0]} has {sorted(flags)}")
        deleting = "01 jan 1970" in cookie.lower() or "max-age=0" in cookie.lower()
        if ("expires" in flags or "max-age" in flags) and not deleting:
            failures.append("a persistent cookie (the session must end with the browser)")
    return failures


# --- a response the app compressed itself ----------------------------------------------

# As answer-shaped pages are sent: compressed (and padded) by the app, Content-Encoding set.
ALREADY_ENCODED = gzip.compress(b"<!doctype html><p>" + b"padded answer-shaped page " * 200, mtime=0)


def with_a_precompressed_page(app: Flask) -> Flask:
    """The app as it is, plus /precompressed: ALREADY_ENCODED with its Content-Encoding."""

    @app.get("/precompressed")
    def precompressed() -> Response:
        return Response(ALREADY_ENCODED, mimetype="text/html", headers={"Content-Encoding": "gzip"})

    return app
