"""The question bank as the web layer sees it: loaded once at start-up."""

from __future__ import annotations

from flask import Flask, current_app

from .scoring import Bank, load_bank
from .scoring.bank import DEFAULT_BANK


def init_app(app: Flask) -> None:
    # A broken bank raises BankError here, so the app never starts half-configured.
    app.extensions["bank"] = load_bank(app.config.get("BANK_PATH") or DEFAULT_BANK)


def get_bank() -> Bank:
    return current_app.extensions["bank"]
