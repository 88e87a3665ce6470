"""Free loopback ports for the servers the tests start, each suite in its own range."""

from __future__ import annotations

import random
import socket


def free_port(ports: range) -> int:
    """A port in `ports` that nothing listens on now, tried in random order."""
    for port in random.sample(ports, len(ports)):
        with socket.socket() as s:
            try:
                s.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise RuntimeError(f"no free port in {ports.start}-{ports.stop - 1}")
