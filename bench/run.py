"""Benchmark: the app against a minimal Flask app on the same gunicorn settings, in one run.

    .venv/bin/python bench/run.py            # needs wrk (apt-get install -y wrk)
    .venv/bin/python bench/run.py --quick    # 3-second runs
    .venv/bin/python bench/run.py --smoke    # 1-second runs, small sizes: the test suite runs this

Prints requests per second for the landing page, a question page, a completion and the
projector's unchanged poll (304), each as a ratio of "hello"; the same completion and poll
with 10, 10,000 and 1,000,000 completions already counted; and a 300-person room that all
finish within 10 seconds. Figures on a shared 2-core machine vary from run to run: compare
the ratios, measured side by side, not the absolute numbers.
"""

from __future__ import annotations

import argparse
import io
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("APP_ENV", "testing")

from sqlalchemy import create_engine, insert, select  # noqa: E402

from app import tally  # noqa: E402
from app.counted_once import new_token  # noqa: E402
from app.migrate import upgrade  # noqa: E402
from app.models import Counter, Room  # noqa: E402
from app.scoring import load_bank, load_myths  # noqa: E402
from tests.loadgen import (  # noqa: E402
    CSRF_RE,
    SECRET,
    Server,
    Visitor,
    _serializer,
    forge_cookie,
    request,
    running,
    session_cookie,
)

WORKERS = 4
FORM = "application/x-www-form-urlencoded"
GOALS = {"question": 0.5, "completion": 0.3, "poll (304)": 0.8}


def wrk(url: str, seconds: int, *, script: Path | None = None, headers: dict[str, str] | None = None) -> float:
    """Requests per second by wrk (2 threads, 32 connections), non-2xx/3xx counted as failures."""
    command = ["wrk", "-t2", "-c32", f"-d{seconds}s", "--latency"]
    for name, value in (headers or {}).items():
        command += ["-H", f"{name}: {value}"]
    if script:
        command += ["-s", str(script)]
    out = subprocess.run([*command, url], capture_output=True, text=True, check=True).stdout  # noqa: S603
    if "Non-2xx or 3xx responses" in out:
        raise RuntimeError(f"wrk saw errors on {url}:\n{out}")
    return float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))


def post_script(folder: Path, path: str, cookies: list[str], form: str) -> Path:
    """wrk posts the form with each cookie in turn: every one carries its own start token, so
    each request is a new finished quiz (a cookie sent twice would count once)."""
    script = folder / "post.lua"
    listed = ",\n".join(f'"session={c}"' for c in cookies)
    script.write_text(
        f'wrk.method = "POST"\nwrk.path = "{path}"\nwrk.body = "{form}"\n'
        'wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"\n'
        f"cookies = {{\n{listed}\n}}\nn = 0\n"
        'request = function()\n  n = n % #cookies + 1\n  wrk.headers["Cookie"] = cookies[n]\n'
        "  return wrk.format()\nend\n"
    )
    return script


def open_room(server: Server) -> tuple[str, str]:
    """(room id, presenter path) of a room opened through the server."""
    form = request(server.base, "GET", "/rooms/new")
    created = request(server.base, "POST", "/rooms/new", cookie=session_cookie(form, None),
                      form={"csrf_token": CSRF_RE.search(form.body).group(1), "title": "bench"})  # fmt: skip
    link = re.search(r"data-presenter-link>([^<]+)<", created.body).group(1)
    code = re.search(r'data-room-code="(\w+)"', created.body).group(1)
    return code, "/" + link.split("/", 3)[3]


def completion_request(server: Server, bank, room_id: str | None, count: int) -> tuple[list[str], str]:
    """`count` cookies and the form of visitors sending the closing answer, which counts the
    quiz: the same session (and CSRF token), each with a start token of its own."""
    state: dict[str, object] = {"quiz": {"answers": {q.id: q.options[0].id for q in bank.questions}}}
    if room_id:
        state["room"] = room_id
    page = request(server.base, "GET", "/quiz/closing", cookie=forge_cookie(state))
    session = _serializer().loads(session_cookie(page, forge_cookie(state)))
    token = CSRF_RE.search(page.body).group(1)
    cookies = [forge_cookie({**session, "quiz": {**session["quiz"], "start": new_token()}}) for _ in range(count)]
    return cookies, f"csrf_token={token}&answer=no"


