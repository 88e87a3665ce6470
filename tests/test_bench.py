"""The bench scripts still run from end to end.

Their figures are printed, never asserted: capacity is measured by bench/run.py on a quiet
machine, not by timed tests. This keeps the scripts from rotting, and checks what the
capacity run checks in every event, small: every page answered, the counters exact.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.bench
def test_the_capacity_run_drives_every_page_and_finds_the_counters_exact():
    run = subprocess.run(
        [sys.executable, "bench/run.py", "--smoke"], cwd=ROOT, capture_output=True, text=True, timeout=600
    )
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    pages = ("landing", "static 200", "room code", "join", "join POST", "questionnaire",
             "questionnaire POST", "result", "projector")  # fmt: skip
    for page in pages:
        assert re.search(rf"^{page}\s+\d+(\s+\d+){{4}}$", run.stdout, re.MULTILINE), page
    assert re.search(r"^poll (304|200)\s+\d+", run.stdout, re.MULTILINE)  # the projector's script polled
    # Static files carry their fingerprint: a browser keeps each one and never asks again (no 304).
    assert not re.search(r"^static 304", run.stdout, re.MULTILINE)
    # One page holds every question and one POST sends them: 60 people, 60 of each.
    assert re.search(r"^questionnaire\s+60\s", run.stdout, re.MULTILINE)
    assert re.search(r"^questionnaire POST\s+60\s", run.stdout, re.MULTILINE)
    assert "60 of 60 people saw their result" in run.stdout
    assert "errors: 0; tracebacks in the server's log: 0" in run.stdout
    assert "counters: exact (60 finished" in run.stdout
    assert re.search(r"load generator \d+%, server \d+% \([\d.]+ ms a request\)", run.stdout)
    assert re.search(r"^\| \d{4}-\d\d-\d\d \d\d:\d\d UTC \| SQLite \| 60 in 0.1 min \|", run.stdout, re.MULTILINE)
    if shutil.which("wrk"):
        assert re.search(r"^hello\s+\d+/s$", run.stdout, re.MULTILINE)
    print(run.stdout)


@pytest.mark.bench
def test_the_privacy_simulation_runs_from_end_to_end():
    run = subprocess.run(
        [sys.executable, "bench/privacy_sim.py", "--smoke"], cwd=ROOT, capture_output=True, text=True, timeout=600
    )
    assert run.returncode == 0, run.stderr[-3000:]
    for odds in (2, 4, 9):
        assert f"ε = ln {odds}" in run.stdout
    assert re.search(r"^\| 10 \| \d+\.\d \| \d+% \|", run.stdout, re.MULTILINE)
