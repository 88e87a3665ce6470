"""The operator's image, checked without a Docker engine.

The Dockerfile is parsed for what the issue asks of it, and the image's own start is
rehearsed: the files the build context would hold (after .dockerignore), a fresh virtual
environment from requirements.txt, the Dockerfile's ENV, a temporary data folder, and the
very entrypoint script, which must pass /readyz and serve a whole quiz over HTTP.
"""

from __future__ import annotations

import fnmatch
import hashlib
import http.cookiejar
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from pathlib import Path

import pytest
from dockerfile_parse import DockerfileParser

from app.scoring import load_bank
from app.scoring.bank import DEFAULT_BANK
from bench.ports import free_port
from tests.helpers import CSRF_RE, questionnaire_form
from tests.podman_check import run_container_check

ROOT = Path(__file__).resolve().parent.parent
IMAGE_WORKDIR = "/app"


@pytest.fixture(scope="module")
def dockerfile() -> DockerfileParser:
    return DockerfileParser(str(ROOT / "Dockerfile"))


def instructions(df: DockerfileParser, name: str) -> list[str]:
    return [i["value"] for i in df.structure if i["instruction"] == name]


def final_stage(df: DockerfileParser) -> list[dict]:
    start = max(n for n, i in enumerate(df.structure) if i["instruction"] == "FROM")
    return df.structure[start:]


def test_base_image_is_a_pinned_slim_python(dockerfile):
    base = dockerfile.baseimage
    assert re.fullmatch(r"python:3\.11\.\d+-slim-\w+(@sha256:[0-9a-f]{64})?", base), base


def test_runs_as_a_numeric_non_root_user(dockerfile):
    users = [i["value"] for i in final_stage(dockerfile) if i["instruction"] == "USER"]
    assert users and users[-1].split(":")[0] not in ("0", "root")
    assert users[-1].split(":")[0].isdigit()  # numeric, so runAsNonRoot platforms can verify it


def test_dependencies_are_installed_before_the_source_is_copied(dockerfile):
    stage = final_stage(dockerfile)
    order = [i["instruction"] + " " + i["value"] for i in stage]
    venv = next(n for n, line in enumerate(order) if line.startswith("COPY --from=deps /opt/venv"))
    source = next(n for n, line in enumerate(order) if line.startswith("COPY . "))
    assert venv < source


def test_exposes_a_port_a_volume_a_healthcheck_and_an_exec_entrypoint(dockerfile):
    assert instructions(dockerfile, "EXPOSE") == [dockerfile.envs["PORT"]]
    assert json.loads(instructions(dockerfile, "VOLUME")[0]) == [dockerfile.envs["INSTANCE_PATH"]]
    assert "/app/docker/healthcheck.py" in instructions(dockerfile, "HEALTHCHECK")[0]
    # Exec form, so no shell sits between the platform's signals and gunicorn.
    assert json.loads(instructions(dockerfile, "ENTRYPOINT")[0]) == [f"{IMAGE_WORKDIR}/docker/entrypoint.sh"]
    assert instructions(dockerfile, "WORKDIR") == [IMAGE_WORKDIR]
    assert dockerfile.envs["APP_ENV"] == "production" and "SECRET_KEY" not in dockerfile.envs


def test_entrypoint_migrates_then_execs_gunicorn():
    script = (ROOT / "docker" / "entrypoint.sh").read_text()
    lines = [line for line in script.splitlines() if line and not line.startswith("#")]
    assert "set -eu" in lines
    assert lines[-2:] == ["python -m app.migrate", "exec gunicorn --config gunicorn.conf.py wsgi:app"]
    assert os.access(ROOT / "docker" / "entrypoint.sh", os.X_OK)


# --- the build context ---------------------------------------------------------------


def dockerignore_patterns() -> list[tuple[bool, str]]:
    patterns = []
    for raw in (ROOT / ".dockerignore").read_text().splitlines():
        line = raw.strip()
        if line and not line.startswith("#"):
            negated = line.startswith("!")
            patterns.append((negated, line.lstrip("!").strip("/")))
    return patterns


def ignored(path: str, patterns: list[tuple[bool, str]]) -> bool:
    """Docker's rule: the last pattern that matches the path or one of its parents decides."""
    parts = path.split("/")
    candidates = ["/".join(parts[: n + 1]) for n in range(len(parts))]
    result = False
    for negated, pattern in patterns:
        options = [pattern, pattern[3:]] if pattern.startswith("**/") else [pattern]
        if any(fnmatch.fnmatchcase(c, p) for c in candidates for p in options):
            result = not negated
    return result


