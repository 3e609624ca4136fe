"""The problem loop, the 13710 clocks and the ladder against a real PostgreSQL and broker, with TWO
replicas of the service on one database (R7, R8; SPEC §5: events match their contract)."""

from __future__ import annotations

import asyncio
import importlib.util
import json
import re
import uuid
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from diaodu_platform.asyncapi import event_schema
from diaodu_platform.kafka import ensure_topics
from diaodu_platform.topology import REPO_ROOT
from diaodu_testkit.harness import ServiceHarness, produce
from escalation.adapters.tables import EscalationRow, NoticeRow
from escalation.events import CATALOG
from escalation.service_layer.jobs import run_clocks

SH = ZoneInfo("Asia/Shanghai")
P1, P2 = str(uuid.uuid4()), str(uuid.uuid4())
API = "/api/v1"
NUMBER = re.compile(r"督办〔2024〕第\d{4}号")
EXAMPLE = REPO_ROOT / "contracts" / "examples" / "escalation_consumer.py"

pytestmark = pytest.mark.timeout(180)


@pytest.fixture(scope="module")
async def world(replicas: tuple[ServiceHarness, ServiceHarness], kit: Any) -> dict[str, str]:
    """Units, projects and leaders, sent on the registry topic as the registry would."""
    h1, _ = replicas
    await kit.send_registry(
        h1,
        kit.unit_registered("fengcheng", "凤城镇"),
        kit.unit_registered("beiliu", "北留镇"),
        kit.unit_registered("zrzyj", "县自然资源局", kind="department"),
        kit.project_registered(P1, "阳城县凤城镇新材料产业园项目", "fengcheng"),
        kit.project_registered(P2, "北留镇农产品加工项目", "beiliu"),
        kit.leader_assigned(1, "leader-li", "李副县长", unit_code="fengcheng"),
        kit.leader_assigned(2, "leader-zhao", "赵副县长", project_id=P2),
    )
    await kit.wait_for_projection(h1, units=3, projects=2, assignments=2)
    return {"p1": P1, "p2": P2}


async def _raise_and_assign(
    h: ServiceHarness, kit: Any, *, project_id: str, unit: str, title: str, severity: str = "ordinary"
) -> dict[str, Any]:
    reporter = h.auth("reporter", unit=unit)
    body = {
        "title": title,
        "category": "land",
        "severity": severity,
        "project_id": project_id,
        "responsible_person": "王建国",
    }
    raised = await kit.call(h.client, "POST", f"{API}/problems", reporter, 201, json=body)
    assert (raised["status"], raised["level"], raised["owner_unit"]) == ("raised", 1, unit)
    return await kit.call(
        h.client,
        "POST",
        f"{API}/problems/{raised['id']}/assign",
        h.auth("supervisor"),
        json={"co_units": ["zrzyj"]},
    )


async def _move_and_run(when: datetime, *replicas: ServiceHarness) -> None:
    """Move both replicas' clocks and let every timer run at once: two direct runs per replica (no
    scheduler lock between them) racing each other and the replicas' own woken schedulers."""
    for h in replicas:
        h.app.state.clock.set(when)
    await asyncio.gather(*(run_clocks(h.app, when) for h in (*replicas, *replicas)))
    for h in replicas:
        h.app.state.scheduler.wake()
    await asyncio.sleep(1.2)  # two scheduler ticks on every replica


