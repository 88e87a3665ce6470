"""How clear a room's figures are under deniable counting: simulated rooms, the app's own code.

    .venv/bin/python bench/privacy_sim.py              # rooms of 10 to 300 at ε = ln 2, ln 3, ln 4, ln 9
    .venv/bin/python bench/privacy_sim.py --odds 4     # one level only
    .venv/bin/python bench/privacy_sim.py --smoke      # a few rooms: the test suite runs this

Each simulated room is a crowd with its own taste: for every question, the room's true shares
of its options are drawn at random (uniform over all possible shares), and people lean
together (half of each person's answers follow one personal "good or bad habits" draw, the
rest are independent), as real rooms do. Each person's answers then go through the same
randomized response the app runs (app/counting/items.py) and the room's figures are
computed by the same code the pages use (app/disclosure/figures.py). Against the room's
true answers, it prints:

- shares: the mean absolute error of every shown share, in percentage points, and how
  often its 95% range holds the true share;
- costliest habits: how often the shown costliest one is the true costliest, the three
  shown are the true three (in any order), and the three shown are among the true five;
- average score: the mean absolute error of the estimate, the mean width of its range, and
  how often the range holds the room's true average.

Then what each rule of app/disclosure buys, per level and room size:

- the minimum per level (minimums.shown_from): the error of the shown shares against a blind
  guess of 1/m for every option, and whether the room shows them;
- the projection onto the simplex (simplex.py): the error of the shares as estimated one by
  one and clipped, against projected; how often a question's clipped shares were more than
  5 points off 100%;
- ranking the costliest habits only from minimums.ranked_from people: how often the first
  shown is the true costliest, and by how many points picking the largest of noisy
  estimates inflates their shares;
- counters kept per level: the share error when counts made at ln 4 are read at another level.
"""

from __future__ import annotations

import argparse
import random
import sys
from collections import Counter as Multiset
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from app.content.closing_question import OPTION_IDS as CHILLING_IDS
from app.counting import items as counting
from app.counting.randomized_response import truth_probability
from app.disclosure.figures import scope_figures
from app.disclosure.minimums import ranked_from, shown_from
from app.scoring import Bank, load_bank, load_myths, option_points, score_answers
from app.store.counters import Tally

SIZES = (10, 20, 30, 50, 100, 300)
LEVELS = (2, 3, 4, 9)
LEAN = 0.5  # the share of a person's answers that follow their own habits draw


@dataclass
class Row:
    share_errors: list[float] = field(default_factory=list)
    share_held: list[bool] = field(default_factory=list)
    first_right: int = 0
    three_right: int = 0
    three_in_five: int = 0
    score_errors: list[float] = field(default_factory=list)
    score_widths: list[float] = field(default_factory=list)
    score_held: int = 0
    rooms: int = 0
    raw_errors: list[float] = field(default_factory=list)  # one by one, clipped: before the projection
    blind_errors: list[float] = field(default_factory=list)  # 1/m for every option
    questions_off: list[bool] = field(default_factory=list)  # clipped shares more than 5 points off 100%
    inflation: list[float] = field(default_factory=list)  # shown costliest share minus its true share
    mixed_errors: list[float] = field(default_factory=list)  # these counts read at another level


def room_taste(bank: Bank, rng: random.Random) -> dict[str, list[float]]:
    taste = {}
    for q in bank.questions:
        weights = [rng.expovariate(1) for _ in q.options]  # uniform over all possible shares
        taste[q.id] = [w / sum(weights) for w in weights]
    return taste


def person(bank: Bank, taste: dict[str, list[float]], rng: random.Random) -> dict[str, str]:
    habits = rng.random()
    answers = {}
    for q in bank.questions:
        u = habits if rng.random() < LEAN else rng.random()
        cumulative = 0.0
        answers[q.id] = q.options[-1].id
        for option, weight in zip(q.options, taste[q.id], strict=True):
            cumulative += weight
            if u <= cumulative:
                answers[q.id] = option.id
                break
    return answers


