"""Forms posted from another site are refused, by what the browser says about the request.

The CSRF token (CSRFProtect) and the SameSite=Lax session cookie are the protection; this
adds the browser's own word. Flask-WTF's https check needs a Referer, which our
`Referrer-Policy: no-referrer` means browsers never send, so it is off (WTF_CSRF_SSL_STRICT).

- `Sec-Fetch-Site` (every current browser, over https and on localhost) decides: only
  `same-origin`, or `none` (the visitor's own action, such as a bookmark), may post.
  `same-site` is refused too: a sibling subdomain is another site to us.
- Without it, an `Origin` must be this site's own. Under no-referrer a browser sends
  `Origin: null` for our own forms, so `null` (or no Origin, as from curl) proves nothing
  either way, and the token and the cookie decide as before.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import abort, request

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
ALLOWED_FETCH_SITES = frozenset({"same-origin", "none"})
DEFAULT_PORTS = {"http": 80, "https": 443}


def _origin(scheme: str, netloc: str) -> tuple[str, str, int | None] | None:
    try:
        parts = urlsplit(f"{scheme}://{netloc}")
        return scheme, (parts.hostname or "").lower(), parts.port or DEFAULT_PORTS.get(scheme)
    except ValueError:
        return None


def is_cross_site() -> bool:
    """True when the browser tells us this request was made by another site."""
    fetch_site = request.headers.get("Sec-Fetch-Site")
    if fetch_site is not None:
        return fetch_site.strip().lower() not in ALLOWED_FETCH_SITES
    origin = request.headers.get("Origin", "").strip()
    if not origin or origin == "null":
        return False
    sent = urlsplit(origin)
    theirs = _origin(sent.scheme.lower(), sent.netloc)
    ours = _origin(request.scheme, request.host)
    return theirs is None or theirs != ours


def refuse_cross_site_forms() -> None:
    """A request hook (app/web/layers.py), before the CSRF check, which says less."""
    if request.method not in SAFE_METHODS and is_cross_site():
        abort(403, description="cross_site")
