"""The question bank: a TOML data file, loaded and validated into frozen types."""

from __future__ import annotations

import functools
import re
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

LABELS = ("documented", "reported", "illustrative", "myth")
# An option worth this many points neither raises nor lowers the score (see engine.py).
NEUTRAL_POINTS = 50
DEFAULT_BANK = Path(__file__).with_name("bank.toml")
_ID = re.compile(r"^[a-z][a-z0-9_]{0,39}$")

# The score's range, as Zhima Credit's: every threshold a bank names lies within it.
SCORE_MIN, SCORE_MAX = 350, 950


class BankError(ValueError):
    """A bank file that cannot be used, with the place that is wrong."""

    def __init__(self, path: Path | str, where: str, problem: str) -> None:
        self.path, self.where, self.problem = str(path), where, problem
        super().__init__(f"{path}: {where}: {problem}")


@dataclass(frozen=True)
class Source:
    """A claim about the real world, its evidence label and where it comes from."""

    note: str
    label: str
    title: str
    url: str


@dataclass(frozen=True)
class Dimension:
    id: str
    name: str
    native: str
    weight: float
    description: str


@dataclass(frozen=True)
class Option:
    id: str
    text: str
    points: int
    explanation: str
    # What the explanation rests on: most describe the quiz's own rule ("illustrative");
    # one that restates a sourced claim carries that claim's label.
    label: str
    blacklist: bool = False


@dataclass(frozen=True)
class Question:
    id: str
    dimension: str
    text: str
    options: tuple[Option, ...]
    zhima: Source
    western: Source
    # A story about this habit that no evidence supports, shown with the "myth" label of its own
    # rather than under the Zhima note's label.
    myth: str = ""

    def option(self, option_id: str) -> Option | None:
        return next((o for o in self.options if o.id == option_id), None)

    # Cached: scoring asks for both several times per question, and a question never changes.
    @functools.cached_property
    def best(self) -> Option:
        return max(self.options, key=lambda o: o.points)

    @functools.cached_property
    def worst(self) -> Option:
        return min(self.options, key=lambda o: o.points)


@dataclass(frozen=True)
class Perk:
    threshold: int
    text: str
    partner: str
    year: int
    source: Source


@dataclass(frozen=True)
class RealScores:
    """Where most real users' scores were at one time: a dated, sourced claim."""

    low: int
    high: int
    year: int
    claim: Source


@dataclass(frozen=True)
class Bank:
    title: str
    version: str
    dimensions: tuple[Dimension, ...]
    questions: tuple[Question, ...]
    perks: tuple[Perk, ...]
    punishments: tuple[Source, ...]
    mirror: tuple[Source, ...]
    real_scores: tuple[RealScores, ...] = ()

    def question(self, question_id: str) -> Question | None:
        return next((q for q in self.questions if q.id == question_id), None)

    def dimension(self, dimension_id: str) -> Dimension:
        return next(d for d in self.dimensions if d.id == dimension_id)


