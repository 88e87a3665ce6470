"""The database schema through Alembic, called from Python: upgrade to head, and which revision a database is at."""

from __future__ import annotations

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from ..config import PROJECT_ROOT
from ..scoring import load_bank, load_myths
from ..scoring.bank import DEFAULT_BANK
from .counters import GLOBAL, create_scope
from .database import make_engine

# PostgreSQL advisory lock taken by migrations/env.py, so replicas booting together take turns.
MIGRATION_LOCK_KEY = 727_950_350


def alembic_config(url: str) -> Config:
    cfg = Config(str(PROJECT_ROOT / "alembic.ini"))
    cfg.set_main_option("script_location", str(PROJECT_ROOT / "migrations"))
    cfg.attributes["database_url"] = url
    cfg.attributes["configure_logging"] = False
    return cfg


def upgrade(url: str) -> None:
    command.upgrade(alembic_config(url), "head")


def create_site_counters(url: str, odds: int, bank_path: str | None = None) -> None:
    """Every counter of the site's scope at zero, at its level (EPSILON_ODDS) and for the bank
    in use (rows that exist stay)."""
    engine = make_engine(url)
    try:
        with Session(engine) as session, session.begin():
            create_scope(session, GLOBAL, odds, load_bank(bank_path or DEFAULT_BANK), load_myths())
    finally:
        engine.dispose()


def head_revision(url: str) -> str | None:
    return ScriptDirectory.from_config(alembic_config(url)).get_current_head()


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()
