"""Security headers, kept as data: each allowance says why it is there."""

from __future__ import annotations

from flask import Flask, Response

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


def init_app(app: Flask) -> None:
    csp = csp_header()
    hsts = app.config.get("BEHIND_HTTPS", False)

    @app.after_request
    def _security_headers(response: Response) -> Response:
        h = response.headers
        h.setdefault("Content-Security-Policy", csp)
        h.setdefault("Referrer-Policy", "no-referrer")
        h.setdefault("X-Content-Type-Options", "nosniff")
        h.setdefault("X-Frame-Options", "DENY")
        h.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
        h.setdefault("Cross-Origin-Opener-Policy", "same-origin")
        h.setdefault("Cross-Origin-Resource-Policy", "same-origin")
        if hsts:
            h.setdefault("Strict-Transport-Security", "max-age=63072000; includeSubDomains")
        # Pages carry answers and CSRF tokens: never keep them in a shared cache.
        if response.mimetype == "text/html":
            h.setdefault("Cache-Control", "no-store")
        return response
