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
from app.rooms import codes, store
from app.scoring import best_answers, worst_answers
from app.store.hygiene import purge_expired
from app.store.models import Room
from app.store.schema import upgrade
from tests.helpers import QuizDriver, csrf_token, open_room, participant


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


def shown_estimates(html: str) -> list[float]:
    return [float(x) for x in re.findall(r'data-estimate="([0-9.]+)"', html)]


def room_scope(store) -> str:
    return next(r[0] for r in store.rows() if r[0].startswith("room:"))


def expected_estimates(app, bank, store, scope: str, percents: bool = False) -> list[float]:
    """The estimates a page must show for a scope, computed from the stored counters alone
    (the wall prints whole percents adding up to 100; tables the shares themselves)."""
    from app.disclosure.figures import scope_figures
    from app.store import counters as tally

    with store._session() as s:
        odds = s.scalar(select(Room.odds)) if scope != "global" else app.config["EPSILON_ODDS"]
        counts = tally.read_tally(s, bank, scope, odds)
    figures = scope_figures(bank, app.extensions["myths"], counts, odds=odds, min_finished=app.config["MIN_FINISHED"])
    if percents:
        return [float(o.shown.percent) for q in figures.questions for o in q.options]
    return [round(o.share.estimate, 3) for q in figures.questions for o in q.options]


def test_projector_shows_nothing_below_the_minimum_then_updates_on_every_finish(app, client, bank, room, store):
    """Below the minimum: how many joined and finished, and no figure of the room. From it:
    estimates on every slide, recomputed at each finish."""
    code, link, _ = room
    n = app.config["MIN_FINISHED"]
    for _ in range(n - 1):
        participant(app, bank, code, best_answers(bank))
    lobby = client.get(link).get_data(as_text=True)
    assert re.search(rf"data-finished>{n - 1}<", lobby) and re.search(rf"data-joined>{n - 1}<", lobby)
    first_question = client.get(f"{link}/slide/2").get_data(as_text=True)
    assert "data-room-figures" not in first_question and "data-estimate" not in first_question
    assert f'data-small-room="{n - 1}"' in first_question

    for i in range(n, n + 3):
        participant(app, bank, code, worst_answers(bank))
        first_question = client.get(f"{link}/slide/2").get_data(as_text=True)
        assert "data-room-figures" in first_question, f"did not show at {i}"
        expected = expected_estimates(app, bank, store, room_scope(store), percents=True)
        assert shown_estimates(first_question) == expected[: len(bank.questions[0].options)]
        scores = client.get(f"{link}/slide/1").get_data(as_text=True)
        assert "data-average" in scores and "data-costliest" in scores
    closing = client.get(f"{link}/slide/{len(bank.questions) + 2}").get_data(as_text=True)
    assert "data-chilling" in closing and len(shown_estimates(closing)) == 3


def test_no_page_shows_a_count_of_people_for_an_answer(app, client, bank, room):
    """Pooled rows, "fewer than k" and counts per answer are gone: only estimates with ranges."""
    code, link, _ = room
    for i in range(app.config["MIN_FINISHED"]):
        participant(app, bank, code, best_answers(bank) if i % 2 else worst_answers(bank))
    for path in (f"{link}/slide/2", f"{link}/debrief", "/stats"):
        page = client.get(path).get_data(as_text=True)
        assert "data-count" not in page and "Together, so that no small group shows" not in page, path
        assert "fewer than" not in page and "95% range" in page, path


def test_room_counts_also_count_globally_and_others_do_not_count_in_the_room(app, quiz, bank, room, store):
    code, _, _ = room
    browser = participant(app, bank, code)
    assert f'data-look-up="{code}"' in browser.get("/quiz/result").get_data(as_text=True)
    assert "data-counted-in-room" in browser.get("/quiz/result").get_data(as_text=True)
    quiz.complete()  # a visitor who never joined
    assert "data-counted-in-room" not in quiz.client.get("/quiz/result").get_data(as_text=True)
    with store._session() as s:
        room_scope = s.scalars(select(Room)).one().scope
    assert store.count("completions") == 2
    assert store.count("completions", scope=room_scope) == 1


