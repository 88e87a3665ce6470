"""The data receipt: exactly the (randomized) counters the visit added 1 to, from the tally's own list."""

from __future__ import annotations

from app.counting import items as counting
from app.scoring import worst_answers
from app.store import counters as tally
from tests.helpers import csrf_token
from tests.receipts import counted, receipt_lines


def test_receipt_lists_exactly_the_counters_written(quiz, client, bank, store):
    answers = worst_answers(bank)
    quiz.complete(answers, chilling="changed")
    page = client.get("/quiz/result").get_data(as_text=True)
    assert "Your data receipt" in page
    assert sorted(counted(page).items()) == sorted(((s, m, v), n) for s, m, v, n in store.counted())
    assert all(n == 1 for _key, n in counted(page).items())


def test_receipt_marks_exactly_the_values_the_coin_changed(quiz, client, bank):
    """Where the receipt says the coin changed nothing, the counted value is the true answer."""
    answers = worst_answers(bank)
    quiz.complete(answers, chilling="considered")
    page = client.get("/quiz/result").get_data(as_text=True)
    for scope, metric, value, changed in receipt_lines(page):
        if metric.startswith(tally.ANSWER_PREFIX):
            true = answers[metric.removeprefix(tally.ANSWER_PREFIX)]
        elif metric == tally.CHILLING:
            true = "considered"
        else:
            continue
        assert (value != true) == changed, (scope, metric)
    n_changed = sum(1 for line in receipt_lines(page) if line[3])
    assert f"the coin changed {n_changed} value" in page
    assert page.count("the coin changed it: you answered") == n_changed


def test_receipt_says_what_each_counter_means_and_what_was_not_kept(quiz, client, bank):
    quiz.complete(worst_answers(bank), chilling="considered")
    page = client.get("/quiz/result").get_data(as_text=True)
    q = bank.questions[0]
    assert q.text in page
    assert "Score band" not in page and "Score range" not in page  # neither is counted any more
    assert "a coin toss" in page and "evens out" in page  # the two sentences on why
    assert "<details" in page  # a disclosure: the result page stays short
    for phrase in ("IP address", "link between your answers in the counters"):
        assert phrase in page
    # the time is not "not kept": the database's own log holds it for a while, and the receipt says so
    assert "date or time of your visit" not in page
    assert "Kept for a while" in page and "write-ahead log" in page


def test_the_tally_writes_only_what_it_was_given_and_returns_it(app, bank):
    """One source of truth: the keys the tally writes (randomized values) are the keys it hands back."""
    from app.counting.finish import write
    from app.counting.start_token import new_token, spendable

    answers = worst_answers(bank)
    items = counting.quiz_items(bank, answers, "no")
    randomized = counting.randomize_for(items, [counting.Scope(tally.GLOBAL, 4)])
    sessions = app.extensions["database"].sessions
    keys = write(sessions, randomized, {tally.GLOBAL: 4}, spendable(new_token()), tally.COMPLETIONS)
    assert keys == counting.completion_keys(randomized, tally.COMPLETIONS)
    with sessions() as session:
        live = tally.read_tally(session, bank, tally.GLOBAL, 4)
    assert live.completions == 1 and sum(live.chilling.values()) == 1
    assert len(keys) == len(bank.questions) + 2
    counted_values = {k.metric: k.value for k in keys}
    for q in bank.questions:
        assert live.answers[q.id][counted_values[tally.ANSWER_PREFIX + q.id]] == 1


def test_changing_answers_later_keeps_the_receipt_of_what_was_counted(quiz, client, bank):
    quiz.complete(worst_answers(bank))
    first = receipt_lines(client.get("/quiz/result").get_data(as_text=True))
    quiz.answer(1, bank.questions[0].best.id)
    page = client.get("/quiz/result").get_data(as_text=True)
    assert "Only your first finished set was counted" in page
    assert receipt_lines(page) == first


def test_no_receipt_when_the_database_failed(quiz, client, app, monkeypatch):
    from sqlalchemy.exc import OperationalError

    def broken(*_args, **_kwargs):
        raise OperationalError("stmt", {}, Exception("down"))

    monkeypatch.setattr(tally, "increment", broken)
    quiz.complete()
    page = client.get("/quiz/result").get_data(as_text=True)
    assert "Nothing was counted" in page
    assert not receipt_lines(page)


def test_forget_removes_the_receipt(quiz, client):
    quiz.complete()
    page = client.get("/quiz/result").get_data(as_text=True)
    client.post("/forget", data={"csrf_token": csrf_token(page)})
    assert client.get("/quiz/result").status_code == 400
