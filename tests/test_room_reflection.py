"""A room's chilling answers, myth results and debrief prompts: only figures of 0 or at least k."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from app.chilling import OPTION_IDS
from app.rooms.breakdown import room_breakdown
from app.rooms.debrief_prompts import MAX_PROMPTS, MIN_PROMPTS, choose_prompts
from app.rooms.reflection import room_reflection
from app.scoring import BAND_IDS, BUCKETS, load_bank, load_myths, score_answers
from app.tally import Tally

BANK = load_bank()
MYTHS = load_myths()

answer_sets = st.fixed_dictionaries({q.id: st.sampled_from([o.id for o in q.options]) for q in BANK.questions})
person = st.tuples(answer_sets, st.sampled_from(OPTION_IDS))
marks = st.fixed_dictionaries({s.id: st.booleans() for s in MYTHS.statements})


def room_tally(people: list[tuple[dict[str, str], str]], rounds: list[dict[str, bool]]) -> Tally:
    """The counters a room holds after these quizzes and myth rounds (as the store counts them)."""
    tally = Tally(
        completions=len(people),
        bands={b: 0 for b in BAND_IDS},
        buckets={b: 0 for b in BUCKETS},
        answers={q.id: {o.id: 0 for o in q.options} for q in BANK.questions},
        chilling={c: 0 for c in OPTION_IDS},
        myth_rounds=len(rounds),
    )
    for answers, chilled in people:
        report = score_answers(BANK, answers)
        tally.bands[report.band] += 1
        tally.buckets[report.bucket] += 1
        tally.chilling[chilled] += 1
        for q, o in answers.items():
            tally.answers[q][o] += 1
    for round_marks in rounds:
        for sid, right in round_marks.items():
            tally.myths.setdefault(sid, {"right": 0, "wrong": 0})["right" if right else "wrong"] += 1
    return tally


@settings(max_examples=40, deadline=None)
@given(st.lists(person, max_size=20), st.lists(marks, max_size=20), st.integers(2, 7))
def test_every_chilling_and_myth_figure_is_zero_or_at_least_k(people, rounds, k):
    view = room_reflection(MYTHS, room_tally(people, rounds), k, OPTION_IDS)
    if len(people) < k:
        assert not view.chilling_visible and not view.chilling
    else:
        assert view.chilling_visible
        assert all(row.count == 0 or row.count >= k for row in view.chilling)
        assert sorted(c for row in view.chilling for c in row.options) == sorted(OPTION_IDS)
        assert view.chilling_total == len(people)
    if len(rounds) < k:
        assert not view.myths_visible and not view.myths
    else:
        assert len(view.myths) == len(MYTHS.statements)
        for row in view.myths:
            if row.shown:
                assert row.right + row.wrong == len(rounds)
                assert all(n == 0 or n >= k for n in (row.right, row.wrong))


def test_a_single_wrong_answer_hides_the_statement():
    rounds = [dict.fromkeys((s.id for s in MYTHS.statements), True) for _ in range(5)]
    rounds[0][MYTHS.statements[0].id] = False
    view = room_reflection(MYTHS, room_tally([], rounds), 5, OPTION_IDS)
    first, second = view.myths[0], view.myths[1]
    assert not first.shown and first.right is None and first.wrong is None
    assert second.shown and (second.right, second.wrong) == (5, 0)


def _everyone(people) -> Tally:
    return room_tally(people, [])


@settings(max_examples=30, deadline=None)
@given(st.lists(person, max_size=12), st.lists(marks, max_size=10), st.lists(person, max_size=10), st.integers(2, 5))
def test_prompts_are_three_to_five_and_carry_only_shown_figures(people, rounds, all_people, k):
    tally = room_tally(people, rounds)
    breakdown = room_breakdown(BANK, tally, k)
    reflection = room_reflection(MYTHS, tally, k, OPTION_IDS)
    everyone = _everyone(people + all_people)
    prompts = choose_prompts(breakdown, reflection, everyone)
    if not breakdown.visible:
        assert prompts == ()
        return
    assert MIN_PROMPTS <= len(prompts) <= MAX_PROMPTS
    assert len({p.kind for p in prompts}) == len(prompts)
    for p in prompts:
        if p.kind == "costliest":
            assert p.facts["count"] >= k and p.facts["points"] > 0
        elif p.kind == "chilling":
            assert p.facts["count"] >= k and p.facts["total"] == len(people)
        elif p.kind == "bands":
            assert all(everyone.bands[b] == 0 or everyone.bands[b] >= k for b in p.facts["bands"])
        elif p.kind == "myth":
            assert reflection.myths_visible and 0 < p.facts["wrong"] <= 100


def test_the_costliest_habit_leads_and_general_prompts_fill_up():
    worst = {q.id: q.worst.id for q in BANK.questions}
    people = [(worst, "no")] * 5
    tally = room_tally(people, [])
    prompts = choose_prompts(
        room_breakdown(BANK, tally, 5), room_reflection(MYTHS, tally, 5, OPTION_IDS), _everyone(people)
    )
    kinds = [p.kind for p in prompts]
    assert kinds[0] == "costliest"
    assert "chilling_none" in kinds  # all five said no: that can be said
    assert len(prompts) >= MIN_PROMPTS
