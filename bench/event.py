"""An event, as the server sees it: people arriving at a steady rate, each taking the whole
quiz in a browser-like way over one keep-alive connection, and the rooms' projectors polling.

Everything runs in one asyncio loop in one process, so the load generator costs as little
CPU as Python allows (it shares the server's cores). Each person sends what a browser
sends (gzip accepted, a language, the proxy's X-Forwarded-For with an address of their
own) and checks what a person would notice: every page answered as expected, and the
result page showing their own score, counted.
"""

from __future__ import annotations

import asyncio
import contextlib
import gzip
import html
import posixpath
import random
import re
import sys
import time
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from urllib.parse import urlencode

from app.content.closing_question import OPTION_IDS as CHILLING_IDS
from app.quiz.forms import CLOSING, PAD
from app.scoring import Bank, score_answers
from app.store.counters import GLOBAL
from bench.loadgen import CSRF_RE

TIMEOUT = 30.0  # seconds a request may take before it counts as not answered
NOT_COUNTED = "could not be reached"  # the result page's words when the count failed
ROOM_FULL = "data-room-full"
PROGRESS_SECONDS = 30
# What browsers ask for, in the shares an international audience might (each picks its catalogue).
LANGUAGES = (("en-GB,en;q=0.9", 6), ("de-DE,de;q=0.9,en;q=0.5", 2), ("zh-CN,zh;q=0.9", 2))
ETAG_RE = re.compile(r'data-etag="([^"]*)"')
POLL_URL_RE = re.compile(r'data-poll-url="([^"]*)"')
POLL_SECONDS_RE = re.compile(r'data-poll-seconds="(\d+)"')
# The questionnaire's radio buttons, in the page's order: (field, value).
FIELD_RE = re.compile(r'<input type="radio" name="([^"]+)" value="([^"]+)"')
# What a page loads besides itself (templates/base.html and the page's scripts), and what a
# script imports in turn (static/js/questionnaire.js imports ./kept-answers.js).
LOADS_RE = re.compile(r'<link rel="(?:icon|stylesheet)" href="([^"]+)"|<script type="module" src="([^"]+)"')
IMPORT_RE = re.compile(r'^import [^;]* from "(\./[^"]+)";', re.M)
MAX_AGE_RE = re.compile(r"max-age=(\d+)")
SESSION_RE = re.compile(r"^session=([^;]*)(.*)$", re.S)


class Refused(Exception):
    """The server answered something a browser would not expect at this step."""


@dataclass
class Reply:
    status: int
    headers: dict[str, str]
    body: str


