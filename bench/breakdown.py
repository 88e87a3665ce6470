"""Where a request's time goes: the app called in-process (no server, socket or load generator),
each page type of the journey timed, then the same journeys under cProfile. Times are the
thread's CPU time, not the wall clock: other processes on a shared machine change them little.

    .venv/bin/python bench/run.py --breakdown [--database URL]

The app runs with
the production settings the event uses (JSON request log, rate limits on, gzip accepted).
"""

from __future__ import annotations

import cProfile
import gzip
import io
import os
import pstats
import random
import time
from collections import defaultdict
from collections.abc import Callable
from contextlib import redirect_stdout
from pathlib import Path
from typing import Any

from flask import Flask
from werkzeug.test import TestResponse

from app import create_app
from app.quiz.forms import questionnaire
from bench.loadgen import CSRF_RE, SECRET, found

JOURNEYS = 60
HEADERS = {"Accept-Encoding": "gzip, deflate, br", "Accept-Language": "en-GB,en;q=0.9", "X-Forwarded-For": "10.0.0.1"}


def _csrf(body: bytes) -> str:
    return found(CSRF_RE, gzip.decompress(body).decode(), "a form token")


def _journeys(app: Flask, count: int, times: dict[str, list[float]] | None) -> None:
    """`count` people through landing, the questionnaire, its one POST and the result."""
    bank = app.extensions["bank"]
    rng = random.Random(14)  # noqa: S311  (a simulation)

    def timed(kind: str, call: Callable[..., TestResponse], *args: Any, **kwargs: Any) -> TestResponse:
        started = time.thread_time()
        response = call(*args, headers=HEADERS, **kwargs)
        if times is not None:
            times[kind].append(time.thread_time() - started)
        return response

    for n in range(count):
        client = app.test_client()
        HEADERS["X-Forwarded-For"] = f"10.0.{n >> 8 & 255}.{n & 255}"
        timed("landing", client.get, "/")
        page = timed("questionnaire", client.get, "/quiz/")
        form = {"csrf_token": _csrf(page.get_data())}
        for item in questionnaire(bank):
            form[item.name] = rng.choice(item.choices).value
        timed("questionnaire POST", client.post, "/quiz/", data=form)
        result = timed("result", client.get, "/quiz/result")
        assert result.status_code == 200, result.status_code  # noqa: S101  (a broken journey would mislead)


def breakdown(url: str, folder: Path) -> None:
    """Print µs per page type (the best of three rounds), then the profile's heaviest functions."""
    app = create_app({
        "DATABASE_URL": url, "SECRET_KEY": SECRET, "LOG_FORMAT": "json", "LOG_LEVEL": "INFO", "PROXY_COUNT": 1,
        "INSTANCE_PATH": str(folder), "TRUSTED_HOSTS": ["localhost"],
    })  # fmt: skip
    best: dict[str, float] = {}
    profile = cProfile.Profile(time.thread_time)
    with open(os.devnull, "w") as nowhere, redirect_stdout(nowhere):  # the request log's lines, written
        _journeys(app, 5, None)  # templates compiled, connections open
        for _ in range(3):
            times: dict[str, list[float]] = defaultdict(list)
            _journeys(app, JOURNEYS, times)
            for kind, values in times.items():
                best[kind] = min(best.get(kind, float("inf")), sum(values) / len(values))
        profile.enable()
        _journeys(app, JOURNEYS, None)
        profile.disable()
    print(f"in-process, {JOURNEYS} journeys, the best of 3 rounds:   CPU µs a request")
    for kind, seconds in best.items():
        print(f"{kind:14}{seconds * 1e6:8.0f}")
    out = io.StringIO()
    stats = pstats.Stats(profile, stream=out)
    stats.sort_stats("cumulative").print_stats(45)
    stats.sort_stats("tottime").print_stats(25)
    print(out.getvalue())
    app.extensions["database"].engine.dispose()
