"""Signing in to the console in a browser, against the real PostgreSQL: the seeded accounts, the
session cookie, the clerk's refusal, CSRF, sign-out, deactivation."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest
from console_testkit.harness import admin_program, browser, create_account, sign_in

from console.entrypoints.accounts_seed import seed_accounts
from diaodu_testkit.harness import ServiceHarness


@pytest.fixture(scope="module")
async def seeded(console: ServiceHarness) -> tuple[dict[str, str], list[str]]:
    """The local demo accounts, seeded once through the API as `make run` would."""
    lines: list[str] = []
    async with admin_program(console) as admin:
        outcomes = await seed_accounts(admin, out=lines.append)
    return outcomes, lines


@pytest.fixture
async def clerk(console: ServiceHarness) -> AsyncIterator[httpx.AsyncClient]:
    async with browser(console) as b:
        yield b


async def test_the_seed_makes_an_account_per_unit_and_role_and_a_second_run_changes_nothing(
    console: ServiceHarness, seeded: tuple[dict[str, str], list[str]]
) -> None:
    outcomes, lines = seeded
    assert {"admin", "supervisor", "leader", "fengcheng", "kaifaqu", "wenlv"} <= set(outcomes)
    assert len(outcomes) == 3 + 42 and set(outcomes.values()) == {"created"}
    assert any("凤城镇" in line and "fengcheng-demo-2023" in line for line in lines)
    again: list[str] = []
    async with admin_program(console) as admin:
        second = await seed_accounts(admin, out=again.append)
        listed = (await admin.get("/api/v1/accounts", params={"role": "reporter", "page_size": 200})).json()
    assert set(second.values()) == {"unchanged"} and again[-1] == "0 account(s) created, 45 unchanged"
    assert listed["total"] == 42


async def test_a_seeded_unit_account_signs_in_with_a_protected_session_cookie(
    seeded: object, clerk: httpx.AsyncClient
) -> None:
    r = await sign_in(clerk, "fengcheng", "fengcheng-demo-2023")
    assert r.status_code == 200, r.text
    cookie = r.headers["set-cookie"]
    assert cookie.startswith("diaodu_session=") and "HttpOnly" in cookie and "SameSite=lax" in cookie
    assert "Secure" not in cookie  # test mode is plain HTTP (the builder's Secure case: unit/test_edges.py)
    session = r.json()
    assert session["account"]["display_name"] == "凤城镇" and session["account"]["unit_code"] == "fengcheng"
    assert session["csrf_token"] and "password_hash" not in session["account"]
    me = await clerk.get("/api/v1/me")
    assert me.json() == {
        "sub": "fengcheng",
        "role": "reporter",
        "unit": "fengcheng",
        "leader_id": None,
        "display_name": "凤城镇",
        "scopes": [],
        "via": "session",
    }
    assert (await clerk.get("/api/v1/session")).json()["csrf_token"] == session["csrf_token"]


async def test_a_wrong_password_is_refused_without_saying_which_part_was_wrong(
    console: ServiceHarness, clerk: httpx.AsyncClient
) -> None:
    await create_account(console, "beiliu-clerk", "Beiliu-zhen-2023", unit_code="beiliu")
    for username in ("beiliu-clerk", "no-such-clerk"):
        r = await sign_in(clerk, username, "Wrong-password-1")
        assert r.status_code == 401 and r.headers["content-type"] == "application/problem+json"
        assert r.json()["detail"] == "用户名或密码错误 / wrong username or password"
        assert "set-cookie" not in r.headers
    assert (await clerk.get("/api/v1/me")).status_code == 401


async def test_a_state_changing_request_by_cookie_needs_the_csrf_header(
    console: ServiceHarness, clerk: httpx.AsyncClient
) -> None:
    await create_account(console, "runcheng-clerk", "Runcheng-zhen-2023", unit_code="runcheng")
    csrf = (await sign_in(clerk, "runcheng-clerk", "Runcheng-zhen-2023")).json()["csrf_token"]
    change = {"old_password": "Runcheng-zhen-2023", "new_password": "Runcheng-new-2024"}
    refused = await clerk.post("/api/v1/me/password", json=change)
    assert refused.status_code == 403 and refused.json()["header"] == "X-CSRF-Token"
    assert "X-CSRF-Token" in refused.json()["detail"]
    wrong = await clerk.post("/api/v1/me/password", json=change, headers={"X-CSRF-Token": "guess"})
    assert wrong.status_code == 403
    ok = await clerk.post("/api/v1/me/password", json=change, headers={"X-CSRF-Token": csrf})
    assert ok.status_code == 200, ok.text
    assert (await clerk.get("/api/v1/me")).status_code == 200  # this session goes on
    async with browser(console) as other:
        assert (await sign_in(other, "runcheng-clerk", "Runcheng-new-2024")).status_code == 200


async def test_a_bearer_request_needs_no_csrf_header(console: ServiceHarness) -> None:
    await create_account(console, "dingdian-clerk", "Dingdian-zhen-2023", unit_code="dingdian")
    async with admin_program(console) as admin:
        r = await admin.patch("/api/v1/accounts/dingdian-clerk", json={"display_name": "町店镇"})
    assert r.status_code == 200 and r.json()["display_name"] == "町店镇"


async def test_sign_out_ends_the_session(console: ServiceHarness, clerk: httpx.AsyncClient) -> None:
    await create_account(console, "sitou-clerk", "Sitou-xiang-2023", unit_code="sitou")
    r = await sign_in(clerk, "sitou-clerk", "Sitou-xiang-2023")
    session_cookie = clerk.cookies["diaodu_session"]
    no_csrf = await clerk.delete("/api/v1/session")
    assert no_csrf.status_code == 403
    out = await clerk.delete("/api/v1/session", headers={"X-CSRF-Token": r.json()["csrf_token"]})
    assert out.status_code == 204 and 'diaodu_session=""' in out.headers["set-cookie"]
    async with browser(console) as replay:  # the old cookie, kept by someone, no longer works
        replay.cookies.set("diaodu_session", session_cookie)
        assert (await replay.get("/api/v1/me")).status_code == 401


async def test_deactivation_refuses_the_session_at_once_and_activation_lets_the_clerk_back(
    console: ServiceHarness, clerk: httpx.AsyncClient
) -> None:
    await create_account(console, "qinchi-clerk", "Qinchi-zhen-2023", unit_code="qinchi")
    assert (await sign_in(clerk, "qinchi-clerk", "Qinchi-zhen-2023")).status_code == 200
    async with admin_program(console) as admin:
        off = await admin.post("/api/v1/accounts/qinchi-clerk/deactivate")
        assert off.status_code == 200 and off.json()["active"] is False
        refused = await clerk.get("/api/v1/me")
        assert refused.status_code == 401 and "会话已结束" in refused.json()["detail"]
        assert (await sign_in(clerk, "qinchi-clerk", "Qinchi-zhen-2023")).status_code == 401
        assert (await admin.post("/api/v1/accounts/qinchi-clerk/activate")).json()["active"] is True
    assert (await sign_in(clerk, "qinchi-clerk", "Qinchi-zhen-2023")).status_code == 200


async def test_only_an_admin_manages_accounts(console: ServiceHarness, clerk: httpx.AsyncClient) -> None:
    await create_account(console, "xihe-clerk", "Xihe-xiang-2023", unit_code="xihe")
    csrf = (await sign_in(clerk, "xihe-clerk", "Xihe-xiang-2023")).json()["csrf_token"]
    r = await clerk.post("/api/v1/accounts/xihe-clerk/activate", headers={"X-CSRF-Token": csrf})
    assert r.status_code == 403 and "admin" in r.json()["detail"]
    assert (await clerk.get("/api/v1/audit")).status_code == 403


async def test_a_weak_password_is_refused_naming_the_field_and_the_rule(console: ServiceHarness) -> None:
    async with admin_program(console) as admin:
        r = await admin.post(
            "/api/v1/accounts",
            json={
                "username": "yanli-clerk",
                "display_name": "演礼镇",
                "role": "reporter",
                "unit_code": "yanli",
                "password": "123456789012",
            },
        )
    assert r.status_code == 422
    (error,) = r.json()["errors"]
    assert (error["field"], error["rule"]) == ("password", "not_all_digits") and "数字" in error["message"]
