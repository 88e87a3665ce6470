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


def lighthouse(url: str, name: str, extra_headers: dict[str, str] | None = None) -> dict:
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


PAGES = {"landing": "/", "question": "/quiz/1", "result": "/quiz/result"}


@pytest.mark.parametrize("name", list(PAGES))
def test_lighthouse_budgets(live_server, finished_visitor: HttpVisitor, name):
    headers = {"Cookie": f"session={finished_visitor.cookie()}"} if name == "result" else None
    result = lighthouse(live_server.url + PAGES[name], name, headers)
    assert result["finalDisplayedUrl"].endswith(PAGES[name]), "the page itself was audited, not a redirect"
    got = scores(result)
    with (REPORTS / "scores.jsonl").open("a") as log:
        log.write(json.dumps({"page": name, **got}) + "\n")
    for category, minimum in MINIMUM.items():
        assert got[category] >= minimum, (
            f"{name} {category} {got[category]} < {minimum}: {failed_audits(result, category)}"
        )
