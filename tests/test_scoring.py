"""The engine and the bank, without Flask: the score's promises hold for every answer set."""

from __future__ import annotations

import random
import re
import statistics
import tomllib
from collections import Counter
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.scoring import (
    BAND_IDS,
    BANDS,
    NEUTRAL_POINTS,
    SCORE_MAX,
    SCORE_MIN,
    START,
    AnswerError,
    Bank,
    BankError,
    band_for,
    best_answers,
    bucket_for,
    load_bank,
    option_points,
    score_answers,
    worst_answers,
)
from app.scoring.bank import DEFAULT_BANK, parse_bank

BANK = load_bank()


def answer_sets() -> st.SearchStrategy[dict[str, str]]:
    return st.fixed_dictionaries({q.id: st.sampled_from([o.id for o in q.options]) for q in BANK.questions})


def test_default_bank_spans_the_five_dimensions():
    assert 12 <= len(BANK.questions) <= 16
    assert {q.dimension for q in BANK.questions} == {d.id for d in BANK.dimensions}
    assert len(BANK.dimensions) == 5
    for q in BANK.questions:
        assert q.zhima.label in ("documented", "reported", "illustrative", "myth")
        assert all(o.explanation for o in q.options)


def test_best_and_worst_answers_reach_the_ends():
    assert score_answers(BANK, best_answers(BANK)).score == SCORE_MAX
    worst = score_answers(BANK, worst_answers(BANK))
    assert worst.score == SCORE_MIN
    assert worst.band == "poor"


@settings(max_examples=300, deadline=None)  # timing on a shared 2-core machine is not a property
@given(answer_sets())
def test_score_always_in_range_with_a_band(answers):
    report = score_answers(BANK, answers)
    assert SCORE_MIN <= report.score <= SCORE_MAX
    assert report.band == band_for(report.score) in BAND_IDS


@settings(max_examples=300, deadline=None)  # timing on a shared 2-core machine is not a property
@given(answer_sets(), st.data())
def test_improving_one_answer_never_lowers_the_score(answers, data):
    q = data.draw(st.sampled_from(BANK.questions))
    current = q.option(answers[q.id])
    better = [o for o in q.options if o.points >= current.points]
    improved = dict(answers, **{q.id: data.draw(st.sampled_from(better)).id})
    assert score_answers(BANK, improved).score >= score_answers(BANK, answers).score


@settings(max_examples=100, deadline=None)  # timing on a shared 2-core machine is not a property
@given(answer_sets())
def test_same_answers_same_report(answers):
    assert score_answers(BANK, answers) == score_answers(BANK, dict(reversed(list(answers.items()))))


@settings(max_examples=200, deadline=None)  # timing on a shared 2-core machine is not a property
@given(answer_sets())
def test_contributions_explain_the_score_exactly(answers):
    # Whole points that add up: the reasons a visitor reads sum to the score shown, with no rounding.
    report = score_answers(BANK, answers)
    assert all(isinstance(c.points, int) for c in report.contributions)
    assert START + sum(c.points for c in report.contributions) == report.score
    assert all(c.points < 0 for c in report.lowered)
    assert [c.points for c in report.lowered] == sorted(c.points for c in report.lowered)
    assert all(c.points <= c.best_possible for c in report.contributions)


def test_each_question_orders_its_effects_like_its_points():
    """Exhaustive: with the score a sum of effects, this proves monotonicity for all answer sets."""
    effects = option_points(BANK)
    for q in BANK.questions:
        for a in q.options:
            for b in q.options:
                if a.points <= b.points:
                    assert effects[q.id, a.id] <= effects[q.id, b.id], (q.id, a.id, b.id)


def test_neutral_options_move_nothing_and_others_move_the_right_way():
    for (qid, oid), effect in option_points(BANK).items():
        points = BANK.question(qid).option(oid).points
        if points == NEUTRAL_POINTS:
            assert effect == 0, (qid, oid)
        else:
            # Never silently neutral: an option above 50 gains at least a point, one below costs one.
            assert (effect > 0) == (points > NEUTRAL_POINTS) and effect != 0, (qid, oid, effect)


# ------------------------------------------------------------------------------------ calibration
# Uniformly random answers stand for "a visitor with no particular habits". The exact
# distribution of their scores: the score is START plus one whole-point effect per
# question, so multiplying out one small distribution per question enumerates every one
# of the bank's answer sets (2 x 3^14 = 9,565,938 for the default bank) at once.


def random_score_counts(bank: Bank) -> Counter[int]:
    effects = option_points(bank)
    counts: Counter[int] = Counter({START: 1})
    for q in bank.questions:
        step: Counter[int] = Counter()
        for score, n in counts.items():
            for o in q.options:
                step[score + effects[q.id, o.id]] += n
        counts = step
    return counts


def median_of(counts: Counter[int]) -> int:
    total, seen = sum(counts.values()), 0
    for score in sorted(counts):
        seen += counts[score]
        if 2 * seen >= total:
            return score
    raise AssertionError("empty distribution")


