"""The one line that says what a score means: which of the bank's perks it would have opened.

Perks depend on the score alone, so the same line serves the visitor's result and a
shared link that carries nothing but the score. The perks were offered in different
years and places, some long ended, so the line dates them instead of promising them.
"""

from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import ngettext

from ..scoring import Bank, perks_missed, perks_opened


def _when(bank: Bank) -> str:
    years = sorted({p.year for p in bank.perks})
    if len(years) == 1:
        return _("in %(year)s", year=years[0])
    return _("in %(first)s–%(last)s", first=years[0], last=years[-1])


def takeaway(bank: Bank, score: int) -> str:
    total = len(bank.perks)
    if total == 0:
        return _("A score like this decides who is trusted without a deposit, and who waits.")
    won = len(perks_opened(bank, score))
    locked = sorted(p.threshold for p in perks_missed(bank, score))
    when = _when(bank)
    if won == 0:
        return ngettext(
            "At this score, not even the %(num)s perk partners offered %(when)s would have opened: it needed %(next)s.",
            "At this score, none of the %(num)s perks partners offered %(when)s, some in one city only,"
            " would have opened: the first needed %(next)s.",
            total,
            when=when,
            next=locked[0],
        )
    if locked:
        return ngettext(
            "At this score, %(won)s of the %(num)s perks partners offered %(when)s, some in one city only,"
            " would have opened; the next needed %(next)s.",
            "At this score, %(won)s of the %(num)s perks partners offered %(when)s, some in one city only,"
            " would have opened; the next needed %(next)s.",
            total,
            won=won,
            when=when,
            next=locked[0],
        )
    return ngettext(
        "At this score, the %(num)s perk partners offered %(when)s would have opened,"
        " as long as the scorer kept liking the habits behind it.",
        "At this score, all %(num)s perks partners offered %(when)s, some in one city only, would have opened,"
        " as long as the scorer kept liking the habits behind it.",
        total,
        when=when,
    )
