"""Capacity: can one 2-core machine carry an event of 10,000 people who all finish within 5 minutes?

    .venv/bin/python bench/run.py                                   # SQLite, 10,000 people, 5 minutes
    .venv/bin/python bench/run.py --database postgresql+psycopg://postgres@127.0.0.1:5432/test_capacity
    .venv/bin/python bench/run.py --smoke                           # a few people: does it all still run?
    .venv/bin/python bench/run.py --breakdown                       # where a request's time goes (in-process)

The server is the production one (gunicorn.conf.py, the image's JSON request log, rate limits
on, each person behind the proxy with an address of their own); the load generator
(bench/event.py) runs on the same cores. People start at random moments spread evenly over
the event (open loop: a slow server does not slow the arrivals), and each goes straight
through as a browser with JavaScript does: landing page, a room's code for some, the
questionnaire (every question in one page, answered in the page), its one POST that counts
the quiz, the result; each page with its stylesheet and scripts (revalidated once cached).
Each room's projector polls meanwhile.

The goal: every request answered (no error, no timeout), p99 under 500 ms for every page
type, everyone's result within the event, and the counters exact afterwards. The ratios to a
minimal Flask app ("hello") are printed as information only.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import datetime as dt
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("APP_ENV", "testing")

from sqlalchemy import MetaData, create_engine, func, select  # noqa: E402

from app.scoring import Bank, load_bank  # noqa: E402
from app.store.counters import ANSWER_PREFIX, CHILLING, COMPLETIONS, GLOBAL  # noqa: E402
from app.store.models import ROOM_SCOPE_PREFIX, Counter, Room, SpentToken  # noqa: E402
from app.store.schema import upgrade  # noqa: E402
from bench import event  # noqa: E402
from bench.loadgen import CSRF_RE, Server, found, request, running, session_cookie  # noqa: E402

GOAL_P99_MS = 500
LATE_SECONDS = 10  # the last result may come this long after the event's last arrival
PG_EXAMPLE = "postgresql+psycopg://postgres@127.0.0.1:5432/test_capacity"


# --- the database and the server ------------------------------------------------------


@contextmanager
def fresh_database(choice: str) -> Iterator[tuple[str, Path]]:
    """A migrated, empty database (a new SQLite file, or the named one emptied first) and a
    scratch folder for it and the server's log, removed afterwards."""
    folder = Path(tempfile.mkdtemp(prefix="capacity-"))
    url = f"sqlite:///{folder / 'capacity.sqlite3'}" if choice == "sqlite" else choice
    if choice != "sqlite":
        engine = create_engine(url)
        meta = MetaData()
        meta.reflect(engine)
        meta.drop_all(engine)
        engine.dispose()
    upgrade(url)
    try:
        yield url, folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def production_server(url: str, workers: int, threads: int) -> Server:
    """The settings of the image behind its proxy (deploy/nginx.conf sets X-Forwarded-For)."""
    return Server(
        url,
        workers=workers,
        env={
            "GUNICORN_THREADS": str(threads),
            "LOG_LEVEL": "INFO",
            "LOG_FORMAT": "json",
            "RATE_LIMITS_ENABLED": "true",
            "PROXY_COUNT": "1",
        },
    )


def open_rooms(server: Server, count: int) -> list[event.Room]:
    """Facilitators (each from an address of their own) open the event's rooms."""
    rooms = []
    for n in range(count):
        headers = {"X-Forwarded-For": f"10.255.0.{n + 1}"}
        form = request(server.base, "GET", "/rooms/new", headers=headers)
        created = request(
            server.base,
            "POST",
            "/rooms/new",
            cookie=session_cookie(form, None),
            headers=headers,
            form={"csrf_token": found(CSRF_RE, form.body, "a form token"), "title": f"bench {n + 1}"},
        )
        if created.status != 200:
            raise RuntimeError(f"opening room {n + 1}: {created.status}")
        link = found(r"data-presenter-link>([^<]+)<", created.body, "the presenter link")
        code = found(r'data-room-code="(\w+)"', created.body, "the room code")
        rooms.append(event.Room(code, "/" + link.split("/", 3)[3]))
    return rooms


# --- CPU: the generator's, the server's, everyone else's -------------------------------


def _ticks(pid: int, *, children: bool = False) -> int:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return sum(int(f) for f in fields[11 : 15 if children else 13])  # utime stime (cutime cstime)


