"""Workshop rooms, end to end: open a room, join it from several browsers, watch the projector."""

from __future__ import annotations

import csv
import io
import re
from datetime import timedelta

import pytest
from babel.dates import format_date
from sqlalchemy import select, update

from app import create_app
from app.migrate import upgrade
from app.models import Room
from app.rooms import codes, store
from app.rooms.unchanged_poll import UnchangedPoll
from app.scoring import best_answers, worst_answers
from tests.conftest import QuizDriver, csrf_token

BREAKDOWN_RE = re.compile(r"<div data-breakdown.*?</div>\s*</div>", re.S)


def open_room(client, title: str = "Tuesday workshop", **extra) -> tuple[str, str, str]:
    """Open a room as a facilitator; returns (code, presenter path, created page)."""
    page = client.get("/rooms/new").get_data(as_text=True)
    response = client.post("/rooms/new", data={"csrf_token": csrf_token(page), "title": title, **extra})
    assert response.status_code == 200, response.status_code
    html = response.get_data(as_text=True)
    code = re.search(r'data-room-code="(\w+)"', html).group(1)
    link = re.search(r"data-presenter-link>([^<]+)<", html).group(1)
    return code, link.removeprefix("http://localhost"), html


def participant(app, bank, code: str, answers: dict[str, str] | None = None):
    """A new browser that joins the room by its URL and finishes the quiz."""
    browser = app.test_client()
    join_page = browser.get(f"/r/{code}")
    assert join_page.status_code == 200
    joined = browser.post(f"/r/{code}", data={"csrf_token": csrf_token(join_page.get_data(as_text=True))})
    assert joined.status_code == 303 and joined.headers["Location"] == "/quiz/"
    QuizDriver(browser, bank).complete(answers)
    return browser


def counts_shown(html: str) -> list[int]:
    return [int(n) for n in re.findall(r'data-count="(\d+)"', html)]


@pytest.fixture
def room(client):
    return open_room(client)


def test_landing_offers_a_code_form_and_a_workshop_link(client):
    page = client.get("/").get_data(as_text=True)
    assert 'action="/rooms/join"' in page and 'name="code"' in page
    assert "data-run-workshop" in page and 'href="/rooms/new"' in page


def test_created_room_shows_code_url_qr_and_the_secret_link_once(client, room, store):
    code, link, html = room
    assert len(code) == codes.LENGTH and not set(code) & set("0O1IL")
    assert f"/r/{code}" in html  # the join URL
    assert '<svg role="img"' in html and 'class="qr"' in html  # the QR code, made here
    assert " style=" not in html and "<script>" not in html
    secret = link.rsplit("/", 1)[1]
    with store._session() as s:
        (row,) = s.scalars(select(Room)).all()
    assert row.presenter_hash == codes.secret_hash(secret) and secret not in row.presenter_hash
    # the creation page is a POST answer: the secret cannot be fetched again
    assert secret not in client.get(f"/r/{code}").get_data(as_text=True)


def test_projector_moves_only_in_steps_of_k(app, client, bank, room):
    """4 finish: nothing; the 5th: it shows; 6th to 9th: unchanged; the 10th: it moves."""
    code, link, _ = room
    k = app.config["MIN_GROUP_SIZE"]
    assert k == 5
    for _ in range(4):
        participant(app, bank, code, best_answers(bank))
    page = client.get(link).get_data(as_text=True)
    assert "data-breakdown" not in page and "data-count" not in page
    assert 'data-waiting="1"' in page and "Waiting for 1 more person" in page
    assert re.search(r"data-finished>4<", page)

    participant(app, bank, code, best_answers(bank))
    page = client.get(link).get_data(as_text=True)
    first = BREAKDOWN_RE.search(page).group(0)
    assert 'data-published="5"' in first
    assert counts_shown(first) and all(n == 0 or n >= k for n in counts_shown(first))

    for i in range(6, 10):
        participant(app, bank, code, worst_answers(bank))
        page = client.get(link).get_data(as_text=True)
        assert BREAKDOWN_RE.search(page).group(0) == first, f"moved at {i}"
        assert re.search(rf"data-finished>{i}<", page)

    participant(app, bank, code, worst_answers(bank))
    page = client.get(link).get_data(as_text=True)
    moved = BREAKDOWN_RE.search(page).group(0)
    assert moved != first and 'data-published="10"' in moved
    assert all(n == 0 or n >= k for n in counts_shown(moved))
    # the walkthrough and the debrief follow the same published copy
    walk = client.get(f"{link}/walk/1").get_data(as_text=True)
    assert all(n == 0 or n >= k for n in counts_shown(walk)) and counts_shown(walk)
    # its closing slide shows the room's closing question, under the same rule (all ten said "no")
    closing = client.get(f"{link}/walk/{len(bank.questions) + 1}").get_data(as_text=True)
    assert "data-chilling" in closing and sorted(counts_shown(closing)) == [0, 0, 10]


