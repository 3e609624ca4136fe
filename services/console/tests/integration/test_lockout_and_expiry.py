"""Lock-out and session expiry follow the service clock (moved with PUT /api/v1/ops/clock)."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from console_testkit.harness import browser, create_account, sign_in, start_console

from diaodu_testkit.harness import ServiceHarness, TestRuntime


@pytest.fixture
async def console(runtime: TestRuntime) -> AsyncIterator[ServiceHarness]:
    """A console of its own: these tests move its clock."""
    h = await start_console(runtime)
    try:
        yield h
    finally:
        await h.close()


async def _advance(h: ServiceHarness, minutes: float) -> None:
    r = await h.client.put(
        "/api/v1/ops/clock", json={"advance_seconds": minutes * 60}, headers=h.auth("admin")
    )
    assert r.status_code == 200, r.text


async def test_five_failures_lock_the_account_until_the_clock_passes_the_lock(
    console: ServiceHarness,
) -> None:
    await create_account(console, "hebei-clerk", "Hebei-zhen-2023", unit_code="hebei")
    async with browser(console) as clerk:
        for _ in range(4):
            assert (await sign_in(clerk, "hebei-clerk", "Wrong-password-1")).status_code == 401
        fifth = await sign_in(clerk, "hebei-clerk", "Wrong-password-1")
        assert fifth.status_code == 423 and fifth.headers["content-type"] == "application/problem+json"
        body = fifth.json()
        assert "锁定" in body["detail"] and body["locked_until"] in body["detail"]
        sixth = await sign_in(clerk, "hebei-clerk", "Hebei-zhen-2023")  # the right password, too early
        assert sixth.status_code == 423 and sixth.json()["locked_until"] == body["locked_until"]
        await _advance(console, 14)
        assert (await sign_in(clerk, "hebei-clerk", "Hebei-zhen-2023")).status_code == 423
        await _advance(console, 1.1)
        assert (await sign_in(clerk, "hebei-clerk", "Hebei-zhen-2023")).status_code == 200
    async with browser(console, **console.auth("admin")) as admin:
        account = (await admin.get("/api/v1/accounts/hebei-clerk")).json()
        actions = [
            e["action"]
            for e in (await admin.get("/api/v1/audit", params={"username": "hebei-clerk"})).json()["items"]
        ]
    assert account["locked_until"] is None  # the sign-in after the lock forgot it
    assert actions[:3] == ["sign_in", "sign_in_locked", "sign_in_locked"]
    assert actions[3:5] == ["locked_out", "sign_in_failed"] and actions.count("sign_in_failed") == 5


async def test_an_admin_reset_unlocks_at_once(console: ServiceHarness) -> None:
    await create_account(console, "baisang-clerk", "Baisang-zhen-2023", unit_code="baisang")
    async with browser(console) as clerk:
        for _ in range(5):
            await sign_in(clerk, "baisang-clerk", "Wrong-password-1")
        assert (await sign_in(clerk, "baisang-clerk", "Baisang-zhen-2023")).status_code == 423
        reset = await console.client.post(
            "/api/v1/accounts/baisang-clerk/reset-password",
            json={"new_password": "Baisang-new-2024"},
            headers=console.auth("admin"),
        )
        assert reset.status_code == 200 and reset.json()["locked_until"] is None
        assert (await sign_in(clerk, "baisang-clerk", "Baisang-new-2024")).status_code == 200


async def test_a_session_ends_after_thirty_idle_minutes(console: ServiceHarness) -> None:
    await create_account(console, "henghe-clerk", "Henghe-zhen-2023", unit_code="henghe")
    async with browser(console) as clerk:
        assert (await sign_in(clerk, "henghe-clerk", "Henghe-zhen-2023")).status_code == 200
        await _advance(console, 29)
        assert (await clerk.get("/api/v1/me")).status_code == 200  # used: the idle clock starts again
        await _advance(console, 29)
        assert (await clerk.get("/api/v1/me")).status_code == 200
        await _advance(console, 31)
        ended = await clerk.get("/api/v1/me")
        assert ended.status_code == 401 and "会话已结束" in ended.json()["detail"]
