"""The system raises problems by itself from progress events (R3, R5 → R7): a red investment light
held for two months, and two consecutive overdue monthly reports."""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from diaodu_testkit.harness import ServiceHarness, wait_until

API = "/api/v1"
BY_EVENT, BY_CLOCK, RECOVERED, LATE = (str(uuid.uuid4()) for _ in range(4))

pytestmark = pytest.mark.timeout(180)


def light(kit: Any, project_id: str, month: str, previous: str | None, now: str, **kw: Any) -> Any:
    data = {
        "scope": "project",
        "project_id": project_id,
        "unit_code": "runcheng",
        "month": month,
        "kind": "investment",
        "previous": previous,
        "light": now,
        "reason": "投资完成率低于序时进度",
        "gap_points": 35.5 if now == "red" else 5.0,
    }
    return kit.progress_envelope("light_changed", project_id, data, **kw)


def overdue(kit: Any, project_id: str, month: str, due: str) -> Any:
    return kit.progress_envelope(
        "report_overdue",
        project_id,
        {"project_id": project_id, "unit_code": "runcheng", "month": month, "due_date": due},
    )


async def _system_problems(h: ServiceHarness, kit: Any, project_id: str) -> list[dict[str, Any]]:
    page = await kit.call(
        h.client,
        "GET",
        f"{API}/problems",
        h.auth("supervisor"),
        params={"source": "system", "project_id": project_id, "state": "all"},
    )
    return list(page["items"])


async def test_red_light_held_for_two_months_raises_a_problem_by_itself(
    escalation: ServiceHarness, kit: Any
) -> None:
    h = escalation
    await kit.send_registry(
        h,
        kit.unit_registered("runcheng", "润城镇"),
        kit.project_registered(BY_EVENT, "润城镇文旅综合体项目", "runcheng"),
    )
    await kit.set_clock("2024-04-10T09:00:00+08:00", h)
    march_red = light(kit, BY_EVENT, "2024-03", "yellow", "red")
    await kit.send_progress(
        h,
        march_red,
        light(kit, BY_CLOCK, "2024-03", "green", "red"),
        light(kit, RECOVERED, "2024-03", "yellow", "red"),
        light(kit, RECOVERED, "2024-04", "red", "yellow"),
    )
    await kit.wait_for_projection(h, units=1, projects=1, assignments=0)
    await wait_until(lambda: _inbox_at_least(h, kit, 6), timeout=60, interval=0.2)
    # April is still open: red for one month only raises nothing yet.
    await h.client.post(f"{API}/ops/jobs/system_problems/run", headers=h.auth("admin"))
    assert await _system_problems(h, kit, BY_EVENT) == []
    assert await _system_problems(h, kit, BY_CLOCK) == []

    # The light for April is red again (a progress event): raised at once, assigned to the project's unit.
    await kit.send_progress(h, light(kit, BY_EVENT, "2024-04", "red", "red"))
    raised = await wait_until(lambda: _system_problems(h, kit, BY_EVENT), timeout=30, interval=0.2)
    (p,) = raised
    assert (p["trigger"], p["status"], p["level"], p["owner_unit"]) == (
        "red_light",
        "assigned",
        1,
        "runcheng",
    )
    assert p["project_name"] == "润城镇文旅综合体项目" and "2024-03" in p["title"]
    assert p["deadline"] == "2024-04-19"  # 7 working days from Wednesday 2024-04-10

    # No change of light for April and April's reporting has closed (plus the 3-day grace): raised too.
    await kit.set_clock("2024-05-03T09:00:00+08:00", h)
    await h.client.post(f"{API}/ops/jobs/system_problems/run", headers=h.auth("admin"))
    assert await _system_problems(h, kit, BY_CLOCK) == []
    await kit.set_clock("2024-05-04T00:00:01+08:00", h)
    (q,) = await wait_until(lambda: _system_problems(h, kit, BY_CLOCK), timeout=30, interval=0.2)
    assert (q["trigger"], q["status"]) == ("red_light", "assigned")

    # A redelivered event and a repeated fact raise nothing twice; a light back to yellow raises nothing.
    await kit.send_progress(h, march_red, light(kit, BY_EVENT, "2024-04", "red", "red"))
    await wait_until(lambda: _inbox_at_least(h, kit, 8), timeout=30, interval=0.2)
    await h.client.post(f"{API}/ops/jobs/system_problems/run", headers=h.auth("admin"))
    assert len(await _system_problems(h, kit, BY_EVENT)) == 1
    assert len(await _system_problems(h, kit, BY_CLOCK)) == 1
    assert await _system_problems(h, kit, RECOVERED) == []

    records = await kit.topic_records(h)
    types = [e["type"] for e in kit.of_problem(records, p["id"])]
    # raised once; moving the clock into May also let its April deadline run out (it climbed the ladder)
    assert types[:2] == ["problem_raised", "problem_assigned"] and types.count("problem_raised") == 1
    assert "problem_escalated" in types
    raised_event = kit.of_problem(records, p["id"], "problem_raised")[0]
    assert (raised_event["source"], raised_event["trigger"], raised_event["raised_by"]) == (
        "system",
        "red_light",
        "system",
    )


