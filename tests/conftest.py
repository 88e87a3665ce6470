"""Fixtures in the style of Flask's tutorial: an app on a fresh database per test.

The database is a temporary SQLite file, or, when TEST_DATABASE_URL is set, that
database (e.g. PostgreSQL), emptied and migrated from nothing for every test.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import MetaData, create_engine, func, select

os.environ.setdefault("APP_ENV", "testing")

from app import create_app
from app.scoring import Bank
from app.store.models import Counter
from app.store.schema import upgrade
from tests.helpers import TEST_MIN_FINISHED, QuizDriver
from tests.private_postgres import PrivatePostgres


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


@pytest.fixture(scope="session")
def migrated_sqlite(tmp_path_factory) -> Path:
    """An SQLite file migrated to the newest schema once a session, with its WAL folded in."""
    path = tmp_path_factory.mktemp("migrated") / "template.sqlite3"
    upgrade(f"sqlite:///{path}")
    with contextlib.closing(sqlite3.connect(path)) as connection:
        connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    return path


@pytest.fixture
def migrated_url(database_url: str, migrated_sqlite: Path) -> str:
    """The test's database at the newest schema: on SQLite a copy of the file migrated once
    (Alembic costs more than most tests), on a server the migrations themselves."""
    if database_url.startswith("sqlite:///"):
        shutil.copyfile(migrated_sqlite, database_url.removeprefix("sqlite:///"))
    else:
        upgrade(database_url)
    return database_url


@pytest.fixture
def app(migrated_url: str, tmp_path) -> Iterator[Flask]:
    app = create_app({"DATABASE_URL": migrated_url, "INSTANCE_PATH": str(tmp_path), "MIN_FINISHED": TEST_MIN_FINISHED})
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
def private_pg() -> Iterator[PrivatePostgres]:
    pg = PrivatePostgres()
    pg.start()
    try:
        yield pg
    finally:
        pg.remove()
