"""The mechanism and the estimates, on their own: exact probabilities, unbiased figures, honest ranges."""

from __future__ import annotations

import random
from collections import Counter as Multiset
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.config import MAX_ODDS, MIN_ODDS
from app.counting import items as counting
from app.counting.randomized_response import (
    keep_probability,
    randomize,
    rerandomize,
    truth_probability,
)
from app.disclosure.estimates import average, share, shares, wilson
from app.disclosure.figures import scope_figures
from app.scoring import START, load_bank, load_myths, option_points, score_answers
from app.store.counters import Tally

BANK = load_bank()
MYTHS = load_myths()


def exact_distribution(sample, n_draws: int) -> dict[str, Fraction]:
    """Every outcome of a sampler that makes one draw below n_draws, each draw equally likely."""
    seen: dict[str, Fraction] = {}
    for r in range(n_draws):
        value = sample(lambda n, r=r: r)
        seen[value] = seen.get(value, Fraction(0)) + Fraction(1, n_draws)
    return seen


def draws_needed(sample) -> int:
    asked: list[int] = []
    sample(lambda n: asked.append(n) or 0)
    return asked[0]


@pytest.mark.parametrize("odds", range(MIN_ODDS, MAX_ODDS + 1))
@pytest.mark.parametrize("m", [2, 3, 4])
def test_randomized_response_is_exact_with_one_draw(odds, m):
    values = [chr(97 + i) for i in range(m)]

    def sample(draw):
        return randomize("a", values, odds, draw)

    n = draws_needed(sample)
    assert n == odds + m - 1
    dist = exact_distribution(sample, n)
    p = keep_probability(odds, m)
    assert p == Fraction(odds - 1, odds - 1 + m)
    assert dist["a"] == p + (1 - p) / m == truth_probability(odds, m) == Fraction(odds, odds + m - 1)
    for other in values[1:]:
        assert dist[other] == (1 - p) / m
        assert dist["a"] / dist[other] == odds  # the likelihood ratio is exactly e^ε


@pytest.mark.parametrize(("weak", "strong"), [(9, 4), (9, 2), (4, 2), (4, 4)])
@pytest.mark.parametrize("m", [2, 3])
def test_randomizing_further_is_exactly_randomizing_once_at_the_stronger_level(weak, strong, m):
    values = [chr(97 + i) for i in range(m)]
    total: dict[str, Fraction] = {}
    first = exact_distribution(lambda d: randomize("a", values, weak, d), weak + m - 1)
    for value, chance in first.items():

        def again(draw, value=value):
            return rerandomize(value, values, weak, strong, draw)

        n = draws_needed(again) if weak != strong else 1
        for v, c in exact_distribution(again, n).items():
            total[v] = total.get(v, Fraction(0)) + chance * c
    assert total["a"] == truth_probability(strong, m)
    assert all(total[v] == (1 - keep_probability(strong, m)) / m for v in values[1:])


def test_a_value_outside_the_item_or_a_level_outside_the_bounds_is_refused():
    with pytest.raises(ValueError):
        randomize("z", ["a", "b"], 4)
    with pytest.raises(ValueError):
        randomize("a", ["a", "b"], 1)  # e^ε = 1 would keep nothing of the answer; 10 is beyond the stated bound
    with pytest.raises(ValueError):
        randomize("a", ["a", "b"], 10)
    with pytest.raises(ValueError):
        rerandomize("a", ["a", "b"], 2, 4)  # post-processing cannot make a value less deniable


def test_a_visitor_is_counted_at_one_level_only():
    site = counting.Scope("global", 4)
    assert counting.plan(site) == (site,)
    weaker, same, stronger = counting.Scope("room:w", 9), counting.Scope("room:s", 4), counting.Scope("room:x", 2)
    assert counting.plan(site, weaker) == (weaker, site)  # the site's values are the room's, randomized further
    assert counting.plan(site, same) == (same, site)
    assert counting.plan(site, stronger) == (stronger,)  # never counted where the promise would be weaker


def test_one_coin_per_item_shared_by_both_scopes_at_the_same_level():
    items = counting.quiz_items(BANK, {q.id: q.options[0].id for q in BANK.questions}, "no")
    rng = random.Random(3)
    counted = counting.randomize_for(items, [counting.Scope("room:r", 4), counting.Scope("global", 4)], rng.randrange)
    assert counted["room:r"] == counted["global"]  # one randomized value, counted twice, reveals no more