@dataclass
class CpuClock:
    """CPU seconds so far: this process (the load generator), the server (master, reaped
    workers, live workers) and the whole machine (busy, all processes)."""

    generator: float
    server: float
    machine: float
    wall: float

    @classmethod
    def read(cls, server: Server) -> CpuClock:
        tick = os.sysconf("SC_CLK_TCK")
        own = resource.getrusage(resource.RUSAGE_SELF)
        assert server.process is not None  # noqa: S101  (started)
        served = _ticks(server.process.pid, children=True)
        for pid in server.worker_pids():
            with contextlib.suppress(FileNotFoundError):  # recycled just now: its time is in the master's
                served += _ticks(pid)
        cpu = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
        busy = sum(cpu) - cpu[3] - cpu[4]  # all but idle and iowait
        return cls(own.ru_utime + own.ru_stime, served / tick, busy / tick, time.monotonic())

    def since(self, before: CpuClock) -> dict[str, float]:
        """Each one's share of the machine's cores over the interval (1.0 = every core busy)."""
        cores = (self.wall - before.wall) * (os.cpu_count() or 1)
        generator = (self.generator - before.generator) / cores
        server = (self.server - before.server) / cores
        machine = (self.machine - before.machine) / cores
        return {"generator": generator, "server": server, "others": max(0.0, machine - generator - server)}


# --- the checks --------------------------------------------------------------------------


def counter_check(url: str, bank: Bank, figures: event.Figures) -> list[str]:
    """Every way the counters differ from who finished (empty: exact). In each scope, the
    completions counted equal the people whose result page came back (plus, at most, those
    whose counting answer left but whose result never came back), every question's randomized
    values and the closing question's add up to the completions, and one token was spent each."""
    engine = create_engine(url)
    with engine.connect() as c:
        totals = dict(
            ((scope, metric), int(n))
            for scope, metric, n in c.execute(
                select(Counter.scope, Counter.metric, func.sum(Counter.count)).group_by(Counter.scope, Counter.metric)
            )
        )
        code_of = {ROOM_SCOPE_PREFIX + id_: code for code, id_ in c.execute(select(Room.code, Room.id))}
        spent = c.scalar(select(func.count()).select_from(SpentToken))
    engine.dispose()
    problems = []
    for scope in [GLOBAL, *code_of]:
        key = GLOBAL if scope == GLOBAL else code_of[scope]
        done = figures.finished if scope == GLOBAL else figures.finished_in_room.get(key, 0)
        maybe = figures.unanswered_final.get(key, 0)
        counted = totals.get((scope, COMPLETIONS), 0)
        if not done <= counted <= done + maybe:
            problems.append(f"{scope}: {counted} completions counted, {done} results seen (+ {maybe} unanswered)")
        for metric in (CHILLING, *(ANSWER_PREFIX + q.id for q in bank.questions)):
            if totals.get((scope, metric), 0) != counted:
                problems.append(f"{scope} {metric}: {totals.get((scope, metric), 0)} counted, {counted} completions")
    if spent != totals.get((GLOBAL, COMPLETIONS), 0):
        problems.append(f"{spent} start tokens spent, {totals.get((GLOBAL, COMPLETIONS), 0)} completions counted")
    return problems


# --- the report ----------------------------------------------------------------------------

ORDER = (
    "landing",
    "room code",
    "join",
    "join POST",
    "questionnaire",
    "questionnaire POST",
    "result",
    "static 200",
    "static 304",
    "projector",
    "poll 304",
    "poll 200",
)


def quantile(values: list[float], q: float) -> float:
    return values[min(len(values) - 1, int(q * len(values)))]


def latency_table(figures: event.Figures) -> tuple[list[str], dict[str, float]]:
    """Lines of the per-page table, and p50/p95/p99 in ms over all requests."""
    lines = [f"{'page':20}{'requests':>9}{'p50 ms':>8}{'p95 ms':>8}{'p99 ms':>8}{'max ms':>8}"]
    everything: list[float] = []
    for kind in sorted(figures.seconds, key=lambda k: ORDER.index(k) if k in ORDER else len(ORDER)):
        times = sorted(figures.seconds[kind])
        everything += times
        ms = [quantile(times, q) * 1000 for q in (0.5, 0.95, 0.99)] + [times[-1] * 1000]
        lines.append(f"{kind:20}{len(times):9d}" + "".join(f"{v:8.0f}" for v in ms))
    everything.sort()
    overall = {f"p{round(q * 100)}": quantile(everything, q) * 1000 for q in (0.5, 0.95, 0.99)} if everything else {}
    return lines, overall


