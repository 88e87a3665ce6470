"""The operator's checks: build the image with podman and use it as an operator would.

    scripts/container-check.sh [single|compose|all]   (the wrapper installs podman first)

Part "single": one container with a volume and a secret, read-only root: ready in time, the
HEALTHCHECK passes, uid and gid 10001 without capabilities, a whole quiz and a room with its
projector poll, one log line per request, SIGTERM with a request in flight, and the one-line
errors for a missing secret and an unwritable /data.

Part "compose": docker-compose.yml under podman-compose: PostgreSQL, Redis, two replicas and
nginx; quizzes through the proxy reach both replicas, the counters in PostgreSQL are exact,
one address's rooms spread over both replicas are limited at the README's number (shared in
Redis), Redis stopped costs no page, probes are hidden at the proxy, the fixed proxy address
lies outside the range handed out, and a compose stop lets a request in flight finish.

Podman keeps everything (configuration, layers, the stand-in base image made by debootstrap)
in CONTAINER_CHECK_CACHE (default /var/cache/score-container-check), so a second run reuses
it and nothing else on the machine is touched. Containers, volumes, networks and secrets are
removed at the end. Traffic goes only to loopback and the containers' private network.
"""

# This script's work is running podman and talking HTTP to the loopback ports it publishes.
# ruff: noqa: S603, S607, S310

from __future__ import annotations

