"""The console's pass-through to the services (/api/v1/services/{service}/…): a signed-in admin and a
department system reach registry and progress through it, writes are audited, reads are not, and a
cookie without its CSRF token is refused before anything is passed on.

registry and progress run in-process on the real PostgreSQL and broker, share one topic namespace (so
progress learns registry's projects), and are served by uvicorn on loopback ports the console calls."""

from __future__ import annotations

import asyncio
import contextlib
import importlib
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import httpx
import pytest
import uvicorn
from console_testkit.harness import admin_program, browser, create_account, sign_in, start_console
from fastapi import FastAPI

from diaodu_platform.runtime import free_port
from diaodu_platform.topology import SERVICES
from diaodu_platform.types import SHANGHAI
from diaodu_platform.xlsx import XLSX
from diaodu_testkit.harness import ServiceHarness, TestRuntime, namespace, start_service, wait_until

# Months in the test lie after the real date, so projects registered now owe reports for them.
YEAR = datetime.now(SHANGHAI).year + 1
PASSWORD = "Fagai-ju-2026"


@dataclass
class Stack:
    console: ServiceHarness
    registry: ServiceHarness
    progress: ServiceHarness


async def _serve(app: FastAPI, stack: contextlib.AsyncExitStack) -> str:
    """Serve an app (its lifespan already running) on a free loopback port until the stack closes."""
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=0, lifespan="off", log_level="error"))
    serving = asyncio.create_task(server.serve())
    await wait_until(lambda: server.started)
    port = server.servers[0].sockets[0].getsockname()[1]

    async def stop() -> None:
        server.should_exit = True
        with contextlib.suppress(asyncio.CancelledError):
            await serving

    stack.push_async_callback(stop)
    return f"http://127.0.0.1:{port}"


async def _start(runtime: TestRuntime, name: str, ns: str) -> ServiceHarness:
    info = SERVICES[name]
    create_app = importlib.import_module(info.app.split(":")[0]).create_app
    return await start_service(
        runtime, service=name, service_dir=info.directory, create_app=create_app, ns=ns
    )


@pytest.fixture(scope="module")
async def stack(runtime: TestRuntime) -> AsyncIterator[Stack]:
    ns = namespace()
    async with contextlib.AsyncExitStack() as exits:
        registry = await _start(runtime, "registry", ns)  # one after the other: Alembic is process-global
        exits.push_async_callback(registry.close)
        progress = await _start(runtime, "progress", ns)
        exits.push_async_callback(progress.close)
        nowhere = f"http://127.0.0.1:{free_port()}"  # nothing listens there
        urls = {
            "registry": await _serve(registry.app, exits),
            "progress": await _serve(progress.app, exits),
            "escalation": nowhere,
            "scoring": nowhere,
        }
        console = await start_console(runtime, console_service_urls=urls)
        exits.push_async_callback(console.close)
        await create_account(console, "office-admin", PASSWORD, role="admin", display_name="项目推进中心")
        yield Stack(console, registry, progress)


@contextlib.asynccontextmanager
async def signed_in_admin(console: ServiceHarness) -> AsyncIterator[httpx.AsyncClient]:
    """A browser with the admin's session cookie, sending the session's CSRF token on every request."""
    async with browser(console) as b:
        r = await sign_in(b, "office-admin", PASSWORD)
        assert r.status_code == 200, r.text
        b.headers["X-CSRF-Token"] = r.json()["csrf_token"]
        yield b


async def _unit_and_project(admin: httpx.AsyncClient, code: str, name: str) -> str:
    r = await admin.post(
        "/api/v1/services/registry/api/v1/units", json={"code": code, "name": name, "kind": "township"}
    )
    assert r.status_code == 201, r.text
    r = await admin.post(
        "/api/v1/services/registry/api/v1/projects",
        json={
            "name": f"{name}光伏产业园",
            "unit_code": code,
            "build_type": "new",
            "stage": "construction",
            "total_investment": 52000,
            "annual_plan_investment": 12000,
            "plan_year": YEAR,
        },
    )
    assert r.status_code == 201, r.text
    project_id: str = r.json()["project_id"]
    return project_id


async def _progress_knows(admin: httpx.AsyncClient, *project_ids: str) -> None:
    async def known() -> bool:
        r = await admin.get("/api/v1/services/progress/api/v1/projects", params={"page_size": 200})
        assert r.status_code == 200, r.text
        return set(project_ids) <= {p["project_id"] for p in r.json()["items"]}

    await wait_until(known, timeout=60, interval=0.3)


def _report(project_id: str) -> dict[str, Any]:
    return {
        "project_id": project_id,
        "month": f"{YEAR}-02",
        "investment_month": 300,
        "investment_ytd": 300,
        "investment_cumulative": 300,
        "construction_status": "started",
        "actual_start_date": f"{YEAR}-02-08",
    }


async def _client_token(admin: httpx.AsyncClient, console: ServiceHarness, unit: str) -> dict[str, str]:
    r = await admin.post(
        "/api/v1/clients",
        json={"name": "凤城镇项目管理系统", "unit_code": unit, "scopes": ["progress:reports:write"]},
    )
    assert r.status_code == 201, r.text
    grant = {"grant_type": "client_credentials", **{k: r.json()[k] for k in ("client_id", "client_secret")}}
    token = await console.client.post("/api/v1/token", data=grant)
    assert token.status_code == 200, token.text
    return {"Authorization": f"Bearer {token.json()['access_token']}", "client_id": grant["client_id"]}


