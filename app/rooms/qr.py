"""The join URL as a QR code: SVG made here, inline in the page, no style attributes."""

from __future__ import annotations

import segno
from markupsafe import Markup


def qr_svg(url: str, title: str) -> Markup:
    """An inline <svg> of the URL; colours come from the stylesheet (.qr, .qr-dark)."""
    code = segno.make(url, error="m")
    svg = code.svg_inline(scale=1, border=2, svgclass="qr", lineclass="qr-dark", omitsize=True)
    # Give it a role and an accessible name; segno has no option for either.
    named = Markup('<svg role="img" aria-label="{}" ').format(title)
    return named + Markup(svg.removeprefix("<svg "))  # noqa: S704  (segno's own markup, no user input)  # nosec B704
