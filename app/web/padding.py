"""Pages shaped by a visitor's answers, sent at one size per kind of page.

Over https an eavesdropper sees no bytes, but sees how many. Before this module a "yes" to
the court question added about 830 compressed bytes to the result page, and that answer
was read from the size alone 1,000 times in 1,000 (40 in 40 through TLS). So every
response a visitor's answers shape (the result page and its what-ifs, the myth round's
result, the shared page) leaves the app at the one size of its kind, whatever the answers,
the score, the band, the language or the room; the session cookie is padded the same way
(app/web/session.py). tests/test_sizes.py trains the best size threshold on hundreds of
visitors and finds it no better than a coin.

Why this design:

- Compressed here, not by the proxy or Flask-Compress. Padding only works if the size sent
  is the size chosen, so these responses are gzipped in the app and carry their
  Content-Encoding; Flask-Compress and nginx (deploy/nginx.conf) pass an encoded response
  through untouched, so nothing compresses them again. (Other pages are still compressed
  where they always were.)
- Padding in the gzip header's FEXTRA field (RFC 1952 2.3.1): decoders skip it, so the page
  a browser renders is byte for byte the page without padding, and the number of padding
  bytes is exact (padding inside the HTML would itself be compressed, by an amount that
  depends on the page). A client that does not take gzip gets the page with trailing
  spaces, at the identity size of its kind.
- One size per kind, not buckets: a bucket boundary falls between two answers somewhere,
  and then the bucket tells them apart. The sizes are the largest measured (German, in a
  room with an 80-character title, every answer and every what-if) plus room to spare;
  the cost is a few kilobytes a result page. A page that still outgrows its size is sent at
  the next multiple of it (and logged): that says only "larger than ever measured".
"""

from __future__ import annotations

import functools
import logging
import struct
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import ParamSpec

from flask import make_response, request
from flask.typing import ResponseReturnValue
from werkzeug.wrappers import Response

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Size:
    """The bytes of a kind of page's body as sent: gzipped, and for clients that take no gzip."""

    gzip: int
    identity: int


# The largest measured, in bytes gzipped / plain, over English, German and Chinese, in a room
# with an 80-character Chinese title or in none: result 15,520 / 71,298; myth result
# 5,431 / 21,049; what-if JSON 5,893 / 25,157 (JSON escapes Chinese); shared page 1,559 / 4,355.
RESULT = Size(gzip=18 * 1024, identity=80 * 1024)  # the result page, and the what-if page
MYTH_RESULT = Size(gzip=7 * 1024, identity=24 * 1024)
WHAT_IF_JSON = Size(gzip=7 * 1024, identity=32 * 1024)
SHARED = Size(gzip=2 * 1024, identity=5 * 1024)

# gzip member: magic, deflate, FEXTRA flag, no mtime, no extra flags, unknown OS; then XLEN.
_HEADER = b"\x1f\x8b\x08\x04\x00\x00\x00\x00\x00\xff"
_SUBFIELD = b"Pd"  # the padding's subfield id (decoders skip subfields they do not know)
_OVERHEAD = len(_HEADER) + 2 + 4 + 8  # header, XLEN, subfield id and length, CRC32 and ISIZE
_MAX_SUBFIELD = 0xFFFF - 4  # XLEN is 16 bits


def _at_least(size: int, needed: int) -> int:
    """`size`, or the first multiple of it that holds `needed` bytes."""
    if needed <= size:
        return size
    log.warning("an answer-shaped page of %d bytes is over its fixed size %d", needed, size)
    return size * -(-needed // size)


def gzip_padded(body: bytes, size: int) -> bytes:
    """`body` as one gzip member of exactly `size` bytes (or the next multiple that holds it)."""
    packer = zlib.compressobj(6, zlib.DEFLATED, -zlib.MAX_WBITS)  # raw deflate: the framing is ours
    deflated = packer.compress(body) + packer.flush()
    total = _at_least(size, len(deflated) + _OVERHEAD)
    padding = total - len(deflated) - _OVERHEAD
    if padding > _MAX_SUBFIELD:  # a size over 64 KB: not one of ours
        raise ValueError(f"padding of {padding} bytes does not fit a gzip header")
    extra = _SUBFIELD + struct.pack("<H", padding) + bytes(padding)
    trailer = struct.pack("<II", zlib.crc32(body), len(body) & 0xFFFFFFFF)
    return _HEADER + struct.pack("<H", len(extra)) + extra + deflated + trailer


def pad(response: Response, size: Size) -> Response:
    """The response at its kind's size, gzipped when the client takes gzip. Only a page (200)
    is padded: an error page here (no finished quiz, an unknown what-if) has no answers in it."""
    if response.status_code != 200 or response.is_streamed:
        return response
    body = response.get_data()
    response.vary.add("Accept-Encoding")
    if request.accept_encodings["gzip"]:  # q > 0, "*" included, as Flask-Compress reads it
        response.set_data(gzip_padded(body, size.gzip))
        response.headers["Content-Encoding"] = "gzip"
    else:
        response.set_data(body + b" " * (_at_least(size.identity, len(body)) - len(body)))
    return response


P = ParamSpec("P")


def padded(size: Size) -> Callable[[Callable[P, ResponseReturnValue]], Callable[P, Response]]:
    """A view decorator: what the view returns, sent at `size`."""

    def decorate(view: Callable[P, ResponseReturnValue]) -> Callable[P, Response]:
        @functools.wraps(view)
        def wrapper(*args: P.args, **kwargs: P.kwargs) -> Response:
            return pad(make_response(view(*args, **kwargs)), size)

        return wrapper

    return decorate