def test_room_counts_also_count_globally_and_others_do_not_count_in_the_room(app, quiz, bank, room, store):
    code, _, _ = room
    browser = participant(app, bank, code)
    assert f'data-joined-room="{code}"' in browser.get("/quiz/1").get_data(as_text=True)
    assert "data-counted-in-room" in browser.get("/quiz/result").get_data(as_text=True)
    quiz.complete()  # a visitor who never joined
    assert "data-counted-in-room" not in quiz.client.get("/quiz/result").get_data(as_text=True)
    with store._session() as s:
        room_scope = s.scalars(select(Room)).one().scope
    assert store.count("completions") == 2
    assert store.count("completions", scope=room_scope) == 1


@pytest.mark.parametrize("suffix", ["", "/walk/1", "/poll", "/debrief", "/debrief.csv"])
def test_wrong_or_missing_presenter_secret_is_404(client, room, suffix):
    code, link, _ = room
    secret = link.rsplit("/", 1)[1]
    wrong = secret[:-1] + ("A" if secret[-1] != "A" else "B")
    assert client.get(f"/rooms/{code}/present/{wrong}{suffix}").status_code == 404
    assert client.get(f"/rooms/{code}/present/{suffix}", follow_redirects=True).status_code == 404
    assert client.get(f"/rooms/{code}/present{suffix}").status_code == 404
    assert client.get(f"{link}{suffix}").status_code == 200


def test_a_secret_opens_only_its_own_room(client, room):
    code, _, _ = room
    _, other_link, _ = open_room(client, "Other")
    other_secret = other_link.rsplit("/", 1)[1]
    assert client.get(f"/rooms/{code}/present/{other_secret}").status_code == 404


@pytest.mark.parametrize(
    ("typed", "status", "message"),
    [
        ("ZZZZZZ", 404, "No open room has the code ZZZ-ZZZ"),
        ("0O1IL", 400, "is not a room code"),
        ("abcdefgh", 400, "is not a room code"),
    ],
)
def test_unknown_or_malformed_code_gets_a_clear_message(client, store, typed, status, message):
    response = client.get(f"/rooms/join?code={typed}", follow_redirects=True)
    assert response.status_code == status
    page = response.get_data(as_text=True)
    assert message in page and "data-room-error" in page and 'name="code"' in page
    assert store.row_count() == 0


def test_codes_are_read_case_insensitively_with_spaces_and_dashes(client, room):
    code, _, _ = room
    typed = f" {code[:3].lower()} - {code[3:]} "
    response = client.get("/rooms/join", query_string={"code": typed})
    assert response.status_code == 303 and response.headers["Location"] == f"/r/{code}"
    if code.lower() != code:  # an all-digit code has no lower case to redirect from
        assert client.get(f"/r/{code.lower()}").headers["Location"] == f"/r/{code}"
    assert client.get(f"/r/{code}").status_code == 200


def test_join_screen_words_its_promise_from_the_settings(database_url, tmp_path):
    upgrade(database_url)
    app = create_app(
        {"DATABASE_URL": database_url, "INSTANCE_PATH": str(tmp_path), "MIN_GROUP_SIZE": 3, "ROOM_TTL_DAYS": 2}
    )
    client = app.test_client()
    code, _, _ = open_room(client)
    page = client.get(f"/r/{code}").get_data(as_text=True)
    deletes_on = format_date(store.today() + timedelta(days=2), "long", locale="en")
    assert "once at least 3 have finished" in page
    assert "every 3 finished quizzes" in page and "between 1 and 2" in page
    assert f"deleted on {deletes_on}, 2 days after" in page
    assert "The facilitator will not see" in page and "your answers, your score" in page
    app.extensions["database"].engine.dispose()


def expire(app, code: str) -> Room:
    with app.extensions["database"].sessions() as s:
        s.execute(update(Room).where(Room.code == code).values(expires_on=store.today() - timedelta(days=1)))
        s.commit()
        return s.scalars(select(Room).where(Room.code == code)).one()


