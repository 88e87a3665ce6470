"""Every layer a request passes through on its way to a view and back, outermost first.

This is the one place they are installed. Around Flask, WSGI middleware, each wrapping
everything listed after it:

  request log         a line and a request id for every answer, whichever layer gave it
  security headers    CSP and the rest on every response: pages, errors, static files
  trusted proxies     scheme, host and address as the proxies in front saw them (ProxyFix),
                      believed only from a peer in FORWARDED_ALLOW_IPS (app/web/proxies.py)
  static files        WhiteNoise: today's fingerprinted files, gzipped ahead, kept by
                      browsers; nothing of Flask runs for them (app/web/assets.py)

Inside Flask, once the session cookie is opened (app/web/session.py), the request hooks in
the order they run before the view; Flask runs after_request hooks the other way round,
so on the way out the first listed is also the outermost:

  foreign session     a cookie this site did not make: a 400 page, nothing read from it
  body limit          a chunked body over the limit: 413 before any form is parsed
  cross-site forms    a form posted from another site: 403, before the CSRF check says less
  CSRF                Flask-WTF's CSRFProtect, on every POST
  rate limits         Flask-Limiter, on the views that carry a limit
  compression         Flask-Compress: gzip for text, on the way out (unless a proxy in front
                      does it, COMPRESS_RESPONSES=false); a response that already carries a
                      Content-Encoding passes through untouched (the answer-shaped pages,
                      gzipped and padded by their views: app/web/padding.py)
  route name          tells the request log which route answered (at teardown)

Hooks that touch no request stay with their extension: the database session's removal
(app/store/database.py) and the start of the storage timer (app/store/hygiene.py).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from flask import Flask
from flask_compress import Compress

from ..extensions import csrf
from . import assets, body_limit, cross_site, proxies, rate_limits, request_log, security, session

if TYPE_CHECKING:
    from _typeshed.wsgi import WSGIApplication

Middleware = Callable[[Flask, "WSGIApplication"], "WSGIApplication"]


def _request_log(app: Flask, inner: WSGIApplication) -> WSGIApplication:
    return request_log.RequestLog(inner, app.config.get("FORWARDED_NETWORKS", ()))


def _security_headers(app: Flask, inner: WSGIApplication) -> WSGIApplication:
    return security.SecurityHeaders(inner, security.static_headers(app.config.get("BEHIND_HTTPS", False)))


def _trusted_proxies(app: Flask, inner: WSGIApplication) -> WSGIApplication:
    """Believe X-Forwarded-For/Proto/Host only from as many proxies as the operator says stand
    in front, and only when the request came from one of them (FORWARDED_ALLOW_IPS)."""
    count = app.config["PROXY_COUNT"]
    return proxies.TrustedProxies(inner, count, app.config.get("FORWARDED_NETWORKS", ())) if count else inner


AROUND_FLASK: tuple[Middleware, ...] = (_request_log, _security_headers, _trusted_proxies, assets.served_first)


def init_app(app: Flask) -> None:
    for middleware in reversed(AROUND_FLASK):  # wrapped from the inside out
        # Flask's documented way to add WSGI middleware; mypy sees a method replaced by a callable.
        app.wsgi_app = middleware(app, app.wsgi_app)  # type: ignore[assignment]

    app.before_request(session.refuse_foreign_session)
    app.before_request(body_limit.refuse_oversized_chunked_body)
    app.before_request(cross_site.refuse_cross_site_forms)
    csrf.init_app(app)
    rate_limits.init_app(app)
    if app.config["COMPRESS_RESPONSES"]:
        Compress(app)  # one per app: it keeps the app's settings on itself
    app.teardown_request(request_log.name_route)
