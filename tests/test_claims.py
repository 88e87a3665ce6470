"""What the pages claim, as a visitor reads them: labelled, sourced, and no more than is true."""

from __future__ import annotations

import re

import pytest
from flask import render_template
from flask_babel import force_locale
from markupsafe import escape

from app.disclosure.estimates import Share
from app.disclosure.figures import Figures, MythFigure
from app.rooms.debrief_prompts import Prompt, choose_prompts
from app.scoring import NEUTRAL_POINTS, START, load_myths, option_points, score_answers
from app.web.i18n import EVIDENCE_LABELS
from tests.helpers import open_room

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
    return [(str(escape(c.option.explanation)), c.option.label) for c in (*report.lowered[:3], *report.raised[:3])]


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
            assert (str(escape(o.explanation)), o.label) in shown
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
    assert shown[games] == "reported"  # the 2015 example it follows is reported
    assert games.startswith("In this illustration") and "2015" in games
    # and it is counted once: the hours question moves nothing, whatever the answer
    assert {option_points(bank)["gaming_hours", o.id] for o in bank.question("gaming_hours").options} == {0}


# Explanations of rules the quiz made up: they rest on no source, whatever the question's Zhima note says.
INVENTED_RULES = {
    ("utilities_in_app", "offline"): "reads missing evidence as risk",
    ("shopping_frequency", "rarely"): "counts that against you",
    ("savings_in_app", "none"): "reads this as risk",
    ("real_name", "none"): "Anonymity is read as risk",
    ("contacts_shared", "never"): "An invisible network",
    ("rideshare_rating", "low"): "In this illustration",
}


def test_explanations_of_the_quiz_s_own_rules_are_labelled_illustrative(quiz, client, bank):
    for (qid, oid), words in INVENTED_RULES.items():
        option = bank.question(qid).option(oid)
        assert words in option.explanation and option.label == "illustrative", (qid, oid)
    costly = {"utilities_in_app": "offline", "shopping_frequency": "rarely", "savings_in_app": "none"}
    quiz.complete(dict(neutral_most(bank), **costly))
    shown = dict(reasons_shown(client.get("/quiz/result").get_data(as_text=True)))
    # the three that cost most here: each shown as "illustrative", though two questions' Zhima notes are documented
    for qid, oid in costly.items():
        assert shown[str(escape(bank.question(qid).option(oid).explanation))] == "illustrative"
    assert {bank.question(q).zhima.label for q in ("utilities_in_app", "shopping_frequency")} == {"documented"}
    # an answer that moves nothing claims no report for it: our rule, or Ant's documented denial (posts)
    effects = option_points(bank)
    assert {o.label for q in bank.questions for o in q.options if effects[q.id, o.id] == 0} <= {
        "illustrative",
        "documented",
    }


def test_every_answer_shows_its_explanation_with_its_own_label(quiz, client, bank):
    quiz.complete(neutral_most(bank))
    page = client.get("/quiz/result").get_data(as_text=True)
    start = page.index('<ol class="answers">')
    every = page[start : page.index("</ol>", start)]
    found = re.findall(r'<p class="why">([^<]+) <span class="evidence evidence-([a-z]+)"', every)
    report = score_answers(bank, neutral_most(bank))
    assert found == [(str(escape(c.option.explanation)), c.option.label) for c in report.contributions]


def test_the_gamers_travel_ban_is_labelled_a_myth_not_reported(quiz, client, bank):
    gaming = bank.question("gaming_hours")
    assert gaming.zhima.label == "reported" and "myth" not in gaming.zhima.note
    assert "banned from travel is a myth" in gaming.myth
    quiz.complete(neutral_most(bank))
    page = client.get("/quiz/result").get_data(as_text=True)
    assert f'{escape(gaming.myth)} <span class="evidence evidence-myth"' in page


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
    # not "each answer moved you": neutral answers move nothing, and the card counts those that did
    assert "each answer moved" not in card
    moved = sum(1 for c in score_answers(bank, neutral_most(bank)).contributions if c.points)
    total = len(bank.questions)
    assert f"{moved} of your {total} answers moved the score up or down." in card and moved < total
    # where real users were, dated (Xinhua's figure is from mid-2015, not the launch), labelled and sourced
    assert "In mid-2015, most users scored between 500 and 600." in card and "At launch" not in card
    assert "By March 2017" in card
    for r in bank.real_scores:
        assert f'href="{r.claim.url}"' in card
    assert card.count("evidence-reported") >= len(bank.real_scores)