def build_context() -> list[str]:
    """What `docker build .` would send from a clean checkout (tracked and new files)."""
    listed = subprocess.run(
        ["git", "ls-files", "--cached", "--others", "--exclude-standard"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.splitlines()
    patterns = dockerignore_patterns()
    return sorted(p for p in listed if (ROOT / p).is_file() and not ignored(p, patterns))


def test_build_context_holds_what_runs_and_nothing_personal():
    files = build_context()
    for needed in ("wsgi.py", "gunicorn.conf.py", "alembic.ini", "requirements.txt", "docker/entrypoint.sh"):
        assert needed in files
    for folder in ("app/", "app/scoring/", "migrations/versions/", "templates/", "static/"):
        assert any(f.startswith(folder) for f in files), folder
    for f in files:
        assert not f.startswith((".git", ".venv", "instance/", "tests/", ".ci/", "node_modules/")), f
        assert "__pycache__" not in f and not f.endswith((".sqlite3", ".env"))


# --- the smoke test ---------------------------------------------------------------------


def fresh_venv() -> Path:
    """A venv made from requirements.txt alone (so nothing from the test tools leaks in),
    kept under .cache/ by the file's hash so the PostgreSQL pass and later runs reuse it."""
    requirements = (ROOT / "requirements.txt").read_bytes()
    venv = ROOT / ".cache" / f"smoke-venv-{hashlib.sha256(requirements).hexdigest()[:12]}"
    if not (venv / "complete").exists():
        shutil.rmtree(venv, ignore_errors=True)
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
        pip = [str(venv / "bin" / "pip"), "install", "-q", "-r", str(ROOT / "requirements.txt")]
        subprocess.run(pip, check=True, capture_output=True)
        (venv / "complete").touch()
    return venv


@pytest.fixture(scope="module")
def image_root(tmp_path_factory) -> Path:
    """The image's /app (the build context copied) beside its /opt/venv."""
    root = tmp_path_factory.mktemp("image")
    app_dir = root / "app"
    for rel in build_context():
        target = app_dir / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(ROOT / rel, target)  # keeps the entrypoint's exec bit
    (root / "venv").symlink_to(fresh_venv())
    # The build's own steps on the copied source: compiling the catalogues (.mo is never committed).
    env = {**os.environ, "PATH": f"{root / 'venv' / 'bin'}:{os.environ['PATH']}"}
    for command in build_steps(DockerfileParser(str(ROOT / "Dockerfile"))):
        subprocess.run(["sh", "-c", command], cwd=app_dir, env=env, check=True)
    return root


def build_steps(df: DockerfileParser) -> list[str]:
    """The final stage's RUN commands that work on the copied source (after `COPY . .`)."""
    stage = final_stage(df)
    copied = next(n for n, i in enumerate(stage) if i["instruction"] == "COPY" and i["value"].split()[0] == ".")
    return [i["value"] for i in stage[copied:] if i["instruction"] == "RUN"]


def test_the_image_compiles_the_translations_as_root_before_dropping_privileges(dockerfile):
    steps = build_steps(dockerfile)
    assert any(re.search(r"pybabel .*compile .*-d translations", s) for s in steps)
    stage = final_stage(dockerfile)
    user_at = max(n for n, i in enumerate(stage) if i["instruction"] == "USER")
    compile_at = max(n for n, i in enumerate(stage) if i["instruction"] == "RUN" and "pybabel" in i["value"])
    assert compile_at < user_at  # /app is root's and read-only to the app user


def image_environment(df: DockerfileParser, venv: Path, data: Path, port: int) -> dict[str, str]:
    env = dict(df.envs)
    # Only what differs between a container and this machine is replaced.
    env["PATH"] = f"{venv / 'bin'}:{os.environ['PATH']}"
    env["INSTANCE_PATH"] = str(data)
    env["PORT"] = str(port)
    env["HOST"] = "127.0.0.1"  # the container listens on all of its own interfaces; here, loopback only
    env["SECRET_KEY"] = "smoke-test-" + "s" * 32  # the operator's part: the image has none
    env["TRUSTED_HOSTS"] = "localhost"  # the operator's part too: the names visitors use
    env["MIGRATE_RETRY_SECONDS"] = "1"
    return env


def wait_ready(base: str, proc: subprocess.Popen, seconds: float = 60) -> dict:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        assert proc.poll() is None, "the entrypoint exited early"
        try:
            with urllib.request.urlopen(base + "/readyz", timeout=5) as response:
                return json.load(response)
        except OSError:  # refused, not ready (503) or slow to answer while workers boot: ask again
            time.sleep(0.3)
    raise AssertionError("never ready")


@pytest.mark.slow
def test_the_image_start_serves_a_whole_quiz(image_root, dockerfile, database_url, tmp_path):
    data = tmp_path / "data"
    data.mkdir()
    port = free_port(range(8250, 8300))
    env = image_environment(dockerfile, image_root / "venv", data, port)
    if not database_url.startswith("sqlite"):
        env["DATABASE_URL"] = database_url  # the PostgreSQL pass: the container on a database server
    log = tmp_path / "container.log"
    with log.open("w") as out:
        proc = subprocess.Popen(
            [str(image_root / "app" / "docker" / "entrypoint.sh")],
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    base = f"http://127.0.0.1:{port}"
    try:
        assert wait_ready(base, proc)["status"] == "ok"
        health = subprocess.run([sys.executable, str(image_root / "app/docker/healthcheck.py")], env=env, check=False)
        assert health.returncode == 0

        jar = http.cookiejar.CookieJar()
        browser = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
        bank = load_bank(DEFAULT_BANK)
        with browser.open(f"{base}/quiz/", timeout=10) as page:
            assert page.headers.get("Server", "gunicorn") == "gunicorn"  # no version named
            token = CSRF_RE.search(page.read().decode()).group(1)
        answers = {q.id: q.options[-1].id for q in bank.questions}
        body = urllib.parse.urlencode(questionnaire_form(bank, token, answers)).encode()
        with browser.open(f"{base}/quiz/", data=body, timeout=10) as answered:  # every answer, sent once
            final = answered.geturl()
        assert final == f"{base}/quiz/result"
        with browser.open(final, timeout=10) as result:
            html = result.read().decode()
        assert re.search(r'data-score="\d{3}"', html)
        with browser.open(f"{base}/?lang=zh", timeout=10) as chinese:
            assert "你的分数会是多少？" in chinese.read().decode()  # the catalogues were compiled in the build
        assert any(c.name == "session" for c in jar)

        # gunicorn is PID 1's stand-in: the entrypoint exec'd it, so this PID stops gracefully.
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=40) == 0
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()

    # The image sets LOG_FORMAT=json: every line, gunicorn's too, is one JSON object.
    lines = [json.loads(line) for line in log.read_text().splitlines() if line.strip()]
    assert any(line["logger"] == "gunicorn.error" for line in lines)
    # One line per request: gunicorn's access log stays off even with a logging config.
    assert not [line for line in lines if line["logger"] == "gunicorn.access"]
    requests = [line for line in lines if line["logger"] == "app.requests"]
    assert len({r["request_id"] for r in requests}) == len(requests)
    assert len(requests) >= 4  # the questionnaire, its one POST, the result, the Chinese landing page
    assert {r["method"] for r in requests} == {"GET", "POST"}
    for r in requests:
        assert "127.0.0.1" not in json.dumps(r) and "Python-urllib" not in json.dumps(r)
    if database_url.startswith("sqlite"):
        assert (data / "score.sqlite3").exists()  # the data went to the volume, not the image


@pytest.mark.slow
def test_the_image_start_refuses_an_unwritable_data_folder_at_once(image_root, dockerfile, tmp_path):
    # Tests run as root, whom no folder mode stops: a data folder under a file cannot be written either.
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    env = image_environment(dockerfile, image_root / "venv", blocker / "data", free_port(range(8250, 8300)))
    env["MIGRATE_RETRY_SECONDS"] = "2"  # the image's default: an unreachable database is retried for a minute
    done = subprocess.run(
        [str(image_root / "app" / "docker" / "entrypoint.sh")], env=env, capture_output=True, text=True, timeout=90
    )
    assert done.returncode == 2
    # One line and no "database not ready (1/30)": it stopped before waiting for any database.
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    assert lines[0].startswith(f"score: cannot start: the data folder {blocker / 'data'} is not writable")


def test_the_user_and_its_group_are_both_10001(dockerfile):
    # `useradd --user-group` alone gives the group a system gid (999): /data would be 10001:999.
    steps = " ".join(i["value"] for i in final_stage(dockerfile) if i["instruction"] == "RUN")
    assert re.search(r"groupadd [^&]*--gid 10001 score", steps)
    assert re.search(r"useradd [^&]*--uid 10001 [^&]*--gid 10001 ", steps)
    assert "--user-group" not in steps
    assert instructions(dockerfile, "USER")[-1] == "10001:10001"


def graceful_timeout() -> int:
    return int(re.search(r"^graceful_timeout = (\d+)", (ROOT / "gunicorn.conf.py").read_text(), re.M).group(1))


def test_the_readme_run_lets_requests_in_flight_finish():
    # docker/podman stop send SIGKILL after 10 s unless told otherwise; gunicorn waits 20 s.
    readme = (ROOT / "README.md").read_text()
    run = re.search(r"docker run (?:[^\n]*\\\n)*[^\n]*", readme).group(0)
    stop_timeout = re.search(r"--stop-timeout (\d+)", run)
    assert stop_timeout and int(stop_timeout.group(1)) > graceful_timeout(), run


# --- the real image, built and run by podman --------------------------------------------


@pytest.mark.container
def test_the_built_image_passes_the_operators_checks():
    """scripts/container-check.sh single: the image built with podman from this Dockerfile,
    then a volume and a secret, readiness, HEALTHCHECK, uid/gid 10001, read-only root, a quiz,
    a room and its projector poll, one log line per request, SIGTERM with a request in flight,
    and the missing-secret and unwritable-volume errors (see the script for each bound)."""
    run_container_check("single", at_least=17)