async def test_overdue_problem_escalates_once_with_one_fresh_notice_even_with_two_replicas(
    replicas: tuple[ServiceHarness, ServiceHarness], world: dict[str, str], kit: Any
) -> None:
    h1, h2 = replicas
    # Friday 2024-02-02, before the Spring Festival 调休 make-up Sunday 02-04.
    await kit.set_clock("2024-02-02T10:00:00+08:00", h1, h2)
    problem = await _raise_and_assign(
        h1, kit, project_id=world["p1"], unit="fengcheng", title="园区用地指标未落实"
    )
    pid = problem["id"]
    assert problem["status"] == "assigned" and problem["deadline"] == "2024-02-18"
    assert {c["kind"]: c["due_date"] for c in problem["clocks"]} == {
        "acknowledge": "2024-02-02",
        "progress": "2024-02-06",
        "resolve": "2024-02-18",
    }
    owner = h2.auth("reporter", unit="fengcheng")
    await kit.call(h2.client, "POST", f"{API}/problems/{pid}/acknowledge", owner, json={"note": "已部署"})
    await kit.call(
        h1.client,
        "POST",
        f"{API}/problems/{pid}/progress",
        owner,
        json={"note": "已与自然资源局对接，正在调整用地指标"},
    )

    # 50% and 75% of the resolve clock's working time (the holiday does not count): one reminder each.
    await _move_and_run(datetime(2024, 2, 7, 6, tzinfo=SH), h1, h2)
    await _move_and_run(datetime(2024, 2, 9, 3, tzinfo=SH), h1, h2)
    # Just past the end of make-up Sunday 02-18, the resolve deadline.
    await _move_and_run(datetime(2024, 2, 19, 0, 0, 5, tzinfo=SH), h1, h2)

    records = await kit.topic_records(h1)
    reminders = kit.of_problem(records, pid, "sla_reminder")
    assert [(r["clock"], r["percent"]) for r in reminders] == [("resolve", 50), ("resolve", 75)]
    breaches = kit.of_problem(records, pid, "sla_breached")
    assert [(b["clock"], b["level"]) for b in breaches] == [
        ("resolve", 1)
    ]  # acknowledged and progressed in time
    escalated = kit.of_problem(records, pid, "problem_escalated")
    notices = kit.of_problem(records, pid, "notice_issued")
    assert len(escalated) == 1 and len(notices) == 1
    esc, notice = escalated[0], notices[0]
    assert [e["type"] for e in kit.of_problem(records, pid)][-3:] == [
        "sla_breached",
        "problem_escalated",
        "notice_issued",
    ]
    assert (esc["from_level"], esc["to_level"], esc["level"]) == (1, 2, 2)
    assert esc["leader_ids"] == ["leader-li"]
    assert NUMBER.fullmatch(notice["notice_number"]) and esc["notice_number"] == notice["notice_number"]
    assert notice["owner_unit"] == "fengcheng" and notice["reason"] == "escalation"
    assert notice["deadline"] == "2024-02-28"  # the clock restarted: 7 working days from 02-19
    assert [e["action"] for e in notice["history"]] == [
        "raise",
        "assign",
        "acknowledge",
        "progress",
        "breach",
        "escalate",
        "issue_notice",
    ]
    numbers = [
        r.envelope().data["notice_number"]
        for r in records
        if r.headers["ce_type"] == "diaodu.escalation.notice_issued.v1"
    ]
    assert len(numbers) == len(set(numbers)), "a 督办函 number was issued twice"

    async with h1.app.state.engine.connect() as conn:
        assert (await conn.execute(select(func.count()).select_from(EscalationRow))).scalar_one() == 1
        assert (await conn.execute(select(func.count()).select_from(NoticeRow))).scalar_one() == 1
    detail = await kit.call(h2.client, "GET", f"{API}/problems/{pid}", h2.auth("supervisor"))
    assert (detail["level"], detail["deadline"], detail["overdue"]) == (2, "2024-02-28", False)
    assert [n["number"] for n in detail["notices"]] == [notice["notice_number"]]
    assert [c["kind"] for c in detail["clocks"] if c["state"] == "running"] == ["resolve"]

    # Both replicas raced for every clock; between them they counted each committed fact once.
    counted: dict[tuple[str, frozenset[tuple[str, str]]], float] = {}
    for h in (h1, h2):
        for (name, labels), value in (await kit.scrape(h)).items():
            if name in ("diaodu_escalation_sla_breaches_total", "diaodu_escalation_notices_issued_total"):
                counted[name, labels] = counted.get((name, labels), 0) + value
    assert {
        (n, dict(labels).get("clock"), dict(labels)["level"]) for (n, labels), v in counted.items() if v
    } == {
        ("diaodu_escalation_sla_breaches_total", "resolve", "1"),
        ("diaodu_escalation_notices_issued_total", None, "2"),
    }
    assert sum(counted.values()) == 2


