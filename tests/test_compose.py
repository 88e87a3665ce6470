"""The scale-out example: PostgreSQL, two app replicas and a proxy that agree with each other."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def compose() -> dict:
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())


def app_services(compose: dict) -> dict[str, dict]:
    return {name: s for name, s in compose["services"].items() if s.get("build") == "."}


def test_two_replicas_share_one_postgresql_and_one_secret(compose):
    apps = app_services(compose)
    assert len(apps) >= 2
    for service in apps.values():
        env = service["environment"]
        assert env["DATABASE_URL"].startswith("postgresql+psycopg://") and "@db:5432/" in env["DATABASE_URL"]
        assert env["SECRET_KEY"].startswith("${SECRET_KEY:?")  # refuses to start without one
        assert service["depends_on"]["db"]["condition"] == "service_healthy"
        assert service["read_only"] is True
    assert compose["services"]["db"]["image"].startswith("postgres:15.")
    assert "healthcheck" in compose["services"]["db"]


def test_the_proxy_is_the_only_trusted_forwarder_and_reaches_every_replica(compose):
    proxy = compose["services"]["proxy"]
    proxy_ip = proxy["networks"]["backend"]["ipv4_address"]
    apps = app_services(compose)
    for service in apps.values():
        assert service["environment"]["FORWARDED_ALLOW_IPS"] == proxy_ip
        assert service["environment"]["PROXY_COUNT"] == 1
    nginx = (ROOT / "deploy" / "nginx.conf").read_text()
    upstreams = set(re.findall(r"^\s*server (\w+):8000", nginx, re.MULTILINE))
    assert upstreams == set(apps)
    assert set(proxy["depends_on"]) == set(apps)
    assert proxy["image"].startswith("nginx:1.")


def test_the_proxy_keeps_no_address_and_hides_probes():
    nginx = (ROOT / "deploy" / "nginx.conf").read_text()
    assert re.search(r"^\s*access_log off;", nginx, re.MULTILINE)
    assert "server_tokens off;" in nginx
    # The address is forwarded (one hop, overwritten, never appended) only for rate limiting.
    assert "proxy_set_header X-Forwarded-For $remote_addr;" in nginx
    assert "log_format" not in nginx
    assert "location = /readyz { return 404; }" in nginx
