"""The questionnaire: every scored question and the closing one, in one form sent once.

Its fields are the bank's questions, named by their ids, then the closing question, named
so that no question id can take its name. app/web/forms.py reads what comes back.

Privacy on the wire: a question's options are sent as their ids padded with PAD to the
width of that question's longest id, so the body that carries the answers has the same
length whatever they are (the field names, their order and the CSRF token are fixed too).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from werkzeug.datastructures import MultiDict

from ..content import closing_question as chilling
from ..scoring import Bank, Question
from ..web.forms import Answered, read_answers

PAD = "."  # never part of an id (app/scoring/bank.py: lower-case letters, digits and _)
CLOSING = "closing-question"  # the closing question's field: a hyphen, so never a question's id


@dataclass(frozen=True)
class Choice:
    value: str  # as sent: the option id, padded
    option_id: str
    text: object  # the bank's English text (the `t` filter translates it), or a lazy string


@dataclass(frozen=True)
class Item:
    """One fieldset of the form: a scored question, or the closing one (question None)."""

    name: str
    question: Question | None
    choices: tuple[Choice, ...]

    def option_for(self, value: str | None) -> str | None:
        return next((c.option_id for c in self.choices if c.value == value), None)

    def value_for(self, option_id: str | None) -> str | None:
        return next((c.value for c in self.choices if c.option_id == option_id), None)


def padded(option_id: str, option_ids: Iterable[str]) -> str:
    """An option id as a form sends it: padded with PAD to the width of its question's longest."""
    return option_id.ljust(max(len(other) for other in option_ids), PAD)


def change_value(question: Question, option_id: str) -> str:
    """A what-if's "question:option" as its form sends it: the same length whichever option
    is tried (which one is tried would tell the answer it replaces)."""
    return f"{question.id}:{padded(option_id, (o.id for o in question.options))}"


def _item(name: str, question: Question | None, options: Mapping[str, object]) -> Item:
    return Item(
        name,
        question,
        tuple(Choice(padded(option_id, options), option_id, text) for option_id, text in options.items()),
    )


# Per bank, made once: a bank is loaded once per app and never changes (a frozen dataclass,
# whose hash would walk all of it, so it is looked up by identity and kept alive here).
_MADE: dict[int, tuple[Bank, tuple[Item, ...]]] = {}


def questionnaire(bank: Bank) -> tuple[Item, ...]:
    """The form's items in the order they are asked (and sent): the bank's questions, then the closing one."""
    made = _MADE.get(id(bank))
    if made is None or made[0] is not bank:
        scored = tuple(_item(q.id, q, {o.id: o.text for o in q.options}) for q in bank.questions)
        made = _MADE[id(bank)] = (bank, (*scored, _item(CLOSING, None, dict(chilling.OPTIONS))))
    return made[1]


@dataclass(frozen=True)
class Filled:
    """The questionnaire as it was sent back, or as it is shown again."""

    sent: Answered
    bank: Bank

    def answers(self) -> dict[str, str]:
        """question id -> option id, for the scored questions answered."""
        items = questionnaire(self.bank)
        return {
            item.name: option
            for item in items[:-1]
            if (option := item.option_for(self.sent.values.get(item.name))) is not None
        }

    def chilling(self) -> str | None:
        return questionnaire(self.bank)[-1].option_for(self.sent.values.get(CLOSING))


def read(bank: Bank, formdata: MultiDict[str, str]) -> Filled:
    """Validate a sent questionnaire against the bank: nothing here is counted or kept."""
    fields = {item.name: [c.value for c in item.choices] for item in questionnaire(bank)}
    return Filled(read_answers(fields, formdata), bank)


def empty(bank: Bank) -> Filled:
    return Filled(Answered({}, {}), bank)