import argparse
import fcntl
import hashlib
import http.cookiejar
import json
import os
import re
import resource
import secrets
import shutil
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import closing, contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
BASE_IMAGE = "localhost/python-standin:3.11"
APP_IMAGE = "localhost/score:check"
PREFIX = "scorecheck"  # every container, volume, secret and compose project the checks make
PROJECT = PREFIX  # the compose project: containers scorecheck_app1_1 ..., network scorecheck_backend
# The longest a stop may take: gunicorn's graceful_timeout (20 s) and some margin. How long the
# engine actually waits comes from the README's `docker run` and compose's stop_grace_period.
STOP_TIMEOUT = 30
# A request still in flight this long after SIGTERM: longer than the engines' default 10 s
# before SIGKILL, shorter than gunicorn's 20 s graceful timeout.
IN_FLIGHT_SECONDS = 12
READY_WITHIN = 30  # seconds from `run` to /readyz 200 (5-10 on a busy 2-core machine)
FAIL_WITHIN = 20  # seconds a refused start may take to say why and exit
# What an operator sets besides the secret: the host names visitors use, where the app asks
# for them (the checks come as 127.0.0.1, which it always answers).
OPERATOR_ENV = ["--env", "TRUSTED_HOSTS=localhost"]
CSRF_RE = re.compile(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"')
ANSWER_RE = re.compile(r'<input type="radio" name="([^"]+)" value="([^"]+)"')

# The stand-in for python:3.11-slim-bookworm (which cannot be pulled here): Debian's Python 3.11
# where the official image has its own. Changing this list or the mirror makes a new one.
STANDIN_PACKAGES = "python3.11,python3-venv,ca-certificates,netbase,tzdata"
STANDIN_RECIPE = 1  # bump when the steps below change
HOST_CA_BUNDLE = Path("/etc/ssl/certs/ca-certificates.crt")


class CheckFailed(Exception):
    """A check's finding, one line for the operator."""


def expect(condition: object, message: str) -> None:
    if not condition:
        raise CheckFailed(message)


# --- podman in a folder of its own -------------------------------------------------------


def cache_dir() -> Path:
    configured = os.environ.get("CONTAINER_CHECK_CACHE")
    if configured:
        return Path(configured)
    if os.geteuid() == 0:
        return Path("/var/cache/score-container-check")
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "score-container-check"


def hard_limit(resource_id: int, cap: int) -> int:
    limit = resource.getrlimit(resource_id)[1]
    return cap if limit == resource.RLIM_INFINITY else min(limit, cap)


class Podman:
    """podman with its own storage.conf, containers.conf and registries.conf in `cache`."""

    def __init__(self, cache: Path) -> None:
        self.cache = cache
        self.run_dir = cache / "run"
        self.log_dir = cache / "logs"
        self.env = {
            **os.environ,
            "CONTAINERS_CONF": str(cache / "containers.conf"),
            "CONTAINERS_STORAGE_CONF": str(cache / "storage.conf"),
            "CONTAINERS_REGISTRIES_CONF": str(cache / "registries.conf"),
        }

    def configure(self) -> None:
        for folder in (self.cache, self.log_dir, self.cache / "networks"):
            folder.mkdir(parents=True, exist_ok=True)
        # Run state (mounts, container states) must not outlive a reboot: start afresh after one.
        boot_id = Path("/proc/sys/kernel/random/boot_id").read_text().strip()
        marker = self.run_dir / "boot_id"
        if not marker.exists() or marker.read_text().strip() != boot_id:
            shutil.rmtree(self.run_dir, ignore_errors=True)
            self.run_dir.mkdir(parents=True)
            marker.write_text(boot_id)
        pid_max = int(Path("/proc/sys/kernel/pid_max").read_text())
        # podman's default ulimits are above this machine's hard limits, which it cannot raise.
        nofile, nproc = hard_limit(resource.RLIMIT_NOFILE, 1 << 20), hard_limit(resource.RLIMIT_NPROC, pid_max)
        ulimits = f'"nofile={nofile}:{nofile}", "nproc={nproc}:{nproc}"'
        (self.cache / "storage.conf").write_text(
            f'[storage]\ndriver = "overlay"\ngraphroot = "{self.cache}/storage"\nrunroot = "{self.run_dir}/storage"\n'
        )
        (self.cache / "containers.conf").write_text(
            "[containers]\n"
            f"default_ulimits = [{ulimits}]\n"
            'log_driver = "k8s-file"\n'  # no journald without systemd
            "[engine]\n"
            'runtime = "runc"\n'  # crun refuses this machine's hybrid cgroup layout
            'cgroup_manager = "cgroupfs"\n'
            'events_logger = "file"\n'
            f'tmp_dir = "{self.run_dir}/libpod"\n'
            "[network]\n"
            'network_backend = "netavark"\n'
            f'network_config_dir = "{self.cache}/networks"\n'
        )
        (self.cache / "registries.conf").write_text(
            # Nothing is pulled: every image is built here. Short names resolve as Docker's do.
            'unqualified-search-registries = ["docker.io"]\nshort-name-mode = "permissive"\n'
        )
        # pip inside the build trusts the host's CA bundle; both are mounted for the build only.
        (self.cache / "pip.conf").write_text(f"[global]\ncert = {HOST_CA_BUNDLE}\n")

    def __call__(
        self, *args: str, check: bool = True, timeout: float = 120, stdin: str | None = None
    ) -> subprocess.CompletedProcess[str]:
        try:
            done = subprocess.run(
                ["podman", *args], env=self.env, capture_output=True, text=True, timeout=timeout, input=stdin
            )
        except subprocess.TimeoutExpired:
            raise CheckFailed(f"podman {' '.join(args[:3])} ... took over {timeout:.0f} s") from None
        if check and done.returncode != 0:
            raise CheckFailed(f"podman {' '.join(args[:3])} ... exit {done.returncode}: {tail(done.stderr)}")
        return done

    def build_args(self) -> list[str]:
        """What every build here needs: Docker's format (the OCI one drops HEALTHCHECK), no pulls,
        the stand-in base, and the host's CA bundle and pip.conf mounted for this build only."""
        return [
            "--format",
            "docker",
            "--pull=never",
            "--build-arg",
            f"PYTHON_IMAGE={BASE_IMAGE}",
            "-v",
            f"{HOST_CA_BUNDLE}:{HOST_CA_BUNDLE}:ro",
            "-v",
            f"{self.cache / 'pip.conf'}:/etc/pip.conf:ro",
        ]

    def inspect(self, name: str, template: str) -> str:
        return self("inspect", "--format", template, name).stdout.strip()

    def logs(self, name: str) -> list[str]:
        done = self("logs", name)
        return [line for line in (done.stdout + done.stderr).splitlines() if line.strip()]

    def remove_leftovers(self) -> None:
        """Whatever an interrupted run left: this storage holds only the checks' own things."""
        self("pod", "rm", "--all", "--force", check=False)
        self("rm", "--all", "--force", "--time", "0", "--volumes", check=False, timeout=180)
        for network in self("network", "ls", "--format", "{{.Name}}", check=False).stdout.split():
            if network != "podman":
                self("network", "rm", "--force", network, check=False)
        self("volume", "prune", "--force", check=False)
        for secret in self("secret", "ls", "--format", "{{.Name}}", check=False).stdout.split():
            self("secret", "rm", secret, check=False)
        # Untagged images are the build's layer cache: only those made over a week ago go.
        self("image", "prune", "--force", "--filter", "until=168h", check=False, timeout=180)


def tail(text: str, lines: int = 3) -> str:
    kept = [line for line in text.strip().splitlines() if "systemd" not in line]  # podman's harmless noise
    return " | ".join(kept[-lines:]) or "(no output)"


@contextmanager
def exclusive(cache: Path) -> Iterator[None]:
    """One check at a time on this machine: they share the storage and the compose subnet."""
    cache.mkdir(parents=True, exist_ok=True)
    with (cache / "lock").open("w") as lock:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            print("container-check: waiting for another run on this machine to finish", flush=True)
            fcntl.flock(lock, fcntl.LOCK_EX)
        yield


# --- the stand-in base image --------------------------------------------------------------


def debian_mirror() -> str:
    if os.environ.get("DEBIAN_MIRROR"):
        return os.environ["DEBIAN_MIRROR"]
    sources = Path("/etc/apt/sources.list.d/debian.sources")
    if sources.exists():
        for line in sources.read_text().splitlines():
            if line.startswith("URIs:"):
                return line.split()[1]
    return "http://deb.debian.org/debian"


def ensure_base_image(podman: Podman) -> str:
    """localhost/python-standin:3.11 from Debian's packages; the rootfs tarball is kept."""
    mirror = debian_mirror()
    key = hashlib.sha256(f"{STANDIN_RECIPE} bookworm {STANDIN_PACKAGES} {mirror}".encode()).hexdigest()[:12]
    keyed = f"{BASE_IMAGE}-{key}"
    if podman("image", "exists", keyed, check=False).returncode == 0:
        podman("tag", keyed, BASE_IMAGE)
        return "cached image"
    tarball = podman.cache / "base" / f"python-standin-{key}.tar"
    made = "cached tarball"
    if not tarball.exists():
        made = "debootstrap"
        tarball.parent.mkdir(exist_ok=True)
        rootfs = Path(tempfile.mkdtemp(prefix="rootfs-", dir=tarball.parent))
        try:
            with (podman.log_dir / "debootstrap.log").open("w") as log:
                done = subprocess.run(
                    [
                        "debootstrap",
                        "--variant=minbase",
                        f"--include={STANDIN_PACKAGES}",
                        "bookworm",
                        str(rootfs),
                        mirror,
                    ],
                    stdout=log,
                    stderr=subprocess.STDOUT,
                    timeout=900,
                )
            expect(done.returncode == 0, f"debootstrap failed, see {podman.log_dir / 'debootstrap.log'}")
            for name in ("python", "python3"):
                (rootfs / "usr/local/bin" / name).symlink_to("/usr/bin/python3.11")
            shutil.rmtree(rootfs / "var/cache/apt/archives", ignore_errors=True)
            (rootfs / "var/cache/apt/archives/partial").mkdir(parents=True)
            partial = tarball.with_suffix(".partial")
            subprocess.run(["tar", "--numeric-owner", "-C", str(rootfs), "-cf", str(partial), "."], check=True)
            partial.rename(tarball)
        finally:
            shutil.rmtree(rootfs, ignore_errors=True)
    podman(
        "import",
        "--change",
        "ENV PATH=/usr/local/bin:/usr/local/sbin:/usr/sbin:/usr/bin:/sbin:/bin",
        "--change",
        "ENV LANG=C.UTF-8",
        "--change",
        'CMD ["python3"]',
        str(tarball),
        keyed,
        timeout=300,
    )
    podman("tag", keyed, BASE_IMAGE)
    return made


def build_app_image(podman: Podman, tag: str = APP_IMAGE) -> None:
    done = subprocess.run(
        ["podman", "build", *podman.build_args(), "-t", tag, str(ROOT)],
        env=podman.env,
        capture_output=True,
        text=True,
        timeout=900,
    )
    (podman.log_dir / "build.log").write_text(done.stdout + done.stderr)
    expect(done.returncode == 0, f"podman build failed: {tail(done.stderr)} (see {podman.log_dir / 'build.log'})")


# --- a visitor over HTTP ------------------------------------------------------------------


@dataclass
class Response:
    status: int
    headers: dict[str, str]
    text: str

    @property
    def location(self) -> str:
        return urllib.parse.urlsplit(self.headers.get("location", "")).path


class _Passthrough(urllib.request.HTTPErrorProcessor):
    """Every status is an answer to look at: no redirect is followed, no error raised."""

    def http_response(self, request, response):  # type: ignore[no-untyped-def]
        return response


@dataclass
class Visitor:
    """One person's browser with its own cookies. Each answer's X-Request-ID (the app's id for
    the request, which it logs) goes into `ids`; None for answers not from the app (nginx's)."""

    base: str
    ids: list[str] | None
    jar: http.cookiejar.CookieJar = field(default_factory=http.cookiejar.CookieJar)

    def __post_init__(self) -> None:
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar), _Passthrough())

    def request(self, method: str, path: str, form: dict[str, str] | None = None, **headers: str) -> Response:
        data = urllib.parse.urlencode(form).encode() if form is not None else None
        request = urllib.request.Request(self.base + path, data=data, method=method)
        # Kept by the app only from a trusted proxy; otherwise it makes its own and says which.
        request.add_header("X-Request-ID", f"check-{secrets.token_hex(8)}")
        for name, value in headers.items():
            request.add_header(name.replace("_", "-"), value)
        with self.opener.open(request, timeout=15) as response:
            answer = Response(
                response.status, {k.lower(): v for k, v in response.headers.items()}, response.read().decode()
            )
        if self.ids is not None:
            expect(answer.headers.get("x-request-id"), f"{method} {path}: no X-Request-ID in the answer")
            self.ids.append(answer.headers["x-request-id"])
        return answer

    def get(self, path: str, **headers: str) -> Response:
        return self.request("GET", path, **headers)

    def post(self, path: str, form: dict[str, str]) -> Response:
        return self.request("POST", path, form)

    def cookie_header(self) -> str:
        return "; ".join(f"{c.name}={c.value}" for c in self.jar)


