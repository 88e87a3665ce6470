"""Real gunicorn, 4 workers, 64 concurrent visitors: every counter exactly what the visitors' receipts
say was counted, the randomized values plausible, faults lose nothing acknowledged.

Runs on the suite's database: SQLite in the first pass of `make test`, PostgreSQL in the second.
"""

from __future__ import annotations

import re
import sqlite3
from collections import Counter as Multiset

import pytest
from sqlalchemy import select

from app.counting.randomized_response import truth_probability
from app.store.counters import GLOBAL, CounterKey
from app.store.models import Counter, Room
from bench.loadgen import CSRF_RE, Server, request, running, session_cookie
from tests.loadgen import expected_counters, run_load

pytestmark = pytest.mark.load

CLIENTS = 64
COMPLETIONS = 2000
ROOM_CAP = 900  # the room gets about 1000 of the completions: the cap must hold exactly under load


def live_counters(app) -> Multiset[CounterKey]:
    with app.extensions["database"].sessions() as s:
        rows = s.execute(select(Counter.scope, Counter.metric, Counter.value, Counter.count)).all()
    return Multiset({CounterKey(scope, metric, value): count for scope, metric, value, count in rows if count})


def coin_rate_is_plausible(result, bank) -> None:
    """The share of answers the coin changed is within 5 standard deviations of what ε = ln 4
    implies, and each receipt's values differ from the true answers exactly where it says so."""
    changed = total = 0
    expected = 0.0
    for o in result.acknowledged:
        for scope, metric, value, was_changed in o.counted:
            if scope != GLOBAL or not metric.startswith("answer:"):
                continue
            question = bank.question(metric.removeprefix("answer:"))
            assert (value != o.answers[question.id]) == was_changed, metric
            total += 1
            changed += was_changed
            expected += 1 - float(truth_probability(4, len(question.options)))
    sd = (expected * (1 - expected / total)) ** 0.5
    assert abs(changed - expected) < 5 * sd, (changed, expected, sd)


def open_room(server: Server, app) -> str:
    """A facilitator opens a room through the server; returns the room's id."""
    form = request(server.base, "GET", "/rooms/new")
    cookie = session_cookie(form, None)
    created = request(server.base, "POST", "/rooms/new", cookie=cookie,
                      form={"csrf_token": CSRF_RE.search(form.body).group(1), "title": "load"})  # fmt: skip
    assert created.status == 200, created.status
    code = re.search(r'data-room-code="(\w+)"', created.body).group(1)
    with app.extensions["database"].sessions() as s:
        return s.scalar(select(Room.id).where(Room.code == code))


def test_2000_completions_from_64_clients_are_counted_exactly(app, database_url, bank, tmp_path, capsys):
    server = Server(database_url, workers=4, env={"ROOM_MAX_PARTICIPANTS": str(ROOM_CAP)})
    with running(server, tmp_path):
        room_id = open_room(server, app)
        result = run_load(server.base, bank, completions=COMPLETIONS, clients=CLIENTS, room_id=room_id)
        assert "Traceback" not in server.log()

    assert [o.error for o in result.failed] == []
    assert len(result.acknowledged) == COMPLETIONS  # nobody was told "not counted"
    in_room = [o for o in result.outcomes if len(o.scopes) == 2]
    assert len(in_room) == ROOM_CAP  # the rest of the room's visitors were told it was full
    # Every counter is exactly the sum of the receipts; completions and per-question totals are exact.
    live = live_counters(app)
    assert live == expected_counters(result.outcomes)
    room = f"room:{room_id}"
    assert live[CounterKey(GLOBAL, "completions", "")] == COMPLETIONS
    assert live[CounterKey(room, "completions", "")] == ROOM_CAP
    for question in bank.questions:
        for scope, total in ((GLOBAL, COMPLETIONS), (room, ROOM_CAP)):
            assert sum(n for k, n in live.items() if k.scope == scope and k.metric == f"answer:{question.id}") == total
    coin_rate_is_plausible(result, bank)
    with capsys.disabled():
        p50, p99 = result.latency(0.5) * 1000, result.latency(0.99) * 1000
        rate = COMPLETIONS / result.seconds
        print(f"\n[load] {database_url.split(':')[0]}: {COMPLETIONS} completions, {CLIENTS} clients, "
              f"{result.seconds:.1f}s, {rate:.0f}/s, p50 {p50:.0f}ms p99 {p99:.0f}ms")  # fmt: skip


def test_a_worker_killed_mid_load_loses_no_acknowledged_completion(app, database_url, bank, tmp_path, capsys):
    server = Server(database_url, workers=4)
    killed: list[int] = []

    def kill_a_worker(done: int) -> None:
        if not killed and done >= 100:
            victim = server.worker_pids()[0]
            killed.append(victim)
            import os
            import signal

            os.kill(victim, signal.SIGKILL)

    with running(server, tmp_path):
        result = run_load(server.base, bank, completions=400, clients=CLIENTS, during=kill_a_worker)
        assert killed and killed[0] not in server.worker_pids()
        server.wait_ready()  # gunicorn replaced the worker
        after = run_load(server.base, bank, completions=20, clients=4, seed=7)
        assert after.failed == [] and len(after.acknowledged) == 20

    outcomes = result.outcomes + after.outcomes
    acked = expected_counters([o for o in outcomes if o.acknowledged])
    maybe = len([o for o in outcomes if o.error and o.sent_final])  # their randomized values are unknown
    actual = live_counters(app)
    # Every acknowledged completion is counted; a completion whose reply was lost may or may not be.
    for key in acked.keys() | actual.keys():
        assert acked[key] <= actual[key] <= acked[key] + maybe, key
    # Nothing counted twice or in part: a completion's counters were written together or not at all.
    completions = actual[CounterKey(GLOBAL, "completions", "")]
    assert sum(v for k, v in actual.items() if k.scope == GLOBAL and k.metric == "chilling") == completions
    for question in bank.questions:
        assert sum(v for k, v in actual.items() if k.metric == f"answer:{question.id}") == completions
    if database_url.startswith("sqlite"):
        with sqlite3.connect(database_url.split("///", 1)[1]) as db:
            assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    with capsys.disabled():
        print(f"\n[kill -9] {len(result.failed)} of {len(result.outcomes)} visitors saw an error; "
              f"{len(result.acknowledged) + 20} acknowledged, {completions} counted; {result.seconds:.1f}s, "
              f"slowest {result.latency(1.0):.1f}s")  # fmt: skip
