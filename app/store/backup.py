"""`flask --app wsgi backup PATH`: a copy of the SQLite database, taken while the app serves.

SQLite's online backup API (Python's sqlite3.Connection.backup) copies every page in one
read transaction: writers go on meanwhile (WAL), and the copy is the database as it was at
one moment, committed transactions in the WAL included, never half of one. A file copy of
a live database can be torn. The copy is one self-contained file (rollback journal, no WAL
beside it), 0600 like the database, checked with integrity_check before it takes its name.

PostgreSQL is backed up with its own tools (pg_dump, pg_restore); docs/backups.md has both.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
from dataclasses import dataclass
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext

from .database import get_database
from .hygiene import FILE_MODE, sqlite_path

BUSY_SECONDS = 30  # waits out a checkpoint that holds the database for a moment


class BackupError(Exception):
    """Why no backup was made; one line for the operator."""


@dataclass(frozen=True)
class Backup:
    path: Path
    size: int
    revision: str | None


def backup_sqlite(source: Path, target: Path) -> Backup:
    """Copy the live database at `source` to the new file `target` (never overwritten)."""
    if not source.exists():
        raise BackupError(f"there is no database at {source}")
    if target.exists():
        raise BackupError(f"{target} exists: name a new file")
    if not target.parent.is_dir():
        raise BackupError(f"{target.parent} is not a folder")
    partial = target.with_name(target.name + ".partial")
    try:
        # Created 0600 before SQLite writes a byte into it (SQLite would follow the umask).
        os.close(os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, FILE_MODE))
    except OSError as error:
        raise BackupError(f"cannot write {partial}: {error.strerror}") from None
    try:
        live = sqlite3.connect(source, timeout=BUSY_SECONDS)
        copy = sqlite3.connect(partial)
        try:
            live.backup(copy)  # every page in one step: one consistent moment
            copy.execute("PRAGMA journal_mode=DELETE")  # one file, nothing beside it
            checked = copy.execute("PRAGMA integrity_check").fetchone()[0]
            if checked != "ok":
                raise BackupError(f"the copy failed its integrity check: {checked}")
            revision = copy.execute("SELECT version_num FROM alembic_version").fetchone()
        finally:
            copy.close()
            live.close()
        partial.replace(target)
    except BaseException:
        with contextlib.suppress(OSError):
            partial.unlink()
        raise
    return Backup(target, target.stat().st_size, revision[0] if revision else None)


@click.command("backup")
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
@with_appcontext
def backup_command(path: Path) -> None:
    """Copy the SQLite database to PATH (a new file) while the app keeps serving."""
    source = sqlite_path(get_database().engine)
    if source is None:
        raise click.ClickException(
            f"{current_app.config['DATABASE_URL'].split(':', 1)[0]} is not an SQLite file: "
            "back PostgreSQL up with pg_dump (docs/backups.md)"
        )
    try:
        made = backup_sqlite(source, path.resolve())
    except (BackupError, sqlite3.Error) as error:
        raise click.ClickException(str(error)) from None
    click.echo(f"backed up {source} to {made.path}: {made.size} bytes, schema revision {made.revision}")