def test_expired_room_cannot_be_joined_or_presented(app, client, room):
    code, link, _ = room
    expire(app, code)
    # the projector says so rather than showing stale data
    assert client.get(link).status_code == 410
    response = client.get(f"/r/{code}")  # this read also purges it
    assert response.status_code in (404, 410)
    assert "room" in response.get_data(as_text=True).lower()
    assert client.get(f"/r/{code}").status_code == 404  # purged: now unknown


def test_a_participant_whose_room_expired_counts_only_globally(app, bank, room, store):
    code, _, _ = room
    browser = app.test_client()
    page = browser.get(f"/r/{code}").get_data(as_text=True)
    browser.post(f"/r/{code}", data={"csrf_token": csrf_token(page)})
    expired = expire(app, code)
    QuizDriver(browser, bank).complete()
    assert store.count("completions") == 1
    assert store.count("completions", scope=expired.scope) == 0


def test_purge_command_deletes_expired_rooms_and_their_counters(app, bank, room, runner, store):
    code, _, _ = room
    for _ in range(5):
        participant(app, bank, code)
    keep_code, _, _ = open_room(app.test_client(), "Still open")
    participant(app, bank, keep_code)
    gone = expire(app, code)
    assert any(r[0].endswith(gone.scope) for r in store.rows())

    result = runner.invoke(args=["rooms", "purge-expired"])
    assert result.exit_code == 0 and "purged 1 expired room" in result.output
    scopes = {r[0] for r in store.rows()}
    assert not any(gone.scope in s for s in scopes)
    assert any(s.startswith("room:") for s in scopes)  # the open room kept its counters
    assert store.count("completions") == 6  # global counts are not touched


def test_opening_a_room_purges_expired_ones(app, client, bank, room, store):
    code, _, _ = room
    participant(app, bank, code)
    gone = expire(app, code)
    open_room(client, "Next week")
    assert not any(gone.scope in r[0] for r in store.rows())
    with store._session() as s:
        assert [r.title for r in s.scalars(select(Room))] == ["Next week"]


