"""The app behind a real TLS terminator (Debian's nginx with deploy/nginx.conf), as operators run it.

The browser journeys over https are in tests/browser/test_https.py; here, what a scanner or
curl sees: the issue's reproduction (a form posted with `Origin: null` and no Referer over
https), the headers, the links the app builds from the Host, and the request id.
"""

from __future__ import annotations

import gzip
import http.client
import re
import ssl
from urllib.parse import urlencode

import pytest
from werkzeug.datastructures import Headers

from app.scoring import load_bank
from tests.helpers import ALREADY_ENCODED, CSRF_RE, grade, questionnaire_form, without_csrf_token
from tests.tls_proxy import HOST, HttpsSite, https_site

pytestmark = pytest.mark.slow  # make test runs it; make check leaves it out


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    with https_site(tmp_path_factory.mktemp("tls")) as running_site:
        yield running_site


class Browserless:
    """curl over TLS: one connection a request, cookies kept, headers as given."""

    def __init__(self, site: HttpsSite) -> None:
        self.site = site
        self.cookie = ""
        self.context = ssl.create_default_context()
        self.context.check_hostname = False
        self.context.verify_mode = ssl.CERT_NONE  # the certificate was made for this test

    def send(self, method: str, path: str, form: dict[str, str] | None = None, **headers: str):
        response, body = self.send_bytes(method, path, form, **headers)
        return response, body.decode()

    def send_bytes(self, method: str, path: str, form: dict[str, str] | None = None, **headers: str):
        """The response and its body as it came over the wire (still compressed, if it was)."""
        conn = http.client.HTTPSConnection("127.0.0.1", self.site.proxy.port, context=self.context, timeout=15)
        sent = {"Host": f"{HOST}:{self.site.proxy.port}", **headers}
        if self.cookie:
            sent["Cookie"] = self.cookie
        body = None
        if form is not None:
            body = urlencode(form)
            sent["Content-Type"] = "application/x-www-form-urlencoded"
        try:
            conn.request(method, path, body=body, headers=sent)
            response = conn.getresponse()
            received = response.read()
        finally:
            conn.close()
        for value in response.headers.get_all("Set-Cookie") or []:
            name_value = value.split(";", 1)[0]
            if name_value.startswith("session="):
                self.cookie = name_value if name_value != "session=" else ""
        return response, received


def test_the_issues_reproduction_now_answers_the_form(site):
    curl = Browserless(site)
    _, page = curl.send("GET", "/quiz/")
    token = CSRF_RE.search(page).group(1)
    # X-Forwarded-Proto: https comes from nginx; Origin null and no Referer, as under no-referrer.
    response, _ = curl.send("POST", "/quiz/", questionnaire_form(load_bank(), token), Origin="null")
    assert response.status == 303 and response.headers["Location"].endswith("/quiz/result")


def test_a_form_posted_from_another_site_is_refused_through_the_proxy(site):
    curl = Browserless(site)
    _, page = curl.send("GET", "/quiz/")
    token = CSRF_RE.search(page).group(1)
    response, body = curl.send(
        "POST", "/quiz/", questionnaire_form(load_bank(), token), Origin="null", **{"Sec-Fetch-Site": "cross-site"}
    )
    assert response.status == 403 and "sent from another site" in body


def test_every_response_through_the_proxy_passes_the_observatory(site):
    curl = Browserless(site)
    for path in ("/", "/quiz/", "/privacy", "/static/style.css", "/no-such-page"):
        response, _ = curl.send("GET", path)
        assert grade(Headers(response.getheaders()), https=True) == [], path
        assert response.headers["Server"] == "nginx"  # server_tokens off: no version
    response, _ = Browserless(site).send("GET", "/quiz/")  # a new visitor: a new cookie
    assert "Secure" in response.headers["Set-Cookie"]


