"""Many concurrent quiz-takers (threads + http.client) for the load and fault tests.

Nothing here is a test. The server and the HTTP helpers come from bench/loadgen.py.

Each simulated visitor does what a browser does: load the questionnaire (every question in
one page), send it whole with the closing answer (which counts the quiz), follow the redirect
to the result page. A room member arrives with the cookie joining the room leaves (encrypted
with the server's secret, exactly as the join page would have set it).
"""

from __future__ import annotations

import http.client
import random
import threading
import time
from collections import Counter as Multiset
from collections.abc import Callable
from dataclasses import dataclass, field

from sqlalchemy import create_engine, text

from app.content.closing_question import OPTION_IDS as CHILLING_IDS
from app.quiz.forms import questionnaire
from app.scoring import Bank, load_bank, score_answers
from app.store.counters import GLOBAL, CounterKey
from bench.loadgen import CSRF_RE, Server, forge_cookie, request, session_cookie
from tests.receipts import receipt_lines

NOT_COUNTED = "could not be reached"
ROOM_FULL = "data-room-full"


@dataclass
class Outcome:
    """What one simulated visitor saw."""

    answers: dict[str, str]
    scopes: list[str]
    chilling: str
    acknowledged: bool = False  # the result page came back and did not say "not counted"
    not_counted: bool = False  # the result page said the database could not be reached
    sent_final: bool = False  # the last answer left the client (it may have been counted)
    counted: list[tuple[str, str, str, bool]] = field(default_factory=list)  # the result page's receipt
    error: str = ""
    seconds: float = 0.0


class Visitor:
    """One quiz-taker; `finish` returns what they saw."""

    def __init__(self, base: str, bank: Bank, rng: random.Random) -> None:
        self.base, self.bank, self.rng = base, bank, rng

    def random_answers(self) -> dict[str, str]:
        return {q.id: self.rng.choice(q.options).id for q in self.bank.questions}

    def _send(self, cookie: str | None, answers: dict[str, str], chilling: str, outcome: Outcome) -> str | None:
        """Load the questionnaire, then send it as a browser would; returns the new cookie."""
        page = request(self.base, "GET", "/quiz/", cookie=cookie)
        if page.status != 200:
            raise RuntimeError(f"GET /quiz/: {page.status}")
        cookie = session_cookie(page, cookie)
        token = CSRF_RE.search(page.body)
        assert token, "no CSRF token"
        form = {"csrf_token": token.group(1)}
        for item in questionnaire(self.bank):
            form[item.name] = item.value_for(answers[item.name] if item.question else chilling) or ""
        outcome.sent_final = True
        sent = request(self.base, "POST", "/quiz/", cookie=cookie, form=form)
        if sent.status != 303:
            raise RuntimeError(f"POST /quiz/: {sent.status}")
        return session_cookie(sent, cookie)

    def finish(self, room_id: str | None) -> Outcome:
        """Send the questionnaire (which counts the quiz), then read the result."""
        answers = self.random_answers()
        chilling = self.rng.choice(CHILLING_IDS)
        scopes = [GLOBAL] + ([f"room:{room_id}"] if room_id else [])
        outcome = Outcome(answers, scopes, chilling)
        started = time.perf_counter()
        try:
            cookie = forge_cookie({"room": room_id}) if room_id else None
            cookie = self._send(cookie, answers, chilling, outcome)
            result = request(self.base, "GET", "/quiz/result", cookie=cookie)
            if result.status != 200:
                raise RuntimeError(f"GET /quiz/result: {result.status}")
            expected = score_answers(self.bank, answers).score
            if f'data-score="{expected}"' not in result.body:
                raise RuntimeError("result page shows another score")
            outcome.not_counted = NOT_COUNTED in result.body
            outcome.acknowledged = not outcome.not_counted
            outcome.counted = receipt_lines(result.body)
            if ROOM_FULL in result.body:
                outcome.scopes = [GLOBAL]
        except (OSError, http.client.HTTPException, RuntimeError, AssertionError) as error:
            outcome.error = f"{type(error).__name__}: {error}"[:200]
        outcome.seconds = time.perf_counter() - started
        return outcome


