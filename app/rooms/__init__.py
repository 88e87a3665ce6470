"""The rooms blueprint: workshop rooms, joining them, and the presenter's projector views."""

from flask import Blueprint

bp = Blueprint("rooms", __name__)

from . import cli, routes  # noqa: E402,F401  (routes and commands attach themselves to bp)
