"""The one home of every figure a page or an export publishes (the read side of deniable counting).

- estimates: de-biased shares with a 95% range, and the average they imply.
- figures: everything a scope may show (/stats, the myth result, a room's projector, slides,
  debrief and CSV), or nothing below the minimum of finished quizzes.
- published: the figures of the site or a room, read from their counters for a page.

The write side, the coin itself, is app/counting/randomized_response.py.
"""
