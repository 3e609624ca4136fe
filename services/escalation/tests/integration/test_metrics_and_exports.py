"""The 督查室's campaign metrics after real actions (see docs/operations.md#metrics), and the problem
and 督办函 lists as XLSX holding what the JSON lists hold (SPEC §8: working tools from live data)."""

from __future__ import annotations

import io
import uuid
from datetime import date, datetime
from typing import Any
from urllib.parse import quote
from zoneinfo import ZoneInfo

import pytest
from openpyxl import load_workbook

from diaodu_testkit.harness import ServiceHarness, TestRuntime, start_service, wait_until
from escalation.service_layer.jobs import run_clocks

SH = ZoneInfo("Asia/Shanghai")
API = "/api/v1"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
OPEN = "diaodu_escalation_open_problems"
BREACHES = "diaodu_escalation_sla_breaches_total"
NOTICES = "diaodu_escalation_notices_issued_total"
P1, P2 = str(uuid.uuid4()), str(uuid.uuid4())
FRIDAY = "2024-02-02T10:00:00+08:00"  # the resolve clock runs to make-up Sunday 02-18 (Spring Festival)
PAST_DEADLINE = datetime(2024, 2, 19, 0, 0, 5, tzinfo=SH)

pytestmark = pytest.mark.timeout(120)


@pytest.fixture(scope="module")
async def world(escalation: ServiceHarness, kit: Any) -> dict[str, str]:
    await kit.send_registry(
        escalation,
        kit.unit_registered("fengcheng", "凤城镇"),
        kit.unit_registered("beiliu", "北留镇"),
        kit.project_registered(P1, "凤城镇新材料产业园项目", "fengcheng"),
        kit.project_registered(P2, "北留镇农产品加工项目", "beiliu"),
        kit.leader_assigned(1, "leader-li", "李副县长", unit_code="fengcheng"),
    )
    await kit.wait_for_projection(escalation, units=2, projects=2, assignments=1)
    return {}


async def _raise(h: ServiceHarness, kit: Any, unit: str, project_id: str, title: str) -> str:
    body = {"title": title, "category": "land", "project_id": project_id, "responsible_person": "王建国"}
    p = await kit.call(h.client, "POST", f"{API}/problems", h.auth("reporter", unit=unit), 201, json=body)
    return str(p["id"])


async def _assign(h: ServiceHarness, kit: Any, pid: str) -> None:
    await kit.call(h.client, "POST", f"{API}/problems/{pid}/assign", h.auth("supervisor"), json={})


def _counts(kit: Any, samples: Any) -> dict[str, Any]:
    levels = ("1", "2", "3")
    return {
        "open": [kit.sample(samples, OPEN, level=x) for x in levels],
        "notices": [kit.sample(samples, NOTICES, level=x) for x in levels],
        "breaches": {
            (c, x): kit.sample(samples, BREACHES, clock=c, level=x)
            for c in ("acknowledge", "progress", "resolve")
            for x in levels
        },
    }


