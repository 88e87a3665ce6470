"""Text responses travel gzip-compressed when the browser accepts it, and only then."""

from __future__ import annotations

import gzip
import re

import pytest

from app.web.compression import accepts_gzip
from tests.helpers import csrf_token

GZIP = {"Accept-Encoding": "gzip, deflate, br"}
# A CSRF token is signed with the time, so two fetches a second apart carry different ones.
TOKEN = re.compile(rb'name="csrf_token" (type="hidden" )?value="[^"]+"')


def same_page(a: bytes, b: bytes) -> bool:
    return TOKEN.sub(b"", a) == TOKEN.sub(b"", b)


@pytest.mark.parametrize("path", ["/", "/privacy", "/quiz/", "/static/style.css", "/no-such-page"])
def test_pages_and_styles_are_gzipped_for_browsers_that_ask(client, path):
    plain = client.get(path)
    packed = client.get(path, headers=GZIP)
    assert packed.headers["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in packed.headers["Vary"]
    assert same_page(gzip.decompress(packed.get_data()), plain.get_data())
    assert int(packed.headers["Content-Length"]) == len(packed.get_data()) < len(plain.get_data())


def test_nothing_is_compressed_without_accept_encoding(client):
    response = client.get("/")
    assert "Content-Encoding" not in response.headers
    assert response.get_data(as_text=True).startswith("<!doctype html>")
    assert "Accept-Encoding" in response.headers["Vary"]  # caches must still tell the two apart


def test_the_result_page_is_far_under_the_budget_on_the_wire(quiz, client):
    quiz.complete()
    response = client.get("/quiz/result", headers=GZIP)
    assert response.status_code == 200
    assert response.headers["Content-Encoding"] == "gzip"
    assert len(response.get_data()) < 12 * 1024
    assert b"Your illustrative score" in gzip.decompress(response.get_data())


def test_static_etag_becomes_weak_and_still_revalidates(client):
    first = client.get("/static/style.css", headers=GZIP)
    etag = first.headers["ETag"]
    assert etag.startswith('W/"')
    again = client.get("/static/style.css", headers={**GZIP, "If-None-Match": etag})
    assert again.status_code == 304
    assert again.get_data() == b""


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


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("gzip", True),
        ("deflate, gzip;q=0.5", True),
        ("GZIP", True),
        ("*", True),
        ("gzip;q=0", False),
        ("gzip;q=0.0", False),
        ("br, deflate", False),
        ("", False),
        ("gzip;q=nonsense", False),
    ],
)
def test_accept_encoding_is_read_like_a_browser_means_it(header, expected):
    assert accepts_gzip(header) is expected
