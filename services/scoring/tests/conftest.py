"""Fixtures: scoring replicas on one fresh database, fed by registry/progress/escalation events that
the tests produce onto those services' topics (in the same topic namespace)."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from scoring_testkit.harness import Replicas, start_replicas

from diaodu_testkit.harness import TestRuntime


@pytest.fixture(scope="module")
async def replicas(runtime: TestRuntime) -> AsyncIterator[Replicas]:
    r = await start_replicas(runtime)
    try:
        yield r
    finally:
        await r.close()
