"""The one description of what is stored (app/store/inventory.py), held against the schema and the pages."""

from __future__ import annotations

from html import unescape

from app.scoring import worst_answers
from app.store import inventory
from app.store.models import Base


def test_every_table_and_column_has_a_description():
    """A table or column added to the models without saying what it holds fails here."""
    schema = {table.name: {column.name for column in table.columns} for table in Base.metadata.tables.values()}
    assert set(inventory.TABLES) == set(schema)
    assert {table: set(columns) for table, columns in inventory.COLUMNS.items()} == schema
    for columns in inventory.COLUMNS.values():
        assert all(str(meaning).strip() for meaning in columns.values())


def test_the_privacy_page_shows_every_place_and_every_column(app, client):
    page = unescape(client.get("/privacy").get_data(as_text=True))
    with app.test_request_context():
        places = inventory.everything(*inventory.this_site())
        for kept in places:
            for words in (kept.where, kept.what, kept.how_long):
                assert words in page, kept.key
        for columns in inventory.COLUMNS.values():
            for meaning in columns.values():
                assert str(meaning) in page
    keys = {kept.key for kept in places}
    visitor = {"session", "tab", "presenter", "cache"}
    assert {"counter", "spent_token", "room", *visitor, "log", "limits", "wal", "backups"} <= keys


def test_the_landing_page_summarises_it(client):
    page = unescape(client.get("/").get_data(as_text=True))
    for item in inventory.SUMMARY_KEPT + inventory.SUMMARY_NEVER_KEPT:
        assert str(item) in page
    assert "score range" not in page  # no score, band or range is counted
    assert "coin" in page[page.index("What we keep") :]


def test_the_receipt_says_what_the_database_s_files_keep_for_a_while(app, quiz, client, bank):
    quiz.complete(worst_answers(bank))
    page = unescape(client.get("/quiz/result").get_data(as_text=True))
    with app.test_request_context():
        log = inventory.database_log(*inventory.this_site())
        assert log.what in page and log.how_long in page
        for item in inventory.NEVER_KEPT:
            assert str(item) in page
    assert "date or time of your visit" not in page
    assert "wrote nothing else" not in page


def test_the_myth_round_s_receipt_says_it_too(app, client):
    from app.scoring import load_myths
    from tests.helpers import csrf_token

    page = client.get("/myths/").get_data(as_text=True)
    guesses = {s.id: "real" for s in load_myths().statements}
    client.post("/myths/", data={"csrf_token": csrf_token(page), **guesses})
    result = unescape(client.get("/myths/result").get_data(as_text=True))
    with app.test_request_context():
        log = inventory.database_log(*inventory.this_site())
    assert log.what in result and log.how_long in result
    assert "wrote nothing else" not in result
