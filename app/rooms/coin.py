"""What the coin did to a room, in the figures anyone could work out from its level and size.

Expected values only (nothing read from any person's answers): each finished quiz gives one
answer per scored question and one to the closing question, and each answer among m is
counted as another with probability 1 - e^ε / (e^ε + m - 1). Pure Python: no Flask, no database.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..counting.randomized_response import truth_probability
from ..scoring import Bank
from ..store.counters import CHILLING_IDS


@dataclass(frozen=True)
class CoinEffect:
    answers: int  # answers the room's finished quizzes gave
    changed: int  # how many of them the coin is expected to have counted as another


def coin_effect(bank: Bank, odds: int, finished: int) -> CoinEffect:
    sizes = [len(q.options) for q in bank.questions] + [len(CHILLING_IDS)]
    per_quiz = sum(1 - float(truth_probability(odds, m)) for m in sizes)
    return CoinEffect(answers=finished * len(sizes), changed=round(finished * per_quiz))
