"""The guarantee in words a visitor can check: per counted answer, and per person.

Per answer: one counted value changes anyone's odds about the true answer by at most ×e^ε,
whatever they knew before; from an even start (a yes/no answer thought 50:50) a guess is
then right at most e^ε/(e^ε + 1) of the time. Per person: privacy losses add up over the
items one person sends, so a whole quiz spends (questions + the closing one) × ε, a myth
round its statements × ε, and a retake the same again (basic composition, nearly tight here:
someone who isolates one person's values, say by watching the projector as they alone
finish, can estimate their score roughly).

Pure Python: no Flask, no database.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..counting.randomized_response import epsilon, truth_probability
from ..scoring import Bank, MythRound


@dataclass(frozen=True)
class Guarantee:
    odds: int  # e^ε per counted item: the most one item multiplies anyone's odds by
    quiz_items: int  # counted items of one finished quiz: every question and the closing one
    myth_items: int  # counted items of one myth round: its statements

    @property
    def even_start(self) -> float:
        """How often a guess about a yes/no answer is right at most, from an even start."""
        return float(truth_probability(self.odds, 2))

    @property
    def epsilon(self) -> float:
        return epsilon(self.odds)

    @property
    def quiz_epsilon(self) -> float:
        return self.quiz_items * self.epsilon

    @property
    def myth_epsilon(self) -> float:
        return self.myth_items * self.epsilon


def guarantee(odds: int, bank: Bank, myths: MythRound) -> Guarantee:
    return Guarantee(odds, len(bank.questions) + 1, len(myths.statements))