def worst_p99(figures: event.Figures) -> tuple[str, float]:
    return max(((k, quantile(sorted(v), 0.99) * 1000) for k, v in figures.seconds.items()), key=lambda kv: kv[1])


# --- the ratios to hello (information) ------------------------------------------------------


def wrk(url: str, seconds: int, headers: dict[str, str] | None = None) -> float | None:
    """Requests per second by wrk (2 threads, 32 connections), or None when any failed."""
    command = ["wrk", "-t2", "-c32", f"-d{seconds}s", *(f"-H{k}: {v}" for k, v in (headers or {}).items()), url]
    out = subprocess.run(command, capture_output=True, text=True, check=True).stdout  # noqa: S603
    if "Non-2xx or 3xx responses" in out:
        return None
    return float(found(r"Requests/sec:\s+([\d.]+)", out, "wrk's requests a second"))


def ratios(server: Server, url: str, room: event.Room | None, seconds: int, workers: int, threads: int) -> None:
    """Closed-loop throughput of single pages against a minimal Flask app on the same settings."""
    if not shutil.which("wrk"):
        print("\nratios to hello: skipped (wrk is not installed: make test-tools)")
        return
    folder = Path(tempfile.mkdtemp(prefix="hello-"))
    hello = Server(
        url, workers=workers, app_module="bench.hello_app:app", ready_path="/", env={"GUNICORN_THREADS": str(threads)}
    )
    with running(hello, folder):
        base = wrk(f"http://{hello.base}/", seconds)
    shutil.rmtree(folder, ignore_errors=True)
    pages: dict[str, tuple[str, dict[str, str]]] = {"landing": ("/", {}), "questionnaire": ("/quiz/", {})}
    if room is not None:
        etag = request(server.base, "GET", room.presenter_path + "/poll").headers["etag"]
        pages["poll 304"] = (room.presenter_path + "/poll", {"If-None-Match": etag})
    print(f"\nratios to hello (information, not a goal): wrk -t2 -c32 -d{seconds}s, one page at a time")
    print(f"{'hello':14}{base:8.0f}/s")
    for name, (path, headers) in pages.items():
        rps = wrk(f"http://{server.base}{path}", seconds, headers)
        shown = "errors" if rps is None or not base else f"{rps:8.0f}/s  {rps / base:5.2f} of hello"
        print(f"{name:14}{shown}")


# --- main -----------------------------------------------------------------------------------


@dataclass
class Outcome:
    """What a run found, as the report and the markdown row show it."""

    started_at: str
    database: str
    people: int
    minutes: float
    workers: int
    threads: int
    figures: event.Figures
    cpu: dict[str, float]
    load: tuple[float, float]  # the 1-minute load average before and after
    problems: list[str]  # where the counters differ from who finished
    tracebacks: int

    @property
    def seconds(self) -> float:
        return self.figures.last_done

    @property
    def correct(self) -> bool:
        f = self.figures
        return not f.errors and not self.problems and not self.tracebacks and f.finished == self.people

    @property
    def verdict(self) -> str:
        in_time = self.seconds <= self.minutes * 60 + LATE_SECONDS
        return "PASS" if self.correct and in_time and worst_p99(self.figures)[1] < GOAL_P99_MS else "FAIL"


