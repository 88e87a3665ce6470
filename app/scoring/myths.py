"""Myth or real? The statements of the optional round: a TOML file, loaded and validated."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .bank import Source, _Reader, read_toml

DEFAULT_MYTHS = Path(__file__).with_name("myths.toml")
VERDICTS = ("real", "myth")
MIN_STATEMENTS, MAX_STATEMENTS = 6, 8


@dataclass(frozen=True)
class Statement:
    id: str
    text: str
    verdict: str  # "real" or "myth"
    explanation: str
    source: Source  # its label is the evidence label shown with the verdict


@dataclass(frozen=True)
class MythRound:
    title: str
    version: str
    statements: tuple[Statement, ...]

    def statement(self, statement_id: str) -> Statement | None:
        return next((s for s in self.statements if s.id == statement_id), None)

    def marks(self, guesses: Mapping[str, str]) -> dict[str, bool]:
        """For each statement, whether the guess matched the verdict. Guesses must cover every statement."""
        return {s.id: guesses[s.id] == s.verdict for s in self.statements}


def parse_myths(data: dict[str, Any], path: Path | str = "<myths>") -> MythRound:
    """Validate parsed TOML data and build a MythRound, or raise BankError naming the place."""
    r = _Reader(path)
    meta = r.get(data, "meta", dict, "[meta]")
    statements: list[Statement] = []
    for i, table in enumerate(r.tables(data, "statements", "top level"), 1):
        sid = r.ident(table, f"statement {i}")
        where = f"statement '{sid}'"
        verdict = r.get(table, "verdict", str, where)
        if verdict not in VERDICTS:
            raise r.fail(where, f"field 'verdict' is '{verdict}', expected real or myth")
        label = r.label(table, "label", where)
        # A myth has no evidence behind it, and a real claim needs some.
        if (verdict == "myth") != (label == "myth"):
            raise r.fail(where, f"a '{verdict}' statement cannot carry the label '{label}'")
        source = Source(
            note=r.get(table, "text", str, where),
            label=label,
            title=r.get(table, "source", str, where),
            url=r.url(table, "url", where),
        )
        statements.append(Statement(sid, source.note, verdict, r.get(table, "explanation", str, where), source))
    if len({s.id for s in statements}) != len(statements):
        raise r.fail("statements", "two statements share an id")
    if not MIN_STATEMENTS <= len(statements) <= MAX_STATEMENTS:
        raise r.fail("statements", f"{len(statements)} statements; a round needs {MIN_STATEMENTS} to {MAX_STATEMENTS}")
    if {s.verdict for s in statements} != set(VERDICTS):
        raise r.fail("statements", "a round needs at least one myth and one real statement")
    return MythRound(
        title=r.get(meta, "title", str, "[meta]"),
        version=r.get(meta, "version", str, "[meta]"),
        statements=tuple(statements),
    )


def load_myths(path: Path | str = DEFAULT_MYTHS) -> MythRound:
    """Read and validate a myths file; any problem raises BankError naming the place."""
    path = Path(path)
    return parse_myths(read_toml(path), path)
