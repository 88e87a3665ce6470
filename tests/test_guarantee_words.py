"""The guarantee in words a visitor can check, worded from the level (never hard-coded):
per answer ×e^ε and its share from an even start; per person a quiz, a myth round, a retake."""

from __future__ import annotations

from html import unescape

import pytest

from app import create_app
from app.store.schema import upgrade


@pytest.mark.parametrize(
    ("odds", "even", "three", "quiz", "myths"),
    [(2, "67%", "50%", "11", "6"), (4, "80%", "67%", "22", "11"), (9, "90%", "82%", "35", "18")],
)
def test_the_privacy_page_states_the_site_s_level_per_answer_and_per_person(
    database_url, tmp_path, odds, even, three, quiz, myths
):
    upgrade(database_url)
    app = create_app({"DATABASE_URL": database_url, "INSTANCE_PATH": str(tmp_path), "EPSILON_ODDS": odds})
    page = unescape(app.test_client().get("/privacy").get_data(as_text=True))
    assert f"changes their odds about your true answer by at most ×{odds} ({even} from an even start)" in page
    assert f"right at most {even} of the time afterwards" in page and f"at most {three} instead of one in three" in page
    assert f"never moves their odds by more than ×{odds}" in page  # a skewed prior: the ratio, not the share
    # per person: 16 counted answers a quiz, 8 a myth round, a retake as much again
    assert f"ε = 16 × ln {odds} ≈ {quiz}" in page and f"8 × ln {odds} ≈ {myths} more" in page
    assert "taking the quiz again as much again" in page
    assert (
        "watching a workshop's projector at the moment only you finish" in page
        and "estimate your score roughly" in page
    )
    app.extensions["database"].engine.dispose()