async def test_metrics_count_each_breach_and_notice_once_and_open_problems_by_level(
    escalation: ServiceHarness, world: dict[str, str], kit: Any, runtime: TestRuntime
) -> None:
    h, admin = escalation, escalation.auth("admin")
    start = _counts(kit, await kit.scrape(h))
    assert start["open"] == start["notices"] == [0, 0, 0] and set(start["breaches"].values()) == {0}

    await kit.set_clock(FRIDAY, h)
    late = await _raise(h, kit, "fengcheng", P1, "园区用地指标未落实")
    await _assign(h, kit, late)  # nobody acknowledges, reports or resolves it: every clock runs out
    await _raise(h, kit, "beiliu", P2, "农产品加工项目环评滞后")  # raised, not assigned: no clocks
    closed = await _raise(h, kit, "fengcheng", P1, "施工便道未打通")
    await _assign(h, kit, closed)
    await kit.call(
        h.client,
        "POST",
        f"{API}/problems/{closed}/resolve",
        h.auth("reporter", unit="fengcheng"),
        json={"resolution": "便道已打通"},
    )
    await kit.call(h.client, "POST", f"{API}/ops/jobs/metrics/run", admin)
    assert _counts(kit, await kit.scrape(h))["open"] == [2, 0, 0]

    # The deadline passes: the woken jobs breach three clocks, escalate and issue one 督办函.
    await kit.set_clock(PAST_DEADLINE.isoformat(), h)

    async def escalated() -> dict[str, Any] | None:
        counts = _counts(kit, await kit.scrape(h))
        return counts if counts["notices"] == [0, 1, 0] and counts["open"] == [1, 1, 0] else None

    after = await wait_until(escalated, timeout=20, interval=0.2)
    assert {k: v for k, v in after["breaches"].items() if v} == {
        ("acknowledge", "1"): 1,
        ("progress", "1"): 1,
        ("resolve", "1"): 1,
    }
    records = await kit.topic_records(h)
    assert len(kit.of_problem(records, late, "sla_breached")) == 3
    assert len(kit.of_problem(records, late, "notice_issued")) == 1

    # Runs again, by the scheduler and directly, record nothing new and count nothing.
    await kit.call(h.client, "POST", f"{API}/ops/jobs/sla_clocks/run", admin)
    await run_clocks(h.app, PAST_DEADLINE)
    # A 督办函 by hand counts once; its retry with the same Idempotency-Key replays and does not.
    sup = {**h.auth("supervisor"), "Idempotency-Key": f"notice-{late}"}
    url, body = f"{API}/problems/{late}/notices", {"note": "请加快办理"}
    first, replay = [await h.client.post(url, json=body, headers=sup) for _ in range(2)]
    assert (first.status_code, replay.status_code) == (201, 201)
    assert replay.headers["Idempotent-Replayed"] == "true" and replay.json() == first.json()
    again = _counts(kit, await kit.scrape(h))
    assert again["notices"] == [0, 2, 0] and again["breaches"] == after["breaches"]

    # A replica starting on this database reads the open problems at once; it counts only its own facts.
    def at_deadline(settings: Any) -> Any:
        app = kit.fast_app(settings)
        app.state.clock.set(PAST_DEADLINE)  # before its scheduler runs
        return app

    h2 = await start_service(
        runtime,
        service="escalation",
        service_dir=kit.SERVICE_DIR,
        create_app=at_deadline,
        ns=h.settings.topic_namespace,
        database=h.settings.database_url,
        migrate=False,
    )
    try:

        async def refreshed() -> bool:
            return bool(_counts(kit, await kit.scrape(h2))["open"] == [1, 1, 0])

        await wait_until(refreshed, timeout=10, interval=0.1)
        assert _counts(kit, await kit.scrape(h2))["notices"] == [0, 0, 0]
    finally:
        await h2.close()


def _sheet(content: bytes) -> tuple[str, list[dict[str, Any]]]:
    ws = load_workbook(io.BytesIO(content)).worksheets[0]
    header, *rows = ws.iter_rows(values_only=True)
    return str(ws.title), [dict(zip(header, row, strict=True)) for row in rows]


def _local(instant: str | None) -> datetime | None:
    """An API instant as the sheet writes it: Asia/Shanghai wall time (to the second)."""
    if instant is None:
        return None
    return datetime.fromisoformat(instant).astimezone(SH).replace(tzinfo=None, microsecond=0)


def _day(cell: Any) -> date | None:
    return cell.date() if isinstance(cell, datetime) else cell


async def _export(h: ServiceHarness, url: str, auth: dict[str, str], **params: Any) -> Any:
    r = await h.client.get(url, headers=auth, params=params)
    assert r.status_code == 200, r.text
    assert r.headers["content-type"] == XLSX
    assert r.headers["content-disposition"].startswith("attachment; filename=")
    return r


