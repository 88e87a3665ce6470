"""Runs scripts/container-check.sh (podman, the real image) for the suite's `container` tests."""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ARTIFACTS = Path(os.environ.get("ARTIFACTS_DIR") or ROOT / "artifacts")
# Cold (debootstrap, stand-in images, pip in the build) takes a few minutes; warm, about one.
TIMEOUT = 1800


def run_container_check(part: str, at_least: int) -> str:
    """The script's report for PART ("single" or "compose"); a failed check fails the test,
    and so does a report of fewer than `at_least` checks passed.

    Never skipped: where podman is missing the script installs it (Debian packages, as root),
    and says what is missing where it cannot."""
    done = subprocess.run(
        ["bash", str(ROOT / "scripts" / "container-check.sh"), part],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
        check=False,
    )
    report = done.stdout + done.stderr
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    (ARTIFACTS / f"container-check-{part}.log").write_text(report)
    print(report)  # shown with -s, and with the failure
    assert done.returncode == 0, report[-6000:]
    summary = re.search(r": (\d+) passed, 0 failed$", done.stdout.strip())
    assert summary and int(summary.group(1)) >= at_least, report[-6000:]
    return report
