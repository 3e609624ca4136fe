"""The services as separate processes: used by `diaodu up` (make run) and the end-to-end tests."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from diaodu_platform.migrations import upgrade
from diaodu_platform.runtime import database_url, ensure_database, stop_process
from diaodu_platform.topology import SERVICES


@dataclass
class RunningService:
    name: str
    port: int
    database_url: str
    process: subprocess.Popen[bytes]
    log_path: Path

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"


@dataclass
class Stack:
    """Migrates each service's database and starts it with uvicorn on 127.0.0.1."""

    admin_dsn: str
    bootstrap: str
    log_dir: Path
    env: dict[str, str] = field(default_factory=dict)
    ports: dict[str, int] = field(default_factory=dict)
    database_prefix: str = "diaodu_"
    services: dict[str, RunningService] = field(default_factory=dict)

    def start(self, names: list[str], *, fresh: bool = False) -> None:
        self.log_dir.mkdir(parents=True, exist_ok=True)
        for name in names:
            info = SERVICES[name]
            db = f"{self.database_prefix}{name}"
            asyncio.run(ensure_database(self.admin_dsn, db, fresh=fresh))
            url = database_url(self.admin_dsn, db)
            upgrade(info.directory, url)
            port = self.ports.get(name, info.port)
            log_path = self.log_dir / f"{name}.log"
            env = {
                **os.environ,
                **self.env,
                "DIAODU_SERVICE": name,
                "DIAODU_DATABASE_URL": url,
                "DIAODU_KAFKA_BOOTSTRAP": self.bootstrap,
                "DIAODU_HTTP_PORT": str(port),
            }
            with open(log_path, "ab") as log:
                proc = subprocess.Popen(
                    [
                        sys.executable,
                        "-m",
                        "uvicorn",
                        info.app,
                        "--host",
                        "127.0.0.1",
                        "--port",
                        str(port),
                        "--no-access-log",
                        "--timeout-graceful-shutdown",
                        "10",
                    ],
                    env=env,
                    stdout=log,
                    stderr=subprocess.STDOUT,
                )
            self.services[name] = RunningService(name, port, url, proc, log_path)

    def wait_ready(self, timeout: float = 90) -> dict[str, bool]:
        deadline = time.monotonic() + timeout
        ready = dict.fromkeys(self.services, False)
        while time.monotonic() < deadline and not all(ready.values()):
            for name, svc in self.services.items():
                if ready[name] or svc.process.poll() is not None:
                    continue
                try:
                    ready[name] = httpx.get(f"{svc.url}/readyz", timeout=2).status_code == 200
                except httpx.HTTPError:
                    pass
            time.sleep(0.3)
        return ready

    def exited(self) -> dict[str, int]:
        return {n: s.process.returncode for n, s in self.services.items() if s.process.poll() is not None}

    def stop(self) -> None:
        for svc in self.services.values():
            stop_process(svc.process)
