"""The one line that says what a score means: which of the bank's perks it would open.

Perks depend on the score alone, so the same line serves the visitor's result and a
shared link that carries nothing but the score.
"""

from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import ngettext

from ..scoring import Bank, perks_missed, perks_opened


def takeaway(bank: Bank, score: int) -> str:
    total = len(bank.perks)
    won = len(perks_opened(bank, score))
    locked = sorted(p.threshold for p in perks_missed(bank, score))
    if total == 0:
        return _("A score like this decides who is trusted without a deposit, and who waits.")
    if won == 0:
        return ngettext(
            "At this score, not even %(num)s perk partners offered would open: it needs %(next)s.",
            "At this score, none of the %(num)s perks partners offered would open: the first needs %(next)s.",
            total,
            next=locked[0],
        )
    if locked:
        return ngettext(
            "At this score, %(won)s of the %(num)s perks partners offered would open; the next needs %(next)s.",
            "At this score, %(won)s of the %(num)s perks partners offered would open; the next needs %(next)s.",
            total,
            won=won,
            next=locked[0],
        )
    return ngettext(
        "At this score, the %(num)s perk partners offered would open,"
        " as long as the scorer keeps liking the habits behind it.",
        "At this score, all %(num)s perks partners offered would open,"
        " as long as the scorer keeps liking the habits behind it.",
        total,
    )
