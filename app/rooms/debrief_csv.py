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
from ..disclosure.figures import Figures, ScoreFigure, Shown
from ..store.models import Room
from . import codes

# Counts, scores (350-950) and percentages each have their own columns, so a spreadsheet
# never sums a score with a share; every row has every column (empty where it has no value).
HEADER = [
    "section", "item", "detail", "count", "site_count",
    "score", "score_low", "score_high", "site_score", "site_score_low", "site_score_high",
    "percent", "percent_low", "percent_high", "site_percent", "site_percent_low", "site_percent_high",
]  # fmt: skip
BOM = "\ufeff"  # Excel reads a CSV without it in the machine's legacy code page (German, Chinese garbled)
EMPTY3 = ["", "", ""]


def _share_cells(shown: Shown | None) -> list[int | str]:
    # The wall's own whole percentages: a question's add to 100, as on the slides.
    return list(EMPTY3) if shown is None else [shown.percent, shown.low, shown.high]


def _score_cells(score: ScoreFigure | None) -> list[int | str]:
    return list(EMPTY3) if score is None else [score.estimate, score.low, score.high]


def _cell(text: str) -> str:
    # A spreadsheet would run a cell starting with = + - @ as a formula.
    return "'" + text if text[:1] in ("=", "+", "-", "@") else text


def _row(
    section: str,
    item: str,
    detail: str,
    *,
    count: tuple[int | str, int | str] = ("", ""),
    score: tuple[ScoreFigure | None, ScoreFigure | None] = (None, None),
    percent: tuple[Shown | None, Shown | None] = (None, None),
) -> list[int | str]:
    return [
        section, _cell(item), _cell(detail), *count,
        *_score_cells(score[0]), *_score_cells(score[1]),
        *_share_cells(percent[0]), *_share_cells(percent[1]),
    ]  # fmt: skip


def build(room: Room, figures: Figures, site: Figures) -> str:
    """The CSV text of a room's debrief, with a byte-order mark for Excel."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(HEADER)
    writer.writerow(_row("room", room.title or codes.spoken(room.code), f"epsilon=ln {room.odds}"))
    writer.writerow(_row("room", "joined", _("joined the room"), count=(room.joined, "")))
    writer.writerow(_row("room", "finished", _("finished quizzes"), count=(figures.finished, site.finished)))
    writer.writerow(_row("score", "average", _("estimated average score"), score=(figures.average, site.average)))
    for habit in figures.costliest:
        # Below the size that can rank them, no headline share (the largest of noisy
        # estimates is inflated): the answer rows below still give every option's.
        shown = habit.shown if figures.costliest_ranked else None
        writer.writerow(
            _row("costliest", translate(habit.question.text), translate(habit.option.text), percent=(shown, None))
        )
    for question in figures.questions:
        everyone = site.for_question(question.question.id)
        site_shares = {o.option.id: o.shown for o in everyone.options} if everyone else {}
        for option in question.options:
            writer.writerow(
                _row("answer", translate(question.question.text), translate(option.option.text),
                     percent=(option.shown, site_shares.get(option.option.id)))
            )  # fmt: skip
    site_chilling = {row.option_id: row.shown for row in site.chilling}
    for row in figures.chilling:
        writer.writerow(
            _row("chilling", str(chilling.QUESTION), str(chilling.OPTIONS[row.option_id]),
                 percent=(row.shown, site_chilling.get(row.option_id)))
        )  # fmt: skip
    writer.writerow(
        _row("myths", "rounds", _("finished rounds of myth or real"), count=(figures.myth_rounds, site.myth_rounds))
    )
    site_myths = {m.statement.id: m.shown for m in site.myths}
    for myth in figures.myths:
        writer.writerow(
            _row(
                "myth", translate(myth.statement.text), "right", percent=(myth.shown, site_myths.get(myth.statement.id))
            )
        )
    return BOM + out.getvalue()