def search(pattern: re.Pattern[str] | str, text: str, missing: str) -> re.Match[str]:
    found = re.search(pattern, text)
    if found is None:
        raise CheckFailed(missing)
    return found


def token(page: Response) -> str:
    return search(CSRF_RE, page.text, f"no CSRF token in a {page.status} page").group(1)


def take_quiz(visitor: Visitor, pick: Callable[[int, list[str]], str]) -> dict[str, str]:
    """The questionnaire, every question then the closing one, sent by the page's own form;
    returns field -> answer."""
    page = visitor.get("/quiz/")
    expect(page.status == 200, f"GET /quiz/: {page.status}")
    offered: dict[str, list[str]] = {}
    for name, value in ANSWER_RE.findall(page.text):
        offered.setdefault(name, []).append(value)
    expect(len(offered) > 1, "GET /quiz/: no questions to answer")
    answers = {name: pick(step, options) for step, (name, options) in enumerate(offered.items(), 1)}
    answered = visitor.post("/quiz/", {"csrf_token": token(page), **answers})
    expect(answered.status == 303, f"POST /quiz/: {answered.status}")
    expect(answered.location == "/quiz/result", f"the questionnaire led to {answered.location}")
    result = visitor.get("/quiz/result")
    expect(result.status == 200 and re.search(r'data-score="\d{3}"', result.text), "no score on the result")
    return answers


def wait_ready(url: str, seconds: float, alive: Callable[[], bool] = lambda: True) -> float:
    start = time.monotonic()
    while time.monotonic() - start < seconds:
        expect(alive(), "the container exited before it was ready")
        try:
            with urllib.request.urlopen(url, timeout=3) as response:
                if response.status == 200:
                    return time.monotonic() - start
        except OSError:
            pass
        time.sleep(0.25)
    raise CheckFailed(f"{url} not ready within {seconds:.0f} s")


def readme_stop_timeout() -> str | None:
    """The README's `docker run --stop-timeout`, which the single container is started with."""
    readme = (ROOT / "README.md").read_text()
    run = search(r"docker run (?:[^\n]*\\\n)*[^\n]*", readme, "the README has no `docker run` command").group(0)
    found = re.search(r"--stop-timeout[ =](\d+)", run)
    return found.group(1) if found else None


def documented_default(setting: str) -> str:
    """A setting's default as the README's configuration table gives it."""
    readme = (ROOT / "README.md").read_text()
    return search(rf"(?m)^\| `{setting}` \| `([^`]+)` \|", readme, f"the README's table has no {setting}").group(1)


PER_WORKER = "rate limits are per worker"


def per_worker_notices(lines: list[str]) -> list[str]:
    """The start's line saying that each worker counts the limits on its own."""
    return [line for line in lines if PER_WORKER in line]


def lines_per_request(lines: list[str]) -> tuple[dict[str, int], int]:
    """How many log lines name each request id (in a field or in the message), and how many
    lines gunicorn's own access log wrote. Every line must be JSON, but for the start's own
    plain one-liners ("score: ..."), such as a database still starting."""
    counts: dict[str, int] = {}
    access = 0
    for line in lines:
        if line.startswith("score: "):
            continue
        try:
            entry = json.loads(line)
        except ValueError:
            raise CheckFailed(f"not JSON: {line[:120]}") from None
        access += entry.get("logger") == "gunicorn.access"
        for request_id in {
            entry.get("request_id"),
            *re.findall(r"id=([A-Za-z0-9._-]{8,64})", entry.get("message", "")),
        }:
            if request_id:
                counts[request_id] = counts.get(request_id, 0) + 1
    return counts, access


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# A request held in flight: the client gets a session and a CSRF token, sends the headers and
# part of the body of an answer, prints "in-flight", and once told (a line on stdin: gunicorn
# has its SIGTERM) waits `pause` seconds, sends the rest and prints the status line. Run on
# the host against the published port, or inside a compose replica.
SLOW_CLIENT = r"""
import http.cookiejar, re, socket, sys, time, urllib.parse, urllib.request
host, port, pause = sys.argv[1], int(sys.argv[2]), float(sys.argv[3])
jar = http.cookiejar.CookieJar()
opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
page = opener.open(f"http://{host}:{port}/quiz/", timeout=10).read().decode()
token = re.search(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"', page).group(1)
# "Forget my answers": a form that answers 303 without the database, as the old per-question
# answer did, so the check is about gunicorn's graceful stop, not the database's.
body = urllib.parse.urlencode({"csrf_token": token}).encode()
cookie = "; ".join(f"{c.name}={c.value}" for c in jar)
head = (f"POST /forget HTTP/1.1\r\nHost: {host}:{port}\r\nCookie: {cookie}\r\nConnection: close\r\n"
        "Content-Type: application/x-www-form-urlencoded\r\nX-Request-ID: check-in-flight\r\n"
        f"Content-Length: {len(body)}\r\n\r\n").encode()
s = socket.create_connection((host, port), timeout=pause + 30)
s.sendall(head + body[:10])
print("in-flight", flush=True)
sys.stdin.readline()
time.sleep(pause)
try:
    s.sendall(body[10:])
    print(s.recv(200).decode(errors="replace").split("\r\n")[0] or "closed without an answer", flush=True)
except OSError as error:
    print(f"cut: {error}", flush=True)
"""


