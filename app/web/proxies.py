"""Whom the app believes about the client: the one home of that rule.

X-Forwarded-For/Proto/Host (and a proxy's X-Request-ID) are believed only when the request
came straight from an address in FORWARDED_ALLOW_IPS, the list gunicorn itself trusts
X-Forwarded-Proto from. Anyone else who reaches the app's port directly is known by their
own address, whatever headers they send: otherwise a rotating X-Forwarded-For would give a
guesser a fresh rate limit with every request.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable
from typing import TYPE_CHECKING

from werkzeug.middleware.proxy_fix import ProxyFix

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIApplication, WSGIEnvironment

Networks = tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...] | None


def from_trusted_proxy(peer: str, networks: Networks) -> bool:
    """The request came straight from one of the proxies in FORWARDED_ALLOW_IPS (None: any)."""
    if networks is None:
        return True
    try:
        address = ipaddress.ip_address(peer)
    except ValueError:
        return False  # a unix socket or no address: nobody we were told to believe
    return any(address in network for network in networks)


class TrustedProxies:
    """Werkzeug's ProxyFix for the `count` proxies in front, applied only to requests whose
    peer is one of them; every other request passes through as it came."""

    def __init__(self, wsgi_app: WSGIApplication, count: int, networks: Networks) -> None:
        self.wsgi_app = wsgi_app
        self.fixed = ProxyFix(wsgi_app, x_for=count, x_proto=count, x_host=count)
        self.networks = networks

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        if from_trusted_proxy(environ.get("REMOTE_ADDR", ""), self.networks):
            return self.fixed(environ, start_response)
        return self.wsgi_app(environ, start_response)
