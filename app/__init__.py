"""What would your score be? The application factory reads as a table of contents."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask import Flask

from . import (
    bank_text,
    body_limit,
    charts,
    compression,
    content,
    cross_site,
    errors,
    health,
    i18n,
    rate_limits,
    request_log,
    security,
    session,
    storage,
)
from .config import PROJECT_ROOT, settings_from_env
from .database import Database
from .extensions import csrf


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

    request_log.configure(app)
    trust_proxies(app)
    register_extensions(app)
    register_blueprints(app)
    errors.init_app(app)
    security.init_app(app)
    compression.init_app(app)
    request_log.init_app(app)
    return app


def register_extensions(app: Flask) -> None:
    Database(app.config["DATABASE_URL"], app.config["DATABASE_TIMEOUT"]).init_app(app)
    content.init_app(app)
    session.init_app(app)
    body_limit.init_app(app)  # before anything reads a form
    cross_site.init_app(app)  # before the CSRF check, which says less
    csrf.init_app(app)
    rate_limits.init_app(app)
    i18n.init_app(app)
    bank_text.init_app(app)
    charts.init_app(app)
    storage.init_app(app)  # the site's counters at zero; the WAL checkpoint timer


def register_blueprints(app: Flask) -> None:
    from .myths import bp as myths
    from .pages import bp as pages
    from .quiz import bp as quiz
    from .rooms import bp as rooms
    from .share import bp as share

    app.register_blueprint(pages)
    app.register_blueprint(quiz)
    app.register_blueprint(myths)
    app.register_blueprint(rooms)
    app.register_blueprint(share)
    health.init_app(app)


def trust_proxies(app: Flask) -> None:
    """Believe X-Forwarded-Proto/Host only from as many proxies as the operator says stand in front."""
    count = app.config["PROXY_COUNT"]
    if count:
        from werkzeug.middleware.proxy_fix import ProxyFix

        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=count, x_proto=count, x_host=count)  # type: ignore[method-assign]
