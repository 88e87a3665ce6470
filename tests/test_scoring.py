"""The engine and the bank, without Flask: the score's promises hold for every answer set."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.scoring import (
    BAND_IDS,
    SCORE_MAX,
    SCORE_MIN,
    AnswerError,
    BankError,
    band_for,
    best_answers,
    bucket_for,
    load_bank,
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
def test_contributions_explain_the_score(answers):
    report = score_answers(BANK, answers)
    explained = 650 + sum(c.points for c in report.contributions)
    assert abs(explained - report.score) <= 0.5 + 1e-9
    assert all(c.points < 0 for c in report.lowered)
    assert [c.points for c in report.lowered] == sorted(c.points for c in report.lowered)


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
