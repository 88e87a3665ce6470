"""A request that holds its PostgreSQL connection past DATABASE_TIMEOUT_SECONDS has it cut
(app/store/deadline.py). When the view had already answered (the machine was slow, not the
database), the answer stands: closing the request's session on the cut connection must not
turn it into a 500. Found by tests/test_backups.py on a busy machine: a result page that took
over 3 s came back 500 from the session's teardown.
"""

from __future__ import annotations

import os
import time

import pytest
from sqlalchemy import text

from app import create_app
from app.store.database import get_session
from app.store.schema import upgrade

pytestmark = pytest.mark.skipif(
    not os.environ.get("TEST_DATABASE_URL", "").startswith("postgresql"),
    reason="the per-request deadline is PostgreSQL's: runs in make test's PostgreSQL pass",
)

DEADLINE = 1  # DATABASE_TIMEOUT_SECONDS for this app


def test_a_connection_cut_after_the_view_answered_leaves_the_answer(database_url, tmp_path, capsys):
    upgrade(database_url)
    app = create_app({"DATABASE_URL": database_url, "INSTANCE_PATH": str(tmp_path), "DATABASE_TIMEOUT": DEADLINE})

    @app.get("/read-then-dawdle")
    def read_then_dawdle() -> str:
        get_session().execute(text("SELECT 1"))  # a connection checked out, a transaction open
        time.sleep(3 * DEADLINE)  # slow here, not in the database: the watchdog cuts the connection
        return "answered"

    client = app.test_client()
    try:
        answer = client.get("/read-then-dawdle")
        assert answer.status_code == 200 and answer.get_data(as_text=True) == "answered"
        assert "connection(s) cut after" in capsys.readouterr().out  # the deadline did cut it (app log)
        assert client.get("/stats").status_code == 200  # and the next request gets a fresh one
    finally:
        app.extensions["database"].engine.dispose()
