"""The benchmark script still runs from end to end.

Its figures are printed, never asserted: speed and capacity are measured by bench/run.py
on a quiet machine, not by timed tests. This only keeps the script from rotting.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.bench
def test_the_benchmark_runs_from_end_to_end():
    run = subprocess.run(
        [sys.executable, "bench/run.py", "--smoke"], cwd=ROOT, capture_output=True, text=True, timeout=600
    )
    assert run.returncode == 0, run.stderr[-3000:]
    for row in ("hello", "landing", "question", "completion", "poll \\(304\\)"):
        assert re.search(rf"^{row}\s+\d+\s+\d+\.\d\d", run.stdout, re.MULTILINE), row
    assert "in-process, no server" in run.stdout
    assert re.search(r"^completion\s+\d+$", run.stdout, re.MULTILINE)  # its µs a request
    assert re.search(r"^\s+1,000  completion\s+\d+/s  poll\s+\d+/s$", run.stdout, re.MULTILINE)
    assert "30 people finishing within 2 s in one room: all done" in run.stdout
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
