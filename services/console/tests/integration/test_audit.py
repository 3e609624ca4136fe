"""The audit log (审计日志): every sign-in, failure, lock-out, sign-out and account change, read by the
admin as JSON and as XLSX."""

from __future__ import annotations

import io
from datetime import datetime, timedelta
from typing import Any

import openpyxl
from console_testkit.harness import admin_program, browser, create_account, sign_in

from diaodu_testkit.harness import ServiceHarness


async def _audit(h: ServiceHarness, **params: Any) -> list[dict[str, Any]]:
    async with admin_program(h) as admin:
        r = await admin.get("/api/v1/audit", params=params)
    assert r.status_code == 200, r.text
    items: list[dict[str, Any]] = r.json()["items"]
    return items


async def test_sign_ins_failures_sign_outs_and_account_changes_are_logged_with_who_what_when(
    console: ServiceHarness,
) -> None:
    clock = (await console.client.get("/api/v1/ops/clock", headers=console.auth("admin"))).json()["now"]
    await create_account(
        console, "weijian-clerk", "Weijian-ju-2023", unit_code="weijian", display_name="卫健局"
    )
    async with browser(console) as clerk:
        assert (await sign_in(clerk, "weijian-clerk", "Not-my-password")).status_code == 401
        csrf = (await sign_in(clerk, "weijian-clerk", "Weijian-ju-2023")).json()["csrf_token"]
        assert (await clerk.delete("/api/v1/session", headers={"X-CSRF-Token": csrf})).status_code == 204
    async with admin_program(console) as admin:
        changed = await admin.patch(
            "/api/v1/accounts/weijian-clerk", json={"role": "leader", "unit_code": None}
        )
        assert changed.status_code == 200, changed.text
        await admin.post(
            "/api/v1/accounts/weijian-clerk/reset-password", json={"new_password": "Weijian-new-2024"}
        )
    lines = await _audit(console, username="weijian-clerk")
    assert [e["action"] for e in reversed(lines)] == [
        "account_created",
        "sign_in_failed",
        "sign_in",
        "sign_out",
        "account_changed",
        "password_reset",
    ]
    created, failed, signed_in, signed_out, change, reset = reversed(lines)
    assert (created["actor"], created["actor_role"], created["target"], created["status"]) == (
        "test-admin",
        "admin",
        "weijian-clerk",
        201,
    )
    assert (failed["actor"], failed["actor_role"], failed["status"], failed["detail"]["failures"]) == (
        "weijian-clerk",
        None,
        401,
        1,
    )
    assert (signed_in["actor_role"], signed_in["actor_unit"], signed_in["client"]) == (
        "reporter",
        "weijian",
        "127.0.0.1",
    )
    assert signed_out["actor"] == "weijian-clerk" and signed_out["status"] == 204
    assert change["detail"]["changes"] == {"role": ["reporter", "leader"], "unit_code": ["weijian", None]}
    assert datetime.fromisoformat(signed_in["at"]) - datetime.fromisoformat(clock) < timedelta(minutes=1)
    everything = str(lines)
    assert (
        "Weijian-ju-2023" not in everything
        and "Weijian-new-2024" not in everything
        and "argon2" not in everything
    )


async def test_a_failed_sign_in_with_an_unknown_name_keeps_the_name_tried(console: ServiceHarness) -> None:
    async with browser(console) as stranger:
        await sign_in(stranger, "wang.xiaoming", "Guessing-1234")
    (line,) = await _audit(console, username="wang.xiaoming")
    assert (line["action"], line["detail"]["reason"], line["target"]) == (
        "sign_in_failed",
        "unknown_account",
        None,
    )


async def test_the_log_filters_by_action_and_time(console: ServiceHarness) -> None:
    await create_account(console, "yingji-clerk", "Yingji-ju-2023", unit_code="yingji")
    created = await _audit(console, username="yingji-clerk", action="account_created")
    assert len(created) == 1
    at = datetime.fromisoformat(created[0]["at"])
    assert await _audit(console, username="yingji-clerk", since=(at + timedelta(seconds=1)).isoformat()) == []
    assert (
        len(await _audit(console, username="yingji-clerk", until=(at + timedelta(seconds=1)).isoformat()))
        == 1
    )
    async with admin_program(console) as admin:
        bad = await admin.get("/api/v1/audit", params={"action": "dance"})
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "query.action"


async def test_the_log_exports_as_a_spreadsheet_with_its_lines(console: ServiceHarness) -> None:
    await create_account(console, "linye-clerk", "Linye-ju-2023", unit_code="linye", display_name="林业局")
    async with browser(console) as clerk:
        await sign_in(clerk, "linye-clerk", "Linye-ju-2023")
    async with admin_program(console) as admin:
        r = await admin.get("/api/v1/audit/export.xlsx", params={"username": "linye-clerk"})
    assert r.status_code == 200 and r.headers["content-type"].startswith("application/vnd.openxmlformats")
    assert "filename*=UTF-8''" in r.headers["content-disposition"]
    sheet = openpyxl.load_workbook(io.BytesIO(r.content))["审计日志"]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:6] == ("序号", "时间", "操作人", "角色", "所属单位", "操作")
    body = rows[1:]
    assert [(row[5], row[6]) for row in body] == [("登录", "sign_in"), ("新建账户", "account_created")]
    sign_in_row = body[0]
    assert (sign_in_row[2], sign_in_row[3], sign_in_row[4], sign_in_row[8]) == (
        "linye-clerk",
        "报送员",
        "linye",
        "成功",
    )
    assert isinstance(sign_in_row[1], datetime)
