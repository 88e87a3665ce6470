"""The database goes away mid-quiz and comes back: visitors are told the truth, nothing needs a restart.

Stopping the machine's shared PostgreSQL would disturb everyone else, so this test starts
a private PostgreSQL (initdb + pg_ctl, as the postgres user) on a port of its own, in a
temporary folder, serves the app from it with gunicorn, and stops and starts it at will.
"""

from __future__ import annotations

import random
import time

import pytest
from sqlalchemy import create_engine, text

from app.quiz.forms import questionnaire
from app.scoring import load_bank
from app.store.schema import upgrade
from bench.loadgen import CSRF_RE, Server, forge_cookie, request, running, session_cookie
from tests.loadgen import Visitor

pytestmark = pytest.mark.load


def completions(url: str) -> int:
    engine = create_engine(url)
    try:
        with engine.connect() as c:
            found = c.execute(
                text("SELECT count FROM counter WHERE scope='global' AND metric='completions' AND value=''")
            ).scalar()
            return found or 0
    finally:
        engine.dispose()


def at_closing_question(server: Server, bank, room_id: str | None = None) -> tuple[str, str]:
    """A visitor with the questionnaire open, every answer ticked in the page: (cookie, token)."""
    state: dict[str, object] = {"room": room_id} if room_id else {}
    page = request(server.base, "GET", "/quiz/", cookie=forge_cookie(state))
    assert page.status == 200
    return session_cookie(page, forge_cookie(state)), CSRF_RE.search(page.body).group(1)


def send_closing_answer(server: Server, cookie: str, token: str) -> str:
    """Send the questionnaire with the closing answer (the one request that counts), then read the result."""
    form = {"csrf_token": token}
    for item in questionnaire(load_bank()):
        form[item.name] = item.choices[0].value
    sent = request(server.base, "POST", "/quiz/", cookie=cookie, form=form)
    assert sent.status == 303 and sent.headers["location"].endswith("/quiz/result")
    result = request(server.base, "GET", "/quiz/result", cookie=session_cookie(sent, cookie))
    assert result.status == 200
    assert "Traceback" not in result.body
    return result.body


def test_database_outage_mid_quiz_is_honest_and_recovers_without_restart(private_pg, bank, tmp_path):
    upgrade(private_pg.url)
    server = Server(private_pg.url, workers=2)
    with running(server, tmp_path):
        assert request(server.base, "GET", "/readyz").status == 200
        first = Visitor(server.base, bank, random.Random(1)).finish(None)
        assert first.acknowledged
        # Two visitors reach the closing question, one of them in a workshop room; then the database goes.
        alone = at_closing_question(server, bank)
        in_room = at_closing_question(server, bank, room_id="doesnotmatter")
        private_pg.stop()

        for cookie, token in (alone, in_room):
            body = send_closing_answer(server, cookie, token)
            assert "could not be reached" in body and "not counted" in body
            assert 'data-score="' in body  # the visitor still gets their result
        ready = request(server.base, "GET", "/readyz")
        assert ready.status == 503 and "unavailable" in ready.body
        assert request(server.base, "GET", "/healthz").status == 200  # alive: no restart wanted
        assert request(server.base, "GET", "/").status == 200
        stats = request(server.base, "GET", "/stats")
        assert stats.status == 503 and "cannot be reached" in stats.body and 'class="site-header"' in stats.body

        private_pg.start()
        deadline = time.monotonic() + 15
        while request(server.base, "GET", "/readyz").status != 200:
            assert time.monotonic() < deadline, "not ready again 15 s after the database came back"
            time.sleep(0.2)
        again = Visitor(server.base, bank, random.Random(2)).finish(None)
        assert again.acknowledged and not again.error
        assert request(server.base, "GET", "/stats").status == 200
        assert "Traceback" not in server.log()
    assert completions(private_pg.url) == 2  # the two acknowledged ones; the two told "not counted" are not
