"""A real TLS terminator for the tests: Debian's nginx, configured from deploy/nginx.conf.

The test config is deploy/nginx.conf itself with only what a loopback test must change:
where it listens (TLS on a free loopback port, with a certificate made now), which app it
forwards to (one gunicorn instead of the compose replicas), and where it keeps its pid and
temporary files. Every header it sets, every limit and every location stays as deployed,
so the tests prove the file operators use. Nothing here is a test.
"""

from __future__ import annotations

import datetime
import ipaddress
import re
import shutil
import signal
import socket
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from app.store.schema import upgrade
from bench.loadgen import Server, running
from bench.ports import free_port
from tests.helpers import require

ROOT = Path(__file__).resolve().parent.parent
DEPLOYED = ROOT / "deploy" / "nginx.conf"
NGINX = shutil.which("nginx") or "/usr/sbin/nginx"


def make_certificate(folder: Path, names: list[str]) -> tuple[Path, Path]:
    """A self-signed certificate for these names (and 127.0.0.1), valid for a day."""
    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, names[0])])
    now = datetime.datetime.now(datetime.UTC)
    alt = [x509.DNSName(n) for n in names] + [x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]
    certificate = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName(alt), critical=False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = folder / "tls.crt", folder / "tls.key"
    cert_path.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    return cert_path, key_path


def _replace_once(config: str, pattern: str, replacement: str) -> str:
    changed, count = re.subn(pattern, replacement, config, count=0, flags=re.M)
    if count != 1:
        raise AssertionError(f"deploy/nginx.conf changed shape: {pattern!r} matched {count} times")
    return changed


def loopback_config(folder: Path, listen_port: int, app_port: int, cert: Path, key: Path) -> str:
    """deploy/nginx.conf, listening with TLS on loopback and forwarding to one local app."""
    config = DEPLOYED.read_text()
    config = _replace_once(config, r"^pid .*;$", f"pid {folder / 'nginx.pid'};")
    config = _replace_once(config, r"^(\s*)client_body_temp_path .*;$", rf"\1client_body_temp_path {folder / 'body'};")
    config = _replace_once(config, r"^(\s*)proxy_temp_path .*;$", rf"\1proxy_temp_path {folder / 'proxy'};")
    # The replicas of the compose file become the one gunicorn of the test.
    config = _replace_once(
        config, r"^(\s*)server app1:8000 (.*);\n\s*server app2:8000 .*;$", rf"\1server 127.0.0.1:{app_port} \2;"
    )
    config = _replace_once(
        config,
        r"^(\s*)listen 8080;$",
        rf"\1listen 127.0.0.1:{listen_port} ssl;\n\1ssl_certificate {cert};\n\1ssl_certificate_key {key};",
    )
    # nginx writes its other temporary files (fastcgi, uwsgi, scgi) under its prefix: the folder.
    return config


@dataclass
class TlsProxy:
    port: int
    process: subprocess.Popen[bytes]
    log: Path

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGQUIT)  # nginx's graceful stop
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def start_tls_proxy(folder: Path, listen_port: int, app_port: int, names: list[str]) -> TlsProxy:
    folder.mkdir(parents=True, exist_ok=True)
    cert, key = make_certificate(folder, names)
    conf = folder / "nginx.conf"
    conf.write_text(loopback_config(folder, listen_port, app_port, cert, key))
    log = folder / "nginx.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            # As root, nginx's workers would drop to a user who cannot enter pytest's 0700 folders.
            [NGINX, "-p", str(folder), "-c", str(conf), "-e", "stderr", "-g", "daemon off; user root;"],
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    proxy = TlsProxy(listen_port, process, log)
    deadline = time.monotonic() + 10
    while True:
        if process.poll() is not None:
            raise RuntimeError(f"nginx stopped at start: {log.read_text()}")
        try:
            with socket.create_connection(("127.0.0.1", listen_port), timeout=1):
                return proxy
        except OSError:
            if time.monotonic() > deadline:
                proxy.stop()
                raise RuntimeError(f"nginx did not listen within 10 s: {log.read_text()}") from None
            time.sleep(0.1)


PORTS = range(8600, 8700)  # this project's range for the test TLS proxies
HOST = "score.test"  # the name visitors use in these tests (Chromium maps it to loopback)

# As an operator runs the app behind a TLS-terminating proxy on the same machine.
BEHIND_TLS = {
    "BEHIND_HTTPS": "true",
    "FORWARDED_ALLOW_IPS": "127.0.0.1",
    "PROXY_COUNT": "1",
    "TRUSTED_HOSTS": HOST,
    "COMPRESS_RESPONSES": "false",  # the proxy compresses, as in the compose deployment
}


@dataclass
class HttpsSite:
    """gunicorn behind nginx with TLS: `url` is what a visitor types."""

    server: Server
    proxy: TlsProxy

    @property
    def url(self) -> str:
        return f"https://{HOST}:{self.proxy.port}"


@contextmanager
def https_site(folder: Path, env: dict[str, str] | None = None, app_module: str = "wsgi:app") -> Iterator[HttpsSite]:
    require(Path(NGINX).exists(), "nginx")
    database = f"sqlite:///{folder / 'https.sqlite3'}"
    upgrade(database)
    server = Server(database, workers=1, env={**BEHIND_TLS, **(env or {})}, app_module=app_module)
    with running(server, folder):
        proxy = start_tls_proxy(folder / "nginx", free_port(PORTS), server.port, [HOST])
        try:
            yield HttpsSite(server, proxy)
        finally:
            proxy.stop()