@pytest.mark.parametrize("suffix", ["", "/slide/1", "/poll", "/controls", "/debrief", "/handout", "/debrief.csv"])
def test_wrong_or_missing_presenter_secret_is_404(app, client, room, suffix):
    code, link, _ = room
    secret = link.rsplit("/", 1)[1]
    wrong = secret[:-1] + ("A" if secret[-1] != "A" else "B")
    stranger = app.test_client()  # a browser without the room's presenter cookie
    assert stranger.get(f"/rooms/{code}/present/{wrong}{suffix}").status_code == 404
    assert stranger.get(f"/rooms/{code}/present/{suffix}", follow_redirects=True).status_code == 404
    assert stranger.get(f"/rooms/{code}/present{suffix}").status_code == 404
    assert stranger.get(f"{link}{suffix}").status_code == 200


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
    assert store.total() == 0


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
        {"DATABASE_URL": database_url, "INSTANCE_PATH": str(tmp_path), "MIN_FINISHED": 7, "ROOM_TTL_DAYS": 2}
    )
    client = app.test_client()
    code, _, _ = open_room(client)
    page = client.get(f"/r/{code}").get_data(as_text=True)
    deletes_on = format_date(store.today() + timedelta(days=2), "long", locale="en")
    assert "once at least 7 have finished" in page
    assert 'data-odds="4"' in page and "ε" not in page  # no jargon on the visitor's page
    assert "changes their odds about your true answer by at most ×4 (80% from an even start)" in page
    # the person, not only the answer: a whole quiz, a myth round, a retake, the projector
    assert "your whole quiz is 16 answers counted this way" in page and "adds 8 more" in page
    assert "taking the quiz again as many again" in page and "estimate your score roughly" in page
    assert f"deleted on {deletes_on}, 2 days after" in page
    assert "Nobody will see" in page and "your answers, your score" in page
    assert "counted in this room only" not in page
    app.extensions["database"].engine.dispose()


@pytest.mark.parametrize(("odds", "yes_no", "alone"), [("2", "67%", True), ("9", "90%", False)])
def test_a_facilitator_picks_a_stronger_or_weaker_level_and_the_join_screen_states_it(client, store, odds, yes_no,
                                                                                     alone):  # fmt: skip
    page = client.get("/rooms/new").get_data(as_text=True)
    assert 'name="odds" value="2"' in page and 'name="odds" value="4" checked' in page and 'value="9"' in page
    code, _, _created = open_room(client, odds=odds)
    with store._session() as s:
        assert s.scalar(select(Room.odds)) == int(odds)
    page = client.get(f"/r/{code}").get_data(as_text=True)
    assert f"by at most ×{odds} ({yes_no} from an even start)" in page
    assert ("counted in this room only" in page) is alone
    assert ("in this room's totals only" in page) is alone
    lobby = client.get(re.search(r"data-presenter-link>([^<]+)<", _created).group(1)).get_data(as_text=True)
    assert f"moves odds ×{odds} at most ({yes_no} from an even start)" in lobby
    assert "not even the facilitator" not in lobby and "Finishing alone hints at your score" in lobby


def test_a_level_outside_the_offered_ones_opens_nothing(client, store):
    page = client.get("/rooms/new").get_data(as_text=True)
    for forged in ("1", "100", "4.5", "x"):
        response = client.post("/rooms/new", data={"csrf_token": csrf_token(page), "odds": forged})
        assert response.status_code == 400, forged
    with store._session() as s:
        assert s.scalars(select(Room)).all() == []


def test_a_room_s_counters_all_exist_at_zero_from_its_opening(app, client, store, bank):
    """Row order cannot tell who came first: every counter of the room is made with it."""
    from app.store import counters as tally

    open_room(client)
    with store._session() as s:
        scope = s.scalars(select(Room)).one().scope
    rows = [r for r in store.rows() if r[0] == scope]
    assert {r[:3] for r in rows} == set(tally.scope_keys(scope, bank, app.extensions["myths"]))
    assert all(r[3] == 0 for r in rows)


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
    response = client.get(f"/r/{code}")
    assert response.status_code == 410
    assert "room" in response.get_data(as_text=True).lower()
    assert client.get(f"/r/{code}").status_code == 410  # a page view deletes nothing: the purge does


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


