"""`python -m app.migrate`, the container's first step (docker/entrypoint.sh): check the
settings, wait for the database, bring it to the newest schema, and create the site's
counters at zero (so their rows' order says nothing). Each failure is one line and an exit code."""

from __future__ import annotations

import os
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError

from .boot import PREFIX, check_settings, fail
from .store.schema import create_site_counters, upgrade


def migrate_when_ready(
    upgrade: Callable[[str], None], url: str, attempts: int, delay: float, sleep: Callable[[float], None] = time.sleep
) -> None:
    """Upgrade to head, retrying while the database does not answer (a database container starting up)."""
    for attempt in range(1, attempts + 1):
        try:
            upgrade(url)
            return
        except OperationalError as error:
            # The driver's message can name the host and user, never a password; keep its first line.
            reason = str(error.orig or error).strip().splitlines()[0] if str(error.orig or error).strip() else "?"
            if attempt == attempts:
                raise fail(f"database not reachable after {attempts} attempts: {reason}", code=3) from None
            print(f"{PREFIX}database not ready ({attempt}/{attempts}): {reason}", file=sys.stderr, flush=True)
            sleep(delay)


def check_data_folder(url: str) -> None:
    """An SQLite database needs a folder this user can write (the file and its WAL beside it).
    Say so at once: retried, it would only end as "database not reachable" a minute later."""
    if not url.startswith("sqlite"):
        return
    database = make_url(url).database
    if not database or database == ":memory:":
        return
    folder = Path(database).parent
    try:
        folder.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryFile(dir=folder):
            pass
    except OSError as error:
        raise fail(
            f"cannot start: the data folder {folder} is not writable by uid {os.getuid()} ({error.strerror}); "
            "give it a volume or folder that this user can write"
        ) from None


def main() -> None:
    settings = check_settings()
    check_data_folder(settings["DATABASE_URL"])
    migrate_when_ready(
        upgrade, settings["DATABASE_URL"], settings["MIGRATE_ATTEMPTS"], settings["MIGRATE_RETRY_SECONDS"]
    )
    create_site_counters(settings["DATABASE_URL"], settings["EPSILON_ODDS"], settings["BANK_PATH"])


if __name__ == "__main__":
    main()
