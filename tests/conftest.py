"""Fixtures in the style of Flask's tutorial: an app on a fresh database per test.

The database is a temporary SQLite file, or, when TEST_DATABASE_URL is set, that
database (e.g. PostgreSQL), emptied and migrated from nothing for every test.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import MetaData, create_engine, func, select

os.environ.setdefault("APP_ENV", "testing")

from app import create_app
from app.models import Counter
from app.schema import upgrade
from app.scoring import Bank

CSRF_RE = re.compile(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"')


def _empty_database(url: str) -> None:
    engine = create_engine(url)
    meta = MetaData()
    meta.reflect(engine)
    meta.drop_all(engine)
    engine.dispose()


@pytest.fixture
def database_url(tmp_path) -> str:
    url = os.environ.get("TEST_DATABASE_URL")
    if url:
        _empty_database(url)
        return url
    return f"sqlite:///{tmp_path / 'test.sqlite3'}"


# Rooms show figures from this many finished quizzes in the tests (the default is 10), so
# that a test of what a room shows needs fewer simulated participants.
TEST_MIN_FINISHED = 4


@pytest.fixture
def app(database_url: str, tmp_path) -> Iterator[Flask]:
    upgrade(database_url)
    app = create_app({"DATABASE_URL": database_url, "INSTANCE_PATH": str(tmp_path), "MIN_FINISHED": TEST_MIN_FINISHED})
    yield app
    app.extensions["database"].engine.dispose()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def runner(app: Flask):
    return app.test_cli_runner()


@pytest.fixture
def bank(app: Flask) -> Bank:
    return app.extensions["bank"]


def csrf_token(html: str) -> str:
    match = CSRF_RE.search(html)
    assert match, "page has no CSRF token"
    return match.group(1)


class QuizDriver:
    """Answers the quiz through the test client, the way a browser would."""

    def __init__(self, client: FlaskClient, bank: Bank) -> None:
        self.client, self.bank = client, bank

    def answer(self, step: int, option_id: str):
        page = self.client.get(f"/quiz/{step}")
        assert page.status_code == 200, page.status_code
        return self.client.post(
            f"/quiz/{step}", data={"csrf_token": csrf_token(page.get_data(as_text=True)), "answer": option_id}
        )

    def answer_scored(self, answers: dict[str, str] | None = None) -> None:
        """Answer every scored question (the first option unless told); the closing question comes next."""
        answers = answers or {}
        for step, q in enumerate(self.bank.questions, 1):
            response = self.answer(step, answers.get(q.id, q.options[0].id))
            assert response.status_code == 303, (step, response.status_code)

    def close(self, chilling: str = "no"):
        """Answer the unscored closing question, which finishes (and counts) the quiz."""
        page = self.client.get("/quiz/closing")
        assert page.status_code == 200, page.status_code
        return self.client.post(
            "/quiz/closing", data={"csrf_token": csrf_token(page.get_data(as_text=True)), "answer": chilling}
        )

    def complete(self, answers: dict[str, str] | None = None, chilling: str = "no"):
        """Answer every question and the closing one, and return the last response."""
        self.answer_scored(answers)
        response = self.close(chilling)
        assert response.status_code == 303, response.status_code
        return response


@pytest.fixture
def quiz(client: FlaskClient, bank: Bank) -> QuizDriver:
    return QuizDriver(client, bank)


class Store:
    """Reads the stored counters directly, to check what was and was not written."""

    def __init__(self, app: Flask) -> None:
        self.app = app

    def _session(self):
        return self.app.extensions["database"].sessions()

    def rows(self) -> list[tuple[str, str, str, int]]:
        with self._session() as s:
            live = s.execute(select(Counter.scope, Counter.metric, Counter.value, Counter.count)).all()
        return sorted(tuple(r) for r in live)

    def counted(self) -> list[tuple[str, str, str, int]]:
        """The rows whose count is above zero (every row of a scope exists from the start)."""
        return [r for r in self.rows() if r[3]]

    def row_count(self) -> int:
        with self._session() as s:
            return s.scalar(select(func.count()).select_from(Counter))

    def total(self) -> int:
        """Everything ever counted: the sum of all counts."""
        with self._session() as s:
            return s.scalar(select(func.coalesce(func.sum(Counter.count), 0)))

    def count(self, metric: str, value: str = "", scope: str = "global") -> int:
        with self._session() as s:
            return (
                s.scalar(
                    select(Counter.count).where(
                        Counter.scope == scope, Counter.metric == metric, Counter.value == value
                    )
                )
                or 0
            )


@pytest.fixture
def store(app: Flask) -> Store:
    return Store(app)


@pytest.fixture
def conftest_csrf():
    """The CSRF token found in a page's HTML."""
    return csrf_token
