"""The debrief as a spreadsheet: the room's published estimates with their 95% ranges.

Every row is a figure the debrief page shows (app/disclosure/figures.py), in percent, with
the site's estimate beside the room's where there is one; never a count of people but the
finished and joined totals the projector shows anyway.
"""

from __future__ import annotations

import csv
import io

from flask_babel import gettext as _

from ..content import closing_question as chilling
from ..content.bank_text import translate
from ..disclosure.estimates import Share
from ..disclosure.figures import Figures, ScoreFigure
from ..store.models import Room
from . import codes

HEADER = ["section", "item", "detail", "estimate", "low", "high", "site_estimate", "site_low", "site_high"]


def _percent(value: float) -> int:
    return round(100 * value)


def _share_cells(share: Share | None) -> list[int | str]:
    if share is None:
        return ["", "", ""]
    return [_percent(share.estimate), _percent(share.low), _percent(share.high)]


def _score_cells(score: ScoreFigure | None) -> list[int | str]:
    return ["", "", ""] if score is None else [score.estimate, score.low, score.high]


def _cell(text: str) -> str:
    # A spreadsheet would run a cell starting with = + - @ as a formula.
    return "'" + text if text[:1] in ("=", "+", "-", "@") else text


def build(room: Room, figures: Figures, site: Figures) -> str:
    """The CSV text of a room's debrief."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(HEADER)
    writer.writerow(["room", _cell(room.title or codes.spoken(room.code)), f"epsilon=ln {room.odds}", "", "", ""])
    writer.writerow(["room", "joined", _("joined the room"), room.joined, "", ""])
    writer.writerow(["room", "finished", _("finished quizzes"), figures.finished, "", "", site.finished])
    writer.writerow(
        ["score", "average", _("estimated average score"), *_score_cells(figures.average), *_score_cells(site.average)]
    )
    for habit in figures.costliest:
        writer.writerow(
            ["costliest", _cell(translate(habit.question.text)), _cell(translate(habit.option.text)),
             *_share_cells(habit.share)]
        )  # fmt: skip
    for question in figures.questions:
        everyone = site.for_question(question.question.id)
        site_shares = {o.option.id: o.share for o in everyone.options} if everyone else {}
        for option in question.options:
            writer.writerow(
                ["answer", _cell(translate(question.question.text)), _cell(translate(option.option.text)),
                 *_share_cells(option.share), *_share_cells(site_shares.get(option.option.id))]
            )  # fmt: skip
    site_chilling = {row.option_id: row.share for row in site.chilling}
    for row in figures.chilling:
        writer.writerow(
            ["chilling", _cell(str(chilling.QUESTION)), _cell(str(chilling.OPTIONS[row.option_id])),
             *_share_cells(row.share), *_share_cells(site_chilling.get(row.option_id))]
        )  # fmt: skip
    writer.writerow(["myths", "rounds", _("finished rounds of myth or real"), figures.myth_rounds, "", ""])
    site_myths = {m.statement.id: m.right for m in site.myths}
    for myth in figures.myths:
        writer.writerow(
            ["myth", _cell(translate(myth.statement.text)), "right", *_share_cells(myth.right),
             *_share_cells(site_myths.get(myth.statement.id))]
        )  # fmt: skip
    return out.getvalue()
