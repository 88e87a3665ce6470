"""The data receipt: exactly the counters the visit added 1 to, from the tally's own list."""

from __future__ import annotations

import re

from app import tally
from app.scoring import score_answers, worst_answers
from tests.conftest import csrf_token

STORED = re.compile(r'<code class="stored">([^<]+)</code>')


def _stored_lines(html: str) -> list[tuple[str, str, str]]:
    lines = []
    for text in STORED.findall(html):
        scope, metric, value = (part.strip() for part in text.split(" · "))
        lines.append((scope, metric, "" if value == "—" else value))
    return lines


def test_receipt_lists_exactly_the_counters_written(quiz, client, bank, store):
    answers = worst_answers(bank)
    quiz.complete(answers, chilling="changed")
    page = client.get("/quiz/result").get_data(as_text=True)
    assert "Your data receipt" in page
    receipt = sorted(_stored_lines(page))
    written = sorted((scope, metric, value) for scope, metric, value, count in store.rows() if scope == "global")
    assert receipt == written
    assert all(count == 1 for scope, _m, _v, count in store.rows() if scope == "global")


def test_receipt_says_what_each_counter_means_and_what_was_not_kept(quiz, client, bank):
    answers = worst_answers(bank)
    report = score_answers(bank, answers)
    quiz.complete(answers, chilling="considered")
    page = client.get("/quiz/result").get_data(as_text=True)
    q = bank.questions[0]
    assert q.text in page and q.worst.text in page
    assert "Score band" in page and "Poor" in page
    assert f"{report.bucket}–{report.bucket + 49}" in page
    assert "I thought about it, but did not" in page
    for phrase in ("IP address", "date or time of your visit", "any link between your answers"):
        assert phrase in page


def test_receipt_is_the_keys_record_completion_returned(app, bank):
    """One source of truth: the keys the tally writes are the keys it hands back."""
    answers = worst_answers(bank)
    report = score_answers(bank, answers)
    with app.app_context():
        session = app.extensions["database"].sessions()
        keys = tally.record_completion(session, report, answers, [tally.GLOBAL], k=5, chilling="no")
        assert keys == tally.completion_keys(report, answers, [tally.GLOBAL], chilling="no")
        live = tally.read_tally(session, bank, live=True)
        session.close()
    assert live.completions == 1 and live.chilling == {"no": 1, "considered": 0, "changed": 0}
    assert len(keys) == len(bank.questions) + 4


def test_changing_answers_later_keeps_the_receipt_of_what_was_counted(quiz, client, bank):
    quiz.complete(worst_answers(bank))
    first = _stored_lines(client.get("/quiz/result").get_data(as_text=True))
    quiz.answer(1, bank.questions[0].best.id)
    page = client.get("/quiz/result").get_data(as_text=True)
    assert "Only your first finished set was counted" in page
    assert _stored_lines(page) == first


def test_no_receipt_when_the_database_failed(quiz, client, app, monkeypatch):
    from sqlalchemy.exc import OperationalError

    def broken(*_args, **_kwargs):
        raise OperationalError("stmt", {}, Exception("down"))

    monkeypatch.setattr(tally, "_upsert_increment", broken)
    quiz.complete()
    page = client.get("/quiz/result").get_data(as_text=True)
    assert "Nothing was counted" in page
    assert not _stored_lines(page)


def test_forget_removes_the_receipt(quiz, client):
    quiz.complete()
    page = client.get("/quiz/result").get_data(as_text=True)
    client.post("/forget", data={"csrf_token": csrf_token(page)})
    assert client.get("/quiz/result").status_code == 400
