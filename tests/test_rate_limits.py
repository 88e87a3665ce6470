"""Abuse: rate limits on opening rooms and on counted quizzes, and a cap on a room's size."""

from __future__ import annotations

import logging

import pytest
from flask import Flask

from app import create_app
from app.config import ConfigError, settings_from_env
from tests.helpers import QuizDriver, csrf_token, open_room


def browser(app: Flask, ip: str):
    """A new browser at its own address (each address has its own limits)."""
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = ip
    return client


def join(client, code: str) -> None:
    page = client.get(f"/r/{code}").get_data(as_text=True)
    assert client.post(f"/r/{code}", data={"csrf_token": csrf_token(page)}).status_code == 303


@pytest.fixture
def limited(database_url: str, tmp_path, app) -> Flask:
    """The app with limits low enough to reach in a test (the `app` fixture migrated the database)."""
    limited = create_app(
        {
            "DATABASE_URL": database_url,
            "INSTANCE_PATH": str(tmp_path),
            "RATE_LIMIT_ROOMS": "2 per hour",
            "RATE_LIMIT_COMPLETIONS": "2 per minute",
            "RATE_LIMIT_JOIN_MISSES": "5 per minute",
            "ROOM_MAX_PARTICIPANTS": 2,
        }
    )
    yield limited
    limited.extensions["database"].engine.dispose()


def _assert_429_page(response) -> None:
    assert response.status_code == 429
    body = response.get_data(as_text=True)
    assert "Too many requests" in body and "wait a minute" in body
    assert 'class="site-header"' in body  # the site's layout, not a bare text reply


def test_opening_rooms_is_limited_per_address(limited, caplog):
    client = limited.test_client()
    caplog.set_level(logging.DEBUG)
    open_room(client)
    open_room(client)
    page = client.get("/rooms/new")
    assert page.status_code == 200  # reading the form is never limited
    refused = client.post("/rooms/new", data={"csrf_token": csrf_token(page.get_data(as_text=True)), "title": "3"})
    _assert_429_page(refused)
    # Another address is not affected by the first one's limit.
    other = limited.test_client()
    page = other.get("/rooms/new", environ_base={"REMOTE_ADDR": "192.0.2.7"}).get_data(as_text=True)
    ok = other.post(
        "/rooms/new", data={"csrf_token": csrf_token(page), "title": "t"}, environ_base={"REMOTE_ADDR": "192.0.2.7"}
    )
    assert ok.status_code == 200
    assert "127.0.0.1" not in caplog.text and "192.0.2.7" not in caplog.text


def test_completions_are_limited_but_answering_is_not(limited, store):
    bank = limited.extensions["bank"]
    for _ in range(2):
        client = limited.test_client()
        QuizDriver(client, bank).complete()
    assert store.count("completions") == 2
    third = limited.test_client()
    driver = QuizDriver(third, bank)
    driver.answer_scored()  # loading the questionnaire: never limited
    refused = driver.close()  # sending it would count the quiz: refused
    _assert_429_page(refused)
    assert store.count("completions") == 2  # refused, so nothing was written
    # The answers are still ticked in the page it sent back: the quiz can be sent later.
    assert refused.get_data(as_text=True).count(" checked") == len(bank.questions) + 1


def test_a_refused_closing_answer_costs_nothing(limited, store):
    bank = limited.extensions["bank"]
    driver = QuizDriver(limited.test_client(), bank)
    driver.answer_scored()
    for _ in range(3):
        assert driver.close("forged").status_code == 400
    assert driver.close().status_code == 303
    assert store.count("completions") == 1


def test_a_full_room_refuses_new_joiners_and_counts_late_finishers_globally(limited, store):
    bank = limited.extensions["bank"]
    facilitator = limited.test_client()
    code, _presenter, _html = open_room(facilitator)
    # Three browsers join while the room has space; two finish, filling it.
    first, second, late = (browser(limited, f"192.0.2.{n}") for n in (1, 2, 3))
    for client in (first, second, late):
        join(client, code)
    QuizDriver(first, bank).complete()
    QuizDriver(second, bank).complete()

    full = browser(limited, "192.0.2.4").get(f"/r/{code}")
    assert full.status_code == 409
    assert "as many as a room may count" in full.get_data(as_text=True)

    room_scope = next(s for s, m, _v, _c in store.rows() if s.startswith("room:") and m == "completions")
    QuizDriver(late, bank).complete()
    result = late.get("/quiz/result").get_data(as_text=True)
    assert "counted only in the overall statistics" in result
    assert store.count("completions", scope=room_scope) == 2
    assert store.count("completions") == 3


