"""The whole journey in each language: questions, result, statistics, with the same score everywhere."""

from __future__ import annotations

import re

import pytest

from app.scoring import best_answers, score_answers, worst_answers

CJK = re.compile(r"[\u4e00-\u9fff]")

# A phrase from each part of the journey, per language: landing, question, result, court list.
EXPECTED = {
    "en": ("Start the quiz", "Question 1 of", "What moved your score", "would put you on this list"),
    "zh": ("开始测验", "第 1 题，共", "哪些因素影响了你的分数", "会让你被列入这份名单"),
    "de": ("Quiz starten", "Frage 1 von", "Was deinen Score bewegt hat", "würde dich auf diese Liste bringen"),
}


def result_page(client, quiz, bank, answers, lang):
    client.get(f"/?lang={lang}")
    quiz.complete(answers)
    return client.get("/quiz/result").get_data(as_text=True)


@pytest.mark.parametrize("lang", sorted(EXPECTED))
def test_the_whole_journey_works_in_each_language(client, quiz, bank, store, lang):
    landing, question, result, court = EXPECTED[lang]
    assert landing in client.get(f"/?lang={lang}").get_data(as_text=True)
    assert question in client.get("/quiz/").get_data(as_text=True)
    answers = worst_answers(bank)
    quiz.complete(answers)
    page = client.get("/quiz/result").get_data(as_text=True)
    expected = score_answers(bank, answers)
    assert f'data-score="{expected.score}"' in page
    assert result in page and court in page
    assert store.count("completions") == 1  # counted once, whatever the language


def test_chinese_result_shows_chinese_text_and_the_same_score_as_english(app, quiz, bank):
    answers = {q.id: q.options[1].id for q in bank.questions}  # a middling set of answers
    pages = {}
    for lang in ("en", "zh"):
        client = app.test_client()  # two browsers, one in each language
        pages[lang] = result_page(client, type(quiz)(client, bank), bank, answers, lang)
    score = re.search(r'data-score="(\d+)"', pages["en"]).group(1)
    tier = re.search(r'data-tier="(\w+)"', pages["en"]).group(1)
    assert f'data-score="{score}"' in pages["zh"] and f'data-tier="{tier}"' in pages["zh"]
    zh = pages["zh"]
    assert '<html lang="zh-Hans">' in zh
    # The question bank itself is in Chinese, not only the interface around it.
    assert "你通常怎样支付账单和信用卡欠款？" in zh
    assert "大多按时，偶尔逾期" in zh
    assert "How do you usually pay your bills" not in zh
    # Visible text (tags and source titles aside) is overwhelmingly Chinese.
    text = re.sub(r"<[^>]+>", " ", re.sub(r'<span lang="en">.*?</span>|<a [^>]*lang="en"[^>]*>.*?</a>', "", zh))
    text = re.sub(r"\s+", " ", text)
    assert len(CJK.findall(text)) > 1500


@pytest.mark.parametrize(
    ("lang", "deposit", "percent"),
    [("en", "CN¥99", "30%"), ("zh", "¥99", "30%"), ("de", "99\xa0CN¥", "30\xa0%")],
)
def test_money_and_percentages_follow_the_language(client, quiz, bank, lang, deposit, percent):
    page = result_page(client, quiz, bank, best_answers(bank), lang)
    assert deposit in page  # the ofo perk, written {CNY:99} in the bank
    assert f"<td>{percent}</td>" in page  # credit history's weight


def test_source_titles_keep_their_language_and_our_own_words_are_translated(client, quiz, bank):
    page = result_page(client, quiz, bank, worst_answers(bank), "de")
    assert "Ant Financial, letter to the Financial Times, Nov 2017" in page  # a real title, as published
    assert "Unsere Veranschaulichung" in page  # "Our illustration": our words, not a title
    assert "Our illustration" not in page
    assert ">belegt<" in page  # the evidence label is translated


def test_statistics_in_german_group_numbers_the_german_way(app, quiz, client, bank):
    n = app.config["MIN_FINISHED"]
    for _ in range(n):
        client.delete_cookie("session")
        quiz.complete()
    page = client.get("/stats?lang=de").get_data(as_text=True)
    assert f"{n} Personen haben das Quiz beendet" in page
    assert re.search(r">\d{1,3}\xa0%<", page)  # percentages the German way
    assert quiz.bank.questions[0].options[0].text not in page  # the option is shown in German
