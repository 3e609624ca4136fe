"""The assessment's campaign metrics after a real ranking (docs/operations.md#metrics), and the ranking
as XLSX holding the numbers the JSON API gives (R9). Two replicas on one database, fed by registry
and progress events on their topics."""

from __future__ import annotations

import io
import uuid
from datetime import datetime
from decimal import Decimal
from typing import Any

import pytest
from openpyxl import load_workbook
from prometheus_client import generate_latest
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy import text

from diaodu_platform.event_types import ce_type
from diaodu_platform.events import Envelope
from diaodu_platform.types import SHANGHAI
from diaodu_testkit.harness import ServiceHarness, produce, wait_until
from registry.events import ProjectRegistered, ProjectSnapshot, TargetSet, UnitRegistered
from scoring.entrypoints.main import create_app
from scoring.service_layer.metrics import refresh_at_startup

T0 = datetime(2024, 3, 20, 10, 0, tzinfo=SHANGHAI)
BEFORE = datetime(2024, 3, 10, 9, 0, tzinfo=SHANGHAI)
ASSESSMENT_DAY = datetime(2024, 3, 25, 9, 0, tzinfo=SHANGHAI)
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
UNITS = {"fc": ("凤城镇", "township"), "bl": ("北留镇", "township"), "rc": ("润城镇", "township")}
UNITS_ALL = {**UNITS, "jtj": ("交通局", "department")}  # departments are not ranked (policy v1)
TARGETS = [  # 2024 targets; bl has no 资金到位 and no 入规企业 target (empty cells, scored 0)
    ("fc", "signed_amount", 10000),
    ("fc", "funds_in_place", 5000),
    ("fc", "fixed_asset_investment", 20000),
    ("fc", "above_size_enterprise_count", 2),
    ("bl", "signed_amount", 8000),
    ("bl", "fixed_asset_investment", 10000),
    ("rc", "signed_amount", 5000),
    ("rc", "funds_in_place", 2000),
    ("rc", "fixed_asset_investment", 8000),
    ("rc", "above_size_enterprise_count", 1),
    ("jtj", "fixed_asset_investment", 30000),
]
# project → (unit, stage, March report: status, 签约额, 到位资金, investment ytd)
PROJECTS = {
    "fc-1": ("fc", "construction", "started", 6000, 2500, 9000),
    "bl-1": ("bl", "construction", "started", 8000, None, 4000),
    "rc-1": ("rc", "preliminary", "not_started", 5000, 2000, 2000),
}

pytestmark = pytest.mark.timeout(120)


def _snapshot(pid: str, unit: str, stage: str) -> ProjectSnapshot:
    return ProjectSnapshot(
        project_id=pid,
        code=None,
        name=f"项目{pid}",
        unit_code=unit,
        stage=stage,
        build_type="new",
        is_industrial=False,
        is_private=False,
        key_level=None,
        category=None,
        total_investment=Decimal(50000),
        annual_plan_investment=Decimal(20000),
        plan_year=2024,
        planned_start=None,
        planned_completion=None,
        signed_amount=None,
        funds_in_place=None,
        is_signed_project=True,
        stats_registered=False,
        stats_registered_on=None,
        procedures=[],
        campaign_id=None,
        version=1,
    )


def _report(pid: str) -> Envelope:
    unit, _, status, signed, funds, ytd = PROJECTS[pid]
    data = {
        "report_id": f"r-{pid}",
        "project_id": pid,
        "unit_code": unit,
        "month": "2024-03",
        "revision": 1,
        "investment_month": ytd,
        "investment_ytd": ytd,
        "investment_cumulative": ytd,
        "construction_status": status,
        "actual_start_date": "2024-01-05" if status == "started" else None,
        "stats_registered": True,
        "stats_registered_on": "2024-02-01",
        "signed_amount": signed,
        "funds_in_place": funds,
        "procedures": [],
        "submitted_at": T0.isoformat(),
        "submitted_by": "clerk",
        "late": False,
        "flags": [],
    }
    ce_id = str(uuid.uuid4())
    return Envelope(
        id=ce_id,
        type=ce_type("progress", "report_submitted"),
        source="/diaodu/progress",
        time=T0,
        subject=pid,
        data=data,
        correlation_id=ce_id,
        key=pid,
    )