async def test_level_3_past_its_clock_stays_overdue_and_resolve_reopen_keep_full_history(
    replicas: tuple[ServiceHarness, ServiceHarness], world: dict[str, str], kit: Any
) -> None:
    h1, h2 = replicas
    sup = h1.auth("supervisor")
    await kit.set_clock("2024-03-01T09:00:00+08:00", h1, h2)
    problem = await _raise_and_assign(
        h1, kit, project_id=world["p2"], unit="beiliu", title="征拆补偿款未到位"
    )
    pid = problem["id"]
    assert problem["deadline"] == "2024-03-12"

    # Nobody acts: level 2 (the project's 包联 leader), then level 3 (the county government meeting).
    await _move_and_run(datetime(2024, 3, 13, 0, 0, 1, tzinfo=SH), h1, h2)
    at2 = await kit.call(h1.client, "GET", f"{API}/problems/{pid}", sup)
    assert at2["level"] == 2 and at2["leader_ids"] == ["leader-zhao"]
    await _move_and_run(datetime.fromisoformat(at2["due_at"]).replace(second=1), h1, h2)
    at3 = await kit.call(h1.client, "GET", f"{API}/problems/{pid}", sup)
    assert at3["level"] == 3 and len(at3["notices"]) == 2 and not at3["overdue"]
    items = await kit.call(h1.client, "GET", f"{API}/meeting-items", sup)
    assert [i["notice_number"] for i in items if i["problem_id"] == pid] == [at3["notices"][1]["number"]]

    # Past the level-3 clock, and long after: nowhere higher to go, never dropped, visible as overdue.
    await _move_and_run(datetime.fromisoformat(at3["due_at"]).replace(second=1), h1, h2)
    await _move_and_run(datetime(2024, 6, 30, 12, tzinfo=SH), h1, h2)
    late = await kit.call(h2.client, "GET", f"{API}/problems/{pid}", sup)
    assert (late["level"], late["status"], late["overdue"], len(late["notices"])) == (3, "assigned", True, 2)
    overdue = await kit.call(h2.client, "GET", f"{API}/problems", sup, params={"level": 3, "overdue": "true"})
    assert pid in [p["id"] for p in overdue["items"]]
    by_leader = await kit.call(h1.client, "GET", f"{API}/problems", sup, params={"leader_id": "leader-zhao"})
    assert [p["id"] for p in by_leader["items"]] == [pid]
    by_owner = await kit.call(
        h1.client, "GET", f"{API}/problems", sup, params={"owner_unit": "beiliu", "overdue": "false"}
    )
    assert by_owner["total"] == 0
    mine = await kit.call(h1.client, "GET", f"{API}/problems", h1.auth("leader", sub="leader-zhao"))
    assert [p["id"] for p in mine["items"]] == [pid]
    dispatch = await kit.call(h1.client, "GET", f"{API}/dispatch-lists/leader-zhao", sup)
    assert (dispatch["open_count"], dispatch["overdue_count"]) == (1, 1)
    assert dispatch["open"][0]["problem_id"] == pid and len(dispatch["open"][0]["notices"]) == 2
    summary = await kit.call(h1.client, "GET", f"{API}/dispatch-lists", sup)
    assert {
        "leader_id": "leader-zhao",
        "leader_name": "赵副县长",
        "open_count": 1,
        "overdue_count": 1,
        "by_level": {"3": 1},
    } in summary

    # The 督查室 may also issue a notice by hand; a unit may not.
    await kit.call(
        h1.client, "POST", f"{API}/problems/{pid}/notices", h1.auth("reporter", unit="beiliu"), 403, json={}
    )
    manual = await kit.call(
        h1.client,
        "POST",
        f"{API}/problems/{pid}/notices",
        {**sup, "Idempotency-Key": "n-1"},
        201,
        json={"note": "请于会前报送处置方案"},
    )
    again = await h1.client.post(
        f"{API}/problems/{pid}/notices",
        json={"note": "请于会前报送处置方案"},
        headers={**sup, "Idempotency-Key": "n-1"},
    )
    assert again.json()["number"] == manual["number"] and again.headers["Idempotent-Replayed"] == "true"

    # 销号 at level 3 is the county meeting's: a leader may not, the 督查室 records it; a note is required.
    resolve = f"{API}/problems/{pid}/resolve"
    await kit.call(
        h1.client, "POST", resolve, h1.auth("leader", sub="leader-zhao"), 403, json={"resolution": "已解决"}
    )
    await kit.call(h1.client, "POST", resolve, sup, 422, json={})
    done = await kit.call(
        h1.client, "POST", resolve, sup, json={"resolution": "县政府常务会议研究，补偿款已拨付到位"}
    )
    assert (done["status"], done["overdue"], done["clocks"]) == ("resolved", False, [])
    still_open = await kit.call(h1.client, "GET", f"{API}/problems", sup, params={"level": 3})
    assert pid not in [p["id"] for p in still_open["items"]]
    await kit.call(h1.client, "POST", resolve, sup, 409, json={"resolution": "再次销号"})

    reopened = await kit.call(
        h2.client,
        "POST",
        f"{API}/problems/{pid}/reopen",
        sup,
        json={"reason": "补偿款仅到位一半，群众仍有意见"},
    )
    assert (reopened["status"], reopened["level"], reopened["overdue"]) == ("reopened", 3, False)
    assert {c["kind"] for c in reopened["clocks"]} == {"acknowledge", "progress", "resolve"}

    detail = await kit.call(h1.client, "GET", f"{API}/problems/{pid}", sup)
    history = [(h["action"], h["from_level"], h["to_level"], h["to_status"]) for h in detail["history"]]
    assert history == [
        ("raise", None, 1, "raised"),
        ("assign", 1, 1, "assigned"),
        ("breach", 1, 1, "assigned"),
        ("breach", 1, 1, "assigned"),
        ("breach", 1, 1, "assigned"),
        ("escalate", 1, 2, "assigned"),
        ("issue_notice", 2, 2, "assigned"),
        ("breach", 2, 2, "assigned"),
        ("escalate", 2, 3, "assigned"),
        ("issue_notice", 3, 3, "assigned"),
        ("add_meeting_item", 3, 3, "assigned"),
        ("breach", 3, 3, "assigned"),
        ("issue_notice", 3, 3, "assigned"),
        ("resolve", 3, 3, "resolved"),
        ("reopen", 3, 3, "reopened"),
    ]
    assert all(h["actor"] and h["at"] for h in detail["history"])
    assert detail["history"][-2]["note"] == "县政府常务会议研究，补偿款已拨付到位"
    meeting = await kit.call(h1.client, "GET", f"{API}/meeting-items", sup, params={"open_only": "false"})
    assert [i["closed_at"] is not None for i in meeting if i["problem_id"] == pid] == [True]

    records = await kit.topic_records(h1)
    types = [e["type"] for e in kit.of_problem(records, pid)]
    assert types.count("problem_escalated") == 2 and types.count("meeting_item_added") == 1
    assert types.count("notice_issued") == 3 and types[-2:] == ["problem_resolved", "problem_reopened"]


