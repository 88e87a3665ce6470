"""The one cookie: the session, encrypted, with a lifetime.

Flask's own cookie session (SecureCookieSessionInterface) does the work: it opens the
cookie with `max_age` set from PERMANENT_SESSION_LIFETIME, saves it with the configured
flags, and deletes it when it empties. Two things are ours, each through a documented
extension point:

- The serializer (`get_signing_serializer`) encrypts as well as signs: Fernet
  (AES-128-CBC with HMAC-SHA256, from `cryptography`), keys derived from SECRET_KEY and
  SECRET_KEY_FALLBACKS, its timestamp checked against the session's lifetime. A signed
  cookie can be read by anyone who sees it (over plain http, anyone on the network): this
  one holds a visitor's answers, so nobody but this site can read it. The JSON is
  compressed (a finished quiz's receipt repeats its counter names: 2.3 KB become 0.6, where
  a browser keeps at most 4 KB) and padded to a multiple of PAD bytes, so the cookie's
  length moves only in steps of PAD and says next to nothing about the answers.
- What happens when a cookie cannot be opened (`open_session`). Flask treats it as no
  session. We do too when the cookie is ours and only expired (`session.expired`, so an
  error page can say why the answers are gone); a cookie this site did not make is
  answered with a 400 page that says it was cleared, so tampering is visible and writes nothing.
"""

from __future__ import annotations

import base64
import json
import zlib
from collections.abc import Iterable
from typing import Any

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from flask import Flask, Request, abort, session
from flask.sessions import SecureCookieSession, SecureCookieSessionInterface
from itsdangerous import BadSignature

PAD = 256  # plaintext is padded to a multiple of this many bytes
KEY_INFO = b"score/session-cookie/fernet/v1"  # binds derived keys to this one use of SECRET_KEY


class CookieSession(SecureCookieSession):
    """Flask's session dict, plus why a cookie that was sent could not be opened."""

    expired: bool = False  # ours, but older than the session lifetime: a fresh start
    rejected: bool = False  # not made by this site (tampered, foreign or malformed)


def derive_key(secret: str | bytes) -> Fernet:
    """A Fernet key of its own for the cookie, derived from a secret (HKDF-SHA256)."""
    material = secret.encode() if isinstance(secret, str) else secret
    key = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=KEY_INFO).derive(material)
    return Fernet(base64.urlsafe_b64encode(key))


class EncryptedSerializer:
    """What Flask's cookie session expects of its serializer: dumps, and loads with max_age."""

    def __init__(self, secrets: Iterable[str | bytes]) -> None:
        # The first key encrypts; every key (the fallbacks too) can open a cookie.
        self.fernet = MultiFernet([derive_key(s) for s in secrets])

    def dumps(self, value: Any) -> str:
        packed = zlib.compress(json.dumps(value, separators=(",", ":"), ensure_ascii=False).encode())
        padded = packed + bytes(-len(packed) % PAD)  # after the end of the zlib stream: ignored
        return self.fernet.encrypt(padded).decode("ascii")

    def loads(self, token: str | bytes, max_age: int | None = None) -> Any:
        # Flask's open_session treats BadSignature as "no session": every failure is one.
        try:
            # Only what this site encrypted is ever decompressed (Fernet checks its HMAC first).
            unpack = zlib.decompressobj()
            value = json.loads(unpack.decompress(self.fernet.decrypt(token, ttl=max_age)))
            if not unpack.eof:
                raise ValueError("cut short")
        except (InvalidToken, TypeError, ValueError, zlib.error):
            raise BadSignature("not a session of this site, or older than its lifetime") from None
        if not isinstance(value, dict):
            raise BadSignature("not a session")
        return value

    def only_expired(self, token: str | bytes) -> bool:
        """A session this site made, refused only for its age."""
        try:
            self.loads(token, max_age=None)
        except BadSignature:
            return False
        return True


class EncryptedSessionInterface(SecureCookieSessionInterface):
    session_class = CookieSession

    def __init__(self) -> None:
        self._serializer: tuple[tuple[object, ...], EncryptedSerializer] | None = None

    def get_signing_serializer(self, app: Flask) -> EncryptedSerializer | None:  # type: ignore[override]
        if not app.secret_key:
            return None
        keys = (app.secret_key, *(app.config.get("SECRET_KEY_FALLBACKS") or ()))
        # Deriving keys costs a little; they only change when the settings do.
        if self._serializer is None or self._serializer[0] != keys:
            self._serializer = (keys, EncryptedSerializer(keys))
        return self._serializer[1]

    def open_session(self, app: Flask, request: Request) -> CookieSession | None:
        opened = super().open_session(app, request)
        raw = request.cookies.get(self.get_cookie_name(app))
        if opened is None or not raw or opened:
            return opened  # type: ignore[return-value]
        # A cookie was sent and nothing came out of it: Flask never saves an empty session,
        # so it expired, or it is not ours.
        serializer = self.get_signing_serializer(app)
        if serializer is not None and serializer.only_expired(raw):
            opened.expired = True
        else:
            opened.rejected = True
        opened.modified = True  # so Flask deletes the unusable cookie on the way out
        return opened


def session_expired() -> bool:
    """This request came with a session of ours that had outlived its lifetime."""
    return bool(getattr(session, "expired", False))


def refuse_foreign_session() -> None:
    """A request hook (app/web/layers.py): a cookie this site did not make gets a 400 page."""
    if getattr(session, "rejected", False):
        abort(400, description="session")


def init_app(app: Flask) -> None:
    app.session_interface = EncryptedSessionInterface()
