"""Text responses travel gzip-compressed when the browser accepts it, and only then
(Flask-Compress under `make run` and in a lone container; nginx in the compose deployment,
tests/test_tls_proxy.py). A response the app already compressed passes through untouched."""

from __future__ import annotations

import gzip

import pytest

from app import create_app
from app.web.padding import RESULT
from tests.helpers import (
    ALREADY_ENCODED,
    TEST_MIN_FINISHED,
    csrf_token,
    with_a_precompressed_page,
    without_csrf_token,
)

GZIP = {"Accept-Encoding": "gzip, deflate, br"}


def same_page(a: bytes, b: bytes) -> bool:
    return without_csrf_token(a.decode()) == without_csrf_token(b.decode())


@pytest.mark.parametrize("path", ["/", "/privacy", "/quiz/"])
def test_pages_are_gzipped_for_browsers_that_ask(client, path):
    plain = client.get(path)
    packed = client.get(path, headers=GZIP)
    assert packed.headers["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in packed.headers["Vary"]
    assert same_page(gzip.decompress(packed.get_data()), plain.get_data())
    assert int(packed.headers["Content-Length"]) == len(packed.get_data()) < len(plain.get_data())


@pytest.mark.parametrize("path", ["/static/style.css", "/static/js/projector.js"])
def test_static_files_are_gzipped_for_browsers_that_ask(client, path):
    plain = client.get(path)
    packed = client.get(path, headers=GZIP)
    assert packed.headers["Content-Encoding"] == "gzip"
    assert gzip.decompress(packed.get_data()) == plain.get_data()
    assert len(packed.get_data()) < len(plain.get_data())


def test_nothing_is_compressed_without_accept_encoding(client):
    response = client.get("/")
    assert "Content-Encoding" not in response.headers
    assert response.get_data(as_text=True).startswith("<!doctype html>")
    assert "Accept-Encoding" in response.headers["Vary"]  # caches must still tell the two apart


@pytest.mark.parametrize(
    ("accept_encoding", "gzipped"),
    [("gzip", True), ("deflate, gzip;q=0.5", True), ("GZIP", True), ("*", True), ("br, deflate", False),
     ("", False)],
)  # fmt: skip
def test_accept_encoding_is_read_like_a_browser_means_it(client, accept_encoding, gzipped):
    response = client.get("/", headers={"Accept-Encoding": accept_encoding})
    assert (response.headers.get("Content-Encoding") == "gzip") is gzipped
    assert response.headers.get("Content-Encoding") in ("gzip", None)  # gzip only, as nginx


def test_the_result_page_is_sent_at_its_one_size_under_the_budget(quiz, client):
    """Gzipped in the app and padded to one size (app/web/padding.py), which still fits the budget."""
    quiz.complete()
    response = client.get("/quiz/result", headers=GZIP)
    assert response.status_code == 200
    assert response.headers["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in response.headers["Vary"]
    assert len(response.get_data()) == RESULT.gzip < 20 * 1024
    assert b"Your illustrative score" in gzip.decompress(response.get_data())
    plain = client.get("/quiz/result")
    assert "Content-Encoding" not in plain.headers
    assert len(plain.get_data()) == RESULT.identity
    assert same_page(gzip.decompress(response.get_data()), plain.get_data().rstrip(b" "))


@pytest.fixture
def behind_a_compressing_proxy(database_url, tmp_path):
    """The app as the compose file runs it: nginx compresses, the app does not."""
    from app.store.schema import upgrade

    upgrade(database_url)
    app = create_app(
        {
            "DATABASE_URL": database_url,
            "INSTANCE_PATH": str(tmp_path),
            "MIN_FINISHED": TEST_MIN_FINISHED,
            "COMPRESS_RESPONSES": False,
        }
    )
    yield app
    app.extensions["database"].engine.dispose()


def test_answer_shaped_pages_are_padded_even_behind_a_compressing_proxy(behind_a_compressing_proxy):
    """nginx passes an encoded response through: the app's padding is what goes on the wire."""
    from tests.helpers import QuizDriver

    client = behind_a_compressing_proxy.test_client()
    QuizDriver(client, behind_a_compressing_proxy.extensions["bank"]).complete()
    response = client.get("/quiz/result", headers=GZIP)
    assert response.headers["Content-Encoding"] == "gzip"
    assert len(response.get_data()) == RESULT.gzip


def test_a_compressed_static_file_still_revalidates(client):
    first = client.get("/static/style.css", headers=GZIP)
    etag = first.headers["ETag"]
    again = client.get("/static/style.css", headers={**GZIP, "If-None-Match": etag})
    assert again.status_code == 304
    assert again.get_data() == b""
    plain = client.get("/static/style.css")
    assert plain.headers["ETag"] != etag  # the plain and the gzipped bytes are two representations


def test_small_and_binary_responses_are_left_alone(client):
    # The favicon is SVG but tiny: compressing it would make it larger.
    icon = client.get("/favicon.ico", headers=GZIP)
    assert icon.status_code == 200
    assert "Content-Encoding" not in icon.headers


def test_forget_redirect_is_not_compressed(client):
    page = client.get("/privacy")
    response = client.post("/forget", data={"csrf_token": csrf_token(page.get_data(as_text=True))}, headers=GZIP)
    assert response.status_code == 303
    assert "Content-Encoding" not in response.headers


def test_a_response_that_is_already_compressed_passes_through_untouched(app):
    client = with_a_precompressed_page(app).test_client()
    for headers in (GZIP, {}):
        response = client.get("/precompressed", headers=headers)
        assert response.headers["Content-Encoding"] == "gzip"
        assert response.get_data() == ALREADY_ENCODED
        assert int(response.headers["Content-Length"]) == len(ALREADY_ENCODED)


def test_with_a_compressing_proxy_in_front_the_app_sends_plain_text(behind_a_compressing_proxy):
    response = behind_a_compressing_proxy.test_client().get("/", headers=GZIP)
    assert "Content-Encoding" not in response.headers
    assert response.get_data(as_text=True).startswith("<!doctype html>")
