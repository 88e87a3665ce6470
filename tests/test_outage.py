"""The database goes away mid-quiz and comes back: visitors are told the truth, nothing needs a restart.

Stopping the machine's shared PostgreSQL would disturb everyone else, so this test starts
a private PostgreSQL (initdb + pg_ctl, as the postgres user) on a port of its own, in a
temporary folder, serves the app from it with gunicorn, and stops and starts it at will.
"""

from __future__ import annotations

import random
import time

import pytest

from app.store.schema import upgrade
from bench.loadgen import Server, request, running
from tests.loadgen import Visitor, at_closing_question, completions, send_closing_answer

pytestmark = pytest.mark.load


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
