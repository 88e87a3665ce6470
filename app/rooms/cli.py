"""`flask --app wsgi rooms purge-expired`: delete expired rooms and their counters now."""

from __future__ import annotations

import click

from ..store.database import get_session
from . import bp, store

bp.cli.short_help = "Workshop rooms."


@bp.cli.command("purge-expired")
def purge_expired() -> None:
    """Delete every expired room, its counters, and any room counters left without a room."""
    session = get_session()
    rooms = store.purge_expired(session)
    orphans = store.purge_orphan_counters(session)
    click.echo(f"purged {rooms} expired room(s) and {orphans} orphaned counter row(s)")