async def test_problem_list_export_holds_the_json_list_for_the_same_filters_and_viewer(
    escalation: ServiceHarness, world: dict[str, str], kit: Any
) -> None:
    h = escalation
    viewers = {
        "supervisor": h.auth("supervisor"),
        "leader": h.auth("leader", sub="leader-li"),
        "reporter": h.auth("reporter", unit="beiliu"),
    }
    filters: list[dict[str, Any]] = [
        {},
        {"state": "all"},
        {"level": 2},
        {"overdue": "false", "owner_unit": "beiliu"},
        {"state": "resolved", "status": "resolved"},
    ]
    seen = set()
    for who, auth in viewers.items():
        for params in filters:
            page = await kit.call(
                h.client, "GET", f"{API}/problems", auth, params={**params, "page_size": 200}
            )
            r = await _export(h, f"{API}/problems/export.xlsx", auth, **params)
            title, rows = _sheet(r.content)
            assert title == "问题清单"
            assert [x["问题编号"] for x in rows] == [p["id"] for p in page["items"]], (who, params)
            for row, p in zip(rows, page["items"], strict=True):
                assert (row["问题"], row["单位代码"], row["督办层级"], _day(row["办结期限"])) == (
                    p["title"],
                    p["owner_unit"],
                    p["level"],
                    date.fromisoformat(p["deadline"]) if p["deadline"] else None,
                )
                assert isinstance(row["督办层级"], int)
                assert row["是否逾期"] == ("是" if p["overdue"] else "否")
                assert (row["发现时间"]) == _local(p["raised_at"])
                assert (row["交办时间"]) == _local(p["assigned_at"])
                assert (row["销号时间"]) == _local(p["resolved_at"])
                seen.add((who, p["status"], p["level"]))
    assert ("supervisor", "assigned", 2) in seen and ("supervisor", "resolved", 1) in seen
    assert {s for s in seen if s[0] == "reporter"} == {("reporter", "raised", 1)}  # its own unit's only
    escalated = (await _export(h, f"{API}/problems/export.xlsx", viewers["supervisor"], level=2)).content
    [row] = _sheet(escalated)[1]
    assert (row["包联领导"], row["层级说明"], row["状态"], row["类别"]) == (
        "李副县长",
        "包联领导",
        "已交办",
        "用地",
    )
    assert (await h.client.get(f"{API}/problems/export.xlsx")).status_code == 401


async def test_notice_export_holds_every_notice_of_the_json_list(
    escalation: ServiceHarness, world: dict[str, str], kit: Any
) -> None:
    h, sup = escalation, escalation.auth("supervisor")
    listed = await kit.call(h.client, "GET", f"{API}/notices", sup, params={"page_size": 200})
    assert listed["total"] == 2
    r = await _export(h, f"{API}/notices/export.xlsx", sup, year=2024)
    assert f"filename*=UTF-8''{quote('督办函-2024.xlsx')}" in r.headers["content-disposition"]
    title, rows = _sheet(r.content)
    assert title == "督办函" and len(rows) == listed["total"]
    for row, n in zip(rows, listed["items"], strict=True):
        assert (row["督办函编号"], row["问题编号"], row["单位代码"], row["督办层级"]) == (
            n["number"],
            n["problem_id"],
            n["owner_unit"],
            n["level"],
        )
        assert (_day(row["办结期限"]), (row["签发时间"])) == (
            date.fromisoformat(n["deadline"]),
            _local(n["issued_at"]),
        )
        assert (row["问题"], row["责任单位"]) == ("园区用地指标未落实", "凤城镇")
    assert [(x["事由"], x["签发人"]) for x in rows] == [
        ("逾期升级", "system"),
        ("督查室督办", "test-supervisor"),
    ]
    assert _sheet((await _export(h, f"{API}/notices/export.xlsx", sup, year=2023)).content)[1] == []
    leader = await h.client.get(f"{API}/notices/export.xlsx", headers=h.auth("leader", sub="leader-li"))
    assert leader.status_code == 200
    refused = await h.client.get(f"{API}/notices/export.xlsx", headers=h.auth("reporter", unit="fengcheng"))
    assert refused.status_code == 403