def hold_request_during(
    podman: Podman, container: str, client: list[str], stop: list[str], env: dict[str, str]
) -> tuple[str, float]:
    """Start the slow client, stop the container once its request is in flight, and let the
    request go on IN_FLIGHT_SECONDS after gunicorn logs its SIGTERM. Returns the client's
    status line and how long the stop took from that SIGTERM."""
    with subprocess.Popen(
        client, env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    ) as slow:
        assert slow.stdin and slow.stdout  # noqa: S101  (pipes asked for above)
        first = slow.stdout.readline().strip()
        expect(first == "in-flight", f"the slow request never started: {first or tail(slow.communicate()[1])}")
        stopping = subprocess.Popen(stop, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        try:
            deadline = time.monotonic() + 20
            while not any("Handling signal: term" in line for line in podman.logs(container)):
                expect(time.monotonic() < deadline, "gunicorn never logged a SIGTERM")
                time.sleep(0.1)
            termed = time.monotonic()
            slow.stdin.write("go\n")
            slow.stdin.flush()
            answer = slow.stdout.readline().strip() or "cut: no answer"
            stopping.wait(timeout=STOP_TIMEOUT + 30)
        finally:
            for process in (stopping, slow):
                if process.poll() is None:
                    process.kill()
        took = time.monotonic() - termed
    return answer, took


# What the container's own process is, run inside it with its Python.
IDENTITY_PROBE = r"""
import grp, json, os, pwd, re
status = open("/proc/1/status").read()
def field(name):
    return re.search(rf"^{name}:\s*(.*)$", status, re.M).group(1).split()
def owner(path):
    info = os.stat(path)
    return [info.st_uid, info.st_gid]
print(json.dumps({
    "uid": field("Uid"), "gid": field("Gid"), "cap_eff": field("CapEff")[0], "cap_prm": field("CapPrm")[0],
    "user": pwd.getpwuid(10001).pw_name, "group": grp.getgrgid(10001).gr_name,
    "data": owner("/data"), "files": [owner(os.path.join("/data", f)) for f in os.listdir("/data")],
}))
"""

# Which paths the container's user can write.
WRITE_PROBE = r"""
import json, os
verdicts = {}
for path in ("/app/probe", "/probe", "/tmp/probe", "/opt/venv/probe", "/data/probe"):
    try:
        open(path, "w").close()
        os.remove(path)
        verdicts[path] = "written"
    except OSError as error:
        verdicts[path] = error.strerror
print(json.dumps(verdicts))
"""


# Every counter, in order: what a copy of the database must hold as the live one does.
COUNTS_SQL = "SELECT scope, metric, value, count FROM counter ORDER BY scope, metric, value"
COUNTS_PROBE = f"""
import json, sqlite3
print(json.dumps(sqlite3.connect("DATABASE").execute("{COUNTS_SQL}").fetchall()))
"""
# The backup file as the container's user left it.
COPY_PROBE = r"""
import json, os
info = os.stat("DATABASE")
beside = [f for f in os.listdir("/data") if f.startswith("check-backup") and f != "check-backup.sqlite3"]
print(json.dumps({"mode": oct(info.st_mode & 0o777), "owner": [info.st_uid, info.st_gid], "beside": beside}))
"""


# --- the checks ----------------------------------------------------------------------------


@dataclass
class Report:
    results: list[tuple[str, bool, str, float]] = field(default_factory=list)

    def run(self, name: str, check: Callable[[], str | None], *, fatal: bool = False) -> bool:
        start = time.monotonic()
        try:
            note = check() or ""
            ok = True
        except CheckFailed as finding:
            note, ok = str(finding), False
        except Exception as error:  # a broken check must say so, not stop the others
            note, ok = f"{type(error).__name__}: {error}", False
        took = time.monotonic() - start
        self.results.append((name, ok, note, took))
        line = f"{'ok  ' if ok else 'FAIL'} {name} ({took:.1f} s)" + (f": {note}" if note else "")
        print(line, flush=True)
        if fatal and not ok:
            raise CheckFailed(f"cannot go on after: {name}")
        return ok

    def failed(self) -> int:
        return sum(not ok for _, ok, _, _ in self.results)


@dataclass
class Single:
    podman: Podman
    report: Report
    name: str = f"{PREFIX}-app"
    port: int = 0
    ids: list[str] = field(default_factory=list)
    secret: str = ""
    stop_timeout: str | None = field(default_factory=readme_stop_timeout)
    backups: Path | None = None  # the host folder a backup was copied to
    backed_up: str = ""  # its counters

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def run_all(self) -> None:
        r = self.report
        r.run("image: HEALTHCHECK kept, user 10001:10001, exec entrypoint", self.image_metadata)
        r.run(
            f"start with a volume and a secret, read-only root: ready within {READY_WITHIN} s", self.start, fatal=True
        )
        r.run("the image's HEALTHCHECK passes", self.healthcheck)
        r.run("uid and gid 10001 (named), no capabilities, /data owned 10001:10001", self.identity)
        r.run("read-only root: only /data is writable", self.read_only)
        r.run("a whole quiz through the container (English and Chinese pages)", self.quiz)
        r.run("a room: 5 people finish, the projector poll answers 200 then 304", self.room)
        r.run("flask --app wsgi backup while serving: one file, 0600, the live counts", self.backup)
        r.run("exactly one log line per request, every line JSON, no secret", self.one_line_per_request)
        r.run("memory:// limits with 2 workers: one log line says what they add up to", self.per_worker_notice)
        r.run(f"SIGTERM with a request in flight: answered, exit 0 within {STOP_TIMEOUT} s", self.stop_in_flight)
        r.run("the backup restored into the stopped container's volume, then started: its counters", self.restore)
        r.run("no SECRET_KEY: one line, exit 2", self.missing_secret)
        r.run("unwritable /data: one line at once, exit 2", self.unwritable_data)

    def image_metadata(self) -> str:
        image = json.loads(self.podman("image", "inspect", APP_IMAGE).stdout)[0]
        config, health = image["Config"], image.get("Healthcheck") or {}
        expect("/app/docker/healthcheck.py" in " ".join(health.get("Test") or []), f"no HEALTHCHECK: {health}")
        expect(config.get("User") == "10001:10001", f"USER is {config.get('User')!r}")
        expect(config.get("Entrypoint") == ["/app/docker/entrypoint.sh"], f"ENTRYPOINT {config.get('Entrypoint')}")
        expect("SECRET_KEY" not in " ".join(config.get("Env") or []), "the image carries a SECRET_KEY")
        return f"healthcheck every {health.get('Interval', 0) // 10**9} s"

    def start(self) -> str:
        self.port = free_port()
        secret = secrets.token_hex(32)
        self.podman("secret", "create", f"{PREFIX}-secret-key", "-", stdin=secret)
        self.podman("volume", "create", f"{PREFIX}-data")
        started = time.monotonic()
        self.podman(
            "run", "--detach", "--name", self.name,
            "--publish", f"127.0.0.1:{self.port}:8000",
            "--volume", f"{PREFIX}-data:/data",
            "--secret", f"{PREFIX}-secret-key,type=env,target=SECRET_KEY",
            *OPERATOR_ENV,
            # Docker's --read-only: no tmpfs anywhere unless asked (podman adds /tmp by default).
            "--read-only", "--read-only-tmpfs=false",
            *(["--stop-timeout", self.stop_timeout] if self.stop_timeout else []),
            APP_IMAGE,
        )  # fmt: skip
        took = wait_ready(f"{self.base}/readyz", READY_WITHIN, self.running)
        total = time.monotonic() - started
        self.secret = secret
        return f"ready {took:.1f} s after run returned ({total:.1f} s in all), port {self.port}"

    def running(self) -> bool:
        return self.podman.inspect(self.name, "{{.State.Running}}") == "true"

    def healthcheck(self) -> str:
        done = self.podman("healthcheck", "run", self.name, check=False)
        expect(done.returncode == 0, f"healthcheck run: exit {done.returncode} {tail(done.stdout + done.stderr)}")
        state = json.loads(self.podman.inspect(self.name, "{{json .State}}"))
        status = (state.get("Health") or state.get("Healthcheck") or {}).get("Status")
        expect(status == "healthy", f"health status {status!r}")
        return "healthy"

    def exec_python(self, code: str) -> str:
        return self.podman("exec", self.name, "python", "-c", code).stdout.strip()

    def identity(self) -> str:
        facts = json.loads(self.exec_python(IDENTITY_PROBE))
        expect(set(facts["uid"]) == {"10001"}, f"PID 1 runs as uid {facts['uid']}")
        expect(set(facts["gid"]) == {"10001"}, f"PID 1 runs as gid {facts['gid']}")
        expect(facts["group"] == "score", f"gid 10001 is named {facts['group']!r}")
        expect(int(facts["cap_eff"], 16) == 0 and int(facts["cap_prm"], 16) == 0, f"capabilities {facts}")
        expect(facts["data"] == [10001, 10001], f"/data is owned {facts['data']}")
        expect(all(f == [10001, 10001] for f in facts["files"]), f"files in /data owned {facts['files']}")
        return f"{facts['user']}:{facts['group']}"

    def read_only(self) -> str:
        expect(self.podman.inspect(self.name, "{{.HostConfig.ReadonlyRootfs}}") == "true", "root is writable")
        verdicts = json.loads(self.exec_python(WRITE_PROBE))
        writable = sorted(path for path, verdict in verdicts.items() if verdict == "written")
        expect(writable == ["/data/probe"], f"writable: {verdicts}")
        return ", ".join(f"{p}: {v}" for p, v in verdicts.items() if p != "/data/probe")

    def quiz(self) -> str:
        visitor = Visitor(self.base, self.ids)
        answers = take_quiz(visitor, lambda _step, options: options[-1])
        chinese = visitor.get("/?lang=zh")
        expect("你的分数会是多少？" in chinese.text, "the Chinese landing page is not translated")
        server = chinese.headers.get("server", "")
        expect(not re.search(r"\d", server), f"the Server header names a version: {server}")
        files = self.exec_python("import os; print(' '.join(sorted(os.listdir('/data'))))")
        expect("score.sqlite3" in files.split(), f"/data holds {files!r}, no database")
        return f"{len(answers)} questions answered; /data: {files}"

    def room(self) -> str:
        host = Visitor(self.base, self.ids)
        form = host.get("/rooms/new")
        opened = host.post("/rooms/new", {"csrf_token": token(form), "title": "Container check", "language": ""})
        expect(opened.status == 200, f"POST /rooms/new: {opened.status}")
        link = search(r'href="([^"]+)" data-presenter-link', opened.text, "no presenter link on the room's page")
        presenter = urllib.parse.urlsplit(link.group(1)).path
        code = presenter.split("/")[2]
        for person in range(5):
            visitor = Visitor(self.base, self.ids)
            screen = visitor.get(f"/r/{code}")
            expect(screen.status == 200, f"GET /r/{code}: {screen.status}")
            joined = visitor.post(f"/r/{code}", {"csrf_token": token(screen)})
            expect(joined.status == 303, f"POST /r/{code}: {joined.status}")
            take_quiz(visitor, lambda step, options, p=person: options[(step + p) % len(options)])
        projector = host.get(presenter)
        expect(projector.status == 200, f"the projector page: {projector.status}")
        poll = host.get(presenter + "/poll")
        expect(poll.status == 200, f"the first poll: {poll.status}")
        figures = json.loads(poll.text)
        expect(figures["finished"] == 5 and figures["closed"] is False, f"the poll says {figures}")
        etag = poll.headers.get("etag", "")
        again = host.get(presenter + "/poll", If_None_Match=etag)
        expect(again.status == 304, f"an unchanged poll: {again.status}")
        return f"room {code}: {figures['status']}"

    def backup(self) -> str:
        """docs/backups.md's command, in the running container, then copied out as it says;
        a quiz finished afterwards is in the live database only."""
        copy = "/data/check-backup.sqlite3"
        made = self.podman("exec", self.name, "flask", "--app", "wsgi", "backup", copy).stdout.strip()
        expect(made.startswith(f"backed up /data/score.sqlite3 to {copy}: "), f"the command said {made!r}")
        live = self.exec_python(COUNTS_PROBE.replace("DATABASE", "/data/score.sqlite3"))
        facts = json.loads(self.exec_python(COPY_PROBE.replace("DATABASE", copy)))
        expect(facts["mode"] == "0o600" and facts["owner"] == [10001, 10001], f"the copy is {facts}")
        expect(not facts["beside"], f"files beside the copy: {facts['beside']}")
        self.backups = Path(tempfile.mkdtemp(prefix="backups-", dir=self.podman.run_dir))
        try:
            self.podman("cp", f"{self.name}:{copy}", str(self.backups / "copy.sqlite3"))
        finally:
            self.podman("exec", self.name, "rm", "-f", copy, check=False)
        with closing(sqlite3.connect(self.backups / "copy.sqlite3")) as db:
            checked = db.execute("PRAGMA integrity_check").fetchone()[0]
            self.backed_up = json.dumps(db.execute(COUNTS_SQL).fetchall())
        expect(checked == "ok", f"integrity_check: {checked}")
        expect(self.backed_up == live, "the copy's counters differ from the live database's")
        take_quiz(Visitor(self.base, self.ids), lambda _step, options: options[0])
        return made.split(": ", 1)[1]

    def restore(self) -> str:
        """docs/backups.md's restore into the stopped container's volume, then a start: the
        counters are the copy's again (the quiz finished after the backup is gone)."""
        expect(self.backups is not None and self.backed_up, "no backup was taken")
        expect(not self.running(), "the container is still running")
        assert self.backups is not None  # noqa: S101  (for the type checker, after expect)
        script = (
            "rm -f /data/score.sqlite3-wal /data/score.sqlite3-shm"
            " && cp /backups/copy.sqlite3 /data/score.sqlite3"
            " && chown 10001:10001 /data/score.sqlite3 && chmod 600 /data/score.sqlite3"
        )
        try:
            self.podman(
                "run", "--rm", "--user", "0", "--volume", f"{PREFIX}-data:/data",
                "--volume", f"{self.backups}:/backups:ro", "--entrypoint", "sh", APP_IMAGE, "-c", script,
            )  # fmt: skip
        finally:
            shutil.rmtree(self.backups, ignore_errors=True)
        self.podman("start", self.name)
        took = wait_ready(f"{self.base}/readyz", READY_WITHIN, self.running)
        now = self.exec_python(COUNTS_PROBE.replace("DATABASE", "/data/score.sqlite3"))
        expect(now == self.backed_up, "the counters after the restore are not the copy's")
        stats = Visitor(self.base, None).get("/stats")
        expect(stats.status == 200, f"/stats after the restore: {stats.status}")
        return f"ready {took:.1f} s after the start, the copy's counters served"

    def one_line_per_request(self) -> str:
        lines = self.podman.logs(self.name)
        expect(not any(self.secret in line for line in lines), "the SECRET_KEY appears in the log")
        by_id, access = lines_per_request(lines)
        wrong = {i: by_id.get(i, 0) for i in self.ids if by_id.get(i, 0) != 1}
        expect(not wrong and not access, f"{len(wrong)} of {len(self.ids)} requests not logged once, e.g. "
               f"{list(wrong.items())[:3]}; {access} gunicorn.access lines")  # fmt: skip
        return f"{len(self.ids)} requests, {len(self.ids)} lines"

    def per_worker_notice(self) -> str:
        notices = per_worker_notices(self.podman.logs(self.name))
        expect(len(notices) == 1, f"{len(notices)} lines say the limits are per worker")
        message = json.loads(notices[0])["message"]
        expect("with 2 workers, completions 1200 per 10 minutes" in message, f"the line says {message!r}")
        return message[:90] + "..."

    def stop_in_flight(self) -> str:
        client = [sys.executable, "-c", SLOW_CLIENT, "127.0.0.1", str(self.port), str(IN_FLIGHT_SECONDS)]
        # No -t: the container's own --stop-timeout, as the README's `docker run` sets it.
        answer, took = hold_request_during(
            self.podman, self.name, client, ["podman", "stop", self.name], self.podman.env
        )
        given = f"--stop-timeout {self.stop_timeout} (README)" if self.stop_timeout else "no --stop-timeout in README"
        code = self.podman.inspect(self.name, "{{.State.ExitCode}}")
        expect(answer.startswith("HTTP/1.1 303"), f"{given}: the request in flight got {answer!r}; exit code {code}")
        expect(code == "0", f"{given}: exit code {code} after {took:.1f} s")
        expect(took < STOP_TIMEOUT, f"stopping took {took:.1f} s")
        return f"{given}: answered {IN_FLIGHT_SECONDS} s after SIGTERM; stopped in {took:.1f} s, exit 0"

    def refused_start(self, name: str, *options: str) -> tuple[int, list[str], float]:
        started = time.monotonic()
        self.podman("run", "--name", name, *OPERATOR_ENV, *options, APP_IMAGE, check=False, timeout=FAIL_WITHIN + 10)
        took = time.monotonic() - started
        code = int(self.podman.inspect(name, "{{.State.ExitCode}}"))
        return code, self.podman.logs(name), took

    def missing_secret(self) -> str:
        name = f"{self.name}-no-secret"
        try:
            code, lines, took = self.refused_start(name, "--volume", f"{PREFIX}-nosecret:/data")
        finally:
            self.podman("rm", "--force", "--volumes", name, check=False)
            self.podman("volume", "rm", "--force", f"{PREFIX}-nosecret", check=False)
        expect(code == 2, f"exit code {code}: {lines}")
        expect(len(lines) == 1 and lines[0].startswith("score: cannot start: SECRET_KEY is not set"), f"{lines}")
        return f"{took:.1f} s: {lines[0][:70]}..."

    def unwritable_data(self) -> str:
        # The operator's common slip: a host folder of root's mounted as /data.
        folder = Path(tempfile.mkdtemp(prefix="root-owned-", dir=self.podman.run_dir))
        folder.chmod(0o755)
        name = f"{self.name}-unwritable"
        try:
            code, lines, took = self.refused_start(
                name, "--volume", f"{folder}:/data", "--env", f"SECRET_KEY={secrets.token_hex(32)}"
            )
        except CheckFailed as finding:
            raise CheckFailed(f"did not exit within {FAIL_WITHIN} s ({finding})") from None
        finally:
            self.podman("rm", "--force", "--time", "0", name, check=False)
            shutil.rmtree(folder, ignore_errors=True)
        expect(took < FAIL_WITHIN, f"took {took:.1f} s to refuse")
        expect(code == 2, f"exit code {code}: {lines[-2:]}")
        expect(len(lines) == 1 and "/data" in lines[0] and "writable" in lines[0], f"{lines[:3]}")
        return f"{took:.1f} s: {lines[0]}"


@dataclass
class Compose:
    podman: Podman
    report: Report
    port: int = 0
    ids: list[str] = field(default_factory=list)
    env: dict[str, str] = field(default_factory=dict)
    quizzes: int = 6
    questions: int = 0

    def __post_init__(self) -> None:
        self.file = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
        self.port = free_port()
        self.env = {
            **self.podman.env,
            "SECRET_KEY": secrets.token_hex(32),
            "POSTGRES_PASSWORD": secrets.token_hex(16),
            "PROXY_ADDRESS": "127.0.0.1",
            "PROXY_PORT": str(self.port),
        }

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def container(self, service: str) -> str:
        return f"{PROJECT}_{service}_1"

    def command(self, *args: str) -> list[str]:
        build = " ".join(self.podman.build_args())
        return [
            sys.executable, "-m", "podman_compose", "--in-pod=false", "--podman-build-args", build,
            "-p", PROJECT, "-f", str(ROOT / "docker-compose.yml"), *args,
        ]  # fmt: skip

    def compose(self, *args: str, timeout: float = 300) -> subprocess.CompletedProcess[str]:
        command = self.command(*args)
        try:
            done = subprocess.run(command, env=self.env, cwd=ROOT, capture_output=True, text=True, timeout=timeout)
        except subprocess.TimeoutExpired:
            raise CheckFailed(f"podman-compose {' '.join(args)} took over {timeout:.0f} s") from None
        with (self.podman.log_dir / "compose.log").open("a") as log:
            log.write(f"$ podman-compose {' '.join(args)}\n{done.stdout}{done.stderr}\n")
        expect(done.returncode == 0, f"podman-compose {' '.join(args)}: exit {done.returncode}: {tail(done.stderr)}")
        return done

    def run_all(self) -> None:
        r = self.report
        r.run("stand-in postgres, redis and nginx images from Debian's packages", self.standins, fatal=True)
        r.run("compose: PostgreSQL and Redis, then two replicas, then nginx, each healthy", self.up, fatal=True)
        r.run("the proxy's fixed address lies outside the range handed out", self.addresses)
        r.run("probes answer 404 at the proxy, 200 on the replicas", self.probes)
        r.run(f"{self.quizzes} quizzes through the proxy reach both replicas, one log line each", self.quizzes_both)
        r.run("counters exact in PostgreSQL (completions and per-question totals)", self.counters)
        rooms = documented_default("RATE_LIMIT_ROOMS")
        r.run(f"one address's rooms over both replicas: the README's {rooms}, then 429", self.limit_shared)
        r.run("Redis stopped: a quiz through the proxy is answered and counted, no 5xx", self.redis_outage)
        r.run("pg_dump from the db service, pg_restore into a new database: the same rows", self.pg_backup)
        r.run(f"compose stop with a request in flight: answered, exit 0 within {STOP_TIMEOUT} s", self.stop_in_flight)

    def standins(self) -> str:
        made = []
        for service, recipe in (("db", "postgres"), ("redis", "redis"), ("proxy", "nginx")):
            tag = self.file["services"][service]["image"]
            full = tag if "/" in tag.split(":")[0] else f"docker.io/library/{tag}"
            folder = ROOT / "docker" / "standin"
            done = subprocess.run(
                ["podman", "build", *self.podman.build_args(), "-f", str(folder / f"{recipe}.Containerfile"),
                 "--build-arg", f"BASE={BASE_IMAGE}", "-t", full, str(folder)],
                env=self.podman.env, capture_output=True, text=True, timeout=900,
            )  # fmt: skip
            (self.podman.log_dir / f"standin-{recipe}.log").write_text(done.stdout + done.stderr)
            expect(done.returncode == 0, f"building the {recipe} stand-in: {tail(done.stderr)}")
            made.append(full)
        return ", ".join(made)

    def wait_healthy(self, *services: str, seconds: float = 60) -> float:
        """Health checks run only when asked here (no systemd): ask until each passes."""
        start, waiting = time.monotonic(), set(services)
        while waiting and time.monotonic() - start < seconds:
            for service in sorted(waiting):
                if self.podman("healthcheck", "run", self.container(service), check=False).returncode == 0:
                    waiting.discard(service)
            time.sleep(0.5 if waiting else 0)
        expect(not waiting, f"not healthy within {seconds:.0f} s: {', '.join(sorted(waiting))}")
        return time.monotonic() - start

    def up(self) -> str:
        # podman 4.3 ignores `condition: service_healthy`, so the order is kept here.
        self.compose("down", "--volumes", "--timeout", "0")
        started = time.monotonic()
        self.compose("build", "app1", "app2", timeout=900)
        built = time.monotonic() - started
        self.compose("up", "--detach", "--no-deps", "db", "redis")
        db = self.wait_healthy("db", "redis")
        self.compose("up", "--detach", "--no-deps", "app1", "app2")
        apps = self.wait_healthy("app1", "app2")
        self.compose("up", "--detach", "--no-deps", "proxy")
        proxy = wait_ready(self.base + "/", 30)
        return f"build {built:.1f} s, db and redis {db:.1f} s, replicas {apps:.1f} s, proxy {proxy:.1f} s"

    def addresses(self) -> str:
        network = json.loads(self.podman("network", "inspect", f"{PROJECT}_backend").stdout)[0]
        subnet = network["subnets"][0]
        lease = subnet.get("lease_range") or {}
        expect(lease.get("start_ip") and lease.get("end_ip"), f"the network hands out all of {subnet['subnet']}")
        low, high = ip_number(lease["start_ip"]), ip_number(lease["end_ip"])
        fixed = self.file["services"]["proxy"]["networks"]["backend"]["ipv4_address"]
        expect(not low <= ip_number(fixed) <= high, f"the proxy's {fixed} is inside {lease}")
        seen = {}
        for service in ("db", "redis", "app1", "app2", "proxy"):
            nets = json.loads(self.podman.inspect(self.container(service), "{{json .NetworkSettings.Networks}}"))
            seen[service] = nets[f"{PROJECT}_backend"]["IPAddress"]
        expect(seen["proxy"] == fixed, f"the proxy is at {seen['proxy']}, not {fixed}")
        handed = {s: ip for s, ip in seen.items() if s != "proxy"}
        expect(all(low <= ip_number(ip) <= high for ip in handed.values()), f"addresses {handed}, range {lease}")
        return f"range {lease['start_ip']}-{lease['end_ip']}, proxy {fixed}, others {sorted(handed.values())}"

    def probes(self) -> str:
        visitor = Visitor(self.base, None)
        for path in ("/readyz", "/healthz"):
            answer = visitor.get(path)
            expect(answer.status == 404, f"GET {path} through the proxy: {answer.status}")
        self.wait_healthy("app1", "app2", seconds=10)
        return "404 at the proxy, healthy behind it"

    def quizzes_both(self) -> str:
        for person in range(self.quizzes):
            visitor = Visitor(self.base, self.ids)
            answers = take_quiz(visitor, lambda step, options, p=person: options[(step * p) % len(options)])
        self.questions = len(answers) - 1  # the closing question is not a scored one
        counts: dict[str, int] = {}
        per_replica, access = {}, 0
        for service in ("app1", "app2"):
            seen, replica_access = lines_per_request(self.podman.logs(self.container(service)))
            per_replica[service] = sum(1 for i in self.ids if i in seen)
            access += replica_access
            for request_id, lines in seen.items():
                counts[request_id] = counts.get(request_id, 0) + lines
        expect(all(per_replica.values()), f"requests per replica: {per_replica}")
        wrong = [(i, counts.get(i, 0)) for i in self.ids if counts.get(i) != 1]
        expect(
            not wrong and not access, f"{len(wrong)} requests not logged once, e.g. {wrong[:2]}; {access} access lines"
        )
        return f"{len(self.ids)} requests: app1 {per_replica['app1']}, app2 {per_replica['app2']}"

    def psql(self, sql: str, database: str = "score") -> list[list[str]]:
        done = self.podman("exec", self.container("db"), "psql", "-U", "score", "-d", database, "-AtF", "\t", "-c", sql)
        return [line.split("\t") for line in done.stdout.splitlines() if line]

    def counters(self) -> str:
        expect(self.questions, "no quiz was taken")
        (completions,) = self.psql("SELECT count FROM counter WHERE scope = 'global' AND metric = 'completions'")
        expect(int(completions[0]) == self.quizzes, f"completions {completions[0]}, not {self.quizzes}")
        totals = self.psql(
            "SELECT metric, sum(count) FROM counter WHERE scope = 'global' AND metric LIKE 'answer:%' GROUP BY metric"
        )
        expect(len(totals) == self.questions, f"{len(totals)} questions counted, not {self.questions}")
        wrong = [(metric, int(total)) for metric, total in totals if int(total) != self.quizzes]
        expect(not wrong, f"per-question totals not {self.quizzes}: {wrong[:3]}")
        return f"completions {self.quizzes}, {len(totals)} questions x {self.quizzes} answers"

    def limit_shared(self) -> str:
        """Rooms opened from one address through nginx, which spreads them over both replicas
        (two workers each): the limit holds at the documented number only if they share it."""
        documented = documented_default("RATE_LIMIT_ROOMS")
        allowed = int(search(r"^(\d+) per hour$", documented, f"RATE_LIMIT_ROOMS is {documented!r}").group(1))
        for service in ("app1", "app2"):
            expect("RATE_LIMIT_ROOMS" not in self.file["services"][service]["environment"], "compose sets its own")
        ids: list[str] = []
        facilitator = Visitor(self.base, ids)
        form = token(facilitator.get("/rooms/new"))  # one token for every post: posts alternate replicas
        posted = len(ids)
        statuses = [
            facilitator.post("/rooms/new", {"csrf_token": form, "title": f"Limit {n}", "language": ""}).status
            for n in range(allowed + 2)
        ]
        answered = {}
        for service in ("app1", "app2"):
            seen, _ = lines_per_request(self.podman.logs(self.container(service)))
            answered[service] = sum(1 for i in ids[posted:] if i in seen)
        expect(all(answered.values()), f"the posts reached only {answered}")
        expect(statuses == [200] * allowed + [429] * 2, f"{statuses.count(200)} rooms opened: {statuses}")
        for service in ("app1", "app2"):
            notices = per_worker_notices(self.podman.logs(self.container(service)))
            expect(not notices, f"{service} says: {notices[:1]}")
        return f"{allowed} opened, then 429; posts answered by app1 {answered['app1']}, app2 {answered['app2']}"

    def redis_outage(self) -> str:
        """Redis stops: each worker counts the limits in its own memory meanwhile (logged once
        per worker), and visitors notice nothing; then it starts again."""
        redis = self.container("redis")
        self.podman("stop", "--time", "5", redis)
        try:
            visitor = Visitor(self.base, None)
            take_quiz(visitor, lambda _step, options: options[0])  # every answer 303, the result 200
            for path in ("/", "/stats", "/r/ZZZZZZ"):  # a code that misses is a limited request too
                answer = visitor.get(path)
                expect(answer.status < 500, f"GET {path} with Redis stopped: {answer.status}")
        finally:
            self.podman("start", redis)
        self.wait_healthy("redis")
        (completions,) = self.psql("SELECT count FROM counter WHERE scope = 'global' AND metric = 'completions'")
        expect(int(completions[0]) == self.quizzes + 1, f"completions {completions[0]}, not {self.quizzes + 1}")
        fell_back = sum(
            "falling back to in-memory storage" in line
            for service in ("app1", "app2")
            for line in self.podman.logs(self.container(service))
        )
        expect(fell_back, "no replica logged that it counts in memory")
        return f"quiz counted ({completions[0]} in all); {fell_back} worker(s) logged the fallback"

    def pg_backup(self) -> str:
        """docs/backups.md's commands: a custom-format dump piped out of the db service while
        the replicas serve, restored by pipe into a new database beside the live one."""
        db = self.container("db")
        folder = Path(tempfile.mkdtemp(prefix="dump-", dir=self.podman.run_dir))
        dump = folder / "score.dump"
        try:
            with dump.open("wb") as out:
                done = subprocess.run(
                    ["podman", "exec", db, "pg_dump", "-U", "score", "--format=custom", "score"],
                    env=self.podman.env, stdout=out, stderr=subprocess.PIPE, timeout=120,
                )  # fmt: skip
            expect(done.returncode == 0, f"pg_dump: {tail(done.stderr.decode())}")
            self.podman("exec", db, "createdb", "-U", "score", "score_restore")
            with dump.open("rb") as dumped:
                done = subprocess.run(
                    ["podman", "exec", "-i", db, "pg_restore", "-U", "score", "--no-owner", "--no-privileges",
                     "--exit-on-error", "-d", "score_restore"],
                    env=self.podman.env, stdin=dumped, capture_output=True, timeout=120,
                )  # fmt: skip
            expect(done.returncode == 0, f"pg_restore: {tail(done.stderr.decode())}")
            size = dump.stat().st_size
            kept = {}
            for table, order in (("counter", "scope, metric, value"), ("room", "id"), ("spent_token", "token_hash")):
                query = f"SELECT * FROM {table} ORDER BY {order}"  # noqa: S608  (our own table names)
                live, restored = self.psql(query), self.psql(query, database="score_restore")
                expect(live == restored, f"{table}: {len(restored)} rows restored of {len(live)}, or values differ")
                kept[table] = len(live)
        finally:
            shutil.rmtree(folder, ignore_errors=True)
            self.podman("exec", db, "dropdb", "-U", "score", "--if-exists", "score_restore", check=False)
        return f"{size} bytes; " + ", ".join(f"{table} {rows} rows" for table, rows in kept.items())

    def stop_in_flight(self) -> str:
        # The request is made inside app1 (its own loopback), since nginx buffers a slow body.
        app1 = self.container("app1")
        client = [
            "podman",
            "exec",
            "-i",
            app1,
            "python",
            "-c",
            SLOW_CLIENT,
            "127.0.0.1",
            "8000",
            str(IN_FLIGHT_SECONDS),
        ]
        answer, took = hold_request_during(self.podman, app1, client, self.command("stop", "app1"), self.env)
        code = self.podman.inspect(app1, "{{.State.ExitCode}}")
        expect(answer.startswith("HTTP/1.1 303"), f"the request in flight got {answer!r}; exit code {code}")
        expect(code == "0", f"exit code {code} after {took:.1f} s")
        return f"answered {IN_FLIGHT_SECONDS} s after SIGTERM; app1 stopped in {took:.1f} s, exit 0"

    def down(self) -> None:
        with suppress(CheckFailed):
            self.compose("down", "--volumes", "--timeout", "0")


def ip_number(address: str) -> int:
    return int.from_bytes(socket.inet_aton(address), "big")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("part", nargs="?", choices=("single", "compose", "all"), default="all")
    part = parser.parse_args().part
    report = Report()
    started = time.monotonic()
    cache = cache_dir()
    with exclusive(cache):
        podman = Podman(cache)
        print(f"container-check: podman state in {cache}", flush=True)
        try:
            podman.configure()
            report.run(
                "podman " + podman("version", "--format", "{{.Client.Version}}").stdout.strip(), podman.remove_leftovers
            )
            report.run("stand-in base image (Debian's python3.11)", lambda: ensure_base_image(podman), fatal=True)
            report.run("build the image (--format docker, stand-in base)", lambda: build_app_image(podman), fatal=True)
            if part in ("single", "all"):
                try:
                    Single(podman, report).run_all()
                finally:
                    podman.remove_leftovers()
            if part in ("compose", "all"):
                compose = Compose(podman, report)
                try:
                    compose.run_all()
                finally:
                    compose.down()
                    podman.remove_leftovers()
        except CheckFailed as stop:
            print(f"container-check: {stop}", flush=True)
            podman.remove_leftovers()
    passed = len(report.results) - report.failed()
    print(f"container-check ({part}, {time.monotonic() - started:.0f} s): {passed} passed, {report.failed()} failed")
    return 1 if report.failed() else 0


if __name__ == "__main__":
    sys.exit(main())