def simulate(size: int, odds: int, rooms: int, seed: int, read_at: int | None = None) -> Row:
    bank, myths = load_bank(), load_myths()
    points = option_points(bank)
    rng = random.Random(seed)  # noqa: S311  (a reproducible simulation; the app's own coin uses secrets)
    scope = counting.Scope("room:sim", odds)
    row = Row()
    for _ in range(rooms):
        taste = room_taste(bank, rng)
        people = [person(bank, taste, rng) for _ in range(size)]
        tally = Tally(
            completions=size,
            answers={q.id: {o.id: 0 for o in q.options} for q in bank.questions},
            chilling={c: 0 for c in CHILLING_IDS},
        )
        truth: dict[str, Multiset[str]] = {q.id: Multiset() for q in bank.questions}
        for answers in people:
            items = counting.quiz_items(bank, answers, rng.choice(CHILLING_IDS))
            for c in counting.randomize_for(items, [scope], rng.randrange)[scope.name]:
                if c.metric.startswith("answer:"):
                    tally.answers[c.metric.removeprefix("answer:")][c.value] += 1
                else:
                    tally.chilling[c.value] += 1
            for q in bank.questions:
                truth[q.id][answers[q.id]] += 1
        figures = scope_figures(bank, myths, tally, odds=odds, min_finished=1)
        for qf in figures.questions:
            clipped = [min(1.0, max(0.0, of.share.unclipped)) for of in qf.options]
            row.questions_off.append(abs(sum(clipped) - 1) > 0.05)
            for of, raw in zip(qf.options, clipped, strict=True):
                true = truth[qf.question.id][of.option.id] / size
                row.share_errors.append(abs(of.share.estimate - true))
                row.share_held.append(of.share.low <= true <= of.share.high)
                row.raw_errors.append(abs(raw - true))
                row.blind_errors.append(abs(1 / len(qf.options) - true))
        if read_at is not None:  # the same counters de-biased at a level they were not made at
            mixed = scope_figures(bank, myths, tally, odds=read_at, min_finished=1)
            for qf in mixed.questions:
                for of in qf.options:
                    row.mixed_errors.append(abs(of.share.estimate - truth[qf.question.id][of.option.id] / size))
        costs = sorted(
            (truth[q.id][o.id] / size * points[q.id, o.id], q.id, o.id)
            for q in bank.questions
            for o in q.options
            if points[q.id, o.id] < 0
        )
        true_order = [(q, o) for _cost, q, o in costs]
        by_cost = sorted(figures.costliest, key=lambda h: h.cost)  # the order a ranked list would show
        shown = [(h.question.id, h.option.id) for h in by_cost]
        row.inflation.extend(h.share.estimate - truth[h.question.id][h.option.id] / size for h in by_cost)
        row.first_right += bool(shown) and shown[0] == true_order[0]
        row.three_right += set(shown) == set(true_order[:3])
        row.three_in_five += bool(shown) and set(shown) <= set(true_order[:5])
        true_average = sum(score_answers(bank, a).score for a in people) / size
        average = figures.average
        if average is None:
            raise RuntimeError("a room with finished quizzes has no average")
        row.score_errors.append(abs(average.estimate - true_average))
        row.score_widths.append(average.high - average.low)
        row.score_held += average.low <= true_average <= average.high
        row.rooms += 1
    return row


def mean(values: Sequence[float]) -> float:
    return sum(values) / len(values)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--odds", type=int, action="append", help="e^ε (default: the room levels 2, 4, 9)")
    parser.add_argument("--rooms", type=int, default=300, help="simulated rooms per size (default 300)")
    parser.add_argument("--smoke", action="store_true", help="a few small rooms: does it still run?")
    parser.add_argument("--rules", action="store_true", help="only the table of what each rule buys")
    parser.add_argument("--size", type=int, action="append", help="room sizes (default 10, 20, 30, 50, 100, 300)")
    args = parser.parse_args()
    levels = args.odds or list(LEVELS)
    sizes = (10, 20) if args.smoke else tuple(args.size or SIZES)
    rooms = 3 if args.smoke else args.rooms
    rules(levels, sizes, rooms)
    if args.rules:
        return
    for odds in levels:
        two, three = float(truth_probability(odds, 2)), float(truth_probability(odds, 3))
        print(f"\nε = ln {odds}: a best guess about a yes/no answer is right at most {two:.0%}, of three {three:.0%}")
        print(f"{rooms} simulated rooms per size; shares in percentage points, scores in points")
        print("| people | share error | share in range | costliest right | same three | three in top five "
              "| average error | average range | average in range |")  # fmt: skip
        print("| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
        for size in sizes:
            r = simulate(size, odds, rooms if size < 300 else max(1, rooms // 3), seed=size * 100 + odds)
            print(
                f"| {size} | {100 * mean(r.share_errors):.1f} | {mean(r.share_held):.0%} "
                f"| {r.first_right / r.rooms:.0%} | {r.three_right / r.rooms:.0%} | {r.three_in_five / r.rooms:.0%} "
                f"| {mean(r.score_errors):.0f} | ±{mean(r.score_widths) / 2:.0f} | {r.score_held / r.rooms:.0%} |"
            )


def rules(levels: Sequence[int], sizes: Sequence[int], rooms: int) -> None:
    """What each rule of app/disclosure buys, one line per level and room size."""
    print("\nWhat each rule buys (shares in percentage points; MIN_FINISHED at its default of 10)")
    print("| level | people | shown | share error | blind guess | unprojected | off 100% by >5 "
          "| ranked | costliest first right | inflation | read at ln 9 / ln 4 |")  # fmt: skip
    print("| --- | ---: | --- | ---: | ---: | ---: | ---: | --- | ---: | ---: | ---: |")
    for odds in levels:
        for size in sizes:
            read_at = 9 if odds == 4 else None
            r = simulate(
                size, odds, rooms if size < 300 else max(1, rooms // 3), seed=size * 100 + odds, read_at=read_at
            )
            mixed = f"{100 * mean(r.mixed_errors):.1f}" if r.mixed_errors else ""
            print(
                f"| ln {odds} | {size} | {'yes' if size >= shown_from(odds, 10) else 'no'} "
                f"| {100 * mean(r.share_errors):.1f} | {100 * mean(r.blind_errors):.1f} "
                f"| {100 * mean(r.raw_errors):.1f} "
                f"| {mean(r.questions_off):.0%} | {'yes' if size >= ranked_from(odds) else 'no'} "
                f"| {r.first_right / r.rooms:.0%} | {100 * mean(r.inflation):+.1f} | {mixed} |"
            )


if __name__ == "__main__":
    main()