async def test_roles_and_refusals_say_what_is_allowed(
    replicas: tuple[ServiceHarness, ServiceHarness], world: dict[str, str], kit: Any
) -> None:
    h1, _ = replicas
    c = h1.client
    body = {"title": "环评批复滞后", "category": "environment", "project_id": world["p1"]}
    # a reporter raises only for its own unit's projects; a leader does not raise
    await kit.call(c, "POST", f"{API}/problems", h1.auth("reporter", unit="beiliu"), 403, json=body)
    await kit.call(c, "POST", f"{API}/problems", h1.auth("leader", sub="leader-li"), 403, json=body)
    bad = await kit.call(
        c, "POST", f"{API}/problems", h1.auth("admin"), 422, json={**body, "category": "weather"}
    )
    assert bad["errors"][0]["field"] == "category" and "land" in str(bad["errors"][0]["allowed"])
    unknown = await kit.call(
        c,
        "POST",
        f"{API}/problems",
        h1.auth("admin"),
        422,
        json={**body, "project_id": None, "unit_code": "nowhere"},
    )
    assert unknown["errors"][0]["field"] == "unit_code"
    p = await kit.call(c, "POST", f"{API}/problems", h1.auth("reporter", unit="fengcheng"), 201, json=body)
    pid = p["id"]
    # only the office assigns; the deadline may not exceed 13710's
    await kit.call(
        c, "POST", f"{API}/problems/{pid}/assign", h1.auth("reporter", unit="fengcheng"), 403, json={}
    )
    late = await kit.call(
        c, "POST", f"{API}/problems/{pid}/assign", h1.auth("admin"), 422, json={"deadline": "2030-01-01"}
    )
    assert late["errors"][0]["field"] == "deadline" and "latest" in late["errors"][0]
    await kit.call(
        c, "POST", f"{API}/problems/{pid}/acknowledge", h1.auth("reporter", unit="fengcheng"), 409, json={}
    )
    await kit.call(c, "POST", f"{API}/problems/{pid}/assign", h1.auth("admin"), json={"owner_unit": "zrzyj"})
    # now the department owns it: the township that raised it may not acknowledge, the owner may
    await kit.call(
        c, "POST", f"{API}/problems/{pid}/acknowledge", h1.auth("reporter", unit="fengcheng"), 403, json={}
    )
    refused = await kit.call(
        c,
        "POST",
        f"{API}/problems/{pid}/progress",
        h1.auth("reporter", unit="zrzyj"),
        409,
        json={"note": "先报进展"},
    )
    assert refused["allowed_from"] == ["acknowledged", "in_progress"]
    await kit.call(c, "POST", f"{API}/problems/{pid}/acknowledge", h1.auth("reporter", unit="zrzyj"), json={})
    plan = await kit.call(
        c,
        "POST",
        f"{API}/problems/{pid}/plan",
        h1.auth("reporter", unit="zrzyj"),
        422,
        json={"plan": "分三步推进", "deadline": "2030-01-01"},
    )
    assert "major" in plan["detail"]
    mine = await kit.call(c, "GET", f"{API}/problems", h1.auth("reporter", unit="fengcheng"))
    assert pid in [x["id"] for x in mine["items"]]
    others = await kit.call(c, "GET", f"{API}/problems", h1.auth("reporter", unit="beiliu"))
    assert pid not in [x["id"] for x in others["items"]]
    await kit.call(c, "GET", f"{API}/problems/{pid}", h1.auth("reporter", unit="beiliu"), 403)


