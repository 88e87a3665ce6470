"""The chilling-effect question, asked once the scored questions are done.

It is not scored: it asks whether being watched changed the answers, and is
counted like any other answer so that a room can see its own self-censorship.
"""

from __future__ import annotations

from ..catalogue import lazy_gettext as _l
from ..store.counters import CHILLING_IDS

QUESTION = _l("Did you change any answer because the score or the room might see it?")
OPTIONS = {
    "no": _l("No, I answered as I really am"),
    "considered": _l("I thought about it, but did not"),
    "changed": _l("Yes, at least one answer"),
}
OPTION_IDS = CHILLING_IDS  # kept with what is counted (no translated text there); tests/test_rooms.py checks both agree
