"""How many finished quizzes a scope needs before it shows figures, and before it ranks
its costliest habits: one home for both, per privacy level.

The noise of a de-biased share grows with the level's variance factor (e^ε + m − 2)/(e^ε − 1)²
(statistics-review.md, item 5): ln 2 needs about 5.4 times the people ln 4 does for the
same error. Measured by bench/privacy_sim.py (2,000 rooms a cell, projected shares; share
error against a blind 1/m guess, in points, and how often the costliest habit shown first
is the true one):

    level  people  error  blind   costliest first right
    ln 2   20      22.4   21.4    42%     worse than guessing: no figures
    ln 2   50      16.0   20.6    52%
    ln 3   20      ~15    21.4    ~55%
    ln 4   10      15.8   22.9    56%     the reference: MIN_FINISHED
    ln 4   50       8.2   20.6    76%     ranked from here
    ln 9   10       9.6   22.9    72%
    ln 9   20       7.1   21.3    79%

So a scope shows its figures from the count below (the error ln 4 has at 10, never worse
than a blind guess), and ranks its costliest habits from the count after (top one right
about three times in four); below that they are "likely among the costliest", unordered,
with no headline share (picking the largest of noisy estimates inflates them).
"""

from __future__ import annotations

import math

REFERENCE_ODDS = 4  # MIN_FINISHED (config) is the minimum at this level
# e^ε -> finished quizzes before any figure, when MIN_FINISHED is its default of 10.
SHOWN_FROM = {2: 50, 3: 20, 4: 10, 5: 10, 6: 10, 7: 10, 8: 10, 9: 10}
# e^ε -> finished quizzes before the costliest habits are ranked, with shares.
RANKED_FROM = {2: 270, 3: 90, 4: 50, 5: 35, 6: 25, 7: 20, 8: 17, 9: 15}


def shown_from(odds: int, configured: int) -> int:
    """A scope's minimum at its level: MIN_FINISHED at ln 4, scaled by the table for others
    (an operator or a test that lowers MIN_FINISHED lowers every level alike)."""
    return max(1, math.ceil(configured * SHOWN_FROM[odds] / SHOWN_FROM[REFERENCE_ODDS]))


def ranked_from(odds: int) -> int:
    return RANKED_FROM[odds]
