"""The question bank and the myth round as the web layer sees them: loaded once at start-up."""

from __future__ import annotations

from flask import Flask, current_app

from ..scoring import Bank, MythRound, load_bank, load_myths
from ..scoring.bank import DEFAULT_BANK


def init_app(app: Flask) -> None:
    # A broken file raises BankError here, so the app never starts half-configured.
    app.extensions["bank"] = load_bank(app.config.get("BANK_PATH") or DEFAULT_BANK)
    app.extensions["myths"] = load_myths()


def get_bank() -> Bank:
    return current_app.extensions["bank"]


def get_myths() -> MythRound:
    return current_app.extensions["myths"]
