from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from registry_testkit.harness import start_registry

from diaodu_testkit.harness import ServiceHarness, TestRuntime


@pytest.fixture
async def registry(runtime: TestRuntime) -> AsyncIterator[ServiceHarness]:
    """The registry on a fresh database and its own topics."""
    h = await start_registry(runtime)
    try:
        yield h
    finally:
        await h.close()
