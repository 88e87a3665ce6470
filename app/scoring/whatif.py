"""What-if: the same engine on answers with one changed, and the change that pays most.

Pure functions of the bank and the answers, like the engine itself, so the
what-if a visitor sees is exactly what the engine would have said.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from .bank import Bank, Option, Question
from .engine import AnswerError, Report, option_points, score_answers


@dataclass(frozen=True)
class Change:
    """One answer swapped for another, and what the engine makes of it."""

    question: Question
    before: Option
    after: Option
    report: Report  # the report with this one change
    gain: int  # score after minus score before


def changed_answers(bank: Bank, answers: Mapping[str, str], question_id: str, option_id: str) -> dict[str, str]:
    """The answers with one replaced; raises AnswerError for a question or option not in the bank."""
    question = bank.question(question_id)
    if question is None:
        raise AnswerError(f"unknown question '{question_id}'")
    if question.option(option_id) is None:
        raise AnswerError(f"question '{question_id}' has no option '{option_id}'")
    changed = dict(answers)
    changed[question_id] = option_id
    return changed


def what_if(bank: Bank, answers: Mapping[str, str], question_id: str, option_id: str) -> Change:
    """Score the answers as if one of them had been different; AnswerError for anything not in the bank."""
    before = score_answers(bank, answers)
    report = score_answers(bank, changed_answers(bank, answers, question_id, option_id))
    # Both lookups succeed: score_answers and changed_answers validated them.
    question = next(q for q in bank.questions if q.id == question_id)
    return Change(
        question=question,
        before=next(o for o in question.options if o.id == answers[question_id]),
        after=next(o for o in question.options if o.id == option_id),
        report=report,
        gain=report.score - before.score,
    )


def cheapest_way_up(bank: Bank, answers: Mapping[str, str]) -> Change | None:
    """The single changed answer that raises the score most, or None if none raises it.

    Each answer's share of the score is known, so candidates are compared by that
    share and only the winner is scored in full. Ties go to the question asked first.
    """
    report = score_answers(bank, answers)
    effects = option_points(bank)
    best: tuple[float, str, str] | None = None
    for contribution in report.contributions:
        question = contribution.question
        for option in question.options:
            delta = effects[question.id, option.id] - contribution.points
            if delta > 1e-9 and (best is None or delta > best[0] + 1e-9):
                best = (delta, question.id, option.id)
    if best is None:
        return None
    change = what_if(bank, answers, best[1], best[2])
    # A raise smaller than half a point can round away; then nothing really pays.
    return change if change.gain > 0 else None
