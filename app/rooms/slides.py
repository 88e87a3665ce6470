"""The projector's deck: which slides a room shows, in order, and where each one is.

Slide 0 is the lobby (the presenter link itself); then the room's scores, one slide per
question with its real-world notes, the closing question, the coin (what the noise does and
does not hide), the myth round (a few statements a slide, so that each fits one screen), a
summary and a takeaway. The short deck leaves out the question slides, for a workshop with
little time. Pure Python: no Flask, no database.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..scoring import Bank, MythRound, Question

MYTHS_PER_SLIDE = 4  # eight statements with their bars do not fit 1280x720 at 28 px; four do


@dataclass(frozen=True)
class Slide:
    kind: str  # lobby, scores, question, closing, coin, myths, summary, takeaway
    question: Question | None = None
    question_number: int = 0
    statement_ids: tuple[str, ...] = ()
    part: int = 0  # which of the myth slides, from 1
    parts: int = 0


# Slides whose figures the room should guess before it sees them: hidden on arrival.
GUESSED = frozenset({"scores", "question", "closing", "myths"})
DECKS = ("full", "short")


def deck(bank: Bank, myths: MythRound, name: str = "full") -> tuple[Slide, ...]:
    slides = [Slide("lobby"), Slide("scores")]
    if name != "short":
        slides.extend(Slide("question", question=q, question_number=n) for n, q in enumerate(bank.questions, 1))
    slides.extend((Slide("closing"), Slide("coin")))
    ids = [s.id for s in myths.statements]
    chunks = [tuple(ids[i : i + MYTHS_PER_SLIDE]) for i in range(0, len(ids), MYTHS_PER_SLIDE)]
    slides.extend(Slide("myths", statement_ids=c, part=n, parts=len(chunks)) for n, c in enumerate(chunks, 1))
    slides.extend((Slide("summary"), Slide("takeaway")))
    return tuple(slides)
