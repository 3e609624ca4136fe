"""Fixtures of the progress tests: a service harness per module on the real PostgreSQL and broker, a
feed that publishes registry events as the registry would, and a reader of the progress topic."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from progress_testkit import Published, RegistryFeed, start_progress

from diaodu_testkit.harness import ServiceHarness, TestRuntime


@pytest.fixture(scope="module")
async def progress(runtime: TestRuntime) -> AsyncIterator[ServiceHarness]:
    """One progress service per test module (a consumer group join costs ~5 s)."""
    h = await start_progress(runtime)
    try:
        yield h
    finally:
        await h.close()


@pytest.fixture
def feed(progress: ServiceHarness) -> RegistryFeed:
    return RegistryFeed(progress)


@pytest.fixture
def published(progress: ServiceHarness) -> Published:
    return Published(progress)
