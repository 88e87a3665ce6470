"""The picture a link preview shows for a shared score: the dial, its needle in one band.

One PNG per band, drawn here on first request and kept in memory (it depends on nothing
but the band): no third party, no font, no image library. Link previewers take PNG and
JPEG but many do not render SVG, hence a raster. The colours are the stylesheet's own
(its custom properties), so the card and the result page cannot disagree; the words go in
the page's Open Graph tags, in the visitor's language, so the picture has none.

The drawing is a few shapes measured per pixel, with their edges smoothed by each
pixel's distance to them (about 0.2 s a band, once per process).
"""

from __future__ import annotations

import functools
import math
import re
import struct
import zlib

from ..config import PROJECT_ROOT
from ..scoring import BANDS, SCORE_MAX, SCORE_MIN

WIDTH, HEIGHT = 1200, 630  # the size Open Graph and Twitter's large card ask for (1.91:1)
CX, CY = 600.0, 520.0  # the dial's centre
OUTER, INNER = 400.0, 300.0  # the ring
NEEDLE, NEEDLE_HALF_WIDTH, HUB = 330.0, 10.0, 26.0
FADED = 0.3  # the other bands, as the result page's dial shows them (.arc opacity)

# Every band's card is sent at this one size (14-17 KB drawn): over https its size would
# otherwise tell which band a previewed link shows (app/web/padding.py says why sizes matter).
CARD_BYTES = 20 * 1024
PADDING_CHUNK = b"paDd"  # ancillary, private, safe to copy (the case of each letter says so)

Colour = tuple[int, int, int]
STYLESHEET = PROJECT_ROOT / "static" / "style.css"


@functools.cache
def palette() -> dict[str, Colour]:
    """The light theme's custom properties that are colours: the first definition of each."""
    found: dict[str, Colour] = {}
    for name, hex_value in re.findall(r"--([\w-]+):\s*#([0-9a-fA-F]{6})\b", STYLESHEET.read_text()):
        found.setdefault(name, tuple(int(hex_value[i : i + 2], 16) for i in (0, 2, 4)))  # type: ignore[arg-type]
    return found


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def png(width: int, height: int, rows: list[bytes], size: int = 0) -> bytes:
    """An 8-bit RGB PNG (the format's own structure: signature, IHDR, IDAT, IEND), padded up to
    `size` bytes with a private ancillary chunk, which decoders skip."""
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    raw = b"".join(b"\x00" + row for row in rows)  # filter type 0 (none) on every row
    image = b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", header) + _chunk(b"IDAT", zlib.compress(raw, 9))
    end = _chunk(b"IEND", b"")
    padding = size - len(image) - len(end) - 12  # a chunk's length, type and CRC
    return image + (_chunk(PADDING_CHUNK, bytes(padding)) if padding >= 0 else b"") + end


def _mix(under: Colour, over: Colour, amount: float) -> Colour:
    return tuple(round(u + (o - u) * amount) for u, o in zip(under, over, strict=True))  # type: ignore[return-value]


def _angle(score: float) -> float:
    """Radians from the 350 end: 0 at 350 (left), pi at 950 (right), as the result page's dial."""
    return math.pi * (score - SCORE_MIN) / (SCORE_MAX - SCORE_MIN)


def _cover(distance: float) -> float:
    """How much of a pixel a shape covers, from the pixel centre's signed distance to its edge."""
    return min(1.0, max(0.0, 0.5 - distance))


@functools.cache
def card(band: str) -> bytes:
    """The PNG for one band's links: the dial, that band lit, the needle at its middle."""
    colours = palette()
    background, ink = colours["bg"], colours["text"]
    shades = [
        colours[f"band-{b}"] if b == band else _mix(background, colours[f"band-{b}"], FADED) for b, _lo, _hi in BANDS
    ]
    ends = [min(high + 1, SCORE_MAX) for _b, _lo, high in BANDS]  # each band's upper end on the dial
    low, high = next((lo, hi) for b, lo, hi in BANDS if b == band)
    turn = _angle((low + high + 1) / 2)
    tip = (CX - NEEDLE * math.cos(turn), CY - NEEDLE * math.sin(turn))
    dial = _Dial(background, ink, shades, ends, tip)
    return png(WIDTH, HEIGHT, [dial.row(j) for j in range(HEIGHT)], CARD_BYTES)


