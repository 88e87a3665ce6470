"""The one cookie: the session, encrypted, with a lifetime, and always the same length.

A session interface of our own on Flask's documented `SessionInterface`: `open_session`
reads the cookie, `save_session` writes it with the configured flags (the cookie helpers
`get_cookie_name`, `should_set_cookie`, `get_expiration_time` and the rest are Flask's).
What it adds to Flask's signed cookie:

- Encryption. A signed cookie can be read by anyone who sees it (over plain http, anyone
  on the network): this one holds a visitor's answers, so it is sealed with Fernet
  (AES-128-CBC with HMAC-SHA256, from `cryptography`), keys derived from SECRET_KEY and
  SECRET_KEY_FALLBACKS, its timestamp checked against PERMANENT_SESSION_LIFETIME.
- One length. The JSON is compressed (a finished quiz's receipt repeats its counter names:
  2.3 KB become about 0.6, where a browser keeps at most 4 KB) and padded to PLAINTEXT
  bytes before it is sealed, so every cookie this site sets, on every response and in every
  request that carries it back, is as long as every other: its length says nothing about
  the answers in it (tests/test_sizes.py).
- Why a cookie could not be opened. Ours but only expired: a fresh session marked
  `expired`, so an error page can say why the answers are gone. Not made by this site:
  marked `rejected`, answered with a 400 page that says it was cleared (tampering is
  visible and writes nothing). Either way the unusable cookie is deleted on the way out.
"""

from __future__ import annotations

import base64
import json
import logging
import zlib
from collections.abc import Iterable
from typing import Any

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from flask import Flask, Request, abort, session
from flask.sessions import SecureCookieSession, SessionInterface, SessionMixin
from flask.wrappers import Response

# Every cookie's plaintext is padded to this many bytes before it is sealed. The fullest
# session there is (a room member with a counted quiz and a counted myth round) packs to
# about 900 bytes, 1,150 if the coin had changed every value; sealed, 1,804 characters, under
# the 4,096 a browser keeps and nginx's 4 KB header buffer (tests/test_sessions.py).
PLAINTEXT = 1280
KEY_INFO = b"score/session-cookie/fernet/v1"  # binds derived keys to this one use of SECRET_KEY

log = logging.getLogger(__name__)


class CookieSession(SecureCookieSession):
    """Flask's session dict, plus why a cookie that was sent could not be opened."""

    expired: bool = False  # ours, but older than the session lifetime: a fresh start
    rejected: bool = False  # not made by this site (tampered, foreign or malformed)


class Unreadable(Exception):
    """A cookie that cannot be opened; `expired` when only its age is wrong."""

    def __init__(self, expired: bool) -> None:
        super().__init__("expired" if expired else "not a session of this site")
        self.expired = expired


def derive_key(secret: str | bytes) -> Fernet:
    """A Fernet key of its own for the cookie, derived from a secret (HKDF-SHA256)."""
    material = secret.encode() if isinstance(secret, str) else secret
    key = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=KEY_INFO).derive(material)
    return Fernet(base64.urlsafe_b64encode(key))


def pad(packed: bytes) -> bytes:
    """Zeros after the end of the zlib stream (which decompression ignores) up to PLAINTEXT."""
    if len(packed) > PLAINTEXT:  # never seen: the length then says only "larger than ever measured"
        log.warning("session of %d bytes is over the cookie's fixed size %d", len(packed), PLAINTEXT)
    return packed + bytes(-len(packed) % PLAINTEXT)


class CookieBox:
    """Seals a session dict into a cookie value and opens it again."""

    def __init__(self, secrets: Iterable[str | bytes]) -> None:
        # The first key encrypts; every key (the fallbacks too) can open a cookie.
        self.fernet = MultiFernet([derive_key(s) for s in secrets])

    def seal(self, value: dict[str, Any]) -> str:
        packed = zlib.compress(json.dumps(value, separators=(",", ":"), ensure_ascii=False).encode())
        return self.fernet.encrypt(pad(packed)).decode("ascii")

    def open(self, token: str, max_age: int) -> dict[str, Any]:
        """The session in the cookie, or Unreadable."""
        try:
            plain = self.fernet.decrypt(token, ttl=max_age)
        except InvalidToken:
            raise Unreadable(expired=self._only_expired(token)) from None
        # Only what this site encrypted is ever decompressed (Fernet checks its HMAC first).
        try:
            unpack = zlib.decompressobj()
            value = json.loads(unpack.decompress(plain))
        except (ValueError, zlib.error):
            raise Unreadable(expired=False) from None
        if not unpack.eof or not isinstance(value, dict):
            raise Unreadable(expired=False)
        return value

    def _only_expired(self, token: str) -> bool:
        try:
            self.fernet.decrypt(token)  # no ttl: does it open at all?
        except InvalidToken:
            return False
        return True


class EncryptedSessionInterface(SessionInterface):
    def __init__(self) -> None:
        self._box: tuple[tuple[str | bytes, ...], CookieBox] | None = None

    def box(self, app: Flask) -> CookieBox | None:
        """The app's cookie box, or None without a secret key (Flask then uses a null session)."""
        if not app.secret_key:
            return None
        keys = (app.secret_key, *(app.config.get("SECRET_KEY_FALLBACKS") or ()))
        # Deriving keys costs a little; they only change when the settings do.
        if self._box is None or self._box[0] != keys:
            self._box = (keys, CookieBox(keys))
        return self._box[1]

    def open_session(self, app: Flask, request: Request) -> CookieSession | None:
        box = self.box(app)
        if box is None:
            return None
        raw = request.cookies.get(self.get_cookie_name(app))
        if not raw:
            return CookieSession()
        try:
            return CookieSession(box.open(raw, int(app.permanent_session_lifetime.total_seconds())))
        except Unreadable as unreadable:
            fresh = CookieSession()
            fresh.expired = unreadable.expired
            fresh.rejected = not unreadable.expired
            fresh.modified = True  # so the unusable cookie is deleted on the way out
            return fresh

    def save_session(self, app: Flask, session: SessionMixin, response: Response) -> None:
        name = self.get_cookie_name(app)
        flags: dict[str, Any] = {
            "domain": self.get_cookie_domain(app),
            "path": self.get_cookie_path(app),
            "secure": self.get_cookie_secure(app),
            "partitioned": self.get_cookie_partitioned(app),
            "samesite": self.get_cookie_samesite(app),
            "httponly": self.get_cookie_httponly(app),
        }
        if session.accessed:
            response.vary.add("Cookie")
        if not session:  # never an empty cookie: emptied (or unusable), it is deleted
            if session.modified:
                response.delete_cookie(name, **flags)
                response.vary.add("Cookie")
            return
        box = self.box(app)
        if box is None or not self.should_set_cookie(app, session):
            return
        expires = self.get_expiration_time(app, session)
        response.set_cookie(name, box.seal(dict(session)), expires=expires, **flags)
        response.vary.add("Cookie")


def session_expired() -> bool:
    """This request came with a session of ours that had outlived its lifetime."""
    return bool(getattr(session, "expired", False))


def refuse_foreign_session() -> None:
    """A request hook (app/web/layers.py): a cookie this site did not make gets a 400 page."""
    if getattr(session, "rejected", False):
        abort(400, description="session")


def init_app(app: Flask) -> None:
    app.session_interface = EncryptedSessionInterface()
