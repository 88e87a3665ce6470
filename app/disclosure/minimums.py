"""How many finished quizzes a scope needs before it shows figures, and before it ranks
its costliest habits: one home for both, per privacy level.

The noise of a de-biased share grows with the level's variance factor (e^ε + m − 2)/(e^ε − 1)²
(statistics-review.md, item 5): ln 2 needs about 5.4 times the people ln 4 does for the
same error. Measured by `bench/privacy_sim.py --rules` (120 simulated rooms a cell, 60 at
600 and more people; projected shares; error in points against a blind 1/m guess; how often
the costliest habit shown first is the true one):

    level  people  error  blind  first right
    ln 2     30    19.2   20.8   48%
    ln 2     50    16.4   20.6   55%    shown from here
    ln 2    300     7.4   19.8   65%
    ln 2    600     5.6   19.9   80%    ranked from here
    ln 3     10    20.0   22.6   48%
    ln 3     20    15.7   21.4   62%    shown
    ln 3     90     8.3   20.2   77%    ranked
    ln 4     10    16.2   22.6   58%    shown: the reference, MIN_FINISHED
    ln 4     50     8.3   20.7   72%    ranked (the review: 76%, 2,000 rooms)
    ln 9     10     9.5   22.5   68%    shown
    ln 9     20     7.1   21.7   76%    ranked

So a scope shows its figures from the size whose error is no worse than ln 4's at 10 (and
better than a blind guess), and ranks its costliest habits, with their shares, from the
size where the first is right about three times in four; below that they are "likely
among the costliest", unordered, with no headline share (picking the largest of noisy
estimates inflates them: +12 points at ln 4 with 10 people, +4 with 50). Levels 5 to 8,
which only an operator can set for the site, are interpolated between ln 4 and ln 9.
"""

from __future__ import annotations

import math

REFERENCE_ODDS = 4  # MIN_FINISHED (config) is the minimum at this level
# e^ε -> finished quizzes before any figure, when MIN_FINISHED is its default of 10.
SHOWN_FROM = {2: 50, 3: 20, 4: 10, 5: 10, 6: 10, 7: 10, 8: 10, 9: 10}
# e^ε -> finished quizzes before the costliest habits are ranked, with shares.
RANKED_FROM = {2: 600, 3: 90, 4: 50, 5: 40, 6: 30, 7: 25, 8: 20, 9: 20}


def shown_from(odds: int, configured: int) -> int:
    """A scope's minimum at its level: MIN_FINISHED at ln 4, scaled by the table for others
    (an operator or a test that lowers MIN_FINISHED lowers every level alike)."""
    return max(1, math.ceil(configured * SHOWN_FROM[odds] / SHOWN_FROM[REFERENCE_ODDS]))


def ranked_from(odds: int) -> int:
    return RANKED_FROM[odds]
