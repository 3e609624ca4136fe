"""The reporting window (R5) with two replicas of the service on one database: a reminder before
the due day and exactly one report_overdue per missing project, however often the job runs."""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import AsyncIterator
from datetime import datetime

import pytest
from progress_testkit import YEAR, Published, RegistryFeed, at, start_progress

from diaodu_testkit.harness import ServiceHarness, TestRuntime

MONTH = f"{YEAR}-03"


@pytest.fixture(scope="module")
async def replicas(runtime: TestRuntime) -> AsyncIterator[tuple[ServiceHarness, ServiceHarness]]:
    first = await start_progress(runtime)
    second = await start_progress(
        runtime, database=first.settings.database_url, migrate=False, ns=first.settings.topic_namespace
    )
    try:
        yield first, second
    finally:
        await second.close()
        await first.close()


def set_clocks(hs: tuple[ServiceHarness, ...], when: datetime) -> None:
    for h in hs:
        h.app.state.clock.set(when)


async def run_everywhere(hs: tuple[ServiceHarness, ...]) -> None:
    """Every replica runs the job after the clock moved, at the same time (each waits for the lock)."""

    async def until_ran(h: ServiceHarness) -> None:
        while not await h.app.state.scheduler.run_now("deadlines"):
            await asyncio.sleep(0.02)

    await asyncio.gather(*(until_ran(h) for h in hs))


async def report(h: ServiceHarness, pid: str) -> None:
    body = {
        "project_id": pid,
        "month": MONTH,
        "investment_month": 10,
        "investment_ytd": 10,
        "investment_cumulative": 10,
        "construction_status": "resumed",
    }
    r = await h.client.post("/api/v1/reports", json=body, headers=h.auth("admin"))
    assert r.status_code == 201, r.text


async def test_reminder_before_the_due_day_and_one_overdue_per_missing_project_with_two_replicas(
    runtime: TestRuntime, replicas: tuple[ServiceHarness, ServiceHarness]
) -> None:
    first, second = replicas
    feed = RegistryFeed(first)
    a, b, c = feed.unit("dl-a"), feed.unit("dl-b"), feed.unit("dl-c")
    a1, a2 = feed.project(a), feed.project(a)
    a3 = feed.project(a, stage="preliminary", build_type="new")
    b1 = feed.project(b)
    feed.project(b, stage="planned")  # 谋划 projects owe no report
    c1 = feed.project(c)
    await feed.send()
    r = await first.client.put(
        "/api/v1/policy", json={"due_day": 20, "reminder_days_before": 3}, headers=first.auth("admin")
    )
    assert r.status_code == 200 and r.json()["version"] == 1
    published = Published(first)

    set_clocks(replicas, at(3, 16))  # before the reminder window (17th..20th)
    await report(first, c1)
    await run_everywhere(replicas)
    assert await published.all("report_reminder_due", month=MONTH) == []

    set_clocks(replicas, at(3, 18))
    await run_everywhere(replicas)
    reminders = await published.all("report_reminder_due", month=MONTH)
    assert sorted((e.data["unit_code"], tuple(sorted(e.data["missing_project_ids"]))) for e in reminders) == [
        (a, tuple(sorted([a1, a2, a3]))),
        (b, (b1,)),
    ]
    assert {e.data["due_date"] for e in reminders} == {f"{YEAR}-03-20"}
    assert await published.all("report_overdue", month=MONTH) == []

    await report(second, a2)
    set_clocks(replicas, at(3, 21, hour=0))  # the 20th has ended
    await run_everywhere(replicas)
    await run_everywhere(replicas)
    overdue = await published.all("report_overdue", month=MONTH)
    assert Counter(e.data["project_id"] for e in overdue) == {a1: 1, a3: 1, b1: 1}
    assert all(e.key == e.data["project_id"] and e.data["due_date"] == f"{YEAR}-03-20" for e in overdue)
    assert {e.data["project_id"]: e.data["unit_code"] for e in overdue} == {a1: a, a3: a, b1: b}

    # A replica started later (a restart) finds the facts recorded and emits nothing again.
    third = await start_progress(
        runtime, database=first.settings.database_url, migrate=False, ns=first.settings.topic_namespace
    )
    try:
        third.app.state.clock.set(at(3, 25))
        await run_everywhere((third,))
    finally:
        await third.close()
    assert len(await published.all("report_overdue", month=MONTH)) == 3
    assert len(await published.all("report_reminder_due", month=MONTH)) == 2
    month = await first.client.get(f"/api/v1/units/{a}/months/{MONTH}", headers=first.auth("leader"))
    assert sorted(month.json()["missing_project_ids"]) == sorted([a1, a3])


async def test_the_due_day_defaults_to_the_last_day_of_the_month(
    replicas: tuple[ServiceHarness, ...],
) -> None:
    first, _ = replicas
    r = await first.client.put("/api/v1/policy", json={}, headers=first.auth("admin"))
    assert r.status_code == 200 and r.json()["due_day"] is None and r.json()["reminder_days_before"] == 3
    feed = RegistryFeed(first)
    pid = feed.project(feed.unit("dl-default"))
    await feed.send()
    published = Published(first)
    june = f"{YEAR}-06"
    set_clocks(replicas, at(6, 26))
    await run_everywhere(replicas)
    assert await published.all("report_reminder_due", month=june, unit_code="dl-default") == []
    set_clocks(replicas, at(6, 27))  # 30 June - 3 days
    await run_everywhere(replicas)
    [reminder] = await published.all("report_reminder_due", month=june, unit_code="dl-default")
    assert reminder.data["due_date"] == f"{YEAR}-06-30" and reminder.data["missing_project_ids"] == [pid]
    set_clocks(replicas, at(6, 30, hour=23))
    await run_everywhere(replicas)
    assert await published.all("report_overdue", month=june, project_id=pid) == []
    set_clocks(replicas, at(7, 1, hour=0))
    await run_everywhere(replicas)
    assert len(await published.all("report_overdue", month=june, project_id=pid)) == 1