def test_csv_holds_only_thresholded_counts(app, client, bank, room):
    code, link, _ = room
    k = app.config["MIN_GROUP_SIZE"]
    # mixed answers so that some options are chosen by fewer than k people
    for i in range(7):
        answers = {q.id: q.options[i % len(q.options)].id for q in bank.questions}
        participant(app, bank, code, answers)
    response = client.get(f"{link}/debrief.csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    counts = [int(r["people"]) for r in rows if r["people"]]
    assert counts and all(n == 0 or n >= k for n in counts)
    published = next(int(r["people"]) for r in rows if r["item"] == "published")
    assert published == 5  # 7 finished, published in steps of 5
    for q in bank.questions:
        per_question = [int(r["people"]) for r in rows if r["section"] == "answer" and r["item"] == q.text]
        assert sum(per_question) == published, q.id
    # the printable page shows the same figures
    page = client.get(f"{link}/debrief").get_data(as_text=True)
    assert all(n == 0 or n >= k for n in counts_shown(page))
    assert "Download CSV" in page


def test_poll_answers_304_until_someone_finishes(app, client, bank, room):
    code, link, _ = room
    first = client.get(f"{link}/poll")
    assert first.status_code == 200 and first.get_json()["finished"] == 0
    etag = first.headers["ETag"]
    assert client.get(f"{link}/poll", headers={"If-None-Match": etag}).status_code == 304
    participant(app, bank, code)
    again = client.get(f"{link}/poll", headers={"If-None-Match": etag})
    assert again.status_code == 200
    assert again.get_json() == {
        "finished": 1,
        "published": 0,
        "myths_published": 0,
        "status": "Waiting for 4 more before anything is shown.",
    }


def test_unchanged_poll_is_answered_early_only_for_the_right_secret_and_an_open_room(app, client, room):
    code, link, _ = room
    etag = client.get(f"{link}/poll").headers["ETag"]
    unchanged = client.get(f"{link}/poll", headers={"If-None-Match": etag, "X-Request-ID": "projector-0001"})
    assert unchanged.status_code == 304 and unchanged.headers["ETag"] == etag and not unchanged.data
    # answered before Flask, it still carries every header a page gets
    assert unchanged.headers["X-Request-ID"] == "projector-0001"
    assert unchanged.headers["Cache-Control"] == "no-cache, private"
    assert "frame-ancestors 'none'" in unchanged.headers["Content-Security-Policy"]
    wrong_secret = link.rsplit("/", 1)[0] + "/" + "x" * 32
    assert client.get(f"{wrong_secret}/poll", headers={"If-None-Match": etag}).status_code == 404
    expire(app, code)
    assert client.get(f"{link}/poll", headers={"If-None-Match": etag}).status_code == 410


def test_the_early_answer_reads_the_same_etag_as_the_view(app, client, bank, room):
    code, link, _ = room
    early = UnchangedPoll(app.wsgi_app, app.extensions["database"].engine)
    secret = link.rsplit("/", 1)[1]
    participant(app, bank, code)
    assert early.current_etag(code, secret) == client.get(f"{link}/poll").headers["ETag"].strip('"') == "1-0-0"
    assert early.current_etag(code, "x" * 32) is None
    assert early.current_etag(f"{code[:3]}-{code[3:]}", secret) is None  # the view normalises those
    expire(app, code)
    assert early.current_etag(code, secret) is None


def test_walkthrough_steps_by_links_and_refreshes_without_javascript(client, bank, room):
    _, link, _ = room
    page = client.get(f"{link}/walk/1").get_data(as_text=True)
    assert bank.questions[0].text in page and bank.questions[0].zhima.note in page
    assert f'rel="next" href="{link}/walk/2"' in page and 'rel="prev"' not in page
    assert 'class="refresh"' in page and "js/projector.js" in page
    # after the last question come the closing question and the myth round, then the end
    n = len(bank.questions)
    last_question = client.get(f"{link}/walk/{n}").get_data(as_text=True)
    assert f'rel="next" href="{link}/walk/{n + 1}"' in last_question
    chilling_slide = client.get(f"{link}/walk/{n + 1}").get_data(as_text=True)
    assert 'data-walk-slide="chilling"' in chilling_slide and "Shown once 5 people in this room" in chilling_slide
    myth_slide = client.get(f"{link}/walk/{n + 2}").get_data(as_text=True)
    assert 'data-walk-slide="myths"' in myth_slide and 'rel="next"' not in myth_slide and 'rel="prev"' in myth_slide
    assert client.get(f"{link}/walk/0").status_code == 404
    assert client.get(f"{link}/walk/{n + 3}").status_code == 404


def test_passphrase_guards_room_creation_when_set(database_url, tmp_path):
    upgrade(database_url)
    app = create_app(
        {"DATABASE_URL": database_url, "INSTANCE_PATH": str(tmp_path), "FACILITATOR_PASSPHRASE": "blue heron"}
    )
    client = app.test_client()
    page = client.get("/rooms/new").get_data(as_text=True)
    assert 'type="password"' in page
    refused = client.post("/rooms/new", data={"csrf_token": csrf_token(page), "passphrase": "red heron"})
    assert refused.status_code == 403 and "passphrase is not right" in refused.get_data(as_text=True)
    with app.extensions["database"].sessions() as s:
        assert s.scalars(select(Room)).all() == []
    code, _, _ = open_room(client, passphrase="blue heron")
    assert code
    app.extensions["database"].engine.dispose()


def test_no_passphrase_field_without_the_setting(client):
    assert 'type="password"' not in client.get("/rooms/new").get_data(as_text=True)


def test_joining_needs_the_csrf_token(app, client, room, store):
    code, _, _ = room
    assert client.post(f"/r/{code}").status_code == 400
    with client.session_transaction() as session:
        assert "room" not in session


def test_still_no_row_per_respondent(app, bank, room, store):
    code, _, _ = room
    for i in range(10):
        participant(app, bank, code, best_answers(bank) if i % 2 else worst_answers(bank))
    rows_before = store.row_count()
    for _ in range(10):
        participant(app, bank, code, best_answers(bank))
    assert store.row_count() == rows_before
    with store._session() as s:
        assert len(s.scalars(select(Room)).all()) == 1


def test_room_pages_load_nothing_from_elsewhere(client, room):
    code, link, _ = room
    for path in (f"/r/{code}", link, f"{link}/walk/2", f"{link}/debrief", "/rooms/new", "/rooms/join"):
        body = client.get(path).get_data(as_text=True)
        assert " style=" not in body and "<script>" not in body and " onclick" not in body, path
        assert 'src="http' not in body and 'href="//' not in body, path


def test_an_overlong_title_is_refused_and_opens_nothing(client, store):
    page = client.get("/rooms/new").get_data(as_text=True)
    response = client.post("/rooms/new", data={"csrf_token": csrf_token(page), "title": "x" * 81})
    assert response.status_code == 400 and "under 80 characters" in response.get_data(as_text=True)
    with store._session() as s:
        assert s.scalars(select(Room)).all() == []


def test_opening_a_room_needs_the_csrf_token(client, store):
    assert client.post("/rooms/new", data={"title": "no token"}).status_code == 400
    with store._session() as s:
        assert s.scalars(select(Room)).all() == []
