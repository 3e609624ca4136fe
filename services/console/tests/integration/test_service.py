"""The console as a diaodu service: health, its documents, and a first revision matching its tables."""

from __future__ import annotations

from typing import Any

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import create_async_engine

from console.adapters.tables import metadata
from diaodu_testkit.harness import ServiceHarness, wait_until


async def test_health_and_documents(console: ServiceHarness) -> None:
    assert (await console.client.get("/healthz")).json() == {"status": "ok", "service": "console"}

    async def ready() -> bool:  # the broker connection comes up in the background
        return (await console.client.get("/readyz")).status_code == 200

    await wait_until(ready)
    paths = (await console.client.get("/openapi.json")).json()["paths"]
    for path in ("/api/v1/session", "/api/v1/token", "/api/v1/me", "/api/v1/accounts", "/api/v1/audit"):
        assert path in paths
    assert "application/x-www-form-urlencoded" in paths["/api/v1/token"]["post"]["requestBody"]["content"]
    asyncapi = (await console.client.get("/asyncapi.json")).json()
    assert asyncapi.get("components", {}).get("messages", {}) == {}  # the console publishes no events


async def test_the_first_revision_creates_exactly_the_tables_of_the_code(console: ServiceHarness) -> None:
    def differences(sync_conn: Connection) -> list[Any]:
        diff: list[Any] = compare_metadata(MigrationContext.configure(sync_conn), metadata)
        return diff

    engine = create_async_engine(console.settings.database_url)
    try:
        async with engine.connect() as conn:
            assert await conn.run_sync(differences) == []
    finally:
        await engine.dispose()