class _Reader:
    """Reads fields out of a parsed table, naming the place of any error."""

    def __init__(self, path: Path | str) -> None:
        self.path = path

    def fail(self, where: str, problem: str) -> BankError:
        return BankError(self.path, where, problem)

    def get(self, table: dict[str, Any], key: str, kind: type, where: str, default: Any = ...) -> Any:
        if key not in table:
            if default is ...:
                raise self.fail(where, f"field '{key}' is missing")
            return default
        value = table[key]
        # bool is an int in Python; a points field of `true` is still a mistake.
        if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
            raise self.fail(where, f"field '{key}' must be {kind.__name__}, not {type(value).__name__}")
        if kind is str and key not in ("url",) and not key.endswith("_url") and not value.strip():
            raise self.fail(where, f"field '{key}' is empty")
        return value

    def ident(self, table: dict[str, Any], where: str) -> str:
        value = self.get(table, "id", str, where)
        if not _ID.match(value):
            raise self.fail(where, f"id '{value}' must be lower-case letters, digits and _ (at most 40)")
        return value

    def label(self, table: dict[str, Any], key: str, where: str) -> str:
        value = self.get(table, key, str, where)
        if value not in LABELS:
            raise self.fail(where, f"field '{key}' is '{value}', expected one of {', '.join(LABELS)}")
        return value

    def url(self, table: dict[str, Any], key: str, where: str) -> str:
        value = self.get(table, key, str, where, "")
        if value and not value.startswith(("https://", "http://")):
            raise self.fail(where, f"field '{key}' must be an http(s) address or empty")
        return value

    def tables(self, table: dict[str, Any], key: str, where: str) -> list[dict[str, Any]]:
        items = self.get(table, key, list, where)
        if not items or not all(isinstance(i, dict) for i in items):
            raise self.fail(where, f"'{key}' must be a non-empty list of tables")
        return items

    def source(self, table: dict[str, Any], prefix: str, where: str) -> Source:
        return Source(
            note=self.get(table, prefix, str, where),
            label=self.label(table, f"{prefix}_label", where),
            title=self.get(table, f"{prefix}_source", str, where),
            url=self.url(table, f"{prefix}_url", where),
        )

    def claim(self, table: dict[str, Any], where: str) -> Source:
        return Source(
            note=self.get(table, "text", str, where),
            label=self.label(table, "label", where),
            title=self.get(table, "source", str, where),
            url=self.url(table, "url", where),
        )


