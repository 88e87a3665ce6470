"""The one cookie: a signed session holding answers in progress and the CSRF token.

A cookie whose signature does not verify is not silently replaced: the request is
answered with a 400 page that says the cookie was cleared, so a tampered or foreign
cookie is visible and writes nothing.
"""

from __future__ import annotations

import json
from typing import Any

from flask import Flask, Request, abort, g
from flask.sessions import SecureCookieSession, SecureCookieSessionInterface
from itsdangerous import BadSignature, URLSafeTimedSerializer


class PlainJSON:
    """The session holds only JSON's own types (strings, lists, dicts, booleans). Flask's
    default serializer walks every value looking for tuples, bytes or dates to tag, which
    on a finished quiz's cookie costs more than the rest of the request; the JSON is the same."""

    @staticmethod
    def dumps(value: Any) -> str:
        return json.dumps(value, separators=(",", ":"), ensure_ascii=False)

    @staticmethod
    def loads(value: str | bytes) -> Any:
        return json.loads(value)


class CheckedSessionInterface(SecureCookieSessionInterface):
    serializer = PlainJSON()  # type: ignore[assignment]

    def __init__(self) -> None:
        self._signer: tuple[object, URLSafeTimedSerializer | None] | None = None

    def get_signing_serializer(self, app: Flask) -> URLSafeTimedSerializer | None:
        """Flask builds a new one twice a request; it only changes with the keys."""
        keys = (app.secret_key, tuple(app.config.get("SECRET_KEY_FALLBACKS") or ()))
        if self._signer is None or self._signer[0] != keys:
            self._signer = (keys, super().get_signing_serializer(app))
        return self._signer[1]

    def open_session(self, app: Flask, request: Request) -> SecureCookieSession | None:
        serializer = self.get_signing_serializer(app)
        if serializer is None:
            return None
        raw = request.cookies.get(self.get_cookie_name(app))
        if not raw:
            return self.session_class()
        try:
            data = serializer.loads(raw)
        except (BadSignature, ValueError, TypeError):  # forged, foreign or malformed
            g.session_rejected = True
            # A modified empty session makes Flask delete the bad cookie on the way out.
            session = self.session_class()
            session.modified = True
            return session
        return self.session_class(data)


def init_app(app: Flask) -> None:
    app.session_interface = CheckedSessionInterface()

    @app.before_request
    def _reject_tampered_session() -> None:
        if g.get("session_rejected"):
            abort(400, description="session")
