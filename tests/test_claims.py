"""What the pages claim, as a visitor reads them: labelled, sourced, and no more than is true."""

from __future__ import annotations

import re

from flask import render_template
from flask_babel import force_locale
from markupsafe import escape

from app.rooms.debrief_prompts import Prompt
from app.scoring import NEUTRAL_POINTS, START, option_points, score_answers
from app.web.i18n import EVIDENCE_LABELS

REASONS = re.compile(r'<section aria-labelledby="reasons-title">(.*?)</section>', re.S)
ITEM = re.compile(r"<li>(.*?)</li>", re.S)
# The explanation, then its label, inside the same "why" line.
WHY = re.compile(r'<span class="why">([^<]+) <span class="evidence evidence-([a-z]+)"[^>]*>([^<]+)</span></span>')


def neutral_most(bank) -> dict[str, str]:
    """Each question's answer closest to neutral: as few reasons on the page as the bank allows."""
    return {q.id: min(q.options, key=lambda o: abs(o.points - NEUTRAL_POINTS)).id for q in bank.questions}


def reasons_with_label_text(page: str) -> list[tuple[str, str, str]]:
    """(explanation, evidence label, the label as written) for every item under "What moved your score"."""
    section = REASONS.search(page)
    assert section, "no reasons section"
    shown = []
    for item in ITEM.findall(section.group(1)):
        why = WHY.search(item)
        assert why, f"an explanation without its evidence label: {item}"
        shown.append((why.group(1), why.group(2), why.group(3)))
    return shown


def reasons_shown(page: str) -> list[tuple[str, str]]:
    return [(text, label) for text, label, _written in reasons_with_label_text(page)]


def expected_reasons(bank, answers) -> list[tuple[str, str]]:
    report = score_answers(bank, answers)
    return [
        (str(escape(c.option.explanation)), c.question.zhima.label) for c in (*report.lowered[:3], *report.raised[:3])
    ]


def test_every_reason_shown_carries_the_label_of_what_it_rests_on(quiz, client, bank):
    # One counted quiz, then one answer changed at a time, so that every option that moves the
    # score is shown under "What moved your score" at least once (changed answers are not counted again).
    baseline = neutral_most(bank)
    quiz.complete(baseline)
    page = client.get("/quiz/result").get_data(as_text=True)
    assert reasons_shown(page) == expected_reasons(bank, baseline)

    effects = option_points(bank)
    seen: set[str] = set()
    for step, q in enumerate(bank.questions, 1):
        for o in q.options:
            if effects[q.id, o.id] == 0 or o.id == baseline[q.id]:
                continue
            assert quiz.answer(step, o.id).status_code == 303
            answers = dict(baseline, **{q.id: o.id})
            shown = reasons_shown(client.get("/quiz/result").get_data(as_text=True))
            assert shown == expected_reasons(bank, answers), (q.id, o.id)
            assert (str(escape(o.explanation)), q.zhima.label) in shown
            seen.add(f"{q.id}.{o.id}")
        quiz.answer(step, baseline[q.id])
    moving = {f"{q}.{o}" for (q, o), effect in effects.items() if effect}
    assert moving <= seen | {f"{q}.{o}" for q, o in baseline.items()}


def test_the_gaming_example_is_labelled_where_it_costs(quiz, client, bank):
    # The high finding of the content review: a disowned 2015 remark must never read as plain fact.
    answers = dict(neutral_most(bank), what_you_buy="games")
    quiz.complete(answers)
    shown = dict(reasons_shown(client.get("/quiz/result").get_data(as_text=True)))
    games = str(escape(bank.question("what_you_buy").option("games").explanation))
    assert shown[games] == "reported"
    assert games.startswith("In this illustration") and "2015" in games
    # and it is counted once: the hours question moves nothing, whatever the answer
    assert {option_points(bank)["gaming_hours", o.id] for o in bank.question("gaming_hours").options} == {0}


def test_reasons_are_labelled_in_every_language(app, quiz, client, bank):
    quiz.complete({q.id: q.worst.id for q in bank.questions})
    for lang, locale in (("en", "en"), ("zh", "zh_Hans"), ("de", "de")):
        with app.test_request_context(), force_locale(locale):
            written = {label: str(text) for label, text in EVIDENCE_LABELS.items()}
        shown = reasons_with_label_text(client.get(f"/quiz/result?lang={lang}").get_data(as_text=True))
        assert len(shown) == 3  # the three answers that cost most (the worst answers earn nothing)
        assert all(text == written[label] for _e, label, text in shown), (lang, shown)


def test_score_card_says_whose_scale_and_whose_rules(quiz, client, bank):
    quiz.complete(neutral_most(bank))
    page = client.get("/quiz/result").get_data(as_text=True)
    start = page.index('class="score-card')
    # Above the fold, one line and a link; the whole of it one tap away.
    assert 'href="#how-it-is-made"' in page[start : page.index("</header>", start)]
    start = page.index('id="how-it-is-made"')
    card = page[start : page.index("</div>", start)]
    assert "The rules and points are ours, not Ant Group's" in card
    assert f"everyone starts at {START}" in card
    # where real users were, dated, labelled and linked to the source
    assert "At launch in 2015, most users scored between 500 and 600." in card
    assert "By March 2017" in card
    for r in bank.real_scores:
        assert f'href="{r.claim.url}"' in card
    assert card.count("evidence-reported") >= len(bank.real_scores)


def test_landing_compares_zhima_to_a_loyalty_card_with_label_and_source(client):
    page = client.get("/").get_data(as_text=True)
    honest = page[page.index('id="honest-title"') :]
    loyalty = honest[honest.index("loyalty card") : honest.index("</p>", honest.index("loyalty card"))]
    assert "Wall Street Journal" in loyalty and "2021" in loyalty
    assert 'class="evidence evidence-reported"' in loyalty
    # a commercial credit score, not a "social score" (the line the app draws between Sesame and the state)
    assert "Sesame-style credit score" in page and "social score" not in page


def test_no_page_says_the_time_of_a_visit_is_never_logged(client):
    # Every request log line has a time (app/web/request_log.py): only who made the request is left out.
    landing = client.get("/").get_data(as_text=True)
    never_kept = landing[landing.index("Never kept") : landing.index("</ul>", landing.index("Never kept"))]
    assert "time" not in never_kept.replace("nothing ties the time of a request to you", "")
    assert "Your IP address" in never_kept
    privacy = client.get("/privacy").get_data(as_text=True)
    never_logged = privacy[
        privacy.index("Never stored or logged") : privacy.index("</ul>", privacy.index("Never stored"))
    ]
    assert "time of your visit" not in never_logged
    assert "the server log keeps only each request&#39;s time, route and status" in never_logged.replace("'", "&#39;")


def test_general_debrief_prompts_claim_no_more_than_the_evidence(app):
    with app.test_request_context():
        merics = render_template("rooms/_prompt.html", p=Prompt("merics"))
        at_home = render_template("rooms/_prompt.html", p=Prompt("at_home"))
    assert "students at three Chinese universities" in merics
    assert 'class="evidence evidence-documented"' in merics
    assert "Most habits in the quiz" in at_home and "Every habit" not in at_home


def test_where_real_users_were_is_said_in_the_visitor_s_language(quiz, client, bank):
    quiz.complete(neutral_most(bank))
    page = client.get("/quiz/result?lang=zh").get_data(as_text=True)
    start = page.index('id="how-it-is-made"')
    card = page[start : page.index("</div>", start)]
    assert "2015 年上线时" in card and "At launch" not in card
    assert "Xinhua, as reported by Jing Daily" in card  # a source title keeps its own language
