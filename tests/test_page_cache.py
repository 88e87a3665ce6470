"""Pages kept once rendered: every visitor still gets their own token, language and ticks."""

from __future__ import annotations

import re

from app import create_app
from tests.conftest import csrf_token
from tests.test_rooms import open_room

CHECKED = re.compile(r'value="([^"]+)" checked')


def test_each_visitor_gets_a_token_that_works_for_their_own_session(app, bank):
    first, second = app.test_client(), app.test_client()
    pages = [c.get("/quiz/1").get_data(as_text=True) for c in (first, second)]
    tokens = [csrf_token(p) for p in pages]
    assert tokens[0] != tokens[1]
    # the same page but for the token: the second was served from what the first rendered
    assert pages[0].replace(tokens[0], "") == pages[1].replace(tokens[1], "")
    assert "\x00" not in pages[1]
    option = bank.questions[0].options[0].id
    assert first.post("/quiz/1", data={"csrf_token": tokens[0], "answer": option}).status_code == 303
    # a token is bound to its visitor's session: the other's is refused, and nothing is saved
    refused = second.post("/quiz/1", data={"csrf_token": tokens[0], "answer": option})
    assert refused.status_code == 400
    assert CHECKED.findall(second.get("/quiz/1").get_data(as_text=True)) == []


def test_a_kept_page_still_shows_each_visitor_their_own_answer(app, bank):
    q = bank.questions[0]
    visitors = {o.id: app.test_client() for o in q.options[:2]}
    for option_id, browser in visitors.items():
        page = browser.get("/quiz/1").get_data(as_text=True)
        browser.post("/quiz/1", data={"csrf_token": csrf_token(page), "answer": option_id})
    for _ in range(2):  # the second round comes from the kept pages
        for option_id, browser in visitors.items():
            assert CHECKED.findall(browser.get("/quiz/1").get_data(as_text=True)) == [option_id]


def test_a_kept_page_follows_the_language_of_each_request(client):
    english = client.get("/quiz/1").get_data(as_text=True)
    german = client.get("/quiz/1?lang=de").get_data(as_text=True)
    assert 'lang="en"' in english and 'lang="de"' in german
    # the choice is remembered: the plain address now shows German, not the kept English page
    assert 'lang="de"' in client.get("/quiz/1").get_data(as_text=True)
    assert 'lang="en"' in client.get("/?lang=en").get_data(as_text=True)


def test_a_room_members_page_names_their_room_and_no_one_elses(app, client, bank):
    code, _, _ = open_room(client)
    member, stranger = app.test_client(), app.test_client()
    stranger.get("/quiz/1")
    join_page = member.get(f"/r/{code}").get_data(as_text=True)
    member.post(f"/r/{code}", data={"csrf_token": csrf_token(join_page)})
    assert f'data-joined-room="{code}"' in member.get("/quiz/1").get_data(as_text=True)
    assert "data-joined-room" not in stranger.get("/quiz/1").get_data(as_text=True)


def test_head_is_answered_like_get(client):
    for path in ("/", "/quiz/1", "/quiz/1", "/myths/"):  # the second question page comes from the kept one
        assert client.head(path).status_code == 200, path


def test_development_renders_every_time(database_url, tmp_path):
    app = create_app({"DATABASE_URL": database_url, "INSTANCE_PATH": str(tmp_path), "TEMPLATES_AUTO_RELOAD": True})
    assert "page_cache" not in app.extensions