def report(o: Outcome) -> None:
    f, cpu, cores = o.figures, o.cpu, os.cpu_count() or 1
    lines, overall = latency_table(f)
    print(
        f"\n{f.requests:,} requests in {o.seconds:.1f} s: {f.requests / o.seconds:.0f} a second; "
        f"{f.finished:,} of {o.people:,} people saw their result, "
        f"the last {o.seconds - o.minutes * 60:+.1f} s after the event's end"
    )
    print(*lines, sep="\n")
    answered = sum(len(v) for v in f.seconds.values())
    print(f"{'all':20}{answered:9d}" + "".join(f"{overall.get(p, 0):8.0f}" for p in ("p50", "p95", "p99")))
    print(
        f"\nerrors: {len(f.errors)}; tracebacks in the server's log: {o.tracebacks}; "
        f"requests sent again on a new connection (the server had closed a kept-alive one): {f.retried}"
    )
    for page, message in f.errors[:5]:
        print(f"  {page}: {message}")
    counters = "WRONG" if o.problems else "consistent" if f.unanswered_final else "exact"
    in_rooms = sum(f.finished_in_room.values())
    unsure = f.unanswered_final.get(GLOBAL, 0)
    print(
        f"counters: {counters} ({f.finished:,} finished, {in_rooms:,} of them in rooms"
        + (f"; {unsure:,} whose counting answer got no reply may be counted or not)" if unsure else ")")
    )
    for problem in o.problems[:10]:
        print(f"  {problem}")
    per_request = cpu["server"] * cores * o.seconds / max(1, f.requests) * 1000
    print(
        f"CPU, share of the {cores} cores: load generator {cpu['generator']:.0%}, server {cpu['server']:.0%} "
        f"({per_request:.2f} ms a request), other processes {cpu['others']:.0%}; "
        f"arrivals started late by at most {f.late * 1000:.0f} ms; "
        f"load average {o.load[0]:.2f} before, {o.load[1]:.2f} after"
    )
    page, p99 = worst_p99(f)
    print(
        f"\ngoal: no error, every p99 < {GOAL_P99_MS} ms, the last result within {LATE_SECONDS} s of the end, "
        f"counters exact: {o.verdict} (slowest p99: {page} {p99:.0f} ms)"
    )
    print("\nmarkdown row (docs/capacity.md):")
    print(
        f"| {o.started_at} | {o.database} | {o.people:,} in {o.minutes:g} min | {o.workers} × {o.threads} "
        f"| {f.requests / o.seconds:.0f} | {overall.get('p50', 0):.0f} / {overall.get('p95', 0):.0f} / "
        f"{overall.get('p99', 0):.0f} | {page} {p99:.0f} | {len(f.errors)} | {counters.lower()} "
        f"| {cpu['generator']:.0%} | {cpu['others']:.0%} | {o.load[0]:.2f} → {o.load[1]:.2f} | {o.verdict} |"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=10_000)
    parser.add_argument("--minutes", type=float, default=5.0, help="the event's length: arrivals spread over it")
    parser.add_argument("--database", default="sqlite", help=f"sqlite (a new file), or a URL it empties: {PG_EXAMPLE}")
    parser.add_argument("--workers", type=int, default=4, help="gunicorn workers (WEB_CONCURRENCY)")
    parser.add_argument("--threads", type=int, default=4, help="threads per worker (GUNICORN_THREADS)")
    parser.add_argument("--rooms", type=int, default=10, help="workshop rooms, each with a projector polling")
    parser.add_argument("--room-share", type=float, default=0.25, help="share of people who join a room by its code")
    parser.add_argument("--ratio-seconds", type=int, default=5, help="wrk's run per page for the ratios; 0: none")
    parser.add_argument("--smoke", action="store_true", help="60 people in 6 s, short ratios; asserts no speed")
    parser.add_argument("--breakdown", action="store_true", help="only the in-process time per page type, profiled")
    args = parser.parse_args()
    if args.breakdown:
        from bench.breakdown import breakdown

        with fresh_database(args.database) as (url, folder):
            breakdown(url, folder)
        return 0
    if args.smoke:
        args.people, args.minutes, args.rooms, args.ratio_seconds = 60, 0.1, 2, min(args.ratio_seconds, 1)

    bank = load_bank()
    kind = "SQLite" if args.database == "sqlite" else args.database.split(":", 1)[0].split("+")[0]
    kind = {"postgresql": "PostgreSQL"}.get(kind, kind)
    started_at = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    load = os.getloadavg()
    print(
        f"{started_at}: {args.people:,} people over {args.minutes:g} min "
        f"({args.people / (args.minutes * 60):.1f} a second), {kind}, gunicorn {args.workers} workers × "
        f"{args.threads} threads, {os.cpu_count()} cores, load average {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}"
    )

    with fresh_database(args.database) as (url, folder):
        server = production_server(url, args.workers, args.threads)
        with running(server, folder):
            rooms = open_rooms(server, args.rooms)
            host, port = server.base.split(":")
            the_event = event.Event(host, int(port), bank, args.people, args.minutes * 60, rooms, args.room_share)
            before = CpuClock.read(server)
            figures = asyncio.run(the_event.run())
            cpu = CpuClock.read(server).since(before)
            load_after = os.getloadavg()[0]
            log = server.log_path.read_text(errors="replace") if server.log_path else ""
            outcome = Outcome(
                started_at,
                kind,
                args.people,
                args.minutes,
                args.workers,
                args.threads,
                figures,
                cpu,
                (load[0], load_after),
                counter_check(url, bank, figures),
                log.count("Traceback"),
            )
            report(outcome)
            if args.ratio_seconds:
                ratios(server, url, rooms[0] if rooms else None, args.ratio_seconds, args.workers, args.threads)
    if not outcome.correct:
        return 1
    return 0 if args.smoke or outcome.verdict == "PASS" else 2


if __name__ == "__main__":
    sys.exit(main())
