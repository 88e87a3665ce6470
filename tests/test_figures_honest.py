"""A question's shares add up and stay in their ranges; each level waits for enough people; the
costliest habits are ranked only when the room is large enough to tell their order."""

from __future__ import annotations

import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.config import MAX_ODDS, MIN_ODDS
from app.disclosure.estimates import shares
from app.disclosure.figures import scope_figures
from app.disclosure.minimums import RANKED_FROM, SHOWN_FROM, shown_from
from app.disclosure.simplex import project, whole_percents
from app.scoring import load_bank, load_myths, option_points
from app.store.counters import CHILLING_IDS, Tally

BANK = load_bank()
MYTHS = load_myths()

counts_of = st.lists(st.integers(0, 60), min_size=2, max_size=5)


@given(counts_of, st.sampled_from([2, 4, 9]))
@settings(max_examples=300, deadline=None)
def test_projected_shares_add_to_one_and_stay_inside_their_ranges(counts, odds):
    values = [str(i) for i in range(len(counts))]
    estimated = shares(dict(zip(values, counts, strict=True)), values, odds)
    ranges = [(s.low, s.high) for s in estimated.values()]
    x = project([s.unclipped for s in estimated.values()], [r[0] for r in ranges], [r[1] for r in ranges])
    assert sum(x) == pytest.approx(1, abs=1e-9)
    feasible = sum(r[0] for r in ranges) <= 1 <= sum(r[1] for r in ranges)
    for xi, (low, high) in zip(x, ranges, strict=True):
        assert -1e-12 <= xi <= 1 + 1e-12
        if feasible:
            assert low - 1e-9 <= xi <= high + 1e-9


@given(st.lists(st.floats(-1, 2), min_size=2, max_size=6), st.lists(st.floats(0, 1), min_size=2, max_size=6))
@settings(max_examples=300, deadline=None)
def test_projection_never_moves_further_from_a_distribution(values, truth_weights):
    """Projecting onto a convex set holding the truth cannot add squared error."""
    n = min(len(values), len(truth_weights))
    values, weights = values[:n], truth_weights[:n]
    total = sum(weights)
    truth = [w / total for w in weights] if total > 0 else [1 / n] * n
    x = project(values)
    before = sum((v - t) ** 2 for v, t in zip(values, truth, strict=True))
    after = sum((v - t) ** 2 for v, t in zip(x, truth, strict=True))
    assert after <= before + 1e-9


def test_a_distribution_is_its_own_projection():
    assert project([0.2, 0.3, 0.5]) == pytest.approx([0.2, 0.3, 0.5])
    assert project([0.6, 0.6, -0.2]) == pytest.approx([0.5, 0.5, 0.0])


@given(st.lists(st.floats(0, 1), min_size=1, max_size=6))
def test_whole_percents_add_to_100_and_round_each_share_by_less_than_one(weights):
    total = sum(weights)
    if total == 0:
        return
    shares_ = [w / total for w in weights]
    percents = whole_percents(shares_)
    assert sum(percents) == 100
    assert all(abs(p - 100 * s) < 1 for p, s in zip(percents, shares_, strict=True))


def test_equal_shares_are_printed_equal_where_they_can_be():
    assert whole_percents([0.5, 0.5, 0.0]) == [50, 50, 0]
    assert whole_percents([0.25] * 4) == [25] * 4


def tally_of(n: int, rng: random.Random) -> Tally:
    answers = {}
    for q in BANK.questions:
        per = {o.id: 0 for o in q.options}
        for _ in range(n):
            per[rng.choice(list(per))] += 1
        answers[q.id] = per
    chilling = {c: 0 for c in CHILLING_IDS}
    for _ in range(n):
        chilling[rng.choice(CHILLING_IDS)] += 1
    return Tally(completions=n, answers=answers, chilling=chilling)


@pytest.mark.parametrize("odds", [2, 4, 9])
@pytest.mark.parametrize("n", [12, 25, 60])
def test_every_question_shown_adds_to_100_with_each_estimate_inside_its_printed_range(odds, n):
    figures = scope_figures(BANK, MYTHS, tally_of(n, random.Random(n * odds)), odds=odds, min_finished=10)
    assert figures.visible == (n >= SHOWN_FROM[odds])
    groups = [[o.shown for o in q.options] for q in figures.questions] + [[c.shown for c in figures.chilling]]
    for shown in groups if figures.visible else []:
        assert sum(s.percent for s in shown) == 100
        assert all(s.low <= s.percent <= s.high for s in shown)
    for q in figures.questions:
        assert sum(o.share.estimate for o in q.options) == pytest.approx(1)


def test_a_level_waits_for_as_many_people_as_its_noise_needs():
    assert shown_from(4, 10) == 10 and shown_from(9, 10) == 10
    assert shown_from(2, 10) == 50  # the statistics review's "about 50 at ln 2"
    assert all(shown_from(o, 10) >= 10 for o in range(MIN_ODDS, MAX_ODDS + 1))
    assert shown_from(2, 4) == 20  # a lowered MIN_FINISHED lowers every level alike
    tally = tally_of(20, random.Random(1))
    assert scope_figures(BANK, MYTHS, tally, odds=4, min_finished=10).visible
    ln2 = scope_figures(BANK, MYTHS, tally, odds=2, min_finished=10)
    assert not ln2.visible and ln2.questions == () and ln2.waiting_for == 30


def test_the_costliest_habits_are_a_set_until_the_room_can_rank_them():
    points = option_points(BANK)
    order = [(q.id, o.id) for q in BANK.questions for o in q.options]
    for n, ranked in ((RANKED_FROM[4] - 1, False), (RANKED_FROM[4], True)):
        answers = {q.id: {o.id: (n if points[q.id, o.id] < 0 else 0) for o in q.options} for q in BANK.questions}
        tally = Tally(completions=n, answers=answers, chilling={"no": n, "considered": 0, "changed": 0})
        figures = scope_figures(BANK, MYTHS, tally, odds=4, min_finished=10)
        assert figures.costliest_ranked is ranked and len(figures.costliest) == 3
        at = [order.index((h.question.id, h.option.id)) for h in figures.costliest]
        costs = [h.cost for h in figures.costliest]
        assert (costs == sorted(costs)) if ranked else (at == sorted(at))


def test_an_estimate_at_an_end_says_so():
    n = 12
    answers = {q.id: {o.id: (n if i == 0 else 0) for i, o in enumerate(q.options)} for q in BANK.questions}
    tally = Tally(completions=n, answers=answers, chilling={"no": 9, "considered": 2, "changed": 1})
    figures = scope_figures(BANK, MYTHS, tally, odds=4, min_finished=10)
    first = figures.questions[0].options
    assert first[0].shown.edge == "full"
    assert all(o.shown.edge == "zero" and o.shown.high > 0 for o in first[1:])  # "≈ 0% (up to …)"
    closing = {c.option_id: c.shown for c in figures.chilling}
    assert closing["no"].edge == "full" and closing["no"].low < 100  # "≈ 100% (at least …)"