def test_landing_compares_zhima_to_a_loyalty_card_with_label_and_source(client):
    page = client.get("/").get_data(as_text=True)
    honest = page[page.index('id="honest-title"') :]
    loyalty = honest[honest.index("loyalty card") : honest.index("</p>", honest.index("loyalty card"))]
    assert "in 2021 the Wall Street Journal described" in loyalty and "since 2021" not in loyalty  # one article
    assert 'class="evidence evidence-reported"' in loyalty
    assert "Washington Post" not in loyalty  # no citation for it could be found, so it is not claimed
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
    assert "2015 年年中" in card and "mid-2015" not in card
    assert "Xinhua, as reported by Jing Daily" in card  # a source title keeps its own language


def test_ticket_figures_say_what_they_count(quiz, client, bank):
    """The court list's own total, dated; the often-quoted 17.5 million as one year's refusals."""
    notes = [p.note for p in bank.punishments]
    court = next(n for n in notes if "27.3 million" in n)
    assert "by 9 July 2019" in court and "Supreme People's Court's own count" in court and "not people" in court
    quoted = next(n for n in notes if "17.5 million" in n)
    assert "in 2018 alone" in quoted and "National Public Credit Information Center" in quoted
    assert "may cover more blacklists than the court's" in quoted and "23 million people banned" in quoted
    assert not any("by the end of 2018" in n for n in notes)
    statement = next(s for s in load_myths().statements if s.id == "flights_blocked")
    assert statement.text.startswith("In 2018 alone") and "17.5 million times" in statement.text
    assert "27.3 million" in statement.explanation and "not people" in statement.explanation
    quiz.complete(dict(neutral_most(bank), court_judgment="yes"))
    page = client.get("/quiz/result").get_data(as_text=True)
    assert "27.3 million flight" in page and "Xinhua, via Shanghai Daily, 9 Jul 2019" in page


def test_visa_perks_are_dated_by_their_own_reports(bank):
    luxembourg = next(p for p in bank.perks if p.text == "Apply for a Luxembourg visa without proof of assets.")
    assert (luxembourg.threshold, luxembourg.year, luxembourg.source.title) == (750, 2015, "Jing Daily, Jul 2015")
    japan = next(p for p in bank.perks if "Japan" in p.text)
    assert (japan.threshold, japan.year) == (750, 2017) and "Luxembourg asked for 700" in japan.text
    assert japan.source.title == "CGTN / ecns.cn, 9 Jun 2017" and japan.source.url.startswith("http://www.ecns.cn/")


# Real-world claims without a link, each because no stable address is known to us. Any other
# claim that is not our own illustration must link its source (the first review's C16).
NO_STABLE_URL = {
    "Li Yingyun to Caixin, 2015, quoted by Rachel Botsman, Wired UK, 21 Oct 2017",
    "Wall Street Journal, On Hold for 45 Minutes? It Might Be Your Secret Customer Score, 1 Nov 2018",
    "Wall Street Journal, 1 Nov 2018",
    "New York Times (Kashmir Hill), I Got Access to My Secret Consumer Score, Nov 2019",
    "New York Times (Kashmir Hill), Nov 2019",
    "Uber announcement, May 2019",
    "CNN Money, 2013",
    "Alitrip's Credit Stay (信用住) launch, Mar 2015",
    "Qdaily, 9 Nov 2017",
    "Reported in Nov 2017; outlet not traced",
    "China Daily, Jan 2018",
    "Xinhua, via Shanghai Daily, 9 Jul 2019",
}


def test_every_real_world_claim_links_its_source_or_is_known_to_have_none(bank):
    claims = [c for q in bank.questions for c in (q.zhima, q.western)]
    claims += [p.source for p in bank.perks] + list(bank.punishments) + list(bank.mirror)
    claims += [r.claim for r in bank.real_scores] + [s.source for s in load_myths().statements]
    unlinked = {c.title for c in claims if c.label != "illustrative" and not c.url}
    assert unlinked <= NO_STABLE_URL, unlinked - NO_STABLE_URL
    # every perk names where it was reported, or says that its outlet could not be traced
    assert not [p.source.title for p in bank.perks if p.source.title.startswith("Reported Nov")]


