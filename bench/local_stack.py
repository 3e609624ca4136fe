"""`--start`: a stack of its own for the benchmark, as `make run` builds it, on free loopback ports.

PostgreSQL (embedded, durable: fsync on, as `make run`), the Tansu broker and the four services
as processes (diaodu_platform.stack.Stack); everything is stopped by its own pid afterwards and
the scratch folder removed.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from diaodu_platform.runtime import EmbeddedKafka, EmbeddedPostgres, free_port, remove_dir, scratch_dir
from diaodu_platform.stack import Stack
from diaodu_platform.topology import REPO_ROOT, SERVICES


@dataclass
class LocalStack:
    folder: Path
    postgres: EmbeddedPostgres
    kafka: EmbeddedKafka
    stack: Stack

    @classmethod
    def start(cls, *, pool_size: int) -> LocalStack:
        folder = scratch_dir("diaodu-bench-")
        postgres = EmbeddedPostgres(folder / "postgres")
        kafka = EmbeddedKafka(log_path=folder / "broker.log")
        stack = Stack(
            admin_dsn="",
            bootstrap="",
            log_dir=folder / "logs",
            env={
                "DIAODU_ENV": "local",
                "DIAODU_LOG_LEVEL": "WARNING",
                "DIAODU_DB_POOL_SIZE": str(pool_size),
                "PYTHONPATH": os.pathsep.join(filter(None, [str(REPO_ROOT), os.environ.get("PYTHONPATH")])),
            },
            ports={name: free_port() for name in SERVICES},
        )
        local = cls(folder, postgres, kafka, stack)
        try:
            postgres.start()
            kafka.start()
            stack.admin_dsn, stack.bootstrap = postgres.admin_dsn, kafka.bootstrap
            stack.start(list(SERVICES), fresh=True)
            ready = stack.wait_ready(timeout=120)
            if not all(ready.values()):
                raise RuntimeError(f"services not ready: {ready}; logs in {folder / 'logs'}")
        except BaseException:
            local.stop()
            raise
        return local

    @property
    def ports(self) -> dict[str, int]:
        return {name: svc.port for name, svc in self.stack.services.items()}

    def stop(self) -> None:
        self.stack.stop()
        self.kafka.stop()
        self.postgres.stop()
        remove_dir(self.folder)
