"""Discussion prompts for a room's debrief, chosen from the room's published figures.

Every fact a prompt carries is one of the figures the debrief already shows (estimates
with their ranges, from app/disclosure/figures.py), so a prompt can never reveal more
than the debrief's own tables. The texts live in the template (translated there); this
module only chooses.

Pure Python: no Flask, no database.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from ..disclosure.figures import Figures, MythFigure

MIN_PROMPTS, MAX_PROMPTS = 3, 5
# Below this estimated share right, the myth prompt may say "only about"; above it, it names
# the statement the room found hardest without calling the share low.
FEW_RIGHT = 0.5


@dataclass(frozen=True)
class Prompt:
    kind: str  # costliest, average, chilling, myth, or a general one: the template words each kind
    facts: Mapping[str, Any] = field(default_factory=dict)


def _costliest(room: Figures) -> Prompt | None:
    if not room.costliest:
        return None
    # The costliest estimated, whichever order the figures list them in (unordered below the
    # size that can rank them: app/disclosure/minimums.py).
    habit = min(room.costliest, key=lambda h: h.cost)
    # Its share is said only where the room can rank its habits: below that, picking the
    # largest of noisy estimates inflates it (statistics-review.md, item 6).
    return Prompt("costliest", {"habit": habit, "points": round(-habit.points_each), "ranked": room.costliest_ranked})


def _average(room: Figures, everyone: Figures) -> Prompt | None:
    """The room's estimated average score against everyone's."""
    if room.average is None or everyone.average is None:
        return None
    return Prompt("average", {"room": room.average, "everyone": everyone.average})


def _chilling(room: Figures) -> Prompt | None:
    if room.watched is None or room.watched.estimate <= 0:
        return None
    return Prompt("chilling", {"share": room.watched})


def hardest_myth(room: Figures) -> MythFigure | None:
    """The statement the room most often got wrong, by its estimated share right (the summary
    slide names it too)."""
    if not room.myths:
        return None
    worst = min(room.myths, key=lambda row: row.right.estimate)
    return None if worst.right.estimate >= 1 else worst


def _myth(room: Figures) -> Prompt | None:
    worst = hardest_myth(room)
    if worst is None:
        return None
    few = worst.right.estimate < FEW_RIGHT
    return Prompt("myth", {"statement": worst.statement, "right": worst.right, "few": few})


def choose_prompts(room: Figures, everyone: Figures) -> tuple[Prompt, ...]:
    """3 to 5 prompts: those the room's own figures support first, then general ones to reach 3
    (a room below the minimum gets the general ones only: its figures are empty)."""
    found = [p for p in (_costliest(room), _average(room, everyone), _chilling(room), _myth(room)) if p]
    for general in (Prompt("merics"), Prompt("at_home"), Prompt("secret_rules")):
        if len(found) >= MIN_PROMPTS:
            break
        found.append(general)
    return tuple(found[:MAX_PROMPTS])