def test_perks_without_a_threshold_and_a_takeaway_that_dates_the_perks(quiz, client, bank):
    quiz.complete(neutral_most(bank))
    page = client.get("/quiz/result").get_data(as_text=True)
    perks = page[page.index('id="perks-title"') : page.index("</section>", page.index('id="perks-title"'))]
    start = perks.index('<details class="no-threshold">')
    offers = perks[start : perks.index("</details>", start)]
    assert "Offers with no published threshold" in offers
    baihe = offers[offers.index("Baihe") : offers.index("BBC News, Oct 2015")]
    assert "evidence-documented" in baihe
    huabei = offers[offers.index("Huabei") : offers.index("Kapronasia, 2017")]
    assert "evidence-reported" in huabei
    # a perk with no link to follow names the report it rests on
    for p in bank.perks:
        if not p.source.url:
            assert f'<span class="cite">(<span lang="en">{escape(p.source.title)}</span>)</span>' in perks, p.text
    years = sorted(p.year for p in bank.perks)
    takeaway = re.search(r'<p class="takeaway" data-takeaway>(.*?)</p>', page, re.S).group(1)
    assert f"perks partners offered in {years[0]}–{years[-1]}, some in one city only," in takeaway
    assert "would have opened" in takeaway


def test_opting_in_is_told_with_the_pre_ticked_box():
    statement = next(s for s in load_myths().statements if s.id == "private_company")
    assert "people opt in" in statement.text
    assert "January 2018" in statement.explanation and "pre-ticked box" in statement.explanation
    assert "Ant apologised" in statement.explanation


def _share(estimate: float) -> Share:
    return Share(estimate, max(0.0, estimate - 0.1), min(1.0, estimate + 0.1), estimate)


@pytest.mark.parametrize(("right", "only"), [(0.3, True), (0.49, True), (0.5, False), (0.95, False)])
def test_the_myth_prompt_says_only_about_when_few_got_it_right(app, right, only):
    statement = load_myths().statements[0]
    room = Figures(4, 4, 4, 4, myths=(MythFigure(statement, _share(right)),))
    prompt = next(p for p in choose_prompts(room, Figures(4, 4, 4, 4)) if p.kind == "myth")
    with app.test_request_context():
        text = render_template("rooms/_prompt.html", p=prompt)
    assert ("Only about" in text) is only
    assert ("found hardest" in text) is not only


def test_statistics_say_that_a_question_s_shares_add_up(app, quiz, client):
    for _ in range(app.config["MIN_FINISHED"]):
        client.delete_cookie("session")
        quiz.complete()
    page = client.get("/stats").get_data(as_text=True)
    assert "so that they add up to 100% (give or take rounding)" in page


def test_statistics_rank_the_costliest_habits_with_the_range_of_each_share(app, quiz, client):
    from app.disclosure.minimums import ranked_from

    for _ in range(ranked_from(app.config["EPSILON_ODDS"])):
        client.delete_cookie("session")
        quiz.complete()
    page = client.get("/stats").get_data(as_text=True)
    ranked = page[page.index("data-ranked") : page.index("</ol>", page.index("data-ranked"))]
    shares = re.findall(r"about (\d+)% of people \((\d+)% to (\d+)%\), -?\d+ points each", ranked)
    assert len(shares) == ranked.count("<li>") == 3, ranked
    assert all(int(low) <= int(share) <= int(high) for share, low, high in shares), shares


def test_slide_notes_name_their_sources(client, bank):
    _code, link, _html = open_room(client)

    def notes(step: int) -> str:
        slide = client.get(f"{link}/slide/{step + 1}").get_data(as_text=True)
        start = slide.index('class="slide-notes"')
        return slide[start : slide.index("</div>", start)]

    # who published each claim, in the note's own size (the full title is on each phone's result page)
    first = notes(1)
    assert '<span class="cite" lang="en">(Ant Financial)</span>' in first
    assert '<span class="cite" lang="en">(NFCC)</span>' in first
    both = notes(1 + [q.id for q in bank.questions].index("public_posts"))
    assert "(Caixin; BBC News)</span>" in both
    # our own illustration has no source to name beyond its label
    savings = notes(1 + [q.id for q in bank.questions].index("savings_in_app"))
    zhima = savings[: savings.index("</p>")]
    assert "evidence-illustrative" in zhima and "cite" not in zhima and "(NFCC)" in savings
    # notes that fit a short projector only without their sources leave those to the phones there
    driving = notes(1 + [q.id for q in bank.questions].index("driving_data"))
    assert "data-long-sources" in driving and "data-long-notes" not in driving