# --------------------------------------------------------------------------- estimates


@given(st.lists(st.integers(0, 40), min_size=2, max_size=4), st.integers(MIN_ODDS, MAX_ODDS))
@settings(max_examples=200, deadline=None)
def test_every_range_holds_its_estimate_within_zero_and_one(counts, odds):
    values = [str(i) for i in range(len(counts))]
    for s in shares(dict(zip(values, counts, strict=True)), values, odds).values():
        assert 0 <= s.low <= s.estimate <= s.high <= 1


def test_wilson_is_the_textbook_interval():
    low, high = wilson(0, 10)
    assert low == 0 and round(high, 4) == 0.2775  # where the textbook ±1.96·se would say 0 to 0
    low, high = wilson(5, 10)
    assert round(low, 4) == 0.2366 and round(high, 4) == 0.7634


def test_shares_are_unbiased_and_their_ranges_hold_about_95_percent():
    """Many simulated rooms of 30: the de-biased share averages to the truth; the range holds it ≥ 93%."""
    rng = random.Random(11)
    values = ["a", "b", "c"]
    truth = {"a": 0.6, "b": 0.3, "c": 0.1}
    errors, held, rooms = [], 0, 2000
    for _ in range(rooms):
        people = rng.choices(values, weights=[truth[v] for v in values], k=30)
        real = Multiset(people)
        counts = Multiset(randomize(v, values, 4, rng.randrange) for v in people)
        s = share(counts, ("a",), 3, 4)
        errors.append(s.unclipped - real["a"] / 30)
        held += s.low <= real["a"] / 30 <= s.high
    assert abs(sum(errors) / rooms) < 0.01
    assert held / rooms >= 0.93


def test_the_average_score_is_the_average_of_true_scores_in_expectation():
    """The engine is linear in per-question points: the estimate from shares averages to the truth."""
    rng = random.Random(5)
    points = option_points(BANK)
    people = [{q.id: rng.choice(q.options).id for q in BANK.questions} for _ in range(40)]
    true_mean = sum(score_answers(BANK, a).score for a in people) / len(people)
    estimates, held = [], 0
    for _ in range(300):
        counts = {q.id: Multiset() for q in BANK.questions}
        for a in people:
            for q in BANK.questions:
                counts[q.id][randomize(a[q.id], [o.id for o in q.options], 4, rng.randrange)] += 1
        items = [(counts[q.id], {o.id: points[q.id, o.id] for o in q.options}) for q in BANK.questions]
        mean = average(items, 4, base=START)
        estimates.append(mean.estimate)
        held += mean.low <= true_mean <= mean.high
    assert abs(sum(estimates) / len(estimates) - true_mean) < 2  # scores are whole: within rounding
    assert held / 300 >= 0.9


def test_a_scope_below_the_minimum_has_no_figure_at_all():
    tally = Tally(completions=9, answers={q.id: {o.id: 3 for o in q.options} for q in BANK.questions})
    figures = scope_figures(BANK, MYTHS, tally, odds=4, min_finished=10)
    assert not figures.visible and figures.questions == () and figures.average is None
    assert figures.costliest == () and figures.chilling == () and figures.waiting_for == 1
    assert scope_figures(BANK, MYTHS, tally, odds=4, min_finished=9).visible


def test_the_costliest_habits_are_the_estimated_shares_times_their_points():
    points = option_points(BANK)
    answers = {q.id: {o.id: (50 if points[q.id, o.id] < 0 else 0) for o in q.options} for q in BANK.questions}
    tally = Tally(completions=50, answers=answers, chilling={"no": 50, "considered": 0, "changed": 0})
    figures = scope_figures(BANK, MYTHS, tally, odds=4, min_finished=10)
    costs = [h.cost for h in figures.costliest]
    assert len(costs) == 3 and costs == sorted(costs)
    every = [h.share.estimate * points[h.question.id, h.option.id] for h in figures.costliest]
    assert costs == every
    worst = min(points[q.id, o.id] for q in BANK.questions for o in q.options)
    assert figures.costliest[0].points_each == worst
