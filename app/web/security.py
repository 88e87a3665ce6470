"""Security headers, kept as data: each allowance says why it is there."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIApplication, WSGIEnvironment

# Start from nothing and allow only what our own pages need.
CONTENT_SECURITY_POLICY: dict[str, tuple[str, ...]] = {
    "default-src": ("'self'",),
    "script-src": ("'self'",),  # our own small ES modules, never inline
    "style-src": ("'self'",),  # one stylesheet; no inline style attributes
    "img-src": ("'self'",),  # favicon and server-made SVG
    "connect-src": ("'self'",),  # the projector and what-if fetch our own JSON
    "font-src": ("'none'",),  # system fonts only: no web font download
    "object-src": ("'none'",),
    "base-uri": ("'none'",),
    "form-action": ("'self'",),
    "frame-ancestors": ("'none'",),
}

PERMISSIONS_POLICY = ", ".join(
    f"{feature}=()"
    for feature in (
        "accelerometer",
        "camera",
        "geolocation",
        "gyroscope",
        "magnetometer",
        "microphone",
        "payment",
        "usb",
        "interest-cohort",
        "browsing-topics",
    )
)


def csp_header(policy: dict[str, tuple[str, ...]] = CONTENT_SECURITY_POLICY) -> str:
    return "; ".join(f"{name} {' '.join(sources)}" for name, sources in policy.items())


def static_headers(hsts: bool) -> tuple[tuple[str, str], ...]:
    headers = [
        ("Content-Security-Policy", csp_header()),
        ("Referrer-Policy", "no-referrer"),
        ("X-Content-Type-Options", "nosniff"),
        ("X-Frame-Options", "DENY"),
        ("Permissions-Policy", PERMISSIONS_POLICY),
        ("Cross-Origin-Opener-Policy", "same-origin"),
        ("Cross-Origin-Resource-Policy", "same-origin"),
    ]
    if hsts:
        headers.append(("Strict-Transport-Security", "max-age=63072000; includeSubDomains"))
    return tuple(headers)


class SecurityHeaders:
    """WSGI middleware: the same headers on every response (pages, errors, static files,
    answers given before Flask's own work), unless the view set its own."""

    def __init__(self, wsgi_app: WSGIApplication, headers: tuple[tuple[str, str], ...]) -> None:
        self.wsgi_app = wsgi_app
        self.headers = tuple((name.lower(), name, value) for name, value in headers)

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        def start(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
            present = {name.lower(): value for name, value in headers}
            headers.extend((name, value) for low, name, value in self.headers if low not in present)
            # Pages carry answers and CSRF tokens: never keep them in a shared cache.
            if "cache-control" not in present and present.get("content-type", "").startswith("text/html"):
                headers.append(("Cache-Control", "no-store"))
            return start_response(status, headers, exc_info)

        return self.wsgi_app(environ, start)