def test_the_maintenance_timer_purges_expired_rooms_and_leaves_open_ones(app, client, bank, room, store):
    code, _, _ = room
    participant(app, bank, code)
    gone = expire(app, code)
    open_room(client, "Next week")
    assert any(gone.scope in r[0] for r in store.rows())  # opening a room deletes nothing: the timer does
    assert purge_expired(app.extensions["database"].sessions).rooms == 1
    assert not any(gone.scope in r[0] for r in store.rows())
    with store._session() as s:
        assert [r.title for r in s.scalars(select(Room))] == ["Next week"]


def test_csv_holds_the_debrief_s_estimates_and_no_count_of_people(app, client, bank, room, store):
    code, link, _ = room
    for i in range(app.config["MIN_FINISHED"]):
        answers = {q.id: q.options[i % len(q.options)].id for q in bank.questions}
        participant(app, bank, code, answers)
    response = client.get(f"{link}/debrief.csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(response.get_data().decode("utf-8-sig"))))
    assert next(r for r in rows if r["item"] == "finished")["count"] == str(app.config["MIN_FINISHED"])
    expected = expected_estimates(app, bank, store, room_scope(store))
    answers = [r for r in rows if r["section"] == "answer"]
    # the wall's whole percents (a question's add to 100), not each share rounded alone
    percents = expected_estimates(app, bank, store, room_scope(store), percents=True)
    assert [int(r["percent"]) for r in answers] == [int(p) for p in percents]
    assert all(int(r["percent_low"]) <= int(r["percent"]) <= int(r["percent_high"]) for r in answers)
    assert next(r for r in rows if r["section"] == "score")["score"]
    # the printable page shows the same figures
    page = client.get(f"{link}/debrief").get_data(as_text=True)
    assert shown_estimates(page[page.index('id="answers-h"') :])[: len(expected)] == expected
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
    n = app.config["MIN_FINISHED"]
    assert again.get_json() == {
        "joined": 1,
        "finished": 1,
        "myth_rounds": 0,
        "closed": False,
        "status": f"Waiting for {n - 1} more before anything is shown.",
    }


def test_unchanged_poll_is_answered_for_the_right_secret_and_an_open_room_only(app, client, room):
    code, link, _ = room
    etag = client.get(f"{link}/poll").headers["ETag"]
    unchanged = client.get(f"{link}/poll", headers={"If-None-Match": etag, "X-Request-ID": "projector-0001"})
    assert unchanged.status_code == 304 and unchanged.headers["ETag"] == etag and not unchanged.data
    assert unchanged.headers["X-Request-ID"] == "projector-0001"
    assert unchanged.headers["Cache-Control"] == "no-cache, private"
    assert "frame-ancestors 'none'" in unchanged.headers["Content-Security-Policy"]
    wrong_secret = link.rsplit("/", 1)[0] + "/" + "x" * 32
    assert client.get(f"{wrong_secret}/poll", headers={"If-None-Match": etag}).status_code == 404
    # closing the room changes what the projector shows: the old ETag no longer holds
    closed = close_room(client, link)
    assert closed.status_code == 303
    assert client.get(f"{link}/poll", headers={"If-None-Match": etag}).status_code == 200
    expire(app, code)
    assert client.get(f"{link}/poll", headers={"If-None-Match": etag}).status_code == 410


def test_an_unchanged_poll_runs_one_query_and_builds_nothing(app, client, room):
    """The 304 is answered from the one query that also checks the secret and the expiry."""
    from sqlalchemy import event

    _code, link, _ = room
    etag = client.get(f"{link}/poll").headers["ETag"]
    statements: list[str] = []

    def seen(_conn, _cursor, statement, *_args):
        statements.append(statement)

    engine = app.extensions["database"].engine
    event.listen(engine, "before_cursor_execute", seen)
    try:
        assert client.get(f"{link}/poll", headers={"If-None-Match": etag}).status_code == 304
        unchanged = list(statements)
        statements.clear()
        assert client.get(f"{link}/poll").status_code == 200
    finally:
        event.remove(engine, "before_cursor_execute", seen)
    assert len(unchanged) == 1 and "FROM room" in unchanged[0]
    assert len(statements) > 1  # a changed poll reads the figures too


def close_room(client, link: str, closed: str = "1"):
    page = client.get(f"{link}/controls").get_data(as_text=True)
    return client.post(f"{link}/close", data={"csrf_token": csrf_token(page), "closed": closed})


def test_a_closed_room_counts_no_new_finishes_and_can_be_opened_again(app, client, bank, room, store):
    code, link, _ = room
    early = app.test_client()
    join_page = early.get(f"/r/{code}").get_data(as_text=True)
    early.post(f"/r/{code}", data={"csrf_token": csrf_token(join_page)})
    participant(app, bank, code)
    assert close_room(client, link).status_code == 303
    page = client.get(f"{link}/controls").get_data(as_text=True)
    assert "Closed to new answers." in page and "Open to new answers again" in page
    assert "data-closed" in client.get(link).get_data(as_text=True)  # the wall says so too
    refused = app.test_client().get(f"/r/{code}")
    assert refused.status_code == 409 and "closed it to new answers" in refused.get_data(as_text=True)
    # someone who joined before it closed finishes: counted only in the site's figures
    QuizDriver(early, bank).complete()
    assert "counted only in the overall statistics" in early.get("/quiz/result").get_data(as_text=True)
    assert store.count("completions", scope=room_scope(store)) == 1
    assert store.count("completions") == 2
    assert close_room(client, link, "0").status_code == 303
    participant(app, bank, code)
    assert store.count("completions", scope=room_scope(store)) == 2


def test_closing_a_room_needs_the_presenter_secret_and_the_csrf_token(app, client, room, store):
    _code, link, _ = room
    page = client.get(f"{link}/controls").get_data(as_text=True)
    wrong = link.rsplit("/", 1)[0] + "/" + "x" * 32
    assert client.post(f"{wrong}/close", data={"csrf_token": csrf_token(page), "closed": "1"}).status_code == 404
    assert client.post(f"{link}/close", data={"closed": "1"}).status_code == 400
    assert client.post(f"{link}/close", data={"csrf_token": csrf_token(page), "closed": "x"}).status_code == 400
    with store._session() as s:
        assert s.scalar(select(Room.closed)) is False


def test_slides_step_by_links_without_javascript(app, client, bank, room):
    """Lobby, scores, a slide per question with its notes, the closing question, the coin, the myth round,
    a summary, a takeaway; each figure slide hidden on arrival, and a link reveals it."""
    _, link, _ = room
    lobby = client.get(link).get_data(as_text=True)
    assert f'rel="next" href="{link}/slide/1"' in lobby and 'rel="prev"' not in lobby
    assert "js/projector.js" in lobby and "data-qr" in lobby and "data-room-code" in lobby
    page = client.get(f"{link}/slide/2").get_data(as_text=True)
    assert bank.questions[0].text in page and bank.questions[0].western.note in page
    assert f'rel="next" href="{link}/slide/3"' in page and f'rel="prev" href="{link}/slide/1"' in page
    n = len(bank.questions)
    kinds = [re.search(r'data-slide-kind="(\w+)"', client.get(f"{link}/slide/{i}").get_data(as_text=True)).group(1)
             for i in range(n + 2, n + 7)]  # fmt: skip
    assert kinds == ["closing", "coin", "myths", "myths", "summary"]
    assert "data-myths-waiting" in client.get(f"{link}/slide/{n + 4}").get_data(as_text=True)
    last = client.get(f"{link}/slide/{n + 7}").get_data(as_text=True)
    assert 'data-slide-kind="takeaway"' in last and 'rel="next"' not in last and "data-prompt=" in last
    assert client.get(f"{link}/slide/0").status_code == 308
    assert client.get(f"{link}/slide/{n + 8}").status_code == 404
    # the figures are held back on arrival, so the room guesses first; a link shows them, for this slide only
    assert "data-hidden" in page and f'href="{link}/slide/2?shown=1"' in page and "Show figures" in page
    shown = client.get(f"{link}/slide/2?shown=1").get_data(as_text=True)
    assert "data-hidden" not in shown and f'rel="next" href="{link}/slide/3"' in shown and "Hide figures" in shown
    assert "data-hidden" not in client.get(f"{link}/slide/{n + 3}").get_data(as_text=True)  # the coin has none to guess


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


@pytest.mark.slow
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
