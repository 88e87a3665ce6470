"""A PostgreSQL server of a test's own (initdb + pg_ctl, as the postgres user), on a port of
its own in a temporary folder, so a test can stop it, freeze it and start it again without
disturbing the machine's shared server."""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from bench.ports import free_port

PG_ROOT = Path("/usr/lib/postgresql")  # Debian's layout: one folder per major version
PG_PORTS = range(55432, 55440)


class PrivatePostgres:
    def __init__(self) -> None:
        self.bin = PG_ROOT / sorted(os.listdir(PG_ROOT))[-1] / "bin"
        self.folder = Path(tempfile.mkdtemp(prefix="reliab-pg-"))
        shutil.chown(self.folder, "postgres")
        self.data = self.folder / "data"
        self.port = free_port(PG_PORTS)
        self._as_postgres(self.bin / "initdb", "-D", self.data, "-A", "trust", "-U", "postgres", "--no-sync")

    def _as_postgres(self, *args: object) -> None:
        command = [str(a) for a in args]
        if os.geteuid() == 0:  # PostgreSQL refuses to run as root
            command = ["runuser", "-u", "postgres", "--", *command]
        subprocess.run(command, check=True, capture_output=True, timeout=60)

    @property
    def url(self) -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/postgres"

    def start(self) -> None:
        options = f"-p {self.port} -k {self.folder} -c listen_addresses=127.0.0.1 -c fsync=off"
        self._as_postgres(self.bin / "pg_ctl", "-D", self.data, "-o", options, "-l", self.folder / "log", "-w", "start")

    def stop(self) -> None:
        self._as_postgres(self.bin / "pg_ctl", "-D", self.data, "-m", "fast", "-w", "stop")

    def remove(self) -> None:
        with contextlib.suppress(subprocess.CalledProcessError):  # already stopped
            self.stop()
        shutil.rmtree(self.folder, ignore_errors=True)
