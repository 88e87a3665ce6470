"""The room breakdown's grouping rules: every figure shown is 0 or at least k, and nothing smaller can be derived."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from app.rooms.breakdown import merge_runs, room_breakdown
from app.scoring import BAND_IDS, BUCKETS, band_for, load_bank, option_points, score_answers
from app.scoring.bank import DEFAULT_BANK
from app.tally import Tally

BANK = load_bank(DEFAULT_BANK)


@given(st.lists(st.integers(0, 12), max_size=14), st.integers(2, 8))
def test_merged_runs_keep_order_and_hold_zero_or_at_least_k(counts, k):
    items = list(enumerate(counts))
    groups = merge_runs(items, k)
    assert [key for keys, _n in groups for key in keys] == list(range(len(counts)))
    assert sum(n for _keys, n in groups) == sum(counts)
    if sum(counts) >= k:
        assert all(n == 0 or n >= k for _keys, n in groups)


def test_small_bands_are_merged_with_their_neighbours():
    groups = merge_runs([("poor", 0), ("fair", 2), ("good", 4), ("excellent", 0), ("extremely_good", 4)], 5)
    # fair+good reach 5; the tail of 4 folds back over the empty band into that group
    assert groups == [(("poor",), 0), (("fair", "good", "excellent", "extremely_good"), 10)]


def room_tally(people: list[dict[str, str]]) -> Tally:
    """What the counters of a room hold after these people finished (as the store would count them)."""
    tally = Tally(
        completions=len(people),
        bands={b: 0 for b in BAND_IDS},
        buckets={b: 0 for b in BUCKETS},
        answers={q.id: {o.id: 0 for o in q.options} for q in BANK.questions},
    )
    for answers in people:
        report = score_answers(BANK, answers)
        tally.bands[report.band] += 1
        tally.buckets[report.bucket] += 1
        for q, o in answers.items():
            tally.answers[q][o] += 1
    return tally


answer_sets = st.fixed_dictionaries({q.id: st.sampled_from([o.id for o in q.options]) for q in BANK.questions})


@settings(max_examples=60, deadline=None)
@given(st.lists(answer_sets, min_size=1, max_size=23), st.integers(2, 7))
def test_no_figure_between_1_and_k_minus_1_and_no_small_difference(people, k):
    view = room_breakdown(BANK, room_tally(people), k)
    if len(people) < k:
        assert not view.visible and not view.bands and not view.questions
        return
    shown = [b.count for b in view.bands] + [r.count for r in view.ranges]
    shown += [row.count for q in view.questions for row in q.rows]
    assert all(n == 0 or n >= k for n in shown)
    # band groups are unions of the ranges under them, so their differences are shown groups too
    for band in view.bands:
        assert band.count == sum(r.count for r in band.ranges)
        assert all(band_for(r.low) in band.bands for r in band.ranges)
    assert sum(b.count for b in view.bands) == len(people)
    # per question the rows add up to the total, and the pooled row is itself at least k
    for q in view.questions:
        assert sum(row.count for row in q.rows) == len(people)
        assert sorted(o.id for row in q.rows for o in row.options) == sorted(o.id for o in q.question.options)
    # the costliest habits are answers shown on their own, and cost points
    points = option_points(BANK)
    for habit in view.costliest:
        assert habit.count >= k and points[habit.question.id, habit.option.id] < 0


def test_option_points_match_the_engine():
    answers = {q.id: q.options[-1].id for q in BANK.questions}
    report = score_answers(BANK, answers)
    points = option_points(BANK)
    for c in report.contributions:
        assert points[c.question.id, c.option.id] == c.points


def test_two_people_apart_from_the_rest_are_pooled_with_a_larger_answer():
    q = BANK.questions[0]
    first, second = q.options[0].id, q.options[1].id
    rest = {x.id: x.options[0].id for x in BANK.questions[1:]}
    people = [{q.id: first, **rest}] * 6 + [{q.id: second, **rest}] * 2
    view = room_breakdown(BANK, room_tally(people), 5)
    rows = view.rows_for(q.id)
    pooled = [row for row in rows if row.pooled]
    assert len(pooled) == 1 and pooled[0].count == 8  # "2" could be worked out from 8 - 6, so 6 joins the pool
    assert {o.id for o in pooled[0].options} == {first, second}
