"""What a result page's data receipt says was counted, read back from its HTML (a test helper)."""

from __future__ import annotations

import re
from collections import Counter as Multiset

# One cell per scope and counter; a cell never reaches past its own </td>.
STORED = re.compile(
    r'<td( class="coin-changed" data-coin-changed)?>(?:(?!</td>).)*?<code class="stored">([^<]+)</code>', re.S
)


def receipt_lines(html: str) -> list[tuple[str, str, str, bool]]:
    """(scope, metric, value, the coin changed it) for every line of the receipt."""
    lines = []
    for changed, text in STORED.findall(html):
        scope, metric, value = (part.strip() for part in text.split(" · "))
        lines.append((scope, metric, "" if value == "—" else value, bool(changed)))
    return lines


def counted(html: str) -> Multiset[tuple[str, str, str]]:
    """The counters the receipt says were added 1 to."""
    return Multiset((scope, metric, value) for scope, metric, value, _changed in receipt_lines(html))


def counted_value(html: str, metric: str, scope: str = "global") -> str:
    """The value the receipt says was counted for one metric in one scope."""
    (value,) = [v for s, m, v, _c in receipt_lines(html) if s == scope and m == metric]
    return value