async def test_every_event_emitted_matches_its_json_schema(
    replicas: tuple[ServiceHarness, ServiceHarness], kit: Any
) -> None:
    records = await kit.topic_records(replicas[0])
    seen = kit.assert_every_event_matches_its_schema(records)
    expected = {
        f"diaodu.escalation.{n}.v1"
        for n in (
            "problem_raised",
            "problem_assigned",
            "problem_acknowledged",
            "problem_progressed",
            "sla_reminder",
            "sla_breached",
            "problem_escalated",
            "notice_issued",
            "meeting_item_added",
            "problem_resolved",
            "problem_reopened",
        )
    }
    assert expected <= seen, f"not exercised: {expected - seen}"
    # the platform documents the same catalog at /asyncapi.json (checked into contracts/ by the lead)
    doc = (await replicas[0].client.get("/asyncapi.json")).json()
    assert {m["name"] for m in doc["components"]["messages"].values()} == {ev.ce_type() for ev in CATALOG}
    assert doc["channels"]["escalation"]["address"] == replicas[0].settings.topic("escalation")


async def test_example_consumer_decodes_every_event_from_the_contract_files_alone(
    replicas: tuple[ServiceHarness, ServiceHarness], kit: Any, tmp_path: Path
) -> None:
    h1, _ = replicas
    for ev in CATALOG:  # contracts/events/ as `make contracts` writes it
        (tmp_path / f"{ev.ce_type()}.schema.json").write_text(
            json.dumps(event_schema(ev), ensure_ascii=False)
        )
    spec = importlib.util.spec_from_file_location("escalation_consumer", EXAMPLE)
    assert spec is not None and spec.loader is not None
    example = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(example)

    records = await kit.topic_records(h1)
    lines: list[str] = []
    invalid = await example.consume(
        bootstrap=h1.settings.kafka_bootstrap,
        topic=h1.settings.topic("escalation"),
        schemas_dir=tmp_path,
        idle_timeout_s=1.5,
        out=lines.append,
    )
    assert invalid == 0 and len(lines) == len(records)
    assert any(" problem_escalated " in line and "notice_number=督办〔2024〕" in line for line in lines)

    # a record that breaks the contract is reported, not swallowed
    bad = f"{h1.settings.topic_namespace}example.bad.v1"
    await ensure_topics(h1.settings, [bad])
    headers = {
        "ce_specversion": "1.0",
        "ce_id": "x-1",
        "ce_type": "diaodu.escalation.problem_raised.v1",
        "ce_source": "/elsewhere",
        "ce_time": "2024-01-01T00:00:00+08:00",
        "ce_subject": "p",
    }
    await produce(h1.settings.kafka_bootstrap, bad, [("p", headers, b'{"problem_id": 1}')])
    out: list[str] = []
    assert (
        await example.consume(
            bootstrap=h1.settings.kafka_bootstrap,
            topic=bad,
            schemas_dir=tmp_path,
            idle_timeout_s=1.5,
            out=out.append,
        )
        == 1
    )
    assert len(out) == 1 and out[0].startswith("INVALID") and "problem_raised" in out[0]
