"""Everything this site keeps: what, where, and for how long. The one description of it.

The privacy page renders it whole, the landing page's summary and the data receipt render
their parts of it, and docs/privacy.md says the same in prose. `COLUMNS` describes every
column of every table in the models (a test holds it against the schema: a new column
without a description fails). The durations are worded from the settings that make them
true: ROOM_TTL_DAYS, the session's lifetime, WAL_CHECKPOINT_SECONDS and the start token's
days (app/counting/start_token.py).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from flask import current_app
from flask_babel import LazyString
from flask_babel import gettext as _

from ..catalogue import lazy_gettext as _l
from .hygiene import interval

# Every table and column of app/store/models.py, in words a visitor can read.
TABLES: dict[str, LazyString] = {
    "counter": _l(
        "Counters: how many times each answer was counted after the coin, and how many "
        "quizzes and myth rounds were finished, for the whole site and for each workshop "
        "room. One row per answer, created at zero: rows do not grow with visitors."
    ),
    "spent_token": _l(
        "One row per counted quiz or myth round: the fingerprint of a random token your "
        "cookie got when you started, so that replaying the cookie counts nothing more. "
        "No answer, no room, no time."
    ),
    "room": _l("One row per workshop room a facilitator opens. Nothing about who joined it."),
}

COLUMNS: dict[str, dict[str, LazyString]] = {
    "counter": {
        "scope": _l("where it was counted: the whole site, or one workshop room"),
        "odds": _l(
            "the privacy level the coin used for these counts, so that counts made at two levels are never mixed"
        ),
        "metric": _l(
            "what was counted: a question, the closing question, a myth statement, finished quizzes or finished rounds"
        ),
        "value": _l("the answer as the coin left it (for a myth statement: right or wrong)"),
        "count": _l("how many times it was counted"),
    },
    "spent_token": {
        "token_hash": _l("the SHA-256 fingerprint of the random token a quiz or round got when it started"),
        "expires_on": _l("the last day (UTC) the token may be counted"),
    },
    "room": {
        "id": _l("a random name for the room's counters"),
        "code": _l("the join code"),
        "title": _l("the title its facilitator gave it"),
        "presenter_hash": _l("the SHA-256 fingerprint of the presenter key (the key itself is never stored)"),
        "expires_on": _l("the day (UTC) it closes and is deleted with its counters"),
        "language": _l("the language its facilitator chose for it, if any"),
        "odds": _l("its privacy level, e^ε"),
        "closed": _l("whether its facilitator closed it to new answers"),
        "joined": _l("how many browsers joined it: a number, linked to no one"),
    },
}


@dataclass(frozen=True)
class Kept:
    """One place something is kept: what it holds, and for how long."""

    key: str  # a stable name, for tests and anchors
    where: str
    what: str
    how_long: str


def _settings(config: Mapping[str, Any]) -> dict[str, int]:
    return {
        "days": int(config["ROOM_TTL_DAYS"]),
        "hours": int(config["PERMANENT_SESSION_LIFETIME"].total_seconds() // 3600),
        "seconds": int(config["WAL_CHECKPOINT_SECONDS"]) and interval(int(config["WAL_CHECKPOINT_SECONDS"])),
    }


def in_the_database(config: Mapping[str, Any]) -> tuple[Kept, ...]:
    """The tables, as the operator's database holds them."""
    s = _settings(config)
    return (
        Kept(
            "counter",
            _("Database: counters"),
            str(TABLES["counter"]),
            _(
                "The site's: as long as the site runs. A room's: until the room is deleted, "
                "%(days)s days after it was opened.",
                days=s["days"],
            ),
        ),
        Kept(
            "spent_token",
            _("Database: spent tokens"),
            str(TABLES["spent_token"]),
            _("Deleted within the first hour of the second day (UTC) after the quiz or round was started."),
        ),
        Kept(
            "room",
            _("Database: rooms"),
            str(TABLES["room"]),
            _(
                "%(days)s days after it was opened it closes, and it is deleted with all its counters within the hour.",
                days=s["days"],
            ),
        ),
    )