class Browser:
    """One person's HTTP/1.1 connection (keep-alive, reopened when the server closed it) and cookie."""

    def __init__(self, host: str, port: int, headers: Sequence[str]) -> None:
        self.host, self.port = host, port
        self.fixed = "".join(f"{h}\r\n" for h in ("Host: localhost", *headers))
        self.cookie: str | None = None
        # The browser's cache of static files: path -> (ETag, kept until, what it imports).
        self.files: dict[str, tuple[str | None, float, tuple[str, ...]]] = {}
        self.retried = 0
        self.sent_final = False  # the answer that counts the quiz has left
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
        self.reader = self.writer = None

    async def call(
        self, method: str, path: str, *, form: dict[str, str] | None = None, headers: Sequence[str] = ()
    ) -> Reply:
        head = f"{method} {path} HTTP/1.1\r\n{self.fixed}"
        body = b""
        if self.cookie:
            head += f"Cookie: session={self.cookie}\r\n"
        if form is not None:
            body = urlencode(form).encode()
            head += f"Content-Type: application/x-www-form-urlencoded\r\nContent-Length: {len(body)}\r\n"
        head += "".join(f"{h}\r\n" for h in headers)
        data = (head + "\r\n").encode("latin-1") + body
        reused = self.writer is not None
        if not reused:
            await self._open()
        try:
            return await self._exchange(data)
        except _ClosedUnanswered:
            if not reused:
                raise
            # A keep-alive connection the server had closed (idle, or its worker recycled) before
            # reading this request: a browser sends it again on a new connection, once.
            self.close()
            await self._open()
            self.retried += 1
            return await self._exchange(data)

    async def _open(self) -> None:
        self.reader, self.writer = await asyncio.open_connection(self.host, self.port)

    async def _exchange(self, data: bytes) -> Reply:
        assert self.reader is not None and self.writer is not None  # noqa: S101  (opened just before)
        reader = self.reader
        try:
            self.writer.write(data)
            status_line = await reader.readline()
        except ConnectionError:
            raise _ClosedUnanswered from None
        if not status_line:
            raise _ClosedUnanswered
        status = int(status_line.split(b" ", 2)[1])
        headers: dict[str, str] = {}
        while True:
            line = await reader.readline()
            if line in (b"\r\n", b"\n", b""):
                break
            name, _, value = line.decode("latin-1").partition(":")
            name, value = name.strip().lower(), value.strip()
            if name == "set-cookie":
                self._take_cookie(value)
            headers[name] = value
        if status in (204, 304):
            raw = b""
        elif "content-length" in headers:
            raw = await reader.readexactly(int(headers["content-length"]))
        elif "chunked" in headers.get("transfer-encoding", ""):
            raw = await self._chunks(reader)
        else:
            raw = await reader.read()
            headers["connection"] = "close"
        if headers.get("connection", "").lower() == "close":
            self.close()
        if headers.get("content-encoding") == "gzip":
            raw = gzip.decompress(raw)
        return Reply(status, headers, raw.decode("utf-8", "replace"))

    @staticmethod
    async def _chunks(reader: asyncio.StreamReader) -> bytes:
        parts: list[bytes] = []
        while True:
            size = int((await reader.readline()).split(b";")[0], 16)
            if size == 0:
                await reader.readline()
                return b"".join(parts)
            parts.append(await reader.readexactly(size))
            await reader.readline()

    def _take_cookie(self, value: str) -> None:
        match = SESSION_RE.match(value)
        if match:
            deleted = not match.group(1) or "max-age=0" in match.group(2).lower()
            self.cookie = None if deleted else match.group(1)


class _ClosedUnanswered(ConnectionResetError):
    """The connection closed before any byte of an answer came back."""


@dataclass
class Figures:
    """Every request's time by page type, and every error with the page it happened on."""

    seconds: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    errors: list[tuple[str, str]] = field(default_factory=list)
    finished: int = 0  # result pages that showed the person's score, counted
    finished_in_room: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    # People whose counting answer left but whose result never came back, in the site (GLOBAL)
    # and by room code: each may or may not have been counted.
    unanswered_final: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    started: int = 0
    retried: int = 0  # requests sent again because the server had closed a kept-alive connection
    late: float = 0.0  # how far behind its schedule the latest arrival was started
    last_done: float = 0.0  # seconds from the start until the last person's result

    @property
    def requests(self) -> int:
        return sum(len(v) for v in self.seconds.values()) + len(self.errors)


@dataclass
class Room:
    code: str
    presenter_path: str  # /rooms/<code>/present/<secret>