async def _inbox_at_least(h: ServiceHarness, kit: Any, n: int) -> bool:
    return bool(await kit.count(h, h.app.state.tables.inbox) >= n)


async def test_two_consecutive_overdue_reports_raise_a_problem_by_itself(
    escalation: ServiceHarness, kit: Any
) -> None:
    h = escalation
    await kit.send_progress(h, overdue(kit, LATE, "2024-03", "2024-03-31"))
    await wait_until(lambda: _inbox_at_least(h, kit, 9), timeout=30, interval=0.2)
    await h.client.post(f"{API}/ops/jobs/system_problems/run", headers=h.auth("admin"))
    assert await _system_problems(h, kit, LATE) == []
    await kit.send_progress(
        h, overdue(kit, LATE, "2024-04", "2024-04-30"), overdue(kit, LATE, "2024-05", "2024-05-31")
    )
    (p,) = await wait_until(lambda: _system_problems(h, kit, LATE), timeout=30, interval=0.2)
    assert (p["trigger"], p["owner_unit"], p["status"]) == ("reports_overdue", "runcheng", "assigned")
    await wait_until(lambda: _inbox_at_least(h, kit, 11), timeout=30, interval=0.2)
    await h.client.post(f"{API}/ops/jobs/system_problems/run", headers=h.auth("admin"))
    assert len(await _system_problems(h, kit, LATE)) == 1  # March–May is one episode


async def test_every_event_emitted_matches_its_json_schema(escalation: ServiceHarness, kit: Any) -> None:
    seen = kit.assert_every_event_matches_its_schema(await kit.topic_records(escalation))
    assert {"diaodu.escalation.problem_raised.v1", "diaodu.escalation.problem_assigned.v1"} <= seen


async def test_clocks_survive_a_restart_of_the_service(
    escalation: ServiceHarness, runtime: Any, kit: Any
) -> None:
    """The timer engine keeps nothing in memory: a new process on the same database settles the clocks."""
    h = escalation
    (p,) = await _system_problems(h, kit, BY_CLOCK)
    assert p["level"] == 1 and p["deadline"] == "2024-05-13"  # Saturday 05-11 is a May Day make-up day
    database = h.settings.database_url
    await h.close()  # the service stops; its clocks are only rows
    # A new process on the same database. (Its own topic namespace: on the local broker a consumer
    # group whose member stopped waits out the session timeout before a new member gets partitions.)
    restarted = await kit.start_escalation(runtime, database=database)
    try:
        await kit.set_clock("2024-05-14T00:00:01+08:00", restarted)
        after = await wait_until(lambda: _at_level(restarted, kit, p["id"], 2), timeout=30, interval=0.2)
        assert after["deadline"] == "2024-05-23" and [n["reason"] for n in after["notices"]] == ["escalation"]
        # and it consumes (this also lets its group join settle: stopping mid-join is slow)
        before = await kit.count(restarted, restarted.app.state.tables.inbox)
        await kit.send_progress(restarted, overdue(kit, str(uuid.uuid4()), "2024-04", "2024-04-30"))
        await wait_until(lambda: _inbox_at_least(restarted, kit, before + 1), timeout=30, interval=0.2)
    finally:
        await restarted.close()


async def _at_level(h: ServiceHarness, kit: Any, problem_id: str, level: int) -> Any:
    detail = await kit.call(h.client, "GET", f"{API}/problems/{problem_id}", h.auth("supervisor"))
    return detail if detail["level"] == level else None
