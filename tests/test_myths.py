"""Myth or real?: the statements file, the round, and its right/wrong counters."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest
from markupsafe import escape
from werkzeug.datastructures import MultiDict

from app.scoring import BankError, load_myths
from app.scoring.myths import DEFAULT_MYTHS, parse_myths
from tests.helpers import csrf_token, myth_guesses, play_myths
from tests.receipts import counted, receipt_lines

MYTHS = load_myths()


def _raw() -> dict:
    return tomllib.loads(DEFAULT_MYTHS.read_text(encoding="utf-8"))


# ------------------------------------------------------------------ the file


def test_default_round_has_six_to_eight_sourced_statements_of_both_kinds():
    assert 6 <= len(MYTHS.statements) <= 8
    assert {s.verdict for s in MYTHS.statements} == {"real", "myth"}
    for s in MYTHS.statements:
        assert s.source.title and s.source.url.startswith("https://")
        assert (s.verdict == "myth") == (s.source.label == "myth")
    texts = " ".join(s.text for s in MYTHS.statements)
    for claim in ("slower internet", "17.5 million", "one national social credit score"):
        assert claim in texts


@pytest.mark.parametrize(
    ("mutate", "expected"),
    [
        (lambda d: d["statements"][0].update(verdict="maybe"), "verdict"),
        (lambda d: d["statements"][0].update(label="documented"), "cannot carry the label"),
        (lambda d: d["statements"][1].update(label="myth"), "cannot carry the label"),
        (lambda d: d["statements"][1].update(label="rumour"), "label"),
        (lambda d: d["statements"][1].pop("source"), "source"),
        (lambda d: d["statements"][1].update(url="ftp://x"), "url"),
        (lambda d: d["statements"][1].update(id="slower_internet"), "share an id"),
        (lambda d: d.update(statements=d["statements"][:5]), "6 to 8"),
        (lambda d: d.update(statements=d["statements"] + d["statements"][:1]), "share an id"),
        (lambda d: d.update(statements=[s for s in d["statements"] if s["verdict"] == "real"] * 2), "share an id"),
    ],
)
def test_a_broken_statements_file_names_the_place(mutate, expected):
    data = _raw()
    mutate(data)
    with pytest.raises(BankError) as caught:
        parse_myths(data, "custom-myths.toml")
    assert "custom-myths.toml" in str(caught.value)
    assert expected in str(caught.value)


def test_a_round_of_only_one_kind_is_refused():
    data = _raw()
    reals = [s for s in data["statements"] if s["verdict"] == "real"]
    data["statements"] = [dict(s, id=f"{s['id']}_{i}") for i in range(2) for s in reals]
    with pytest.raises(BankError, match="at least one myth and one real"):
        parse_myths(data)


def test_missing_or_broken_file(tmp_path: Path):
    with pytest.raises(BankError, match="not found"):
        load_myths(tmp_path / "none.toml")
    bad = tmp_path / "m.toml"
    bad.write_text("[[statements]\n", encoding="utf-8")
    with pytest.raises(BankError, match="not valid TOML"):
        load_myths(bad)


# ------------------------------------------------------------------ the round


def test_the_landing_page_offers_the_round(client):
    page = client.get("/").get_data(as_text=True)
    assert 'href="/myths/" data-myths-link' in page
    assert f"in {len(MYTHS.statements)} statements" in page


def test_round_page_asks_every_statement(client):
    page = client.get("/myths/").get_data(as_text=True)
    for s in MYTHS.statements:
        assert str(escape(s.text)) in page
        assert f'name="{s.id}" value="real"' in page and f'name="{s.id}" value="myth"' in page


def test_verdicts_show_evidence_sources_and_your_mark(client):
    guesses = myth_guesses(right=True)
    wrong = MYTHS.statements[0].id
    guesses[wrong] = "real" if guesses[wrong] == "myth" else "myth"
    response = play_myths(client, guesses)
    assert response.status_code == 303 and response.headers["Location"] == "/myths/result"
    page = client.get("/myths/result").get_data(as_text=True)
    n = len(MYTHS.statements)
    assert f"You got {n - 1} of {n} right." in page
    for s in MYTHS.statements:
        assert str(escape(s.explanation)) in page
        assert s.source.url in page
    assert f'class="verdict wrong" data-statement="{wrong}"' in page
    assert "evidence-myth" in page and "evidence-documented" in page


def test_round_is_counted_right_or_wrong_per_statement_and_only_once(client, store):
    guesses = myth_guesses(right=False)
    play_myths(client, guesses)
    page = client.get("/myths/result").get_data(as_text=True)
    play_myths(client, myth_guesses(right=True))  # answering again in the same run does not count again
    assert store.count("myth_rounds") == 1
    lines = receipt_lines(page)
    for s in MYTHS.statements:
        # every guess was wrong: counted as "wrong", unless the coin changed it, which the receipt says
        ((_scope, _metric, value, changed),) = [line for line in lines if line[1] == f"myth:{s.id}"]
        assert value == ("right" if changed else "wrong")
        assert store.count(f"myth:{s.id}", value) == 1
        assert store.count(f"myth:{s.id}", "right") + store.count(f"myth:{s.id}", "wrong") == 1
    # nothing of the quiz was written, and nothing keyed by anything else
    assert {metric.split(":")[0] for _scope, metric, _v, _n in store.counted()} == {"myth_rounds", "myth"}


def test_play_again_counts_a_new_round(client, store):
    play_myths(client, myth_guesses())
    page = client.get("/myths/result").get_data(as_text=True)
    assert client.post("/myths/restart", data={"csrf_token": csrf_token(page)}).status_code == 303
    play_myths(client, myth_guesses())
    assert store.count("myth_rounds") == 2


def test_myth_counters_are_not_keyed_by_quiz_answers(quiz, client, store, bank):
    quiz.complete()
    play_myths(client, myth_guesses())
    for scope, metric, value, _count in store.rows():
        if metric.startswith("myth"):
            assert scope == "global"
            assert value in ("", "right", "wrong")


def test_receipt_of_the_round_matches_what_was_written(client, store):
    play_myths(client, myth_guesses())
    page = client.get("/myths/result").get_data(as_text=True)
    assert "Your data receipt" in page
    assert sorted(counted(page).items()) == sorted(((s, m, v), n) for s, m, v, n in store.counted())
    assert page.count('<code class="stored">') == len(MYTHS.statements) + 1


def test_missing_answers_are_asked_again_and_nothing_is_counted(client, store):
    guesses = myth_guesses()
    missing = MYTHS.statements[2]
    del guesses[missing.id]
    response = play_myths(client, guesses)
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "Please check your answers" in page and f'href="#m-{missing.id}"' in page
    assert f'id="missing-{missing.id}"' in page
    assert f'name="{MYTHS.statements[0].id}" value="{guesses[MYTHS.statements[0].id]}" checked' in page
    assert store.total() == 0


@pytest.mark.parametrize("forged", ["maybe", "REAL", "x" * 200])
def test_a_forged_answer_is_a_400_page_and_writes_nothing(client, store, forged):
    guesses = myth_guesses()
    guesses[MYTHS.statements[0].id] = forged
    response = play_myths(client, guesses)
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert 'class="site-header"' in page
    assert f'id="missing-{MYTHS.statements[0].id}"' in page  # marked, the other guesses still ticked
    assert page.count(" checked") == len(MYTHS.statements) - 1
    assert store.total() == 0


def test_a_repeated_verdict_is_refused(client, store):
    page = client.get("/myths/").get_data(as_text=True)
    form = [("csrf_token", csrf_token(page)), *myth_guesses().items(), (MYTHS.statements[1].id, "myth")]
    response = client.post("/myths/", data=MultiDict(form))
    assert response.status_code == 400 and "Only one answer can be sent" in response.get_data(as_text=True)
    assert store.total() == 0


def test_a_stale_round_comes_back_with_its_guesses_and_counts_nothing(client, store):
    client.get("/myths/")
    response = client.post("/myths/", data={"csrf_token": "out-of-date", **myth_guesses()})
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "That form had expired" in page and page.count(" checked") == len(MYTHS.statements)
    assert client.post("/myths/", data={"csrf_token": csrf_token(page), **myth_guesses()}).status_code == 303
    assert store.count("myth_rounds") == 1


def test_the_round_is_sent_at_one_length_whatever_the_guesses(client):
    page = client.get("/myths/").get_data(as_text=True)
    values = re.findall(r'<input type="radio" name="[^"]+" value="([^"]+)"', page)
    assert len({len(v) for v in values}) == 1  # "real" and "myth": the body's length says nothing


def test_no_token_no_count(client, store):
    client.get("/myths/")
    assert client.post("/myths/", data=myth_guesses()).status_code == 400
    assert store.total() == 0


def test_result_without_a_round_is_a_clear_400(client):
    response = client.get("/myths/result")
    assert response.status_code == 400
    assert "no finished round" in response.get_data(as_text=True)


def test_everyone_s_figures_wait_for_the_minimum_of_rounds_and_ignore_quizzes(app, quiz, client, store):
    n = app.config["MIN_FINISHED"]
    for _ in range(n):  # finished quizzes show the quiz's figures, not the myth ones
        client.delete_cookie("session")
        quiz.complete()
    for _ in range(n - 1):
        client.delete_cookie("session")
        play_myths(client, myth_guesses())
    page = client.get("/myths/result").get_data(as_text=True)
    assert f"Figures appear once {n} people have finished this round" in page and "data-myths" not in page
    client.delete_cookie("session")
    play_myths(client, myth_guesses())
    page = client.get("/myths/result").get_data(as_text=True)
    assert f"{n} rounds finished" in page and f'data-myth-rounds="{n}"' in page
    assert page.count("data-estimate") == len(MYTHS.statements)
    stats = client.get("/stats").get_data(as_text=True)
    assert f"{n} rounds finished" in stats


def test_a_replayed_round_counts_once(client, store):
    page = client.get("/myths/").get_data(as_text=True)
    with client.session_transaction() as session:
        saved = dict(session)
    form = {"csrf_token": csrf_token(page), **myth_guesses()}
    assert client.post("/myths/", data=form).status_code == 303
    for _ in range(5):
        with client.session_transaction() as session:
            session.clear()
            session.update(saved)  # the cookie as it was just before the round was counted
        assert client.post("/myths/", data=form).status_code == 303
    assert store.count("myth_rounds") == 1
    assert "already counted once" in client.get("/myths/result").get_data(as_text=True)


def test_a_round_posted_without_ever_loading_the_page_is_not_counted(client, store):
    """The start token comes with the round's page: a post with no token counts nothing."""
    page = client.get("/quiz/").get_data(as_text=True)  # a CSRF token, but no round started
    assert client.post("/myths/", data={"csrf_token": csrf_token(page), **myth_guesses()}).status_code == 303
    assert store.total() == 0
    assert "Nothing from this round was counted" in client.get("/myths/result").get_data(as_text=True)
