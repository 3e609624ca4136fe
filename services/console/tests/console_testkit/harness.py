"""The console running in-process on a fresh database, and browsers talking to it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx

from console.entrypoints.main import create_app
from console.settings import ConsoleSettings
from diaodu_testkit.harness import ServiceHarness, TestRuntime, start_service

SERVICE_DIR = Path(__file__).resolve().parents[2]


async def start_console(runtime: TestRuntime, **overrides: Any) -> ServiceHarness:
    """The console on a fresh database and its own topics; the caller closes it."""
    return await start_service(
        runtime,
        service="console",
        service_dir=SERVICE_DIR,
        create_app=create_app,
        settings_cls=ConsoleSettings,
        **overrides,
    )


def browser(h: ServiceHarness, **headers: str) -> httpx.AsyncClient:
    """A client of its own (its own cookie jar), like one person's browser; the caller closes it."""
    return httpx.AsyncClient(
        transport=httpx.ASGITransport(app=h.app), base_url="http://testserver", timeout=30, headers=headers
    )


def admin_program(h: ServiceHarness) -> httpx.AsyncClient:
    """A program holding a development admin token (as the accounts seed runs); the caller closes it."""
    return browser(h, **h.auth("admin"))


async def create_account(
    h: ServiceHarness,
    username: str,
    password: str,
    *,
    role: str = "reporter",
    unit_code: str | None = None,
    **extra: Any,
) -> dict[str, Any]:
    """An account made by an admin (a development admin token)."""
    body = {
        "username": username,
        "display_name": extra.pop("display_name", username),
        "role": role,
        "password": password,
    }
    if unit_code:
        body["unit_code"] = unit_code
    r = await h.client.post("/api/v1/accounts", json={**body, **extra}, headers=h.auth("admin"))
    assert r.status_code == 201, r.text
    result: dict[str, Any] = r.json()
    return result


async def sign_in(client: httpx.AsyncClient, username: str, password: str) -> httpx.Response:
    return await client.post("/api/v1/session", json={"username": username, "password": password})
