"""A workshop room end to end with the closing question, the myth round and the debrief prompts."""

from __future__ import annotations

import csv
import io
import re

from app.scoring import load_myths, worst_answers
from tests.conftest import QuizDriver, csrf_token
from tests.test_rooms import counts_shown, open_room

MYTHS = load_myths()
RIGHT = {s.id: s.verdict for s in MYTHS.statements}


def joined(app, code: str):
    browser = app.test_client()
    page = browser.get(f"/r/{code}")
    browser.post(f"/r/{code}", data={"csrf_token": csrf_token(page.get_data(as_text=True))})
    return browser


def finish_quiz(app, bank, code: str, chilling: str, answers=None):
    browser = joined(app, code)
    QuizDriver(browser, bank).complete(answers, chilling=chilling)
    return browser


def play_myths(browser, guesses: dict[str, str]):
    page = browser.get("/myths/").get_data(as_text=True)
    response = browser.post("/myths/", data={"csrf_token": csrf_token(page), **guesses})
    assert response.status_code == 303


def section(html: str, heading_id: str) -> str:
    start = html.index(f'id="{heading_id}"')
    return html[start : html.index("</section>", start)]


def test_projector_shows_the_room_s_chilling_answers_only_in_groups_of_k(app, client, bank):
    code, link, _ = open_room(client)
    k = app.config["MIN_GROUP_SIZE"]
    for i in range(k):
        finish_quiz(app, bank, code, "changed" if i < k - 1 else "no")
    page = client.get(link).get_data(as_text=True)
    chill = section(page, "chill-h")
    assert "Did you change any answer because the score or the room might see it?" in chill
    # k-1 "changed" and one "no": the lone "no" is pooled away, every figure is 0 or at least k
    assert all(n == 0 or n >= k for n in counts_shown(chill))
    assert "Together, so that no small group shows" in chill
    assert f'data-count="{k}"' in chill


def test_myth_results_count_into_the_room_and_show_after_k_rounds(app, client, bank, store):
    code, link, _ = open_room(client)
    k = app.config["MIN_GROUP_SIZE"]
    browsers = [finish_quiz(app, bank, code, "no") for _ in range(k)]
    for browser in browsers[: k - 1]:
        play_myths(browser, RIGHT)
    page = client.get(link).get_data(as_text=True)
    assert "data-myths-waiting" in section(page, "myths-h")
    room_scope = next(r[0] for r in store.rows() if r[0].startswith("room:"))
    assert store.count("myth_rounds", scope=room_scope) == k - 1
    play_myths(browsers[-1], RIGHT)
    page = client.get(link).get_data(as_text=True)
    myths = section(page, "myths-h")
    assert f'data-myths-published="{k}"' in myths and f'data-myths-published="{k}"' in page
    for s in MYTHS.statements:
        assert s.text.replace("'", "&#39;") in myths
    assert myths.count(f'data-count="{k}"') == len(MYTHS.statements)  # everyone right on each
    poll = client.get(f"{link}/poll").get_json()
    assert poll["myths_published"] == k and poll["published"] == k


def test_a_lone_wrong_answer_keeps_that_statement_hidden_on_the_projector(app, client, bank):
    code, link, _ = open_room(client)
    k = app.config["MIN_GROUP_SIZE"]
    for i in range(k):
        browser = finish_quiz(app, bank, code, "no")
        guesses = dict(RIGHT)
        if i == 0:
            first = MYTHS.statements[0]
            guesses[first.id] = "real" if first.verdict == "myth" else "myth"
        play_myths(browser, guesses)
    myths = section(client.get(link).get_data(as_text=True), "myths-h")
    assert myths.count("not shown: fewer than") == 1
    assert myths.count(f'data-count="{k}"') == len(MYTHS.statements) - 1


def test_debrief_offers_three_to_five_prompts_from_the_room_s_figures(app, client, bank):
    code, link, _ = open_room(client)
    k = app.config["MIN_GROUP_SIZE"]
    for _ in range(k):
        browser = finish_quiz(app, bank, code, "changed", worst_answers(bank))
        play_myths(browser, {sid: "real" for sid in RIGHT})  # every myth believed
    page = client.get(f"{link}/debrief").get_data(as_text=True)
    prompts = re.findall(r'data-prompt="(\w+)"', page)
    assert 3 <= len(prompts) <= 5
    assert prompts[0] == "costliest"
    assert {"chilling", "myth"} <= set(prompts)
    assert f"{k} of {k} people here changed an answer, or thought about it" in page
    assert "100% of the room got this one wrong" in page
    assert all(n == 0 or n >= k for n in counts_shown(page))


def test_debrief_has_no_prompts_before_k(app, client, bank):
    code, link, _ = open_room(client)
    finish_quiz(app, bank, code, "changed")
    page = client.get(f"{link}/debrief").get_data(as_text=True)
    assert "data-prompt=" not in page
    assert "nothing to report" in page


def test_csv_adds_thresholded_chilling_and_myth_rows(app, client, bank):
    code, link, _ = open_room(client)
    k = app.config["MIN_GROUP_SIZE"]
    for _ in range(k):
        play_myths(finish_quiz(app, bank, code, "considered"), RIGHT)
    rows = list(csv.DictReader(io.StringIO(client.get(f"{link}/debrief.csv").get_data(as_text=True))))
    chilling = [r for r in rows if r["section"] == "chilling"]
    assert [int(r["people"]) for r in chilling if int(r["people"])] == [k]
    myth_rows = [r for r in rows if r["section"] == "myth"]
    assert len(myth_rows) == 2 * len(MYTHS.statements)
    assert all(int(r["people"]) in (0, k) for r in myth_rows)


def test_a_participant_s_receipts_list_the_room_counters_too(app, client, bank, store):
    code, _link, _ = open_room(client)
    browser = finish_quiz(app, bank, code, "considered")
    result = browser.get("/quiz/result").get_data(as_text=True)
    assert "Your room" in result and "Everyone (the public statistics)" in result
    room_scope = next(r[0] for r in store.rows() if r[0].startswith("room:"))
    stored = re.findall(r'<code class="stored">([^<]+)</code>', result)
    room_lines = sorted(line for line in stored if line.startswith(room_scope + " "))
    expected = sorted(f"{m} · {v or '—'}" for s, m, v, _n in store.rows() if s == room_scope)
    assert [line.split(" · ", 1)[1] for line in room_lines] == expected
    page = browser.get("/myths/").get_data(as_text=True)
    assert f'data-joined-room="{code}"' in page
    play_myths(browser, RIGHT)
    assert store.count("myth_rounds", scope=room_scope) == 1
    receipt = browser.get("/myths/result").get_data(as_text=True)
    assert receipt.count(f'<code class="stored">{room_scope} · myth') == len(MYTHS.statements) + 1