def test_links_the_app_builds_carry_the_visitors_host_and_port(site):
    curl = Browserless(site)
    _, form = curl.send("GET", "/rooms/new")
    _, created = curl.send("POST", "/rooms/new", {"csrf_token": CSRF_RE.search(form).group(1), "title": "t"})
    links = set(re.findall(r"https?://[^\s\"<]+", created))
    built = {link for link in links if "/r/" in link or "/present/" in link}
    assert built and all(link.startswith(site.url + "/") for link in built), built


def test_a_forged_host_gets_a_400_through_the_proxy(site):
    curl = Browserless(site)
    response, body = curl.send("GET", "/rooms/new", Host="evil.example")
    assert response.status == 400 and "evil.example" not in body


def test_the_request_id_is_the_proxys_never_the_clients(site):
    response, _ = Browserless(site).send("GET", "/", **{"X-Request-ID": "visitor-chosen-id"})
    assert re.fullmatch(r"[0-9a-f]{32}", response.headers["X-Request-ID"])


def test_probes_are_not_public(site):
    assert Browserless(site).send("GET", "/healthz")[0].status == 404


# --- compression: the proxy's, never twice ----------------------------------------------


@pytest.mark.parametrize("path", ["/", "/quiz/", "/static/style.css"])
def test_the_proxy_gzips_what_the_app_sends_plain(site, path):
    client = Browserless(site)
    plain, plain_body = client.send_bytes("GET", path)
    packed, packed_body = client.send_bytes("GET", path, **{"Accept-Encoding": "gzip, br"})
    assert plain.status == packed.status == 200
    assert plain.headers.get("Content-Encoding") is None  # the app left it to the proxy
    assert packed.headers["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in packed.headers["Vary"]
    assert len(packed_body) < len(plain_body)
    assert without_csrf_token(gzip.decompress(packed_body).decode()) == without_csrf_token(plain_body.decode())


@pytest.fixture(scope="module")
def precompressing_site(tmp_path_factory):
    with https_site(tmp_path_factory.mktemp("tls-pre"), app_module="tests.precompressed_app:app") as running_site:
        yield running_site


def test_a_response_the_app_compressed_passes_the_proxy_untouched(precompressing_site):
    client = Browserless(precompressing_site)
    for accept in ("gzip, br", "identity"):
        response, body = client.send_bytes("GET", "/precompressed", **{"Accept-Encoding": accept})
        assert response.status == 200
        assert response.headers["Content-Encoding"] == "gzip"
        assert body == ALREADY_ENCODED  # not compressed again, not unpacked, not re-chunked into other bytes


# --- sizes: what an eavesdropper on the TLS connection can count -------------------------


def test_the_result_page_is_one_size_through_the_proxy_whatever_the_answers(site):
    """The app pads it (app/web/padding.py); nginx must neither compress it again nor unpack it.
    Before, "yes" to the court question was read from the size 40 times in 40."""
    bank = load_bank()
    seen: dict[str, set[tuple[int, int, int]]] = {}
    for court in ("no", "yes", "no", "yes", "no", "yes"):
        curl = Browserless(site)
        _, page = curl.send("GET", "/quiz/")
        answers = {q.id: q.options[0].id for q in bank.questions} | {"court_judgment": court}
        sent, _ = curl.send("POST", "/quiz/", questionnaire_form(bank, CSRF_RE.search(page).group(1), answers))
        assert sent.status == 303
        packed, packed_body = curl.send_bytes("GET", "/quiz/result", **{"Accept-Encoding": "gzip, br"})
        plain, plain_body = curl.send_bytes("GET", "/quiz/result")
        assert packed.headers["Content-Encoding"] == "gzip" and plain.headers.get("Content-Encoding") is None
        assert b"Your illustrative score" in gzip.decompress(packed_body)
        seen.setdefault(court, set()).add((len(sent.headers["Set-Cookie"]), len(packed_body), len(plain_body)))
    assert len(seen["no"] | seen["yes"]) == 1, seen
