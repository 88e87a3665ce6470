"""Probes for the platform: /healthz (the process answers) and /readyz (it can serve)."""

from __future__ import annotations

import logging

from flask import Blueprint, Flask, Response, current_app, jsonify
from sqlalchemy.exc import SQLAlchemyError

from ..store.database import get_database
from ..store.schema import current_revision, head_revision

bp = Blueprint("health", __name__)
log = logging.getLogger(__name__)


def _answer(code: int, **body: object) -> tuple[Response, int]:
    response = jsonify(body)
    response.headers["Cache-Control"] = "no-store"
    return response, code


@bp.get("/healthz")
def healthz() -> tuple[Response, int]:
    """Alive: answers without touching the database, so a slow database never restarts us."""
    return _answer(200, status="ok")


@bp.get("/readyz")
def readyz() -> tuple[Response, int]:
    """Ready: the database answers and its schema is the one this code expects."""
    head = current_app.extensions["schema_head"]
    try:
        current = current_revision(get_database().engine)
    except SQLAlchemyError as error:
        # The reason goes to the log by type only: driver messages can name hosts and users.
        log.warning("readiness: database unreachable (%s)", type(error).__name__)
        return _answer(503, status="unavailable", reason="database unreachable")
    if current != head:
        return _answer(
            503,
            status="unavailable",
            reason=f"database schema at {current or 'nothing'}, code expects {head}: run python -m app.migrate",
        )
    return _answer(200, status="ok", revision=head)


def init_app(app: Flask) -> None:
    # The newest migration is fixed for the life of the process: read it once.
    app.extensions["schema_head"] = head_revision(app.config["DATABASE_URL"])
    app.register_blueprint(bp)
