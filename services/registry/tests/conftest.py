from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from diaodu_testkit.harness import ServiceHarness, TestRuntime, start_service
from registry.entrypoints.main import create_app

SERVICE_DIR = Path(__file__).resolve().parents[1]


@pytest.fixture
async def registry(runtime: TestRuntime) -> AsyncIterator[ServiceHarness]:
    """The registry on a fresh database and its own topics."""
    h = await start_service(runtime, service="registry", service_dir=SERVICE_DIR, create_app=create_app)
    try:
        yield h
    finally:
        await h.close()
