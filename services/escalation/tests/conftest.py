"""Escalation fixtures: the service on a real PostgreSQL and broker (helpers: escalation_testkit)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from types import ModuleType

import escalation_testkit
import pytest
from escalation_testkit import start_escalation

from diaodu_testkit.harness import ServiceHarness, TestRuntime


@pytest.fixture(scope="module")
async def escalation(runtime: TestRuntime) -> AsyncIterator[ServiceHarness]:
    """One replica on a fresh database and its own topics, shared by a module's tests."""
    h = await start_escalation(runtime)
    try:
        yield h
    finally:
        await h.close()


@pytest.fixture(scope="module")
async def replicas(runtime: TestRuntime) -> AsyncIterator[tuple[ServiceHarness, ServiceHarness]]:
    """Two replicas of the service on one database and one topic namespace."""
    h1 = await start_escalation(runtime)
    h2 = await start_escalation(runtime, ns=h1.settings.topic_namespace, database=h1.settings.database_url)
    try:
        yield h1, h2
    finally:
        await h2.close()
        await h1.close()


@pytest.fixture(scope="session")
def kit() -> ModuleType:
    """The test kit as one namespace (escalation_testkit), for the integration tests' helpers."""
    return escalation_testkit