@dataclass
class Event:
    host: str
    port: int
    bank: Bank
    people: int
    seconds: float
    rooms: Sequence[Room] = ()
    room_share: float = 0.25
    seed: int = 14
    figures: Figures = field(default_factory=Figures)

    async def _page(
        self,
        browser: Browser,
        kind: str,
        method: str,
        path: str,
        expect: int | tuple[int, ...],
        *,
        form: dict[str, str] | None = None,
        headers: Sequence[str] = (),
    ) -> Reply:
        """One request, timed under `kind` (with the status added when several are expected)."""
        started = time.perf_counter()
        try:
            reply = await asyncio.wait_for(browser.call(method, path, form=form, headers=headers), TIMEOUT)
        except TimeoutError:
            browser.close()
            raise Refused(f"{kind}: no answer within {TIMEOUT:g} s") from None
        except (OSError, ValueError, IndexError, asyncio.IncompleteReadError) as error:
            browser.close()
            raise Refused(f"{kind}: {type(error).__name__}: {error}") from None
        if isinstance(expect, tuple):
            kind, expect = (f"{kind} {reply.status}", reply.status) if reply.status in expect else (kind, expect[0])
        self.figures.seconds[kind].append(time.perf_counter() - started)
        if reply.status != expect:
            raise Refused(f"{kind}: {method} {path} answered {reply.status}, not {expect}")
        return reply

    async def _form(self, browser: Browser, kind: str, path: str, fields: dict[str, str], then: str, *,
                    final: bool = False) -> Reply:  # fmt: skip
        """GET a page with a form, then POST it as a browser would; the POST must redirect to `then`.
        Gives the page."""
        page = await self._page(browser, kind, "GET", path, 200)
        token = CSRF_RE.search(page.body)
        if token is None:
            raise Refused(f"{kind}: {path} has no CSRF token")
        browser.sent_final = final
        sent = await self._page(
            browser, f"{kind} POST", "POST", path, 303, form={"csrf_token": token.group(1), **fields}
        )
        if not sent.headers.get("location", "").endswith(then):
            raise Refused(f"{kind} POST: {path} sent to {sent.headers.get('location')}, not {then}")
        return page

    async def _static(self, browser: Browser, page: Reply) -> None:
        """A page's stylesheet, icon and scripts (and the scripts' imports), as a browser loads
        them: nothing while its cache may keep a file (Cache-Control max-age), else asked again
        with the ETag it kept (304), or whole the first time."""
        wanted = [a or b for a, b in LOADS_RE.findall(page.body)]
        while wanted:
            path = wanted.pop(0)
            etag, kept_until, imports = browser.files.get(path, (None, 0.0, ()))
            if time.monotonic() >= kept_until:
                headers = [f"If-None-Match: {etag}"] if etag else []
                expect = (304, 200) if etag else (200,)
                reply = await self._page(browser, "static", "GET", path, expect, headers=headers)
                if reply.status == 200:
                    etag, here = reply.headers.get("etag"), posixpath.dirname(path)
                    imports = tuple(posixpath.normpath(posixpath.join(here, i)) for i in IMPORT_RE.findall(reply.body))
                max_age = MAX_AGE_RE.search(reply.headers.get("cache-control", ""))
                kept_until = time.monotonic() + int(max_age.group(1)) if max_age else 0.0
                browser.files[path] = (etag, kept_until, imports)
            wanted += imports

    async def person(self, n: int) -> None:
        """Landing, (a room's code), the questionnaire, its one POST (which counts the quiz), the
        result: the requests a browser with JavaScript sends, each page with its static files.
        The answers are chosen in the page, so no request goes to the server between them."""
        rng = random.Random(self.seed * 1_000_003 + n)  # noqa: S311  (a simulation, not a secret)
        answers = {q.id: rng.choice(q.options).id for q in self.bank.questions}
        chilling = rng.choice(CHILLING_IDS)
        language = rng.choices([lang for lang, _ in LANGUAGES], [w for _, w in LANGUAGES])[0]
        room = self.rooms[n % len(self.rooms)] if self.rooms and rng.random() < self.room_share else None
        address = f"10.{n >> 16 & 255}.{n >> 8 & 255}.{n & 255}"
        browser = Browser(
            self.host,
            self.port,
            (
                f"X-Forwarded-For: {address}",
                "Accept-Encoding: gzip, deflate, br",
                f"Accept-Language: {language}",
                "User-Agent: bench",
            ),
        )
        kind = "landing"
        try:
            await self._static(browser, await self._page(browser, "landing", "GET", "/", 200))
            if room is not None:
                kind = "join"
                await self._page(browser, "room code", "GET", f"/rooms/join?code={room.code}", 303)
                await self._static(browser, await self._form(browser, "join", f"/r/{room.code}", {}, "/quiz/"))
            kind = "questionnaire"
            page = await self._page(browser, "questionnaire", "GET", "/quiz/", 200)
            await self._static(browser, page)
            token = CSRF_RE.search(page.body)
            if token is None:
                raise Refused("questionnaire: no CSRF token")
            offered: dict[str, dict[str, str]] = defaultdict(dict)  # field -> option id -> value as sent
            for name, value in FIELD_RE.findall(page.body):
                offered[name][value.rstrip(PAD)] = value
            chosen = {**answers, CLOSING: chilling}
            form = {"csrf_token": token.group(1), **{name: offered[name][chosen[name]] for name in offered}}
            browser.sent_final = True
            sent = await self._page(browser, "questionnaire POST", "POST", "/quiz/", 303, form=form)
            if not sent.headers.get("location", "").endswith("/quiz/result"):
                raise Refused(f"questionnaire POST: sent to {sent.headers.get('location')}")
            kind = "result"
            result = await self._page(browser, "result", "GET", "/quiz/result", 200)
            await self._static(browser, result)
            if f'data-score="{score_answers(self.bank, answers).score}"' not in result.body:
                raise Refused("result: the page shows another score")
            if NOT_COUNTED in result.body:
                raise Refused("result: the page says the quiz was not counted")
            if room is not None and ROOM_FULL in result.body:
                raise Refused("result: the page says the room was full")
        except Refused as error:
            self.figures.errors.append((kind, str(error)))
            if browser.sent_final:  # counted or not: the answer never came back to say
                self.figures.unanswered_final[GLOBAL] += 1
                if room is not None:
                    self.figures.unanswered_final[room.code] += 1
            return
        finally:
            browser.close()
            self.figures.retried += browser.retried
        self.figures.finished += 1
        if room is not None:
            self.figures.finished_in_room[room.code] += 1

    async def projector(self, room: Room, stop: asyncio.Event) -> None:
        """What static/js/projector.js does: load the slide once, then poll its URL with the ETag
        every few seconds; a 200 carries the slide drawn again, swapped in without a reload. The
        wall shows the room's scores, revealed: its figures are drawn again at every change."""
        browser = Browser(self.host, self.port, ("Accept-Encoding: gzip, deflate, br", "User-Agent: bench"))
        try:
            page = await self._page(browser, "projector", "GET", room.presenter_path + "/slide/1?shown=1", 200)
            found, url = ETAG_RE.search(page.body), POLL_URL_RE.search(page.body)
            every = POLL_SECONDS_RE.search(page.body)
            if found is None or url is None or every is None:
                raise Refused("projector: the page has no data-etag, data-poll-url or data-poll-seconds")
            etag, path = f'"{found.group(1)}"', html.unescape(url.group(1))
            seconds = max(2, int(every.group(1)))  # as static/js/projector.js reads it
            while not stop.is_set():
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(stop.wait(), seconds)
                reply = await self._page(browser, "poll", "GET", path, (304, 200), headers=[f"If-None-Match: {etag}"])
                etag = reply.headers.get("etag", etag)
        except Refused as error:
            self.figures.errors.append(("projector", str(error)))
        finally:
            browser.close()

    async def run(self) -> Figures:
        """Start each person at their moment (uniform over the event: a Poisson arrival process
        with exactly `people` arrivals), wait for everyone's result, then stop the projectors."""
        rng = random.Random(self.seed)  # noqa: S311
        moments = sorted(rng.uniform(0, self.seconds) for _ in range(self.people))
        stop = asyncio.Event()
        projectors = [asyncio.create_task(self.projector(room, stop)) for room in self.rooms]
        loop = asyncio.get_running_loop()
        begin = loop.time()
        progress = asyncio.create_task(self._progress(begin, stop))
        people = []
        for n, moment in enumerate(moments):
            delay = begin + moment - loop.time()
            if delay > 0:
                await asyncio.sleep(delay)
            else:
                self.figures.late = max(self.figures.late, -delay)
            people.append(asyncio.create_task(self.person(n)))
            self.figures.started += 1
        await asyncio.gather(*people)
        self.figures.last_done = loop.time() - begin
        stop.set()
        await asyncio.gather(*projectors, progress)
        return self.figures

    async def _progress(self, begin: float, stop: asyncio.Event) -> None:
        """A line on stderr every half minute, so a long run shows it is alive."""
        f = self.figures
        while not stop.is_set():
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), PROGRESS_SECONDS)
            if not stop.is_set():
                elapsed = asyncio.get_running_loop().time() - begin
                print(f"  {elapsed:5.0f} s: {f.started:,} started, {f.finished:,} saw their result, "
                      f"{len(f.errors)} errors", file=sys.stderr, flush=True)  # fmt: skip
