"""Deniable counting, and the one home of every figure a page or an export publishes.

- randomized_response: the mechanism (write side): each counted item randomized, exactly,
  from `secrets`, before anything is written.
- counting: what one finished quiz or myth round counts, where, and at which level.
- estimates: de-biased shares with a 95% range, and the average they imply.
- figures: everything a scope may show (/stats, the myth result, a room's projector,
  walkthrough, debrief and CSV), or nothing below the minimum of finished quizzes.

Submodules are imported by name (app.tally needs the mechanism, figures need the tally).
"""
