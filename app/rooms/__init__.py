"""The rooms blueprint: workshop rooms, joining them, and the presenter's projector views."""

from flask import Blueprint

from . import codes

bp = Blueprint("rooms", __name__)
bp.add_app_template_global(codes.spoken, "spoken")  # a room code as people read it out, on any page

from . import cli, routes  # noqa: E402,F401  (routes and commands attach themselves to bp)
