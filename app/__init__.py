"""What would your score be? The application factory reads as a table of contents."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask import Flask

from . import charts, content, myths, pages, quiz, rooms, share
from .config import PROJECT_ROOT, settings_from_env
from .content import bank_text
from .extensions import cache
from .store import backup, hygiene
from .store.database import Database
from .web import assets, errors, health, i18n, layers, request_log, session


def create_app(config: Mapping[str, Any] | None = None) -> Flask:
    """Build the app from the environment; `config` overrides settings (tests use it)."""
    settings = settings_from_env()
    settings.update(config or {})
    app = Flask(
        __name__,
        instance_path=settings["INSTANCE_PATH"],
        template_folder=str(PROJECT_ROOT / "templates"),
        static_folder=str(PROJECT_ROOT / "static"),
    )
    app.config.from_mapping(settings)

    request_log.configure(app)  # first, so start-up messages look like request lines
    register_extensions(app)
    register_template_helpers(app)
    register_blueprints(app)
    register_commands(app)
    errors.init_app(app)
    layers.init_app(app)  # everything around the views, outermost first
    return app


def register_extensions(app: Flask) -> None:
    Database(app.config["DATABASE_URL"], app.config["DATABASE_TIMEOUT"], app.config["DATABASE_WAITERS"]).init_app(app)
    content.init_app(app)  # the question bank and the myths, validated: a broken file stops here
    session.init_app(app)  # the encrypted cookie session
    cache.init_app(app)  # derived aggregate figures, for a few seconds (app/disclosure/published.py)
    i18n.init_app(app)  # Flask-Babel
    hygiene.init_app(app)  # the site's counters at zero; the WAL checkpoint timer


def register_template_helpers(app: Flask) -> None:
    i18n.init_templates(app)
    bank_text.init_templates(app)
    charts.init_templates(app)


def register_blueprints(app: Flask) -> None:
    app.register_blueprint(pages.bp)
    app.register_blueprint(quiz.bp)
    app.register_blueprint(myths.bp)
    app.register_blueprint(rooms.bp)
    app.register_blueprint(share.bp)
    health.init_app(app)
    assets.init_app(app)  # static files under their fingerprint, kept by browsers


def register_commands(app: Flask) -> None:
    """`flask --app wsgi ...` commands besides the blueprints' own (`rooms purge-expired`)."""
    app.cli.add_command(backup.backup_command)
