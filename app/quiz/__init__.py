"""The quiz blueprint: one question per page, then the explained result and its what-ifs."""

from flask import Blueprint

bp = Blueprint("quiz", __name__, url_prefix="/quiz")

from . import routes, what_if  # noqa: E402,F401  (routes attach themselves to bp)