def _registry_events() -> list[Envelope]:
    events: list[Any] = [
        UnitRegistered(unit_code=code, unit_name=name, kind=kind, parent_code=None, aliases=[])
        for code, (name, kind) in UNITS_ALL.items()
    ]
    events += [
        TargetSet(
            target_id=n,
            metric=metric,
            period="2024",
            scope="unit",
            unit_code=unit,
            campaign_id=None,
            value=Decimal(value),
            baseline=None,
            growth_pct=None,
            note=None,
        )
        for n, (unit, metric, value) in enumerate(TARGETS, 1)
    ]
    events += [
        ProjectRegistered(project_id=pid, project=_snapshot(pid, unit, stage))
        for pid, (unit, stage, *_) in PROJECTS.items()
    ]
    return [Envelope.wrap(e, time=T0) for e in events]


def _campaign_of(exposition: str) -> dict[str, Any]:
    """The scoring gauges of one replica: last, next due, and {unit: (kind, rank, score)}."""
    samples = {
        (s.name, frozenset(s.labels.items())): s.value
        for family in text_string_to_metric_families(exposition)
        for s in family.samples
    }
    units: dict[str, list[Any]] = {}
    for (name, labels), value in samples.items():
        if name in ("diaodu_scoring_unit_rank", "diaodu_scoring_unit_score"):
            label = dict(labels)
            units.setdefault(label["unit"], [label["unit_kind"], None, None])[
                1 if name.endswith("rank") else 2
            ] = value
    return {
        "last": samples[("diaodu_scoring_last_assessment_timestamp_seconds", frozenset())],
        "next_due": samples[("diaodu_scoring_next_assessment_due_timestamp_seconds", frozenset())],
        "units": {code: tuple(v) for code, v in units.items()},
    }


async def _campaign(h: ServiceHarness) -> dict[str, Any]:
    r = await h.client.get("/metrics")
    assert r.status_code == 200
    return _campaign_of(r.text)


async def _run_metrics_job(h: ServiceHarness) -> None:
    """Run this replica's `metrics` job itself. Its gauges are the replica's own, but the scheduler's
    lock on the job is shared by the replicas: POST /ops/jobs/metrics/run answers `ran: false` (and
    this replica's gauges stay as they were) whenever the other replica's periodic run holds it."""
    job = h.app.state.scheduler.jobs["metrics"]
    await job.run(h.app, h.app.state.clock.now())


async def test_metrics_show_the_published_ranking_and_the_next_assessment_due(replicas: Any) -> None:
    a, b = replicas.a, replicas.b
    for h in replicas.all:
        h.app.state.clock.set(BEFORE)
        await _run_metrics_job(h)
        # nothing to assess yet (no target): no assessment is scheduled, none was published
        assert await _campaign(h) == {"last": 0, "next_due": 0, "units": {}}

    envelopes = _registry_events()
    await produce(replicas.runtime.bootstrap, replicas.topic("registry"), [_record(e) for e in envelopes])
    reports = [_report(pid) for pid in PROJECTS]
    await produce(replicas.runtime.bootstrap, replicas.topic("progress"), [_record(e) for e in reports])

    async def applied() -> bool:
        async with a.app.state.engine.connect() as conn:
            n = (await conn.execute(text("SELECT count(*) FROM inbox"))).scalar_one()
        return int(n) >= len(envelopes) + len(reports)

    await wait_until(applied, timeout=60, interval=0.2)
    await _run_metrics_job(a)
    assert (await _campaign(a))["next_due"] == datetime(2024, 3, 25, tzinfo=SHANGHAI).timestamp()

    # The 25th arrives on replica a: its assessment job publishes March and shows it at once.
    r = await a.client.put(
        "/api/v1/ops/clock", json={"now": ASSESSMENT_DAY.isoformat()}, headers=a.auth("admin")
    )
    assert r.status_code == 200

    async def published() -> Any:
        return (await a.client.get("/api/v1/rankings/2024-03", headers=a.auth("leader"))).status_code == 200

    # The clock wakes a's scheduler at once; should b's periodic assessment run hold the job's lock
    # just then, a runs it at its next tick (every 30 s).
    await wait_until(published, timeout=40, interval=0.2)
    ranking = (await a.client.get("/api/v1/rankings/2024-03", headers=a.auth("leader"))).json()
    assert ranking["trigger"] == "scheduled"
    expected = {
        "last": datetime.fromisoformat(ranking["published_at"]).timestamp(),
        "next_due": datetime(2024, 4, 25, tzinfo=SHANGHAI).timestamp(),  # March is done: April's
        "units": {c["unit_code"]: ("township", c["rank"], c["total_score"]) for c in ranking["scorecards"]},
    }
    assert sorted(expected["units"]) == ["bl", "fc", "rc"] and expected["last"] > 0
    assert {rank for _, rank, _ in expected["units"].values()} == {1, 2, 3}

    async def shown() -> bool:
        return await _campaign(a) == expected

    await wait_until(shown, timeout=10, interval=0.1)
    # replica b follows the database by its metrics job (its clock is still on the 10th)
    await _run_metrics_job(b)
    assert await _campaign(b) == expected

    # A replica starting on this database shows the ranking before any metrics job ran: the start-up
    # task of a fresh app (no second consumer joining the group: that costs a rebalance).
    fresh = create_app(a.settings)
    assert refresh_at_startup in fresh.state.spec.background
    fresh.state.engine = a.app.state.engine
    fresh.state.new_uow = a.app.state.new_uow  # as its lifespan would set them
    fresh.state.clock.set(ASSESSMENT_DAY)
    await refresh_at_startup(fresh)
    assert _campaign_of(generate_latest(fresh.state.metrics.registry).decode()) == expected