def band_shares(counts: Counter[int]) -> dict[str, float]:
    total = sum(counts.values())
    shares = dict.fromkeys(BAND_IDS, 0.0)
    for score, n in counts.items():
        shares[band_for(score)] += n / total
    return shares


@pytest.fixture(scope="module")
def random_scores() -> Counter[int]:
    return random_score_counts(BANK)


def test_enumeration_counts_every_answer_set_once(random_scores):
    total = 1
    for q in BANK.questions:
        total *= len(q.options)
    assert sum(random_scores.values()) == total
    assert min(random_scores) == SCORE_MIN and max(random_scores) == SCORE_MAX


def test_enumeration_agrees_with_brute_force_on_a_small_bank():
    # A three-question bank is small enough to score every answer set through the engine itself.
    data = tomllib.loads(DEFAULT_BANK.read_text(encoding="utf-8"))
    keep = {"bills_on_time", "court_judgment", "utilities_in_app", "what_you_buy", "real_name", "friends_standing"}
    data["questions"] = [q for q in data["questions"] if q["id"] in keep]
    small = parse_bank(data, "small.toml")
    brute: Counter[int] = Counter()

    def walk(i: int, answers: dict[str, str]) -> None:
        if i == len(small.questions):
            brute[score_answers(small, answers).score] += 1
            return
        for o in small.questions[i].options:
            walk(i + 1, {**answers, small.questions[i].id: o.id})

    walk(0, {})
    assert brute == random_score_counts(small)


def test_random_answers_land_in_fair_or_good_at_the_median(random_scores):
    assert 550 <= median_of(random_scores) <= 649


def test_random_answers_spread_over_at_least_four_bands(random_scores):
    shares = band_shares(random_scores)
    assert sum(share >= 0.10 for share in shares.values()) >= 4, shares


def test_monte_carlo_through_the_engine_matches_the_enumeration(random_scores):
    # Independent of the multiplication above: random answer sets scored by score_answers itself.
    rng = random.Random(20261129)  # fixed, so a failure can be replayed
    sample = [score_answers(BANK, {q.id: rng.choice(q.options).id for q in BANK.questions}).score for _ in range(4000)]
    assert abs(statistics.median(sample) - median_of(random_scores)) <= 10
    exact = band_shares(random_scores)
    sampled = band_shares(Counter(sample))
    # 4,000 draws: a share's standard error is at most 0.8 points, so 3 points is ~4 sigma.
    assert all(abs(sampled[b] - exact[b]) <= 0.03 for b in BAND_IDS), (sampled, exact)


def test_the_start_is_where_most_real_users_were_at_launch():
    # The illustration starts a visitor inside the dated range the bank cites, in a real band.
    launch = min(BANK.real_scores, key=lambda r: r.year)
    assert launch.low <= START <= launch.high and launch.claim.label in ("documented", "reported")
    assert any(low <= START <= high for _band, low, high in BANDS)


# ---------------------------------------------------------------- explanations agree with effects
NEUTRAL_WORDS = re.compile(r"no effect|no gain, no loss|neither .* nor|changes nothing", re.IGNORECASE)
COST_WORDS = re.compile(r"\bcost|against you|risk|negative|drag|thin one|mark", re.IGNORECASE)
GAIN_WORDS = re.compile(
    r"reward|\blift|boost|builds|in your favour|worth keeping|look(s)? (like|more|able)", re.IGNORECASE
)
# Explanations that claim a size, and what must hold for them to be true.
SIZE_CLAIMS = {
    ("bills_on_time", "always"): "largest gain",  # "what every credit score rewards most"
    ("bills_on_time", "often_late"): "largest loss",  # "the strongest negative signal"
    ("buy_now_pay_later", "never"): "small loss",  # "costs a little, far less than missed payments"
    ("profile_details", "some"): "half of the best",  # "Half the boost"
}


def test_every_explanation_agrees_with_the_sign_of_its_effect():
    effects = option_points(BANK)
    wrong = []
    for q in BANK.questions:
        for o in q.options:
            effect, text = effects[q.id, o.id], o.explanation
            if effect == 0:
                ok = bool(NEUTRAL_WORDS.search(text))
            elif effect < 0:
                ok = not NEUTRAL_WORDS.search(text) and not GAIN_WORDS.search(text) and bool(COST_WORDS.search(text))
            else:
                ok = not NEUTRAL_WORDS.search(text) and not COST_WORDS.search(text) and bool(GAIN_WORDS.search(text))
            if not ok:
                wrong.append(f"{q.id}.{o.id} ({effect:+d}): {text}")
    assert not wrong, "\n".join(wrong)


def test_explanations_that_claim_a_size_are_true():
    effects = option_points(BANK)
    for (qid, oid), claim in SIZE_CLAIMS.items():
        effect = effects[qid, oid]
        if claim == "largest gain":
            assert effect == max(effects.values())
        elif claim == "largest loss":
            assert effect == min(effects.values())
        elif claim == "small loss":
            missed = effects[qid, BANK.question(qid).worst.id]
            assert missed < effect < 0 and abs(effect) * 4 <= abs(missed)
        elif claim == "half of the best":
            assert effect * 2 == effects[qid, BANK.question(qid).best.id]