def with_the_visitor(config: Mapping[str, Any]) -> tuple[Kept, ...]:
    """What the visitor's own browser keeps."""
    s = _settings(config)
    return (
        Kept(
            "session",
            _("Your browser: the session cookie"),
            _(
                "Once you send the quiz: your answers and the closing answer, your myth guesses, "
                "the room you joined (and the random ids of the last rooms joined, so that joining "
                "one again is not counted again), the language you chose, the random start tokens, "
                "and what was counted with the values the coin changed (your receipt); a security "
                "token for the forms. It is encrypted and always the same length: whoever sees it "
                "on the way reads nothing, not even from its size."
            ),
            _(
                "Until you close your browser or press “Forget my answers”; after %(hours)s hours"
                " this site refuses it.",
                hours=s["hours"],
            ),
        ),
        Kept(
            "tab",
            _("Your browser tab's own storage"),
            _(
                "With JavaScript, while you take the quiz: your answers so far, so that a reload "
                "keeps them. Never sent anywhere."
            ),
            _("Until you finish, press “Forget my answers”, or close the tab."),
        ),
        Kept(
            "presenter",
            _("Your browser: the presenter cookie"),
            _(
                "Only in a browser that opened a workshop room: that room's presenter key, sent "
                "only to room pages. Nothing about anyone's answers."
            ),
            _("Until you close your browser."),
        ),
        Kept(
            "cache",
            _("Your browser's cache: the site's own files"),
            _(
                "The stylesheet, the scripts and the icon, the same for everyone: nothing about you "
                "or your answers. Pages are never kept there."
            ),
            _("Until your browser clears its cache; new versions of the files have new addresses."),
        ),
    )


def with_the_operator(config: Mapping[str, Any], engine: str) -> tuple[Kept, ...]:
    """What the server's logs, memory and the database's own files keep around the tables."""
    return (
        Kept(
            "log",
            _("The server's request log"),
            _(
                "One line per request: its time, method, route, status, duration and a random "
                "request id. Never your address, browser, the page you came from, cookies or "
                "answers."
            ),
            _("As long as the operator keeps logs."),
        ),
        Kept(
            "limits",
            _("The server's memory, or its Redis (rate limits)"),
            _(
                "A keyed fingerprint (HMAC) of your IP address, with how many rooms it opened, "
                "quizzes it finished or codes it mistyped, and, for each room it joined, a keyed "
                "fingerprint of the address with the room, with how many joined or finished there."
            ),
            _("For the limit's window (from ten minutes to a day), then forgotten."),
        ),
        database_log(config, engine),
        Kept(
            "backups",
            _("Backups, if the operator takes them"),
            _("A copy of the database as it was when it was taken, including what the site has deleted since."),
            _("As long as the operator keeps them."),
        ),
    )


def database_log(config: Mapping[str, Any], engine: str) -> Kept:
    """The database's own history: each finished quiz's counted values together, with a time."""
    if engine == "sqlite":
        seconds = _settings(config)["seconds"]
        how_long = (
            _("Until the next checkpoint empties it, at most about %(seconds)s seconds later.", seconds=seconds)
            if seconds
            else _("Until SQLite overwrites it: the operator has switched off emptying it regularly.")
        )
        return Kept(
            "wal",
            _("The database's write-ahead log (a file beside it)"),
            _(
                "Each finished quiz or myth round written as one piece: its counted values (after"
                " the coin) together, with its token's fingerprint, in the order they came; the "
                "file's time says when the latest was written. Also each join to a room."
            ),
            how_long,
        )
    return Kept(
        "wal",
        _("The database server's write-ahead log, its old row versions, and any archive of them"),
        _(
            "Each finished quiz or myth round written as one piece: its counted values (after"
            " the coin) together, with its token's fingerprint and the time it was written, "
            "to the microsecond. Also each join to a room, with its time."
        ),
        _(
            "Old row versions: until the server's vacuum removes them, minutes to hours. The "
            "write-ahead log: until the server recycles it, usually within hours. Archives: "
            "as long as the operator keeps them."
        ),
    )


def this_site() -> tuple[Mapping[str, Any], str]:
    """The running site's settings and database engine ("sqlite", "postgresql")."""
    return current_app.config, current_app.extensions["database"].engine.dialect.name


def everything(config: Mapping[str, Any], engine: str) -> tuple[Kept, ...]:
    """Every place, in the privacy page's order: the database, the visitor's browser, the operator's files."""
    return in_the_database(config) + with_the_visitor(config) + with_the_operator(config, engine)


# The landing page's summary of all of the above.
SUMMARY_KEPT = (
    _l(
        "When you finish, a coin changes some of your answers at random, then anonymous "
        "counters go up by one for each answer as counted. Your score is not counted."
    ),
    _l("The fingerprint of a random token, so that your quiz counts only once; deleted after about two days."),
    _l(
        "For a while, the database's own log files hold one finished quiz's counted "
        "answers together, with the time they were written."
    ),
)
SUMMARY_NEVER_KEPT = (
    _l("Your IP address, your browser, any profile; nothing ties the time of a request to you."),
    _l(
        "Your answers themselves stay in your own browser, first in the page, then in a "
        "cookie, and vanish when you close it or press “Forget my answers”."
    ),
)

# What the data receipt lists as never kept, anywhere above.
NEVER_KEPT = (
    _l("your IP address, browser, device or the page you came from"),
    _l("your score, its band or its range: not even randomized"),
    _l("a link between your answers in the counters: each went into its own counter, with everyone else's who gave it"),
    _l("this receipt's link to you: it is shown from your own cookie, which “Forget my answers” deletes"),
)
