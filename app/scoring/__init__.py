"""Pure-Python scoring: the question bank and the engine. No Flask, no database."""

from .bank import LABELS, Bank, BankError, Option, Perk, Question, Source, load_bank
from .engine import (
    BAND_IDS,
    BANDS,
    BUCKETS,
    SCORE_MAX,
    SCORE_MIN,
    AnswerError,
    Contribution,
    Report,
    band_for,
    best_answers,
    bucket_for,
    option_points,
    score_answers,
    worst_answers,
)
from .myths import MythRound, Statement, load_myths
from .whatif import Change, changed_answers, cheapest_way_up, what_if

__all__ = [
    "BANDS",
    "BAND_IDS",
    "BUCKETS",
    "LABELS",
    "SCORE_MAX",
    "SCORE_MIN",
    "AnswerError",
    "Bank",
    "BankError",
    "Change",
    "Contribution",
    "MythRound",
    "Option",
    "Perk",
    "Question",
    "Report",
    "Source",
    "Statement",
    "band_for",
    "best_answers",
    "bucket_for",
    "changed_answers",
    "cheapest_way_up",
    "load_bank",
    "load_myths",
    "option_points",
    "score_answers",
    "what_if",
    "worst_answers",
]
