"""The pages blueprint: landing, privacy, public statistics, forget me, favicon."""

from flask import Blueprint

bp = Blueprint("pages", __name__)

from . import routes  # noqa: E402,F401  (routes attach themselves to bp)
