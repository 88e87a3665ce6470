"""One log line per request, with a request id, and nothing about the visitor or their answers."""

from __future__ import annotations

import json
import logging

import pytest

from app import create_app
from app.web.request_log import HANDLER, LOGGER, REQUEST_LOGGER


@pytest.fixture
def json_app(database_url, tmp_path):
    from app.store.schema import upgrade

    upgrade(database_url)
    app = create_app({"DATABASE_URL": database_url, "INSTANCE_PATH": str(tmp_path), "LOG_FORMAT": "json"})
    yield app
    app.extensions["database"].engine.dispose()


@pytest.fixture
def log(caplog):
    """What the app logs, as its own handler writes it. The app's logger does not propagate
    to the root logger (gunicorn's handlers there would print each line twice), so the
    capture handler joins the app's own."""
    logger = logging.getLogger(LOGGER)
    logger.addHandler(caplog.handler)
    yield caplog
    logger.removeHandler(caplog.handler)


def written(caplog) -> str:
    """The lines the app's stdout handler writes for the records captured so far."""
    (handler,) = [h for h in logging.getLogger(LOGGER).handlers if h.get_name() == HANDLER]
    return "\n".join(handler.format(record) for record in caplog.records)


def request_lines(caplog) -> list[dict]:
    lines = [json.loads(line) for line in written(caplog).splitlines() if line.startswith("{")]
    return [line for line in lines if line["logger"] == REQUEST_LOGGER]


def test_each_request_is_one_json_line_with_an_id(json_app, log):
    client = json_app.test_client()
    log.clear()
    first = client.get("/quiz/")
    client.get("/no-such-page")
    lines = request_lines(log)
    assert [(line["method"], line["path"], line["status"]) for line in lines] == [
        ("GET", "/quiz/", 200),
        ("GET", "(no route)", 404),
    ]
    assert lines[0]["request_id"] == first.headers["X-Request-ID"]
    assert len(lines[0]["request_id"]) == 32 and lines[0]["request_id"] != lines[1]["request_id"]
    assert isinstance(lines[0]["duration_ms"], float)


def test_a_static_file_sent_before_flask_is_logged_by_its_route(json_app, log):
    client = json_app.test_client()
    page = client.get("/").get_data(as_text=True)
    stylesheet = page[page.index("/assets/") : page.index('"', page.index("/assets/"))]
    log.clear()
    assert client.get(stylesheet).status_code == 200
    lines = [(line["path"], line["status"]) for line in request_lines(log)]
    assert lines == [("/assets/<version>/<path:filename>", 200)]  # WhiteNoise answered: no fingerprint logged


def test_room_codes_and_presenter_secrets_never_reach_the_log(json_app, log):
    client = json_app.test_client()
    log.clear()
    client.get("/rooms/ABCDEF/present/not-a-real-secret-xyz")
    client.get("/no-such-page/pasted-secret")
    out = written(log)
    assert "not-a-real-secret-xyz" not in out and "pasted-secret" not in out and "ABCDEF" not in out
    assert "/present/<" in out


def test_a_proxys_request_id_is_kept_and_a_forged_one_replaced(json_app, log):
    client = json_app.test_client()
    log.clear()
    kept = client.get("/", headers={"X-Request-ID": "lb-1234abcd"})
    replaced = client.get("/", headers={"X-Request-ID": "<script>alert(1)</script>"})
    assert kept.headers["X-Request-ID"] == "lb-1234abcd"
    assert "<" not in replaced.headers["X-Request-ID"]
    ids = [line["request_id"] for line in request_lines(log)]
    assert ids == ["lb-1234abcd", replaced.headers["X-Request-ID"]]


def test_logs_hold_no_address_user_agent_query_or_answer(json_app, log):
    from tests.helpers import csrf_token, questionnaire_form

    client = json_app.test_client()
    visitor = {
        "User-Agent": "VisitorBrowser/9.9",
        "X-Forwarded-For": "203.0.113.77",
        "Referer": "https://example.org/secret-ref",
    }
    bank = json_app.extensions["bank"]
    answer = bank.questions[0].options[-1].id
    page = client.get("/quiz/?utm=tracking-token", headers=visitor, environ_base={"REMOTE_ADDR": "198.51.100.23"})
    client.post(
        "/quiz/",
        data=questionnaire_form(bank, csrf_token(page.get_data(as_text=True)), {bank.questions[0].id: answer}),
        headers=visitor,
        environ_base={"REMOTE_ADDR": "198.51.100.23"},
    )
    out = written(log)
    assert len(request_lines(log)) == 2
    for secret in ("VisitorBrowser", "203.0.113.77", "198.51.100.23", "tracking-token", "secret-ref", f"={answer}"):
        assert secret not in out, secret
    assert json.dumps(answer) not in out


def test_text_format_is_one_readable_line(client, log):
    log.clear()
    response = client.get("/privacy")
    lines = [line for line in written(log).splitlines() if "app.requests" in line]
    assert len(lines) == 1
    assert "GET /privacy 200" in lines[0] and response.headers["X-Request-ID"] in lines[0]


def test_the_early_answer_to_an_unchanged_poll_is_logged_by_its_route_only(json_app, log):
    from tests.helpers import open_room

    client = json_app.test_client()
    code, link, _ = open_room(client)
    etag = client.get(f"{link}/poll").headers["ETag"]
    log.clear()
    unchanged = client.get(f"{link}/poll", headers={"If-None-Match": etag})
    assert unchanged.status_code == 304
    out = written(log)
    (line,) = request_lines(log)
    assert (line["path"], line["status"], line["request_id"]) == (
        "/rooms/<code>/present/<secret>/poll",
        304,
        unchanged.headers["X-Request-ID"],
    )
    assert code not in out and link.rsplit("/", 1)[1] not in out
