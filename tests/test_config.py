"""Settings: safe defaults, and a production start that refuses to run unsafely."""

from __future__ import annotations

import pytest

from app.config import DEV_SECRET, ConfigError, database_url, settings_from_env


def test_production_without_secret_refuses_to_start():
    with pytest.raises(ConfigError, match="SECRET_KEY is not set"):
        settings_from_env({"APP_ENV": "production"})
    with pytest.raises(ConfigError, match="SECRET_KEY is not set"):
        settings_from_env({})  # production is the default
    with pytest.raises(ConfigError, match="SECRET_KEY is not set"):
        settings_from_env({"SECRET_KEY": DEV_SECRET})


def test_production_with_a_secret_starts():
    settings = settings_from_env({"SECRET_KEY": "x" * 40, "BEHIND_HTTPS": "true", "TRUSTED_HOSTS": "score.example.org"})
    assert settings["SESSION_COOKIE_SECURE"] is True
    assert settings["SESSION_COOKIE_SAMESITE"] == "Lax"


def test_development_has_a_dev_secret():
    assert settings_from_env({"APP_ENV": "development"})["SECRET_KEY"] == DEV_SECRET


@pytest.mark.parametrize(
    ("env", "message"),
    [({"APP_ENV": "staging"}, "APP_ENV"), ({"APP_ENV": "testing", "MIN_FINISHED": "five"}, "MIN_FINISHED"),
     ({"APP_ENV": "testing", "BEHIND_HTTPS": "maybe"}, "BEHIND_HTTPS"),
     ({"APP_ENV": "testing", "MIN_FINISHED": "0"}, "outside"),
     ({"APP_ENV": "testing", "EPSILON_ODDS": "1"}, "outside"),  # e^ε = 1 would count every answer as given
     ({"APP_ENV": "testing", "EPSILON_ODDS": "ln 4"}, "EPSILON_ODDS")],
)  # fmt: skip
def test_unparseable_settings_stop_with_a_reason(env, message):
    with pytest.raises(ConfigError, match=message):
        settings_from_env(env)


def test_database_defaults_to_sqlite_in_the_instance_folder(tmp_path):
    assert database_url({"INSTANCE_PATH": str(tmp_path)}) == f"sqlite:///{tmp_path.resolve()}/score.sqlite3"
    assert database_url({"DATABASE_URL": "postgres://u@h/db"}) == "postgresql+psycopg://u@h/db"


def test_a_broken_bank_stops_start_up(tmp_path, database_url):
    from app import create_app
    from app.scoring import BankError

    bad = tmp_path / "bank.toml"
    bad.write_text('[meta]\ntitle = "x"\n', encoding="utf-8")
    with pytest.raises(BankError, match=r"bank\.toml"):
        create_app({"DATABASE_URL": database_url, "BANK_PATH": str(bad)})
