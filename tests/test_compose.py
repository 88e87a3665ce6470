"""The scale-out example: PostgreSQL, two app replicas and a proxy that agree with each other."""

from __future__ import annotations

import ipaddress
import re
from pathlib import Path

import pytest
import yaml

from tests.podman_check import run_container_check

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


def graceful_timeout() -> int:
    return int(re.search(r"^graceful_timeout = (\d+)", (ROOT / "gunicorn.conf.py").read_text(), re.M).group(1))


def seconds(duration: str) -> int:
    value, unit = re.fullmatch(r"(\d+)(s|m)", duration).groups()
    return int(value) * (60 if unit == "m" else 1)


def test_replicas_and_proxy_get_longer_than_gunicorns_grace_to_stop(compose):
    # compose sends SIGKILL 10 s after SIGTERM unless told otherwise; gunicorn waits 20 s.
    for name in [*app_services(compose), "proxy"]:
        assert seconds(compose["services"][name]["stop_grace_period"]) > graceful_timeout(), name


def test_fixed_addresses_lie_outside_the_range_handed_out(compose):
    (config,) = compose["networks"]["backend"]["ipam"]["config"]
    subnet, handed_out = ipaddress.ip_network(config["subnet"]), ipaddress.ip_network(config["ip_range"])
    assert handed_out.subnet_of(subnet)
    fixed = []
    for service in compose["services"].values():
        networks = service.get("networks")
        if isinstance(networks, dict):  # a list names networks without fixed addresses
            fixed += [ipaddress.ip_address(n["ipv4_address"]) for n in networks.values() if n and "ipv4_address" in n]
    assert fixed and all(address in subnet and address not in handed_out for address in fixed)


def test_the_proxy_publishes_where_it_is_told(compose):
    # The container check binds it to loopback on a free port; the default stays 0.0.0.0:8080.
    assert compose["services"]["proxy"]["ports"] == ["${PROXY_ADDRESS:-0.0.0.0}:${PROXY_PORT:-8080}:8080"]


@pytest.mark.container
def test_the_compose_stack_passes_the_operators_checks():
    """scripts/container-check.sh compose: PostgreSQL, Redis, two replicas and nginx under
    podman-compose (stand-in postgres, redis and nginx images from Debian's packages); quizzes
    through the proxy reach both replicas, counters exact in PostgreSQL, one address's rooms
    over both replicas limited at the README's number, Redis stopped costs no page, probes
    hidden, fixed address outside the range handed out, a compose stop lets a request in
    flight finish."""
    run_container_check("compose", at_least=13)