def parse_bank(data: dict[str, Any], path: Path | str = "<bank>") -> Bank:
    """Validate parsed TOML data and build a Bank, or raise BankError."""
    r = _Reader(path)
    meta = r.get(data, "meta", dict, "[meta]")

    dimensions: list[Dimension] = []
    for i, table in enumerate(r.tables(data, "dimensions", "top level"), 1):
        where = f"dimension {i}"
        did = r.ident(table, where)
        where = f"dimension '{did}'"
        weight = r.get(table, "weight", int, where)
        if weight <= 0:
            raise r.fail(where, "field 'weight' must be positive")
        dimensions.append(
            Dimension(
                did,
                r.get(table, "name", str, where),
                r.get(table, "native", str, where, ""),
                float(weight),
                r.get(table, "description", str, where),
            )
        )
    if len({d.id for d in dimensions}) != len(dimensions):
        raise r.fail("dimensions", "two dimensions share an id")
    dimension_ids = {d.id for d in dimensions}

    questions: list[Question] = []
    for i, table in enumerate(r.tables(data, "questions", "top level"), 1):
        qid = r.ident(table, f"question {i}")
        where = f"question '{qid}'"
        dim = r.get(table, "dimension", str, where)
        if dim not in dimension_ids:
            raise r.fail(where, f"field 'dimension' is '{dim}', not one of {', '.join(sorted(dimension_ids))}")
        options: list[Option] = []
        for j, o in enumerate(r.tables(table, "options", where), 1):
            oid = r.ident(o, f"{where}, option {j}")
            owhere = f"{where}, option '{oid}'"
            points = r.get(o, "points", int, owhere)
            if not 0 <= points <= 100:
                raise r.fail(owhere, f"field 'points' is {points}, expected 0 to 100")
            options.append(
                Option(
                    oid,
                    r.get(o, "text", str, owhere),
                    points,
                    r.get(o, "explanation", str, owhere),
                    r.label(o, "label", owhere),
                    r.get(o, "blacklist", bool, owhere, False),
                )
            )
        if len(options) < 2:
            raise r.fail(where, "needs at least two options")
        if len({o.id for o in options}) != len(options):
            raise r.fail(where, "two options share an id")
        points = sorted(o.points for o in options)
        if not points[0] <= NEUTRAL_POINTS <= points[-1]:
            raise r.fail(
                where,
                f"options run from {points[0]} to {points[-1]} points; they must reach or span "
                f"{NEUTRAL_POINTS}, the neutral point (above it gains, below it costs)",
            )
        questions.append(
            Question(
                qid,
                dim,
                r.get(table, "text", str, where),
                tuple(options),
                r.source(table, "zhima", where),
                r.source(table, "western", where),
                r.get(table, "myth", str, where, ""),
            )
        )
    if len({q.id for q in questions}) != len(questions):
        raise r.fail("questions", "two questions share an id")
    if not 3 <= len(questions) <= 40:
        raise r.fail("questions", f"{len(questions)} questions; a bank needs 3 to 40")
    for d in dimensions:
        qs = [q for q in questions if q.dimension == d.id]
        # Each dimension owns a share of the room above the start and below it: both must be reachable.
        if not any(q.best.points > NEUTRAL_POINTS for q in qs):
            raise r.fail(
                f"dimension '{d.id}'", f"no option in it is above {NEUTRAL_POINTS} points, so it can never add"
            )
        if not any(q.worst.points < NEUTRAL_POINTS for q in qs):
            raise r.fail(
                f"dimension '{d.id}'", f"no option in it is below {NEUTRAL_POINTS} points, so it can never cost"
            )
    if sum(o.blacklist for q in questions for o in q.options) == 0:
        raise r.fail("questions", "no option has 'blacklist = true', so the court list panel can never show")

    perks: list[Perk] = []
    for i, table in enumerate(r.tables(data, "perks", "top level"), 1):
        where = f"perk {i}"
        threshold = r.get(table, "threshold", int, where)
        if not SCORE_MIN <= threshold <= SCORE_MAX:
            raise r.fail(where, f"field 'threshold' is {threshold}, expected {SCORE_MIN} to {SCORE_MAX}")
        perks.append(
            Perk(
                threshold,
                r.get(table, "text", str, where),
                r.get(table, "partner", str, where),
                r.get(table, "year", int, where),
                r.claim(table, where),
            )
        )

    real_scores: list[RealScores] = []
    for i, table in enumerate(r.get(data, "real_scores", list, "top level", []), 1):
        where = f"real_scores {i}"
        if not isinstance(table, dict):
            raise r.fail(where, "must be a table")
        low, high = r.get(table, "low", int, where), r.get(table, "high", int, where)
        if not SCORE_MIN <= low <= high <= SCORE_MAX:
            raise r.fail(
                where, f"'low' and 'high' are {low} and {high}, expected {SCORE_MIN} <= low <= high <= {SCORE_MAX}"
            )
        real_scores.append(RealScores(low, high, r.get(table, "year", int, where), r.claim(table, where)))

    return Bank(
        title=r.get(meta, "title", str, "[meta]"),
        version=r.get(meta, "version", str, "[meta]"),
        dimensions=tuple(dimensions),
        questions=tuple(questions),
        perks=tuple(sorted(perks, key=lambda p: p.threshold)),
        punishments=tuple(
            r.claim(t, f"punishment {i}") for i, t in enumerate(r.tables(data, "punishments", "top level"), 1)
        ),
        mirror=tuple(r.claim(t, f"mirror {i}") for i, t in enumerate(r.tables(data, "mirror", "top level"), 1)),
        real_scores=tuple(real_scores),
    )


def read_toml(path: Path) -> dict[str, Any]:
    """Parse a data file, turning a missing or malformed file into a BankError naming it."""
    try:
        with path.open("rb") as fh:
            return tomllib.load(fh)
    except FileNotFoundError:
        raise BankError(path, "file", "not found") from None
    except IsADirectoryError:
        raise BankError(path, "file", "is a directory, not a file") from None
    except UnicodeDecodeError as exc:
        raise BankError(path, "file", f"not UTF-8 text (byte {exc.start})") from None
    except tomllib.TOMLDecodeError as exc:
        raise BankError(path, "file", f"not valid TOML ({exc})") from None
    except OSError as exc:
        raise BankError(path, "file", f"cannot be read ({exc.strerror or type(exc).__name__})") from None


def load_bank(path: Path | str = DEFAULT_BANK) -> Bank:
    """Read and validate a bank file; any problem raises BankError naming the place."""
    path = Path(path)
    return parse_bank(read_toml(path), path)