def test_court_panel_follows_only_the_court_answer():
    clean = best_answers(BANK)
    assert not score_answers(BANK, clean).blacklisted
    assert score_answers(BANK, clean).punishments == ()
    listed = dict(clean, court_judgment="yes")
    report = score_answers(BANK, listed)
    assert report.blacklisted and report.punishments
    # a poor score alone never puts anyone on the court list
    poor = dict(worst_answers(BANK), court_judgment="no")
    assert not score_answers(BANK, poor).blacklisted


def test_perks_unlock_at_their_thresholds():
    report = score_answers(BANK, best_answers(BANK))
    assert report.perks_unlocked == BANK.perks and report.perks_locked == ()
    low = score_answers(BANK, worst_answers(BANK))
    assert low.perks_unlocked == ()
    for p in BANK.perks:
        assert p.year >= 2015 and p.partner


@pytest.mark.parametrize(
    ("score", "band", "bucket"),
    [(350, "poor", 350), (549, "poor", 500), (550, "fair", 550), (600, "good", 600), (699, "excellent", 650),
     (700, "extremely_good", 700), (950, "extremely_good", 900)],
)  # fmt: skip
def test_bands_and_buckets(score, band, bucket):
    assert band_for(score) == band
    assert bucket_for(score) == bucket


@pytest.mark.parametrize(
    "answers",
    [{}, {"bills_on_time": "always"}, dict(best_answers(BANK), bills_on_time="sometimes"),
     dict(best_answers(BANK), extra="x")],
)  # fmt: skip
def test_incomplete_or_unknown_answers_are_refused(answers):
    with pytest.raises(AnswerError):
        score_answers(BANK, answers)


def _raw() -> dict:
    return tomllib.loads(DEFAULT_BANK.read_text(encoding="utf-8"))


def _break(mutate) -> BankError:
    data = _raw()
    mutate(data)
    with pytest.raises(BankError) as caught:
        parse_bank(data, "custom.toml")
    return caught.value


def test_broken_bank_names_file_question_and_field():
    err = _break(lambda d: d["questions"][2]["options"][0].update(points="lots"))
    assert err.path == "custom.toml"
    assert "question 'court_judgment'" in err.where and "option 'no'" in err.where
    assert "points" in err.problem


@pytest.mark.parametrize(
    ("mutate", "expected"),
    [
        (lambda d: d["questions"][0].pop("zhima_label"), "zhima_label"),
        (lambda d: d["questions"][0].update(zhima_label="rumour"), "zhima_label"),
        (lambda d: d["questions"][0].update(dimension="luck"), "dimension"),
        (lambda d: d["questions"][1].update(id="bills_on_time"), "share an id"),
        (lambda d: d["questions"][0]["options"][0].update(points=101), "points"),
        (lambda d: d["questions"][0].update(options=[d["questions"][0]["options"][0]]), "two options"),
        (lambda d: d["questions"][0].update(text=" "), "text"),
        (lambda d: d["perks"][0].update(threshold=1000), "threshold"),
        (lambda d: d["questions"][2]["options"][1].pop("blacklist"), "blacklist"),
        (lambda d: d["dimensions"][0].update(weight=0), "weight"),
        # 50 is neutral: a question whose every option gains (or costs) would shift the ends
        (lambda d: [o.update(points=max(o["points"], 60)) for o in d["questions"][0]["options"]], "neutral point"),
        (lambda d: [o.update(points=min(o["points"], 40)) for o in d["questions"][0]["options"]], "neutral point"),
        # a dimension that can never add (or never cost) could not take its share of the range
        (
            lambda d: [o.update(points=min(o["points"], 50)) for q in d["questions"][-2:] for o in q["options"]],
            "never add",
        ),
        (
            lambda d: [o.update(points=max(o["points"], 50)) for q in d["questions"][-2:] for o in q["options"]],
            "never cost",
        ),
        (
            lambda d: d.update(
                real_scores=[{"low": 700, "high": 600, "year": 2015, "text": "x", "label": "reported", "source": "s"}]
            ),
            "low",
        ),
    ],
)
def test_bank_validation(mutate, expected):
    assert expected in str(_break(mutate))


def test_bank_file_errors_name_the_file(tmp_path: Path):
    bad = tmp_path / "bank.toml"
    bad.write_text("[meta\n", encoding="utf-8")
    with pytest.raises(BankError, match=r"bank\.toml: file: not valid TOML"):
        load_bank(bad)
    with pytest.raises(BankError, match="not found"):
        load_bank(tmp_path / "missing.toml")


def test_scoring_package_imports_no_web_or_database_code():
    root = Path(__file__).resolve().parent.parent / "app" / "scoring"
    for path in root.glob("*.py"):
        source = path.read_text(encoding="utf-8")
        for forbidden in ("import flask", "from flask", "sqlalchemy"):
            assert forbidden not in source.lower(), f"{path.name} imports {forbidden}"
