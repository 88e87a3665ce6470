"""Production start: a configuration that cannot work stops with one line, not a traceback.

Used by gunicorn.conf.py (before any worker), wsgi.py and the migration command
(app/migrate.py), so an operator sees the reason at once.
"""

from __future__ import annotations

import sys
from typing import Any

from flask import Flask

from . import create_app
from .config import ConfigError, server_settings, settings_from_env
from .scoring import BankError, load_bank

PREFIX = "score: "


def fail(message: str, code: int = 2) -> SystemExit:
    """Print the reason on one line to stderr; the caller raises what this returns."""
    print(PREFIX + " ".join(message.split()), file=sys.stderr, flush=True)
    return SystemExit(code)


def check_settings() -> dict[str, Any]:
    """The settings, or exit with the one-line reason they cannot be used."""
    try:
        settings = settings_from_env()
        # gunicorn reads WEB_CONCURRENCY before our config file does: check it here first.
        server_settings()
        if settings["BANK_PATH"]:
            load_bank(settings["BANK_PATH"])
    except (ConfigError, BankError) as error:
        raise fail(f"cannot start: {error}") from None
    return settings


def create_app_or_exit() -> Flask:
    """The app for wsgi.py, or the one-line reason it cannot be built."""
    try:
        return create_app()
    except (ConfigError, BankError) as error:
        raise fail(f"cannot start: {error}") from None
