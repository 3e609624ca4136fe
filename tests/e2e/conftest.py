"""The four services as separate processes (diaodu_platform.stack.Stack) on the session's runtime.

One stack for the whole e2e session: each service on a free port, databases `e2e_<hex>_<service>`,
topics under their own DIAODU_TOPIC_NAMESPACE, so nothing collides with other tests or with a
running `make run`. If a service does not come up, every test of the suite errors (never skips).
"""

from __future__ import annotations

import asyncio
import sys
import uuid
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path

import asyncpg
import httpx
import pytest

from diaodu_platform.runtime import free_port
from diaodu_platform.stack import Stack
from diaodu_platform.topology import SERVICES
from diaodu_testkit.harness import TestRuntime

REPO_ROOT = Path(__file__).resolve().parents[2]
if str(REPO_ROOT) not in sys.path:  # `tools` lives at the repository root
    sys.path.append(str(REPO_ROOT))

from tools.client import Api, LagProbe, Urls  # noqa: E402

READY_TIMEOUT_S = 120


@dataclass
class E2EStack:
    stack: Stack
    namespace: str
    bootstrap: str
    admin_dsn: str

    @property
    def urls(self) -> Urls:
        return Urls.from_ports({name: svc.port for name, svc in self.stack.services.items()})

    def topic(self, service: str) -> str:
        return f"{self.namespace}diaodu.{service}.v1"

    def health_problems(self) -> list[str]:
        """What is wrong with the stack: a service process that exited, or one whose /readyz is not 200."""
        problems = []
        for name in SERVICES:
            svc = self.stack.services.get(name)
            if svc is None:
                problems.append(f"{name}: not started")
                continue
            if svc.process.poll() is not None:
                problems.append(f"{name}: process exited with {svc.process.returncode} (log {svc.log_path})")
                continue
            try:
                r = httpx.get(f"{svc.url}/readyz", timeout=5)
                if r.status_code != 200:
                    problems.append(f"{name}: /readyz answered {r.status_code} {r.text}")
            except httpx.HTTPError as exc:
                problems.append(f"{name}: /readyz unreachable at {svc.url}: {exc!r}")
        return problems

    def assert_healthy(self) -> None:
        problems = self.health_problems()
        assert not problems, "the e2e stack is not healthy:\n" + "\n".join(problems)

    def restart(self, name: str) -> None:
        """Start a stopped service again on its port and database (migrations are a no-op)."""
        self.stack.ports[name] = self.stack.services[name].port
        self.stack.start([name])
        ready = self.stack.wait_ready(timeout=READY_TIMEOUT_S)
        assert ready[name], f"{name} did not become ready again; see {self.stack.services[name].log_path}"


async def _drop_databases(admin_dsn: str, prefix: str) -> None:
    conn = await asyncpg.connect(admin_dsn)
    try:
        names = await conn.fetch("SELECT datname FROM pg_database WHERE datname LIKE $1", f"{prefix}%")
        for row in names:
            await conn.execute(f'DROP DATABASE IF EXISTS "{row["datname"]}" WITH (FORCE)')
    finally:
        await conn.close()


@pytest.fixture(scope="session")
def e2e_stack(runtime: TestRuntime, tmp_path_factory: pytest.TempPathFactory) -> Iterator[E2EStack]:
    tag = uuid.uuid4().hex[:8]
    namespace = f"e2e{tag}."
    prefix = f"e2e_{tag}_"
    stack = Stack(
        admin_dsn=runtime.admin_dsn,
        bootstrap=runtime.bootstrap,
        log_dir=tmp_path_factory.mktemp("e2e-logs"),
        env={
            "DIAODU_ENV": "test",
            "DIAODU_TOPIC_NAMESPACE": namespace,
            "DIAODU_LOG_LEVEL": "INFO",
            "DIAODU_OUTBOX_POLL_INTERVAL_S": "0.2",
            "DIAODU_DB_POOL_SIZE": "5",
        },
        ports={name: free_port() for name in SERVICES},
        database_prefix=prefix,
    )
    e2e = E2EStack(stack=stack, namespace=namespace, bootstrap=runtime.bootstrap, admin_dsn=runtime.admin_dsn)
    try:
        stack.start(list(SERVICES), fresh=True)
        ready = stack.wait_ready(timeout=READY_TIMEOUT_S)
        if not all(ready.values()):
            logs = {n: s.log_path.read_text(errors="replace")[-3000:] for n, s in stack.services.items()}
            pytest.fail(
                f"services not ready: {ready}\n" + "\n".join(f"--- {n}\n{t}" for n, t in logs.items())
            )
        yield e2e
    finally:
        stack.stop()
        asyncio.run(_drop_databases(runtime.admin_dsn, prefix))


@pytest.fixture(scope="session")
async def api(e2e_stack: E2EStack) -> AsyncIterator[Api]:
    async with Api(e2e_stack.urls, sub="e2e-office") as client:
        yield client


@pytest.fixture(scope="session")
async def lag(e2e_stack: E2EStack) -> AsyncIterator[LagProbe]:
    async with LagProbe(e2e_stack.bootstrap, e2e_stack.namespace) as probe:
        yield probe


@pytest.fixture(autouse=True)
def all_services_running(e2e_stack: E2EStack) -> None:
    """Every e2e test starts with all four services up and ready: a dead one fails the test."""
    e2e_stack.assert_healthy()