def test_guessing_room_codes_is_throttled_per_address(limited, caplog):
    caplog.set_level(logging.DEBUG)
    code, _link, _page = open_room(limited.test_client())
    guesser = browser(limited, "198.51.100.66")
    misses = [guesser.get(f"/r/{guess}").status_code for guess in ("ZZZZZZ", "ZZZZZY", "ZZZZZX", "ZZZZZW", "ZZZZZV")]
    assert misses == [404] * 5
    # The sixth guess is refused before the code is looked up: even the right code says nothing now.
    _assert_429_page(guesser.get(f"/r/{code}"))
    _assert_429_page(guesser.get("/r/ZZZZZU"))
    # Someone else at another address joins with the right code as usual.
    assert browser(limited, "198.51.100.67").get(f"/r/{code}").status_code == 200
    assert "198.51.100.66" not in caplog.text


def test_joining_with_the_right_code_never_uses_up_the_limit(limited):
    code, _link, _page = open_room(limited.test_client())
    venue = browser(limited, "198.51.100.80")  # a whole workshop behind one wifi address
    for _ in range(12):
        assert venue.get(f"/r/{code}").status_code == 200


@pytest.mark.parametrize("name", ["RATE_LIMIT_ROOMS", "RATE_LIMIT_COMPLETIONS", "RATE_LIMIT_JOIN_MISSES"])
def test_a_malformed_limit_stops_start_up(name):
    with pytest.raises(ConfigError, match=name):
        settings_from_env({"APP_ENV": "testing", name: "lots"})


def test_limits_and_cap_come_from_the_environment():
    settings = settings_from_env(
        {
            "APP_ENV": "testing",
            "RATE_LIMIT_ROOMS": "3/hour",
            "RATE_LIMIT_COMPLETIONS": "100 per minute",
            "ROOM_MAX_PARTICIPANTS": "300",
            "RATELIMIT_STORAGE_URI": "redis://127.0.0.1:6379/6",
        }
    )
    assert settings["RATE_LIMIT_ROOMS"] == "3/hour"
    assert settings["RATE_LIMIT_COMPLETIONS"] == "100 per minute"
    assert settings["ROOM_MAX_PARTICIPANTS"] == 300
    assert settings["RATELIMIT_STORAGE_URI"] == "redis://127.0.0.1:6379/6"


def test_instances_sharing_a_store_share_the_limit(database_url: str, tmp_path, app):
    """Limits kept in Redis outlive the process that counted them, and Redis never sees the address."""
    import random

    import redis

    from app.web.rate_limits import client_key

    ip = f"198.51.100.{random.randint(1, 254)}"
    uri = "redis://127.0.0.1:6379/6"
    config = {
        "DATABASE_URL": database_url,
        "INSTANCE_PATH": str(tmp_path),
        "RATE_LIMIT_ROOMS": "2 per hour",
        "RATELIMIT_STORAGE_URI": uri,
    }
    one = create_app(config)
    with one.test_request_context(environ_base={"REMOTE_ADDR": ip}):
        hashed = client_key()
    shared = redis.Redis.from_url(uri)
    try:
        open_room(browser(one, ip))
        open_room(browser(one, ip))
        # A second instance starts with nothing in its own memory: only the shared store knows.
        two = create_app(config)
        client = browser(two, ip)
        page = client.get("/rooms/new").get_data(as_text=True)
        _assert_429_page(client.post("/rooms/new", data={"csrf_token": csrf_token(page), "title": "x"}))

        keys = [k.decode() for k in shared.scan_iter("*rooms.new_room*")]
        mine = [k for k in keys if hashed in k]
        assert mine, keys
        assert not any(ip in k for k in keys)
        assert all(0 < shared.ttl(k) <= 3600 for k in mine)  # kept only for the window
        two.extensions["database"].engine.dispose()
    finally:
        for k in shared.scan_iter(f"*{hashed}*"):
            shared.delete(k)
        one.extensions["database"].engine.dispose()


def test_myth_rounds_are_counted_completions_too(limited, store):
    from tests.helpers import myth_guesses, play_myths

    for _ in range(2):
        assert play_myths(limited.test_client(), myth_guesses()).status_code == 303
    _assert_429_page(play_myths(limited.test_client(), myth_guesses()))
    assert store.count("myth_rounds") == 2
