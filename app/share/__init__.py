"""The share blueprint: a page that shows only what a visitor chose to pass on."""

from flask import Blueprint

bp = Blueprint("share", __name__)

from . import routes  # noqa: E402,F401  (routes attach themselves to bp)
