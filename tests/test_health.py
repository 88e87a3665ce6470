"""The platform's probes: /healthz says the process is alive, /readyz that it can serve."""

from __future__ import annotations

from app import create_app


def test_healthz_answers_without_the_database(tmp_path):
    # A database that cannot be reached: liveness must not depend on it.
    app = create_app({"DATABASE_URL": "postgresql+psycopg://postgres@127.0.0.1:1/none", "INSTANCE_PATH": str(tmp_path)})
    response = app.test_client().get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok"}
    assert response.headers["Cache-Control"] == "no-store"


def test_readyz_is_ok_on_a_migrated_database(client, app):
    response = client.get("/readyz")
    assert response.status_code == 200
    body = response.get_json()
    assert body["status"] == "ok"
    assert body["revision"] == app.extensions["schema_head"]


def test_readyz_is_503_before_migrations(tmp_path):
    app = create_app({"DATABASE_URL": f"sqlite:///{tmp_path / 'empty.sqlite3'}", "INSTANCE_PATH": str(tmp_path)})
    response = app.test_client().get("/readyz")
    assert response.status_code == 503
    body = response.get_json()
    assert body["status"] == "unavailable"
    assert "schema at nothing" in body["reason"] and "python -m app.migrate" in body["reason"]
    app.extensions["database"].engine.dispose()


def test_readyz_is_503_when_the_database_is_unreachable(tmp_path):
    url = "postgresql+psycopg://someone@127.0.0.1:1/none"
    app = create_app({"DATABASE_URL": url, "INSTANCE_PATH": str(tmp_path)})
    response = app.test_client().get("/readyz")
    assert response.status_code == 503
    assert response.get_json() == {"status": "unavailable", "reason": "database unreachable"}
    assert "someone" not in response.get_data(as_text=True)  # no connection details leak out
