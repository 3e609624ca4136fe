"""The suite's health check fails when a service is not running (it never skips), and passes again
once the service is back: the guarantee that a green e2e run had all four services up."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
import pytest

from diaodu_platform.runtime import stop_process


async def test_a_stopped_service_fails_the_health_check_until_it_is_back(e2e_stack: Any) -> None:
    await asyncio.to_thread(e2e_stack.assert_healthy)
    victim = e2e_stack.stack.services["scoring"]
    stop_process(victim.process)  # by its own pid

    problems = await asyncio.to_thread(e2e_stack.health_problems)
    assert [p.split(":")[0] for p in problems] == ["scoring"], problems
    with pytest.raises(AssertionError, match="scoring: process exited"):
        await asyncio.to_thread(e2e_stack.assert_healthy)
    with pytest.raises(httpx.ConnectError):
        httpx.get(f"{victim.url}/readyz", timeout=2)

    await asyncio.to_thread(e2e_stack.restart, "scoring")
    await asyncio.to_thread(e2e_stack.assert_healthy)
    assert e2e_stack.stack.services["scoring"].process.pid != victim.process.pid
