"""Generated bad input against every endpoint: never a 5xx, never a stack trace, never a counter changed.

The routes are read from the app's own URL map, so an endpoint added later is fuzzed too.
Each example mixes odd methods, path values, form fields, query strings, headers, CSRF
tokens (missing, random, replayed from another browser) and session cookies (none, real,
tampered, signed with another secret, junk).
"""

from __future__ import annotations

import re
from urllib.parse import quote

import pytest
from flask import Flask
from hypothesis import given, settings
from hypothesis import strategies as st
from itsdangerous import URLSafeTimedSerializer

from tests.helpers import csrf_token, open_room

pytestmark = pytest.mark.slow  # make test runs it; make check leaves it out

METHODS = ["GET", "POST", "PUT", "DELETE", "PATCH", "HEAD", "OPTIONS", "TRACE", "PROPFIND"]
CONVERTER = re.compile(r"<(?:(\w+):)?(\w+)>")
STACK_TRACE = ("Traceback (most recent call last)", 'File "/', "sqlalchemy.exc", "werkzeug.exceptions")

junk_text = st.one_of(
    st.text(max_size=40),
    st.text(alphabet=st.characters(codec="utf-8"), min_size=1, max_size=400),
    st.sampled_from(
        ["", " ", "\x00", "../../etc/passwd", "%00", "' OR 1=1 --", "<script>x</script>", "🙂" * 50,
         "A" * 5000, "-1", "0", "99999999999999999999", "NaN", "ABCDEF", "abcdef", "{{7*7}}", "\u202e"]
    ),
)  # fmt: skip
field_names = st.one_of(
    st.sampled_from(["answer", "csrf_token", "title", "passphrase", "code", "step", "lang", "next"]),
    st.text(max_size=20),
)
# Header values as a client can send them: latin-1 bytes without line breaks.
header_values = junk_text.map(lambda t: re.sub(r"[\r\n\x00]", " ", t.encode("utf-8", "ignore").decode("latin-1"))[:200])


def _path_value(converter: str | None) -> st.SearchStrategy[str]:
    if converter == "int":
        return st.one_of(st.integers(-5, 10**12).map(str), junk_text.map(lambda t: quote(t, safe="")))
    return junk_text.filter(bool).map(lambda t: quote(t, safe=""))


@st.composite
def paths(draw, rules: list[str], real: dict[str, str]) -> str:
    rule = draw(st.sampled_from([*rules, "/random"]))
    if rule == "/random":
        return "/" + draw(st.text(alphabet="abcdefghijklmnopqrstuvwxyz/._-%~0123456789", max_size=60))

    def fill(match: re.Match[str]) -> str:
        name = match.group(2)
        if name in real and draw(st.booleans()):
            return real[name]  # sometimes the real room code or secret, to reach deeper
        return draw(_path_value(match.group(1)))

    path = CONVERTER.sub(fill, rule)
    if draw(st.booleans()):
        path += "?" + "&".join(
            f"{quote(k)}={quote(v)}" for k, v in draw(st.dictionaries(field_names, junk_text, max_size=4)).items()
        )
    return path


@pytest.fixture
def ctx(app: Flask, client) -> dict[str, object]:
    """A real browser's cookie and token, a real room, and tokens and cookies that must fail."""
    code, presenter, _html = open_room(app.test_client())
    secret = presenter.rsplit("/", 1)[-1]
    page = client.get("/quiz/").get_data(as_text=True)
    token = csrf_token(page)
    cookie = client.get_cookie("session").value
    other = app.test_client()
    foreign_token = csrf_token(other.get("/quiz/").get_data(as_text=True))
    foreign_cookie = URLSafeTimedSerializer("another site's secret", salt="cookie-session").dumps({"quiz": {}})
    return {
        "real": {"code": code, "secret": secret},
        "tokens": [token, foreign_token, "", "IjEyMyI.abc.def", "x" * 300],
        "cookies": [None, cookie, cookie[:-4] + "AAAA", foreign_cookie, "garbage", "a" * 4000],
    }


def test_generated_bad_input_never_breaks_anything(app, store, ctx, capsys):
    rules = [r.rule for r in app.url_map.iter_rules()]
    before = store.rows()
    tried = {"n": 0, "statuses": {}}

    @settings(max_examples=700, deadline=None, database=None)
    @given(
        method=st.sampled_from(METHODS),
        path=paths(rules, ctx["real"]),
        form=st.dictionaries(field_names, junk_text, max_size=5),
        token=st.one_of(st.none(), st.sampled_from(ctx["tokens"]), junk_text),
        cookie=st.sampled_from(ctx["cookies"]),
        headers=st.dictionaries(
            st.sampled_from(["Accept-Language", "Content-Type", "If-None-Match", "X-Forwarded-For", "Accept", "Host"]),
            header_values,
            max_size=3,
        ),
    )
    def one_request(method, path, form, token, cookie, headers):
        client = app.test_client()
        if cookie is not None:
            client.set_cookie("session", cookie)
        if token is not None:
            form = {**form, "csrf_token": token}
        response = client.open(path, method=method, data=form or None, headers=headers)
        body = response.get_data(as_text=True)
        tried["n"] += 1
        tried["statuses"][response.status_code] = tried["statuses"].get(response.status_code, 0) + 1
        assert response.status_code < 500, (method, path, response.status_code)
        assert not any(marker in body for marker in STACK_TRACE), (method, path)

    one_request()
    assert store.rows() == before  # no counter (live or shown) changed
    with capsys.disabled():
        print(f"\n[fuzz] {tried['n']} generated requests, statuses {dict(sorted(tried['statuses'].items()))}")
    assert tried["n"] >= 500
