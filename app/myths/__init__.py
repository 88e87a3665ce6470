"""Myth or real? The optional round: statements about China's scores, verdicts with sources."""

from flask import Blueprint

bp = Blueprint("myths", __name__, url_prefix="/myths")

from . import routes  # noqa: E402,F401  (routes attach themselves to bp)
