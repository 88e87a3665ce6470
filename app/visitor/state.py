"""A visitor's own state, kept only in their own signed session cookie (app/web/session.py).

Each activity lives under its own key, and nothing of it on the server:

- `quiz`: once it is finished, its answers and closing answer, and how it was counted;
- `myths`: once it is finished, the myth round's guesses and how the round was counted.

Answers in progress are never here: they stay in the visitor's page (and that tab's own
storage, for a reload) until the one form that holds them all is sent (app/quiz/routes.py).

(The workshop room the visitor joined is kept beside them: app/rooms/membership.py.)

An activity (the quiz, the myth round) keeps one small dict: what was answered, once sent,
the start token that makes it count once (app/counting/start_token.py), and, once it was counted,
exactly the counters the tally added 1 to and which of those values the coin changed (the
data receipt reads them back from there).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from flask import session

from ..content.closing_question import OPTION_IDS as CHILLING_IDS
from ..counting import start_token
from ..counting.finish import DATABASE, Outcome
from ..counting.start_token import Token
from ..scoring import Bank, MythRound
from ..scoring.myths import VERDICTS
from ..store.counters import ANSWER_PREFIX, GLOBAL, CounterKey


class Activity:
    """One activity's dict in the cookie, and how it was counted."""

    def __init__(self, key: str) -> None:
        self.key = key

    def read(self) -> dict[str, Any]:
        """The activity's state; anything that is not a dict (say, an old cookie) counts as none."""
        state = session.get(self.key)
        return state if isinstance(state, dict) else {}

    def update(self, **fields: Any) -> None:
        """Set these fields; a field set to None is removed."""
        state = self.read()
        for name, value in fields.items():
            if value is None:
                state.pop(name, None)
            else:
                state[name] = value
        session[self.key] = state

    def counted_keys(self) -> tuple[CounterKey, ...] | None:
        """Exactly the counters this run added 1 to, as the tally returned them; None if not counted."""
        raw = self.read().get("counted")
        if not isinstance(raw, list):
            return None
        keys = [CounterKey(*item) for item in raw if isinstance(item, list) and len(item) == 3]
        return tuple(keys) if len(keys) == len(raw) else None

    def mark_counted(self, keys: Sequence[CounterKey], changed: Mapping[tuple[str, str], str]) -> None:
        """Keep the tally's own list of what it incremented, and, for each (scope, metric)
        whose value the coin changed, the visitor's true value."""
        self.update(
            counted=[[k.scope, k.metric, k.value] for k in keys],
            coin=[[scope, metric, true] for (scope, metric), true in changed.items()],
            not_counted=None,
        )

    def coin_changed(self) -> dict[tuple[str, str], str]:
        """(scope, metric) -> the true value, for each counted value the coin changed."""
        raw = self.read().get("coin")
        if not isinstance(raw, list):
            return {}
        return {
            (item[0], item[1]): item[2]
            for item in raw
            if isinstance(item, list) and len(item) == 3 and all(isinstance(part, str) for part in item)
        }

    def record_outcome(self, outcome: Outcome) -> None:
        """What counting did: the counters written (and the coin's changes), or why nothing was."""
        if outcome.keys:
            self.mark_counted(outcome.keys, outcome.changed)
        self.update(not_counted=outcome.not_counted, left_room=outcome.left_room)

    def not_counted(self) -> str | None:
        reason = self.read().get("not_counted")
        return reason if isinstance(reason, str) else None

    def left_room(self) -> str | None:
        reason = self.read().get("left_room")
        return reason if isinstance(reason, str) else None

    def start(self) -> None:
        """Issue the start token if this run has none yet (when its form is first shown)."""
        if not isinstance(self.read().get("start"), dict):
            self.update(start=start_token.new_token())

    def token(self) -> Token | None:
        """The start token, hashed, if it may still be counted."""
        return start_token.spendable(self.read().get("start"))

    def restart(self) -> None:
        session.pop(self.key, None)


class QuizProgress(Activity):
    """The quiz, once its one form was sent: answers to the bank's questions and the closing question."""

    def answers(self, bank: Bank) -> dict[str, str]:
        """The answers sent, keeping only those that still fit the bank."""
        raw = self.read().get("answers")
        if not isinstance(raw, dict):
            return {}
        kept: dict[str, str] = {}
        for q in bank.questions:
            value = raw.get(q.id)
            if isinstance(value, str) and q.option(value) is not None:
                kept[q.id] = value
        return kept

    def is_complete(self, bank: Bank) -> bool:
        return len(self.answers(bank)) == len(bank.questions) and self.chilling_answer() is not None

    def chilling_answer(self) -> str | None:
        value = self.read().get("chilling")
        return value if value in CHILLING_IDS else None

    def save_finished(self, answers: Mapping[str, str], chilling: str) -> None:
        """Keep what the form sent: the visitor's own result and receipt are drawn from it."""
        self.update(answers=dict(answers), chilling=chilling)

    def begin(self, bank: Bank) -> None:
        """The form is shown: the run gets its start token, and nothing half-answered stays here
        (a cookie from before the one-form quiz may still hold some); a finished quiz stays."""
        self.start()
        if not self.is_complete(bank):
            self.update(answers=None, chilling=None)

    def counted_answers(self) -> dict[str, str] | None:
        """The answers as they were when the quiz was counted: each counted value, or, where
        the coin changed it, the true value kept beside it in the cookie."""
        keys = self.counted_keys()
        if keys is None:
            return None
        changed = self.coin_changed()
        scope = next((k.scope for k in keys if k.scope == GLOBAL), keys[0].scope if keys else GLOBAL)
        return {
            k.metric[len(ANSWER_PREFIX) :]: changed.get((k.scope, k.metric), k.value)
            for k in keys
            if k.scope == scope and k.metric.startswith(ANSWER_PREFIX)
        }

    def count_failed(self) -> bool:
        return self.not_counted() == DATABASE


class MythProgress(Activity):
    """The myth round: one verdict a statement."""

    def guesses(self, myths: MythRound) -> dict[str, str]:
        """The guesses so far, keeping only those that still fit the round."""
        raw = self.read().get("guesses")
        if not isinstance(raw, dict):
            return {}
        return {s.id: raw[s.id] for s in myths.statements if raw.get(s.id) in VERDICTS}

    def is_complete(self, myths: MythRound) -> bool:
        return len(self.guesses(myths)) == len(myths.statements)

    def save_guesses(self, given: Mapping[str, str]) -> None:
        self.update(guesses=dict(given))


quiz = QuizProgress("quiz")
myths = MythProgress("myths")