@dataclass
class LoadResult:
    outcomes: list[Outcome]
    seconds: float

    @property
    def acknowledged(self) -> list[Outcome]:
        return [o for o in self.outcomes if o.acknowledged]

    @property
    def failed(self) -> list[Outcome]:
        return [o for o in self.outcomes if o.error]

    def latency(self, quantile: float) -> float:
        times = sorted(o.seconds for o in self.outcomes)
        return times[min(len(times) - 1, int(quantile * len(times)))]


def run_load(base: str, bank: Bank, *, completions: int, clients: int, room_id: str | None = None,
             room_share: float = 0.5, seed: int = 6,
             during: Callable[[int], None] | None = None) -> LoadResult:  # fmt: skip
    """`completions` quizzes finished by `clients` concurrent visitors; a share of them in the room.

    `during(done)` is called by the first client after each of its completions (to inject a fault).
    """
    jobs = [room_id is not None and n % clients < clients * room_share for n in range(completions)]
    lock = threading.Lock()
    outcomes: list[Outcome] = []
    cursor = iter(range(len(jobs)))

    def worker(index: int) -> None:
        visitor = Visitor(base, bank, random.Random(seed * 1000 + index))
        while True:
            with lock:
                n = next(cursor, None)
            if n is None:
                return
            outcome = visitor.finish(room_id if jobs[n] else None)
            with lock:
                outcomes.append(outcome)
                done = len(outcomes)
            if during is not None and index == 0:
                during(done)

    started = time.perf_counter()
    threads = [threading.Thread(target=worker, args=(i,)) for i in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return LoadResult(outcomes, time.perf_counter() - started)


def expected_counters(outcomes: list[Outcome]) -> Multiset[CounterKey]:
    """Every counter these completions' result pages say was added 1 to (their data receipts:
    the randomized values, which only the server's coin decided)."""
    expected: Multiset[CounterKey] = Multiset()
    for o in outcomes:
        expected.update(CounterKey(scope, metric, value) for scope, metric, value, _changed in o.counted)
    return expected


# --- one visitor at a time, for the fault tests ---------------------------------------


def completions(url: str) -> int:
    """The site's finished quizzes, read straight from the database."""
    engine = create_engine(url)
    try:
        with engine.connect() as c:
            found = c.execute(
                text("SELECT count FROM counter WHERE scope='global' AND metric='completions' AND value=''")
            ).scalar()
            return found or 0
    finally:
        engine.dispose()


def at_closing_question(server: Server, bank: Bank, room_id: str | None = None) -> tuple[str, str]:
    """A visitor with the questionnaire open, every answer ticked in the page: (cookie, token)."""
    state: dict[str, object] = {"room": room_id} if room_id else {}
    page = request(server.base, "GET", "/quiz/", cookie=forge_cookie(state))
    assert page.status == 200
    return session_cookie(page, forge_cookie(state)), CSRF_RE.search(page.body).group(1)


def send_closing_answer(server: Server, cookie: str, token: str, timeout: float = 30) -> str:
    """Send the questionnaire with the closing answer (the one request that counts), then read
    the result page it leads to: its text."""
    form = {"csrf_token": token}
    for item in questionnaire(load_bank()):
        form[item.name] = item.choices[0].value
    sent = request(server.base, "POST", "/quiz/", cookie=cookie, form=form, timeout=timeout)
    assert sent.status == 303 and sent.headers["location"].endswith("/quiz/result")
    result = request(server.base, "GET", "/quiz/result", cookie=session_cookie(sent, cookie))
    assert result.status == 200
    assert "Traceback" not in result.body
    return result.body
