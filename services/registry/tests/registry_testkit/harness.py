"""The registry running in-process on a fresh database, for the integration tests."""

from __future__ import annotations

from pathlib import Path

from diaodu_testkit.harness import ServiceHarness, TestRuntime, start_service
from registry.entrypoints.main import create_app

SERVICE_DIR = Path(__file__).resolve().parents[2]


async def start_registry(runtime: TestRuntime) -> ServiceHarness:
    """The registry on a fresh database and its own topics; the caller closes it."""
    return await start_service(runtime, service="registry", service_dir=SERVICE_DIR, create_app=create_app)
