"""The quiz blueprint: one question per page, then the explained result."""

from flask import Blueprint

bp = Blueprint("quiz", __name__, url_prefix="/quiz")

from . import routes  # noqa: E402,F401  (routes attach themselves to bp)
