"""A room's language, chosen by its facilitator, applies to everyone who joins it and to the projector."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from app.store.models import Room
from tests.helpers import QuizDriver, csrf_token, open_room

GERMAN_BROWSER = {"Accept-Language": "de-DE,de;q=0.9"}


def html_lang(page: str) -> str:
    return re.search(r'<html lang="([^"]+)">', page).group(1)


def test_the_new_room_form_offers_each_language_and_defaults_to_the_facilitators(client):
    page = client.get("/rooms/new", headers=GERMAN_BROWSER).get_data(as_text=True)
    assert "Sprache des Raums" in page
    assert '<option value="de" lang="de" selected>Deutsch</option>' in page
    assert '<option value="zh" lang="zh-Hans">简体中文</option>' in page
    assert '<option value="">Die eigene Sprache jeder Person</option>' in page


def test_joiners_and_the_projector_follow_the_rooms_language(app, client, bank):
    code, presenter, _created = open_room(client, language="zh")
    joiner = app.test_client()
    join_page = joiner.get(f"/r/{code}", headers=GERMAN_BROWSER)
    assert html_lang(join_page.get_data(as_text=True)) == "zh-Hans"  # the room's, not the browser's
    assert "加入并开始测验" in join_page.get_data(as_text=True)
    joiner.post(f"/r/{code}", data={"csrf_token": csrf_token(join_page.get_data(as_text=True))})
    question = joiner.get("/quiz/", headers=GERMAN_BROWSER).get_data(as_text=True)
    assert html_lang(question) == "zh-Hans" and "你通常怎样支付账单和信用卡欠款？" in question
    QuizDriver(joiner, bank).complete()
    assert "哪些因素影响了你的分数" in joiner.get("/quiz/result").get_data(as_text=True)

    projector = app.test_client()  # the room's laptop, whatever its browser prefers
    for path in (presenter, f"{presenter}/slide/2", f"{presenter}/debrief", f"{presenter}/controls"):
        page = projector.get(path, headers=GERMAN_BROWSER).get_data(as_text=True)
        assert html_lang(page) == "zh-Hans", path
    assert "房间语言：" in projector.get(f"{presenter}/controls").get_data(as_text=True)  # said to the facilitator
    walk = projector.get(f"{presenter}/slide/2").get_data(as_text=True)  # the first question
    assert "你通常怎样支付账单和信用卡欠款？" in walk  # the bank's text too
    poll = projector.get(f"{presenter}/poll", headers=GERMAN_BROWSER).get_json()
    assert "还需" in poll["status"]


def test_a_joiner_can_still_switch_language(app, client):
    code, _presenter, _created = open_room(client, language="de")
    joiner = app.test_client()
    page = joiner.get(f"/r/{code}").get_data(as_text=True)
    joiner.post(f"/r/{code}", data={"csrf_token": csrf_token(page)})
    assert html_lang(joiner.get("/quiz/").get_data(as_text=True)) == "de"
    assert html_lang(joiner.get("/quiz/?lang=en").get_data(as_text=True)) == "en"
    assert html_lang(joiner.get("/quiz/").get_data(as_text=True)) == "en"  # the choice is remembered


def test_a_room_without_a_language_leaves_each_person_their_own(app, client, store):
    code, presenter, _created = open_room(client)  # the form's "each person's own language"
    with app.extensions["database"].sessions() as s:
        assert s.scalar(select(Room.language)) is None
    page = app.test_client().get(f"/r/{code}", headers=GERMAN_BROWSER).get_data(as_text=True)
    assert html_lang(page) == "de"
    projector = app.test_client().get(presenter, headers={"Accept-Language": "zh-CN"}).get_data(as_text=True)
    assert html_lang(projector) == "zh-Hans"
    controls = app.test_client().get(f"{presenter}/controls").get_data(as_text=True)
    assert '<nav class="languages"' in controls  # the presenter may pick there, as on any page


@pytest.mark.parametrize("value", ["fr", "zh_Hans", "x" * 40])
def test_an_unknown_room_language_is_refused_and_opens_nothing(app, client, value):
    page = client.get("/rooms/new").get_data(as_text=True)
    response = client.post("/rooms/new", data={"csrf_token": csrf_token(page), "title": "T", "language": value})
    assert response.status_code == 400
    with app.extensions["database"].sessions() as s:
        assert s.scalar(select(func.count()).select_from(Room)) == 0


def test_switching_language_on_the_room_is_open_page_keeps_the_presenter_link(app, client):
    _code, presenter, created = open_room(client)
    german = re.search(r'hreflang="de" href="([^"]+)"', created).group(1).replace("&amp;", "&")
    assert german.startswith(f"{presenter}/opened?")  # not the new-room form, which has no link
    page = client.get(german).get_data(as_text=True)
    assert html_lang(page) == "de" and f"http://localhost{presenter}</a>" in page
    assert app.test_client().get(german.replace(presenter.rsplit("/", 1)[1], "x" * 20)).status_code == 404
