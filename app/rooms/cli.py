"""`flask --app wsgi rooms purge-expired`: delete expired rooms and their counters now."""

from __future__ import annotations

import click

from ..store.database import get_database
from ..store.hygiene import purge_expired
from . import bp

bp.cli.short_help = "Workshop rooms."


@bp.cli.command("purge-expired")
def purge_expired_now() -> None:
    """Delete every expired room, its counters, any room counters left without a room, and
    spent tokens past their day (what the maintenance timer does every minute)."""
    purged = purge_expired(get_database().sessions)
    click.echo(
        f"purged {purged.rooms} expired room(s), {purged.orphan_counters} orphaned counter row(s)"
        f" and {purged.spent_tokens} spent token(s)"
    )