def seed(url: str, bank, completions: int, room_id: str) -> None:
    """Counters as if `completions` quizzes had been counted: globally, in the room, and in
    one other room per thousand (so the tables grow as a busy site's would)."""
    engine = create_engine(url)
    per_room = 1000
    scopes = {"global": completions, f"room:{room_id}": min(completions, per_room)}
    for n in range(completions // per_room):
        scopes[f"room:seed{n:07d}"] = per_room
    rows = []
    myths = load_myths()
    for scope, total in scopes.items():
        for key in tally.scope_keys(scope, bank, myths):  # every counter of a scope exists
            width = 1 if key.value == "" else 3
            rows.append({"scope": scope, "metric": key.metric, "value": key.value, "count": total // width})
    with engine.begin() as c:
        c.execute(Counter.__table__.delete())
        for start in range(0, len(rows), 5000):
            c.execute(insert(Counter), rows[start : start + 5000])
    engine.dispose()


def in_process(url: str, requests: dict[str, dict[str, object]], rounds: int) -> dict[str, float]:
    """Microseconds per request with no server, socket or load generator: the app called as
    a WSGI function, the best of three runs of `rounds`. Steadier than wrk on a shared machine,
    and what a profiler sees."""
    from werkzeug.test import EnvironBuilder

    from app import create_app
    from bench.hello_app import app as hello

    overrides = {"DATABASE_URL": url, "SECRET_KEY": SECRET, "RATELIMIT_ENABLED": False, "LOG_LEVEL": "WARNING"}
    app = create_app({**overrides, "ROOM_MAX_PARTICIPANTS": 10**9})
    figures = {}
    for name, spec in requests.items():
        cookies = spec.pop("cookies", None)
        environ = EnvironBuilder(**spec).get_environ()  # type: ignore[arg-type]
        if cookies:
            environ["bench.cookies"] = cookies  # one a call: each completion has its own start token
        figures[name] = _best_time(hello if name == "hello" else app, environ, rounds) * 1e6
    app.extensions["database"].engine.dispose()
    return figures


def _best_time(target: object, environ: dict[str, object], rounds: int) -> float:
    """Seconds a call of `target` takes: the best of three runs of `rounds`, after a warm-up."""
    from werkzeug.test import run_wsgi_app

    body = environ["wsgi.input"].read()  # type: ignore[attr-defined]

    cookies = iter(environ.pop("bench.cookies", ()))  # type: ignore[call-overload]

    def call() -> None:
        headers = {"HTTP_COOKIE": f"session={next(cookies)}"} if "HTTP_COOKIE" in environ else {}
        for _chunk in run_wsgi_app(target, {**environ, **headers, "wsgi.input": io.BytesIO(body)})[0]:  # type: ignore[arg-type]
            pass

    for _ in range(rounds // 10):
        call()  # the first renders and compiled queries
    best = float("inf")
    for _ in range(3):
        started = time.perf_counter()
        for _ in range(rounds):
            call()
        best = min(best, (time.perf_counter() - started) / rounds)
    return best


def settled_etag(server: Server, path: str) -> str:
    """The poll's ETag once the room's figures stand still. wrk stops sending, but gunicorn
    still finishes the completions in flight: an ETag read then would be stale at once, and
    every poll would be answered in full (200) rather than "unchanged" (304)."""
    etag = request(server.base, "GET", path).headers["etag"]
    while True:
        time.sleep(0.5)
        again = request(server.base, "GET", path).headers["etag"]
        if again == etag:
            return etag
        etag = again


def room_run(server: Server, bank, room_id: str, people: int = 300, spread: float = 10.0) -> tuple[float, float, float]:
    """`people` finish within `spread` seconds: (seconds until the last result, p99 and max request time)."""
    times: list[float] = []
    errors: list[str] = []
    lock = threading.Lock()
    started = time.perf_counter()

    def person(n: int) -> None:
        time.sleep(random.uniform(0, spread))  # noqa: S311
        visitor = Visitor(server.base, bank, random.Random(n))  # noqa: S311
        outcome = visitor.finish(room_id, full_journey=False)
        with lock:
            if outcome.error:
                errors.append(outcome.error)
            else:
                times.append(outcome.seconds / 3)  # three requests: closing question, its answer, result

    threads = [threading.Thread(target=person, args=(n,)) for n in range(people)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    if errors:
        raise RuntimeError(f"{len(errors)} of {people} people did not get their result: {errors[0]}")
    times.sort()
    return time.perf_counter() - started, times[int(0.99 * len(times))], times[-1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="3-second runs instead of 10")
    parser.add_argument("--smoke", action="store_true", help="1-second runs and small sizes: does it all still run?")
    args = parser.parse_args()
    if not shutil.which("wrk"):
        sys.exit("wrk is not installed: apt-get install -y wrk")
    seconds = 1 if args.smoke else 3 if args.quick else 10
    sizes = (10, 1_000) if args.smoke else (10, 10_000, 1_000_000)
    people, spread = (30, 2.0) if args.smoke else (300, 10.0)
    folder = Path(tempfile.mkdtemp(prefix="bench-"))
    url = f"sqlite:///{folder / 'bench.sqlite3'}"
    upgrade(url)
    bank = load_bank()
    print(f"gunicorn: {WORKERS} sync workers, SQLite (WAL); wrk -t2 -c32 -d{seconds}s; {os.cpu_count()} cores")

    with running(Server(url, workers=WORKERS, app_module="bench.hello_app:app", ready_path="/"), folder) as hello:
        base_rps = wrk(f"http://{hello.base}/", seconds)
    with running(Server(url, workers=WORKERS, env={"ROOM_MAX_PARTICIPANTS": "100000"}), folder) as app:
        code, presenter = open_room(app)
        engine = create_engine(url)
        with engine.connect() as c:
            room_id = c.scalar(select(Room.id).where(Room.code == code))
        engine.dispose()
        rounds = 200 if args.smoke else 2000
        cookies, form = completion_request(app, bank, room_id, 30_000 if not args.smoke else 3_000)
        script = post_script(folder, "/quiz/closing", cookies, form)
        fresh, _form = completion_request(app, bank, room_id, 3 * rounds + rounds // 10)

        def measure() -> dict[str, float]:
            completion = wrk(f"http://{app.base}/", seconds, script=script)
            unchanged = settled_etag(app, presenter + "/poll")
            return {
                "completion": completion,
                "poll (304)": wrk(f"http://{app.base}{presenter}/poll", seconds, headers={"If-None-Match": unchanged}),
            }

        figures = {
            "landing": wrk(f"http://{app.base}/", seconds),
            "question": wrk(f"http://{app.base}/quiz/1", seconds),
            **measure(),
        }
        print(f"\n{'':14}{'req/s':>8}  {'/ hello':>8}  goal")
        print(f"{'hello':14}{base_rps:8.0f}  {1:8.2f}")
        for name, rps in figures.items():
            goal = GOALS.get(name)
            verdict = "" if goal is None else f"≥ {goal}  {'met' if rps / base_rps >= goal else 'MISSED'}"
            print(f"{name:14}{rps:8.0f}  {rps / base_rps:8.2f}  {verdict}")

        etag = settled_etag(app, presenter + "/poll")
        costs = in_process(
            url,
            {
                "hello": {"path": "/"},
                "landing": {"path": "/"},
                "question": {"path": "/quiz/1"},
                # before the completions, which move the room's ETag on
                "poll (304)": {"path": presenter + "/poll", "headers": {"If-None-Match": etag}},
                "completion": {"path": "/quiz/closing", "method": "POST", "data": _form, "cookies": fresh,
                               "headers": {"Cookie": f"session={fresh[0]}", "Content-Type": FORM}},
            },
            rounds=rounds,
        )  # fmt: skip
        print(f"\nin-process, no server: {'µs a request':>14}")
        for name, us in costs.items():
            print(f"{name:14}{us:8.0f}")

        print("\ncost against size (completions already counted)")
        by_size = {}
        for size in sizes:
            seed(url, bank, size, room_id)
            by_size[size] = measure()
            print(
                f"{size:>10,}  completion {by_size[size]['completion']:6.0f}/s  "
                f"poll {by_size[size]['poll (304)']:6.0f}/s"
            )
        for name in ("completion", "poll (304)"):
            difference = max(v[name] for v in by_size.values()) / min(v[name] for v in by_size.values()) - 1
            print(f"  {name}: slowest to fastest differ by {difference:.0%} (goal ≤ 20%)")

        seed(url, bank, 0, room_id)
        took, p99, worst = room_run(app, bank, room_id, people, spread)
        print(f"\n{people} people finishing within {spread:g} s in one room: all done after {took:.1f}s, "
              f"p99 {p99 * 1000:.0f} ms, slowest {worst * 1000:.0f} ms a request (goal p99 < 1000 ms)")  # fmt: skip
    shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
