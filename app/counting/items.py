"""What one finished quiz or myth round counts, in which scopes, and how deniably.

A visitor is counted at one privacy level, the one they were told: the site's, or their
room's. Each item is randomized once at the weakest level among the scopes it goes to;
a scope with a stronger level gets that value randomized further (post-processing, which
can only remove information). A room with a stronger level than the site's is therefore
not counted in the site's figures at all: they would have to be weaker than its promise.

Pure Python: no Flask, no database access.
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from ..scoring import Bank, MythRound
from ..store.counters import ANSWER_PREFIX, CHILLING, CHILLING_IDS, MYTH_PREFIX, RIGHT, WRONG, CounterKey
from .randomized_response import Counted, Draw, Item, randomize_items, rerandomize_items


@dataclass(frozen=True)
class Scope:
    """Where a count goes, and the level (e^ε) its figures are randomized at."""

    name: str
    odds: int


def plan(site: Scope, room: Scope | None = None) -> tuple[Scope, ...]:
    """The scopes one visitor is counted in: the site's, their room's, or both."""
    if room is None:
        return (site,)
    if room.odds >= site.odds:
        return (room, site)  # the site's figures are made from the room's, randomized further
    return (room,)  # a stronger room: the site's level would break the room's promise


def quiz_items(bank: Bank, answers: Mapping[str, str], chilling: str | None) -> tuple[Item, ...]:
    items = [
        Item(ANSWER_PREFIX + q.id, tuple(o.id for o in q.options), answers[q.id])
        for q in bank.questions
        if q.id in answers
    ]
    if chilling is not None:
        items.append(Item(CHILLING, CHILLING_IDS, chilling))
    return tuple(items)


def myth_items(myths: MythRound, marks: Mapping[str, bool]) -> tuple[Item, ...]:
    return tuple(
        Item(MYTH_PREFIX + s.id, (RIGHT, WRONG), RIGHT if marks[s.id] else WRONG)
        for s in myths.statements
        if s.id in marks
    )


def randomize_for(
    items: Sequence[Item], scopes: Sequence[Scope], draw: Draw = secrets.randbelow
) -> dict[str, tuple[Counted, ...]]:
    """The randomized values to count in each scope; the true values stop here."""
    ordered = sorted(scopes, key=lambda s: -s.odds)
    counted: dict[str, tuple[Counted, ...]] = {}
    previous: tuple[Scope, tuple[Counted, ...]] | None = None
    for scope in ordered:
        if previous is None:
            values = randomize_items(items, scope.odds, draw)
        else:
            values = rerandomize_items(items, previous[1], previous[0].odds, scope.odds, draw)
        counted[scope.name] = values
        previous = (scope, values)
    return counted


def completion_keys(counted: Mapping[str, Sequence[Counted]], total: str) -> tuple[CounterKey, ...]:
    """Every counter one finished quiz (total=COMPLETIONS) or myth round (MYTH_ROUNDS) adds 1 to,
    sorted, so that concurrent multi-row upserts on PostgreSQL lock rows in the same order."""
    keys: list[CounterKey] = []
    for scope, values in counted.items():
        keys.append(CounterKey(scope, total, ""))
        keys.extend(CounterKey(scope, c.metric, c.value) for c in values)
    return tuple(sorted(keys))