class _Dial:
    """Draws a row at a time: the ring's inside in runs of one colour, and pixel by pixel only
    where an edge passes (the ring's rims, the needle, the hub), smoothed by distance."""

    def __init__(
        self, background: Colour, ink: Colour, shades: list[Colour], ends: list[int], tip: tuple[float, float]
    ) -> None:
        self.background, self.ink, self.shades, self.ends, self.tip = background, ink, shades, ends, tip
        self.blank = bytes(background) * WIDTH

    def band_at(self, x: float, y: float) -> int:
        """The band (its index) where a ray from the centre through (x, y) meets the ring."""
        score = SCORE_MIN + (SCORE_MAX - SCORE_MIN) * (math.pi - math.atan2(CY - y, x - CX)) / math.pi
        return next((n for n, end in enumerate(self.ends) if score < end), len(self.ends) - 1)

    def pixel(self, x: float, y: float) -> Colour:
        shade = self.background
        r = math.hypot(x - CX, y - CY)
        ring = _cover(max(r - OUTER, INNER - r, y - CY))
        if ring:
            shade = _mix(shade, self.shades[self.band_at(x, y)], ring)
        px, py = x - CX, y - CY
        vx, vy = self.tip[0] - CX, self.tip[1] - CY
        t = max(0.0, min(1.0, (px * vx + py * vy) / (vx * vx + vy * vy)))
        needle = _cover(min(math.hypot(px - t * vx, py - t * vy) - NEEDLE_HALF_WIDTH, r - HUB))
        return _mix(shade, self.ink, needle) if needle else shade

    def row(self, j: int) -> bytes:
        y = j + 0.5
        dy = CY - y
        row = bytearray(self.blank)
        one_by_one: set[int] = set()
        if -1 <= dy <= OUTER + 1:
            outer = math.sqrt(max(0.0, (OUTER + 1) ** 2 - dy * dy))
            inner = math.sqrt(max(0.0, (INNER - 1) ** 2 - dy * dy))
            for left, right in ((CX - outer, CX - inner), (CX + inner, CX + outer)):
                first, last = max(0, int(left)), min(WIDTH - 1, int(right) + 1)
                if dy < 1.5:  # the straight cut at the bottom of the ring
                    one_by_one.update(range(first, last + 1))
                    continue
                one_by_one.update(range(first, min(first + 4, last + 1)))  # the rims: a few pixels each
                one_by_one.update(range(max(first, last - 3), last + 1))
                self._fill(row, first + 4, last - 3, dy)
        margin = max(NEEDLE_HALF_WIDTH, HUB) + 2
        if min(CY, self.tip[1]) - margin <= y <= max(CY, self.tip[1]) + margin:
            left, right = self._needle_columns(y, margin)
            one_by_one.update(range(max(0, int(left)), min(WIDTH, int(right) + 1)))
        for i in one_by_one:
            row[3 * i : 3 * i + 3] = bytes(self.pixel(i + 0.5, y))
        return bytes(row)

    def _fill(self, row: bytearray, start: int, stop: int, dy: float) -> None:
        """Pixels start..stop-1 of a row lie wholly inside the ring: one run per band."""
        i = start
        while i < stop:
            band = self.band_at(i + 0.5, CY - dy)
            end = max(i + 1, self._band_end(band, dy, stop))
            row[3 * i : 3 * end] = bytes(self.shades[band]) * (end - i)
            i = end

    def _band_end(self, band: int, dy: float, stop: int) -> int:
        """The first pixel of the row (at most `stop`) whose centre lies past this band's upper end."""
        if self.ends[band] >= SCORE_MAX:
            return stop
        angle = _angle(self.ends[band])  # the boundary's ray, from the 350 end
        boundary = CX - dy * math.cos(angle) / math.sin(angle)  # where it crosses this row
        return min(stop, math.ceil(boundary - 0.5))

    def _needle_columns(self, y: float, margin: float) -> tuple[float, float]:
        """Where the needle, its round end and the hub may touch this row."""
        vx, vy = self.tip[0] - CX, self.tip[1] - CY
        columns = [CX - margin, CX + margin]  # the hub
        if min(CY, self.tip[1]) - margin <= y <= max(CY, self.tip[1]) + margin and vy:
            along = min(1.0, max(0.0, (y - CY) / vy))
            x = CX + along * vx
            spread = margin * math.hypot(vx, vy) / abs(vy)
            columns += [x - spread, x + spread]
        return min(columns), max(columns)