async def _passed_writes(console: ServiceHarness, **params: Any) -> list[dict[str, Any]]:
    async with admin_program(console) as admin:
        r = await admin.get("/api/v1/audit", params={"action": "service_write", "page_size": 200, **params})
    assert r.status_code == 200, r.text
    items: list[dict[str, Any]] = r.json()["items"]
    return items


async def test_an_admin_registers_and_reads_through_the_console_and_every_write_is_audited(
    stack: Stack,
) -> None:
    console = stack.console
    async with signed_in_admin(console) as admin:
        await _unit_and_project(admin, "fengcheng", "凤城镇")
        r = await admin.get("/api/v1/services/registry/api/v1/units/fengcheng")
        assert r.status_code == 200 and r.json()["name"] == "凤城镇", r.text
        assert r.headers["content-type"].startswith("application/json")
        listed = await admin.get(
            "/api/v1/services/registry/api/v1/projects", params={"unit_code": "fengcheng"}
        )
        assert listed.status_code == 200 and len(listed.json()["items"]) == 1, listed.text
        again = await admin.post(
            "/api/v1/services/registry/api/v1/units",
            json={"code": "fengcheng", "name": "凤城镇", "kind": "township"},
        )
        assert again.status_code == 409 and again.headers["content-type"].startswith("application/problem")
        template = await admin.get("/api/v1/services/registry/api/v1/imports/templates/workbook.xlsx")
        assert template.status_code == 200, template.text
        assert template.headers["content-type"] == XLSX and template.content[:2] == b"PK"
        assert "attachment" in template.headers["content-disposition"]
    lines = await _passed_writes(console, username="office-admin")
    writes = [(e["detail"]["method"], e["target"], e["status"]) for e in reversed(lines)]
    assert writes == [
        ("POST", "registry:/api/v1/units", 201),
        ("POST", "registry:/api/v1/projects", 201),
        ("POST", "registry:/api/v1/units", again.status_code),
    ]
    first = lines[-1]
    assert (first["actor"], first["actor_role"], first["client"]) == ("office-admin", "admin", "127.0.0.1")
    clock = datetime.fromisoformat(
        (await console.client.get("/api/v1/ops/clock", headers=console.auth("admin"))).json()["now"]
    )
    assert abs((datetime.fromisoformat(first["at"]) - clock).total_seconds()) < 120
    assert not [e for e in lines if e["detail"]["method"] == "GET"]


async def test_a_department_system_reports_for_its_own_unit_only(stack: Stack) -> None:
    console = stack.console
    async with signed_in_admin(console) as admin:
        own = await _unit_and_project(admin, "beiliu", "北留镇")
        other = await _unit_and_project(admin, "runcheng", "润城镇")
        await _progress_knows(admin, own, other)
        stack.progress.app.state.clock.set(datetime(YEAR, 3, 10, 10, tzinfo=SHANGHAI))
        system = await _client_token(admin, console, "beiliu")
    client_id = system.pop("client_id")
    reports = "/api/v1/services/progress/api/v1/reports"
    posted = await console.client.post(reports, json=_report(own), headers=system)
    assert posted.status_code == 201, posted.text
    assert posted.json()["unit_code"] == "beiliu"
    refused = await console.client.post(reports, json=_report(other), headers=system)
    assert refused.status_code == 403, refused.text
    assert refused.headers["content-type"].startswith("application/problem+json")
    assert refused.json()["instance"] == "/api/v1/reports"  # progress's answer, passed back as is
    read = await console.client.get(f"/api/v1/services/progress/api/v1/projects/{own}", headers=system)
    assert read.status_code == 200, read.text
    not_issued = await console.client.post(
        "/api/v1/services/registry/api/v1/units",
        json={"code": "x", "name": "x", "kind": "township"},
        headers=system,
    )
    assert not_issued.status_code == 403 and "unit-returns" in not_issued.json()["detail"]
    lines = await _passed_writes(console, username=client_id)
    assert [(e["target"], e["status"], e["actor_unit"]) for e in reversed(lines)] == [
        ("progress:/api/v1/reports", 201, "beiliu"),
        ("progress:/api/v1/reports", 403, "beiliu"),
        ("registry:/api/v1/units", 403, "beiliu"),
    ]


async def test_a_cookie_without_its_csrf_token_is_refused_and_not_passed_on(stack: Stack) -> None:
    console = stack.console
    async with signed_in_admin(console) as admin:
        del admin.headers["X-CSRF-Token"]
        r = await admin.post(
            "/api/v1/services/registry/api/v1/units",
            json={"code": "jiafeng", "name": "嘉峰镇", "kind": "township"},
        )
        assert r.status_code == 403 and r.json()["type"] == "/problems/csrf", r.text
        missing = await admin.get("/api/v1/services/registry/api/v1/units/jiafeng")
        assert missing.status_code == 404, missing.text
    assert not [e for e in await _passed_writes(console) if "jiafeng" in str(e)]


async def test_unknown_and_unreachable_services_are_named(stack: Stack) -> None:
    async with admin_program(stack.console) as admin:
        unknown = await admin.get("/api/v1/services/payroll/api/v1/anything")
        assert unknown.status_code == 404 and unknown.json()["allowed"] == [
            "registry",
            "progress",
            "escalation",
            "scoring",
        ]
        down = await admin.get("/api/v1/services/scoring/api/v1/rankings")
        assert down.status_code == 502 and down.json()["service"] == "scoring", down.text
        assert down.headers["content-type"].startswith("application/problem+json")
        failed = await admin.post("/api/v1/services/escalation/api/v1/problems", json={})
        assert failed.status_code == 502
    (line,) = await _passed_writes(stack.console, username="test-admin")
    assert (line["target"], line["status"]) == ("escalation:/api/v1/problems", 502)
