"""Lighthouse on the landing page, a question and the result: the budgets of issue 5."""

from __future__ import annotations

import json
import os
import shutil
import subprocess

import pytest

from .conftest import ARTIFACTS, CHROMIUM, CHROMIUM_ARGS, PROJECT_ROOT, HttpVisitor, require

pytestmark = pytest.mark.browser

LIGHTHOUSE = PROJECT_ROOT / "tools" / "lighthouse" / "node_modules" / "lighthouse" / "cli" / "index.js"
REPORTS = ARTIFACTS / "lighthouse"
MINIMUM = {"accessibility": 100, "best-practices": 100, "seo": 90, "performance": 95}
# Lighthouse's own advice (and Lighthouse CI's default) for noisy machines: judge the median of
# three runs. A first run that meets every budget is enough; a miss earns two more runs.
RUNS_ON_A_MISS = 3
RUNTIME_ERROR_RETRIES = 2  # "Something went wrong with recording the trace... Please run Lighthouse again."


def lighthouse(url: str, name: str, extra_headers: dict[str, str] | None = None) -> dict:
    """One Lighthouse run, retried only when Lighthouse itself says to run it again."""
    for attempt in range(RUNTIME_ERROR_RETRIES + 1):
        try:
            return _lighthouse_once(url, name, extra_headers)
        except LighthouseRuntimeError:
            if attempt == RUNTIME_ERROR_RETRIES:
                raise
    raise AssertionError("unreachable")


class LighthouseRuntimeError(AssertionError):
    pass


def _lighthouse_once(url: str, name: str, extra_headers: dict[str, str] | None) -> dict:
    node = shutil.which("node")
    require(node is not None, "Node")
    require(LIGHTHOUSE.exists(), "Lighthouse (tools/lighthouse, npm ci)")
    require(os.path.exists(CHROMIUM), f"Chromium ({CHROMIUM})")
    REPORTS.mkdir(parents=True, exist_ok=True)
    scratch = REPORTS / "tmp"
    scratch.mkdir(exist_ok=True)
    report = REPORTS / f"{name}.json"
    command = [
        str(node),
        str(LIGHTHOUSE),
        url,
        "--output=json",
        f"--output-path={report}",
        f"--chrome-flags={' '.join(CHROMIUM_ARGS)}",
        "--only-categories=performance,accessibility,best-practices,seo",
        "--quiet",
    ]
    if extra_headers:
        command.append(f"--extra-headers={json.dumps(extra_headers)}")
    env = {
        **os.environ,
        "CHROME_PATH": CHROMIUM,
        "TMPDIR": str(scratch),
        "XDG_CONFIG_HOME": str(scratch),
        "XDG_CACHE_HOME": str(scratch),
    }
    run = subprocess.run(command, env=env, capture_output=True, text=True, timeout=180, check=False)
    if run.returncode != 0 and "Please run Lighthouse again" in run.stderr:
        raise LighthouseRuntimeError(run.stderr[-1000:])
    assert run.returncode == 0, f"lighthouse failed on {url}:\n{run.stderr[-3000:]}"
    return json.loads(report.read_text())


def scores(result: dict) -> dict[str, int]:
    return {key: round((category["score"] or 0) * 100) for key, category in result["categories"].items()}


def failed_audits(result: dict, category: str) -> list[str]:
    """The audits that cost points in a category, to say why a budget was missed."""
    audits = result["audits"]
    return [
        f"{ref['id']}: {audits[ref['id']]['title']} ({audits[ref['id']].get('displayValue', '')})"
        for ref in result["categories"][category]["auditRefs"]
        if ref["weight"] > 0 and (audits[ref["id"]]["score"] is not None and audits[ref["id"]]["score"] < 1)
    ]


PAGES = {"landing": "/", "questionnaire": "/quiz/", "result": "/quiz/result"}


@pytest.mark.parametrize("name", list(PAGES))
def test_lighthouse_budgets(live_server, finished_visitor: HttpVisitor, name):
    headers = {"Cookie": f"session={finished_visitor.cookie()}"} if name == "result" else None
    runs: list[dict[str, int]] = []
    reasons: dict[str, list[str]] = {}
    for run in range(RUNS_ON_A_MISS):
        result = lighthouse(live_server.url + PAGES[name], f"{name}-{run + 1}", headers)
        assert result["finalDisplayedUrl"].endswith(PAGES[name]), "the page itself was audited, not a redirect"
        runs.append(scores(result))
        for category, minimum in MINIMUM.items():
            if runs[-1][category] < minimum:
                reasons.setdefault(category, []).extend(failed_audits(result, category))
        if run == 0 and not reasons:
            break
    judged = {category: sorted(r[category] for r in runs)[len(runs) // 2] for category in MINIMUM}
    with (REPORTS / "scores.jsonl").open("a") as log:
        log.write(json.dumps({"page": name, "judged": judged, "runs": runs}) + "\n")
    for category, minimum in MINIMUM.items():
        assert judged[category] >= minimum, f"{name} {category} {runs} < {minimum}: {reasons.get(category)}"
