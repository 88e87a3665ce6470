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
    "Contribution",
    "Option",
    "Perk",
    "Question",
    "Report",
    "Source",
    "band_for",
    "best_answers",
    "bucket_for",
    "load_bank",
    "option_points",
    "score_answers",
    "worst_answers",
]
