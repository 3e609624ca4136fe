from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from console_testkit.harness import start_console

from diaodu_testkit.harness import ServiceHarness, TestRuntime


@pytest.fixture(scope="module")
async def console(runtime: TestRuntime) -> AsyncIterator[ServiceHarness]:
    """The console on a fresh database, shared by a module's tests (each test uses its own accounts)."""
    h = await start_console(runtime)
    try:
        yield h
    finally:
        await h.close()
