"""Static files under their fingerprint: what a browser keeps, and what it asks again."""

from __future__ import annotations

import gzip
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest

from app.web.assets import fingerprint, stale_copies

YEAR = 365 * 24 * 3600

GZIP = {"Accept-Encoding": "gzip"}
LINKED = re.compile(r'(?:href|src)="(/(?:assets|static)/[^"]+)"')


def linked(page: str) -> list[str]:
    return LINKED.findall(page)


@pytest.mark.parametrize("path", ["/", "/quiz/", "/privacy", "/stats", "/rooms/new", "/no-such-page"])
def test_every_page_links_its_files_under_one_fingerprint_and_browsers_keep_them(app, client, path):
    files = linked(client.get(path).get_data(as_text=True))
    version = app.extensions["assets"]
    assert files and all(f.startswith(f"/assets/{version}/") for f in files), files
    assert stale_copies(Path(app.static_folder)) == [], "run `make assets`: the gzip copies are out of date"
    for f in files:
        kept = client.get(f, headers=GZIP)
        assert kept.status_code == 200, f
        assert kept.cache_control.max_age >= YEAR and kept.cache_control.immutable, (f, kept.headers)
        assert kept.cache_control.public and not kept.cache_control.no_cache
        # sent by WhiteNoise, gzipped ahead, with the site's headers all the same
        assert "Content-Security-Policy" in kept.headers and "Access-Control-Allow-Origin" not in kept.headers
        if f.endswith((".css", ".js")):
            assert kept.headers["Content-Encoding"] == "gzip" and "Accept-Encoding" in kept.headers["Vary"]
            plain = client.get(f)
            assert "Content-Encoding" not in plain.headers
            assert (
                gzip.decompress(kept.get_data())
                == plain.get_data()
                == (Path(app.static_folder) / f.split("/", 3)[3]).read_bytes()
            )


def test_a_script_s_relative_import_lands_under_the_same_fingerprint(app, client, quiz):
    """static/js/questionnaire.js imports ./kept-answers.js: the browser resolves it beside the script."""
    script = next(f for f in linked(client.get("/quiz/").get_data(as_text=True)) if f.endswith("/questionnaire.js"))
    assert 'from "./kept-answers.js"' in client.get(script).get_data(as_text=True)
    imported = client.get(script.rsplit("/", 1)[0] + "/kept-answers.js")
    assert imported.status_code == 200 and imported.cache_control.max_age >= YEAR


def test_an_old_fingerprint_gets_today_s_file_and_asks_again_next_time(client):
    """A page left open across a deploy links the old fingerprint: it still gets the file, not kept."""
    old = client.get("/assets/000000000000/style.css", headers=GZIP)
    assert old.status_code == 200 and old.cache_control.no_cache and not old.cache_control.max_age
    assert old.get_data() == client.get("/static/style.css", headers=GZIP).get_data()
    again = client.get("/assets/000000000000/style.css", headers={**GZIP, "If-None-Match": old.headers["ETag"]})
    assert again.status_code == 304 and again.get_data() == b""


@pytest.mark.parametrize("path", ["/assets/x/../app/config.py", "/assets/x/%2e%2e/wsgi.py", "/assets/x/nope.css"])
def test_nothing_outside_the_static_folder_is_served(client, path):
    response = client.get(path)
    assert response.status_code == 404 and "<main" in response.get_data(as_text=True)


def test_a_file_edited_after_its_gzip_copy_is_sent_by_flask_not_the_stale_copy(app, tmp_path: Path):
    from app.web.assets import served_first

    (tmp_path / "style.css").write_text("body { color: black }\n" * 40)
    subprocess.run([sys.executable, "-m", "whitenoise.compress", "--quiet", "--no-brotli", str(tmp_path)], check=True)
    assert stale_copies(tmp_path) == []
    time.sleep(0.01)
    (tmp_path / "style.css").write_text("body { color: red }\n" * 40)
    assert stale_copies(tmp_path) == ["style.css"]
    app.static_folder = str(tmp_path)
    inner = object()
    assert served_first(app, inner) is inner  # type: ignore[arg-type]


def test_a_change_to_any_file_moves_the_fingerprint(tmp_path: Path):
    (tmp_path / "js").mkdir()
    (tmp_path / "style.css").write_text("body { color: black }")
    (tmp_path / "js" / "a.js").write_text("export const a = 1;")
    first = fingerprint(tmp_path)
    assert fingerprint(tmp_path) == first
    (tmp_path / "js" / "a.js").write_text("export const a = 2;")
    second = fingerprint(tmp_path)
    (tmp_path / "js" / "a.js").rename(tmp_path / "js" / "b.js")
    assert len({first, second, fingerprint(tmp_path)}) == 3
