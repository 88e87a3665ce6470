"""An eavesdropper who sees only the sizes on the wire learns no answer and no band.

Over https the bytes are hidden but their number is not. Each visitor's answers shape
the result page, the what-ifs, the myth round's result, the shared page and the session
cookie; if those sizes moved with an answer, whoever shares the venue's Wi-Fi could read
it, whatever the coin did. So: quizzes with at least 200 visitors per value of every
question and per band (the rest answered at random), each response measured as sent
(status line, headers with the Set-Cookie, compressed body); for every answer value and
every band, the best single size threshold is trained on half the visitors and tried on
the other half. It must do no better than always guessing the commoner side, within a
binomial bound (Bonferroni-corrected over every check, so an honest run fails about once
in a thousand).
"""

from __future__ import annotations

import math
import random
import struct
import zlib
from collections import Counter
from collections.abc import Callable

import pytest
from flask import Flask

from app import create_app
from app.content.closing_question import OPTION_IDS as CLOSING_OPTIONS
from app.quiz.forms import change_value
from app.scoring import BAND_IDS, Bank, load_myths, score_answers
from tests.helpers import TEST_MIN_FINISHED, QuizDriver, csrf_token

PER_VALUE = 200  # visitors per band (and, as it comes out, at least this many per answer value)
MYTH_ROUNDS = 500  # each guess is real or myth at random: about 250 of each
Z = 4.5  # one-sided, over a few hundred checks: about one false alarm in a thousand runs
BROWSER = {"Accept-Encoding": "gzip, deflate, br"}


def on_the_wire(response) -> int:
    """Bytes of an HTTP/1.1 response as a server sends it: status line, headers, body."""
    head = f"HTTP/1.1 {response.status}\r\n" + "".join(f"{k}: {v}\r\n" for k, v in response.headers.items())
    return len((head + "\r\n").encode("latin-1")) + len(response.get_data())


@pytest.fixture
def site(migrated_url: str, tmp_path) -> Flask:
    # Rate limits off: every visitor here comes from the test client's one address.
    app = create_app(
        {
            "DATABASE_URL": migrated_url,
            "INSTANCE_PATH": str(tmp_path),
            "MIN_FINISHED": TEST_MIN_FINISHED,
            "RATELIMIT_ENABLED": False,
        }
    )
    yield app
    app.extensions["database"].engine.dispose()


def visitors(bank: Bank, rng: random.Random) -> list[dict[str, str]]:
    """PER_VALUE answer sets in each band, every answer otherwise at random."""
    wanted = dict.fromkeys(BAND_IDS, PER_VALUE)
    chosen: list[dict[str, str]] = []
    while any(wanted.values()):
        answers = {q.id: rng.choice(q.options).id for q in bank.questions}
        band = score_answers(bank, answers).band
        if wanted[band]:
            wanted[band] -= 1
            chosen.append(answers)
    return chosen


