"""Discussion prompts for a room's debrief, chosen from figures the room may already show.

Every fact a prompt carries comes from the thresholded views (RoomBreakdown,
Reflection) or from everyone's published bands where each is 0 or at least k,
so a prompt can never reveal more than the debrief's own tables. The texts
live in the template (translated there); this module only chooses and measures.

Pure Python: no Flask, no database.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from ..tally import Tally
from .breakdown import RoomBreakdown
from .reflection import Reflection

MIN_PROMPTS, MAX_PROMPTS = 3, 5
WATCHED = ("changed", "considered")  # the chilling answers that admit being watched mattered


@dataclass(frozen=True)
class Prompt:
    kind: str  # costliest, bands, chilling(_none), myth, or a general one: the template words each kind
    facts: Mapping[str, Any] = field(default_factory=dict)


def _percent(part: int, whole: int) -> int:
    return round(100 * part / whole) if whole else 0


def _costliest(bd: RoomBreakdown) -> Prompt | None:
    if not bd.costliest:
        return None
    habit = bd.costliest[0]
    return Prompt("costliest", {"question": habit.question, "option": habit.option, "count": habit.count,
                                "points": round(-habit.points_each)})  # fmt: skip


def _bands(bd: RoomBreakdown, everyone: Tally, k: int) -> Prompt | None:
    """The room's top band group against all visitors' share of the same bands."""
    top = next((g for g in reversed(bd.bands) if g.count), None)
    if top is None or everyone.completions < k:
        return None
    counts = [everyone.bands.get(b, 0) for b in top.bands]
    if any(0 < n < k for n in counts):  # a small group of everyone's would show through
        return None
    return Prompt("bands", {"bands": top.bands, "low": top.low, "high": top.high,
                            "room": _percent(top.count, bd.completions),
                            "everyone": _percent(sum(counts), everyone.completions)})  # fmt: skip


def _chilling(reflection: Reflection) -> Prompt | None:
    if not reflection.chilling_visible:
        return None
    # Only groups made of watched answers alone say how many felt watched; each is already shown.
    watched = sum(row.count for row in reflection.chilling if set(row.options) <= set(WATCHED))
    if watched:
        return Prompt("chilling", {"count": watched, "total": reflection.chilling_total})
    everyone_said_no = [r for r in reflection.chilling if r.options == ("no",) and r.count]
    if everyone_said_no and everyone_said_no[0].count == reflection.chilling_total:
        return Prompt("chilling_none", {"total": reflection.chilling_total})
    return None


def _myth(reflection: Reflection) -> Prompt | None:
    """The statement the room got wrong most often, if the room may show it."""
    shown = [row for row in reflection.myths if row.shown and row.right is not None and row.wrong]
    if not reflection.myths_visible or not shown:
        return None
    worst = max(shown, key=lambda row: row.wrong or 0)
    return Prompt("myth", {"statement": worst.statement, "wrong": _percent(worst.wrong or 0, reflection.myth_rounds)})


def choose_prompts(bd: RoomBreakdown, reflection: Reflection, everyone: Tally) -> tuple[Prompt, ...]:
    """3 to 5 prompts: those the room's own figures support first, then general ones to reach 3."""
    if not bd.visible:
        return ()
    found = [p for p in (_costliest(bd), _bands(bd, everyone, bd.k), _chilling(reflection), _myth(reflection)) if p]
    for general in (Prompt("merics"), Prompt("at_home"), Prompt("secret_rules")):
        if len(found) >= MIN_PROMPTS:
            break
        found.append(general)
    return tuple(found[:MAX_PROMPTS])