def _record(e: Envelope) -> tuple[str | None, dict[str, str], bytes]:
    return e.key, e.headers(), e.value()


def _sheets(content: bytes) -> dict[str, list[dict[str, Any]]]:
    book = load_workbook(io.BytesIO(content))
    out = {}
    for ws in book.worksheets:
        header, *rows = ws.iter_rows(values_only=True)
        out[ws.title] = [dict(zip(header, row, strict=True)) for row in rows]
    return out


async def test_ranking_export_holds_every_units_indicators_as_the_json_ranking(replicas: Any) -> None:
    h = replicas.b
    auth = h.auth("reporter", unit="fc")  # every role reads rankings, as GET /rankings/{month}
    ranking = (await h.client.get("/api/v1/rankings/2024-03", headers=auth)).json()
    by_month = await h.client.get("/api/v1/rankings/2024-03/export.xlsx", headers=auth)
    by_id = await h.client.get(f"/api/v1/rankings/{ranking['ranking_id']}/export.xlsx", headers=auth)
    for r in (by_month, by_id):
        assert r.status_code == 200, r.text
        assert r.headers["content-type"] == XLSX
        assert r.headers["content-disposition"].startswith('attachment; filename="ranking-2024-03-v1.xlsx"')
    assert _sheets(by_month.content) == _sheets(by_id.content)

    sheets = _sheets(by_month.content)
    rows = sheets["排名"]
    assert [x["单位代码"] for x in rows] == [c["unit_code"] for c in ranking["scorecards"]]
    for row, card in zip(rows, ranking["scorecards"], strict=True):
        assert (row["排名"], row["单位"], row["总分"], row["考核办法版本"]) == (
            card["rank"],
            card["unit_name"],
            card["total_score"],
            ranking["policy_version"],
        )
        assert isinstance(row["总分"], int | float) and isinstance(row["排名"], int)
        for i in card["indicators"]:
            cells = [row[f"{i['label']}-{part}"] for part in ("实际", "目标", "完成率", "得分")]
            assert cells == [i["actual"], i["target"], i["rate"], i["score"]], (card["unit_code"], i["code"])
        assert row["约谈"] == (
            "是" if card["unit_code"] in {x["unit_code"] for x in ranking["interviews"]} else "否"
        )
    bl = next(x for x in rows if x["单位代码"] == "bl")
    assert (bl["资金到位率-目标"], bl["资金到位率-完成率"], bl["资金到位率-得分"]) == (None, None, 0)
    fc = next(c for c in ranking["scorecards"] if c["unit_code"] == "fc")
    assert [(i["code"], i["rate"]) for i in fc["indicators"]][:3] == [
        ("signing_rate", 0.6),
        ("landing_rate", 1.0),
        ("funds_rate", 0.5),
    ]
    about = {x["项目"]: x["内容"] for x in sheets["考核信息"]}
    assert (about["月份"], about["排名编号"], about["考核办法版本"], about["发布方式"]) == (
        "2024-03",
        ranking["ranking_id"],
        1,
        "考核日自动发布",
    )
    assert about["入库投资率-权重"] == 25 and about["参评单位数"] == 3

    for key in ("2024-04", "999999", "latest"):
        assert (await h.client.get(f"/api/v1/rankings/{key}/export.xlsx", headers=auth)).status_code == 404
    assert (await h.client.get("/api/v1/rankings/2024-03/export.xlsx")).status_code == 401