def best_threshold(sizes: list[int], labels: list[bool], rng: random.Random) -> tuple[float, float, int]:
    """Train the best "size >= cut" or "size < cut" rule on a random half, test it on the
    other: (accuracy, the commoner side's share in the test half, test half's size)."""
    order = list(range(len(sizes)))
    rng.shuffle(order)
    train, test = order[: len(order) // 2], order[len(order) // 2 :]

    def accuracy(rule: Callable[[int], bool], on: list[int]) -> float:
        return sum(rule(sizes[i]) == labels[i] for i in on) / len(on)

    rules: list[Callable[[int], bool]] = [lambda _s: True, lambda _s: False]
    for cut in sorted({sizes[i] for i in train}):
        rules += [lambda s, c=cut: s >= c, lambda s, c=cut: s < c]
    best = max(rules, key=lambda rule: accuracy(rule, train))
    share = sum(labels[i] for i in test) / len(test)
    return accuracy(best, test), max(share, 1 - share), len(test)


def quiz_sizes(site: Flask, bank: Bank, rng: random.Random) -> tuple[dict[str, list[int]], dict[str, list[bool]]]:
    sizes: dict[str, list[int]] = {}
    labels: dict[str, list[bool]] = {}
    for answers in visitors(bank, rng):
        closing = rng.choice(CLOSING_OPTIONS)
        client = site.test_client()
        driver = QuizDriver(client, bank)
        driver.answer_scored(answers)
        sent = client.post("/quiz/", data=driver.form(closing), headers=BROWSER)
        assert sent.status_code == 303
        result = client.get("/quiz/result", headers=BROWSER)
        plain = client.get("/quiz/result")
        question = rng.choice(bank.questions)
        other = rng.choice([o.id for o in question.options if o.id != answers[question.id]])
        token = csrf_token(plain.get_data(as_text=True))
        change = {"csrf_token": token, "change": change_value(question, other)}
        what_if = client.post("/quiz/what-if", data=change, headers=BROWSER)
        what_if_json = client.post("/quiz/what-if.json", data=change, headers=BROWSER)
        report = score_answers(bank, answers)
        shared = client.get(f"/shared/{report.score}", headers=BROWSER)
        for kind, response in [
            ("quiz sent (303, Set-Cookie)", sent),
            ("result page, gzip", result),
            ("result page, identity", plain),
            ("what-if page", what_if),
            ("what-if JSON", what_if_json),
            ("shared score page", shared),
        ]:
            assert response.status_code == 200 or response is sent, (kind, response.status_code)
            sizes.setdefault(kind, []).append(on_the_wire(response))
        truth = {f"{q.id} = {o.id}": answers[q.id] == o.id for q in bank.questions for o in q.options}
        truth |= {f"closing = {value}": closing == value for value in CLOSING_OPTIONS}
        truth |= {f"band = {band}": report.band == band for band in BAND_IDS}
        for name, value in truth.items():
            labels.setdefault(name, []).append(value)
    return sizes, labels


def myth_sizes(site: Flask, rng: random.Random) -> tuple[dict[str, list[int]], dict[str, list[bool]]]:
    myths = load_myths()
    sizes: dict[str, list[int]] = {}
    labels: dict[str, list[bool]] = {}
    for _ in range(MYTH_ROUNDS):
        client = site.test_client()
        guesses = {s.id: rng.choice(("real", "myth")) for s in myths.statements}
        page = client.get("/myths/").get_data(as_text=True)
        sent = client.post("/myths/", data={"csrf_token": csrf_token(page), **guesses}, headers=BROWSER)
        assert sent.status_code == 303
        result = client.get("/myths/result", headers=BROWSER)
        assert result.status_code == 200
        sizes.setdefault("myths sent (303, Set-Cookie)", []).append(on_the_wire(sent))
        sizes.setdefault("myth result page", []).append(on_the_wire(result))
        right = sum(myths.marks(guesses).values())
        truth = {f"{s.id} = real": guesses[s.id] == "real" for s in myths.statements}
        truth |= {"myths right >= 5": right >= 5}
        for name, value in truth.items():
            labels.setdefault(name, []).append(value)
    return sizes, labels


def leaks(sizes: dict[str, list[int]], labels: dict[str, list[bool]], rng: random.Random) -> tuple[list[str], int]:
    """Every check as a table row, and how many exceed the bound."""
    rows, over = [], 0
    for name, truth in labels.items():
        assert min(sum(truth), len(truth) - sum(truth)) >= PER_VALUE or name.startswith(("band", "myths right")), (
            name,
            Counter(truth),
        )
        for kind, measured in sizes.items():
            accuracy, base, n = best_threshold(measured, truth, rng)
            bound = base + Z * math.sqrt(base * (1 - base) / n)
            flag = accuracy > bound
            over += flag
            rows.append(f"{kind:30} {name:38} {accuracy:6.1%} {base:6.1%} {bound:6.1%} {'LEAK' if flag else ''}")
    return rows, over


@pytest.mark.slow
def test_sizes_on_the_wire_tell_no_answer_and_no_band(site, bank):
    rng = random.Random(22)
    quiz_measured, quiz_truth = quiz_sizes(site, bank, rng)
    myth_measured, myth_truth = myth_sizes(site, rng)
    rows, over = leaks(quiz_measured, quiz_truth, rng)
    myth_rows, myth_over = leaks(myth_measured, myth_truth, rng)
    spread = [f"{kind:30} {min(v)}-{max(v)} bytes" for kind, v in (quiz_measured | myth_measured).items()]
    table = "\n".join(["kind / label / accuracy / base / bound", *spread, *rows, *myth_rows])
    print(table)
    assert over + myth_over == 0, table
    # And stronger than any threshold: each kind of response leaves at one size (app/web/padding.py).
    assert all(min(v) == max(v) for v in (quiz_measured | myth_measured).values()), "\n".join(spread)


def test_every_bands_share_card_is_one_size_and_still_a_png(client):
    """The preview picture of a shared link: the same bytes count for every band."""
    sizes = set()
    for band in BAND_IDS:
        response = client.get(f"/share-card/{band}.png", headers=BROWSER)
        assert response.status_code == 200 and response.mimetype == "image/png"
        data = response.get_data()
        sizes.add(on_the_wire(response))
        assert data.startswith(b"\x89PNG\r\n\x1a\n")
        at, kinds, idat = 8, [], b""
        while at < len(data):  # every chunk whole, its CRC right, IEND last
            (length,) = struct.unpack(">I", data[at : at + 4])
            kind, body = data[at + 4 : at + 8], data[at + 8 : at + 8 + length]
            assert struct.unpack(">I", data[at + 8 + length : at + 12 + length])[0] == zlib.crc32(kind + body)
            kinds.append(kind)
            idat += body if kind == b"IDAT" else b""
            at += 12 + length
        assert kinds[0] == b"IHDR" and kinds[-1] == b"IEND"
        assert all(k[0:1].islower() for k in kinds if k not in (b"IHDR", b"IDAT", b"IEND"))  # ancillary: skippable
        assert len(zlib.decompress(idat)) == 630 * (1 + 3 * 1200)  # the picture itself is whole
    assert len(sizes) == 1, sizes
