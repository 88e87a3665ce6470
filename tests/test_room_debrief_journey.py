"""A workshop room end to end with the closing question, the myth round and the debrief prompts."""

from __future__ import annotations

import csv
import io
import re
from collections import Counter as Multiset

from app.content.closing_question import OPTION_IDS as CHILLING_IDS
from app.disclosure.estimates import share, shares
from app.disclosure.simplex import project, whole_percents
from app.scoring import load_myths, worst_answers
from tests.helpers import QuizDriver, csrf_token, open_room
from tests.receipts import counted

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


def test_projector_shows_the_room_s_chilling_answers_as_estimates(app, client, bank, store):
    code, link, _ = open_room(client)
    n = app.config["MIN_FINISHED"]
    for i in range(n):
        finish_quiz(app, bank, code, "changed" if i < n - 1 else "no")
    chill = client.get(f"{link}/slide/{len(bank.questions) + 2}").get_data(as_text=True)  # the closing question
    assert "data-chilling" in chill
    assert "Did you change any answer because the score or the room might see it?" in chill
    scope = room_scope(store)
    counts = {c: store.count("chilling", c, scope=scope) for c in CHILLING_IDS}
    assert sum(counts.values()) == n
    expected = shares(counts, CHILLING_IDS, 4)
    assert estimates(chill) == as_shown([expected[c] for c in CHILLING_IDS])
    assert "Together, so that no small group shows" not in chill and "data-count" not in chill


def test_myth_results_count_into_the_room_and_show_from_the_minimum(app, client, bank, store):
    code, link, _ = open_room(client)
    n = app.config["MIN_FINISHED"]
    browsers = [finish_quiz(app, bank, code, "no") for _ in range(n)]
    for browser in browsers[: n - 1]:
        play_myths(browser, RIGHT)
    first_myth_slide = len(bank.questions) + 4  # after the closing question and the coin
    myth_slides = [f"{link}/slide/{first_myth_slide + k}" for k in range(2)]
    assert "data-myths-waiting" in client.get(myth_slides[0]).get_data(as_text=True)
    scope = room_scope(store)
    assert store.count("myth_rounds", scope=scope) == n - 1
    play_myths(browsers[-1], RIGHT)
    myths = "".join(client.get(path).get_data(as_text=True) for path in myth_slides)
    assert "data-myths-waiting" not in myths
    for s in MYTHS.statements:
        assert s.text.replace("'", "&#39;") in myths
    right = [share(store_counts(store, scope, s.id), ("right",), 2, 4) for s in MYTHS.statements]
    expected = [round(100 * r.estimate) for r in right]
    assert estimates(myths) == expected
    poll = client.get(f"{link}/poll").get_json()
    assert poll["myth_rounds"] == n and poll["finished"] == n


def store_counts(store, scope: str, statement_id: str) -> dict[str, int]:
    return {v: store.count(f"myth:{statement_id}", v, scope=scope) for v in ("right", "wrong")}


def test_debrief_offers_three_to_five_prompts_from_the_room_s_figures(app, client, bank):
    code, link, _ = open_room(client)
    n = app.config["MIN_FINISHED"]
    for _ in range(n):
        browser = finish_quiz(app, bank, code, "changed", worst_answers(bank))
        play_myths(browser, {sid: "real" for sid in RIGHT})  # every myth believed
    page = client.get(f"{link}/debrief").get_data(as_text=True)
    prompts = re.findall(r'data-prompt="(\w+)"', page)
    assert 3 <= len(prompts) <= 5
    assert prompts[0] == "costliest" and "average" in prompts
    # below the size that can rank habits (50 at ln 4), the prompt names one of the likely
    # costliest without a share: the largest of noisy estimates is inflated
    prompt = page[page.index('data-prompt="costliest"') :]
    assert "Likely among the habits that cost this room most" in prompt
    assert "chosen by about" not in page
    assert "data-count" not in page


def test_debrief_has_no_prompts_before_the_minimum(app, client, bank):
    code, link, _ = open_room(client)
    finish_quiz(app, bank, code, "changed")
    page = client.get(f"{link}/debrief").get_data(as_text=True)
    assert "data-prompt=" not in page
    assert "nothing to report" in page


def test_csv_adds_the_chilling_and_myth_estimates(app, client, bank, store):
    code, link, _ = open_room(client)
    n = app.config["MIN_FINISHED"]
    for _ in range(n):
        play_myths(finish_quiz(app, bank, code, "considered"), RIGHT)
    rows = list(csv.DictReader(io.StringIO(client.get(f"{link}/debrief.csv").get_data().decode("utf-8-sig"))))
    scope = room_scope(store)
    chilling = [r for r in rows if r["section"] == "chilling"]
    counts = {c: store.count("chilling", c, scope=scope) for c in CHILLING_IDS}
    expected = shares(counts, CHILLING_IDS, 4)
    # as the wall shows them
    assert [int(r["percent"]) for r in chilling] == as_shown([expected[c] for c in CHILLING_IDS])
    myth_rows = [r for r in rows if r["section"] == "myth"]
    assert len(myth_rows) == len(MYTHS.statements)
    assert all(0 <= int(r["percent_low"]) <= int(r["percent"]) <= int(r["percent_high"]) <= 100 for r in myth_rows)
    assert next(r for r in rows if r["section"] == "myths")["count"] == str(n)


def test_a_participant_s_receipts_list_the_room_counters_too(app, client, bank, store):
    code, _link, _ = open_room(client)
    browser = finish_quiz(app, bank, code, "considered")
    result = browser.get("/quiz/result").get_data(as_text=True)
    assert "Your room" in result and "Everyone (the public statistics)" in result
    scope = room_scope(store)
    room_lines = Multiset({k: v for k, v in counted(result).items() if k[0] == scope})
    assert sorted(room_lines.items()) == sorted(((s, m, v), c) for s, m, v, c in store.counted() if s == scope)
    page = browser.get("/myths/").get_data(as_text=True)
    assert f'data-joined-room="{code}"' in page
    play_myths(browser, RIGHT)
    assert store.count("myth_rounds", scope=scope) == 1
    receipt = browser.get("/myths/result").get_data(as_text=True)
    assert receipt.count(f'<code class="stored">{scope} · myth') == len(MYTHS.statements) + 1


def room_scope(store) -> str:
    return next(r[0] for r in store.rows() if r[0].startswith("room:"))


def estimates(html: str) -> list[int]:
    """The whole percentages a slide shows."""
    return [int(x) for x in re.findall(r'data-estimate="([0-9]+)"', html)]


def as_shown(estimated) -> list[int]:
    """A question's de-biased shares as the wall shows them: projected to add up inside their
    ranges, then whole percentages that add to 100."""
    values = project([s.unclipped for s in estimated], [s.low for s in estimated], [s.high for s in estimated])
    return whole_percents(values)


def test_the_costliest_prompt_gives_its_share_once_the_room_can_rank(app, client, bank):
    from app.disclosure.minimums import ranked_from

    code, link, _ = open_room(client)
    for _ in range(ranked_from(4)):
        finish_quiz(app, bank, code, "no", worst_answers(bank))
    page = client.get(f"{link}/debrief").get_data(as_text=True)
    prompt = page[page.index('data-prompt="costliest"') :]
    assert "The habit that cost this room most" in prompt and "chosen by about" in prompt
