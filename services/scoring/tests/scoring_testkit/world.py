"""The world the integration tests feed scoring: registry, progress and escalation events of the
hand-computed month (scoring_testkit.month), as they arrive on those services' topics.

Expected: rc 79.00, bl 79.00 (tie → 入库投资率), fc 53.50, dingdian 32.50, sitou 32.50 (tie → unit code).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from diaodu_platform.event_types import ce_type
from diaodu_platform.events import Envelope, Event
from diaodu_platform.types import SHANGHAI
from registry.events import (
    LeaderAssigned,
    ProjectRegistered,
    ProjectSnapshot,
    ProjectUpdated,
    TargetSet,
    UnitRegistered,
)

T0 = datetime(2024, 3, 20, 10, 0, tzinfo=SHANGHAI)  # when most inputs were reported
T_REVISION = datetime(2024, 3, 24, 10, 0, tzinfo=SHANGHAI)  # bl-1's March report is corrected
T_PLAN = datetime(2024, 3, 23, 10, 0, tzinfo=SHANGHAI)  # fc's escalated problem files its plan

UNITS = {
    "fc": ("凤城镇", "township"),
    "bl": ("北留镇", "township"),
    "rc": ("润城镇", "township"),
    "dingdian": ("町店镇", "township"),
    "sitou": ("寺头乡", "township"),
    "jtj": ("交通局", "department"),
}
TARGETS = [  # (unit or None for the region, metric, value) for 2024
    ("fc", "signed_amount", 37500),
    ("fc", "funds_in_place", 13000),
    ("fc", "fixed_asset_investment", 45000),
    ("fc", "above_size_enterprise_count", 4),
    ("bl", "signed_amount", 10000),
    ("bl", "funds_in_place", 2000),
    ("bl", "fixed_asset_investment", 20000),
    ("bl", "above_size_enterprise_count", 2),
    ("rc", "signed_amount", 10000),
    ("rc", "funds_in_place", 5000),
    ("rc", "fixed_asset_investment", 10000),
    ("rc", "above_size_enterprise_count", 3),
    ("dingdian", "signed_amount", 4000),
    ("dingdian", "fixed_asset_investment", 10000),
    ("dingdian", "above_size_enterprise_count", 1),
    ("sitou", "signed_amount", 8000),
    ("sitou", "funds_in_place", 1000),
    ("sitou", "fixed_asset_investment", 20000),
    ("sitou", "above_size_enterprise_count", 1),
    ("jtj", "fixed_asset_investment", 50000),
    (None, "fixed_asset_investment", 200000),
    (None, "funds_in_place", 100000),
]
# project: (unit, registered as signed, stage)
PROJECTS = {
    "fc-1": ("fc", True, "construction"),
    "fc-2": ("fc", True, "preliminary"),
    "fc-3": ("fc", False, "construction"),
    "bl-1": ("bl", True, "construction"),
    "rc-1": ("rc", True, "construction"),
    "rc-2": ("rc", True, "preliminary"),
    "dd-1": ("dingdian", True, "preliminary"),
    "st-1": ("sitou", True, "construction"),
    "st-2": ("sitou", True, "reserve"),
    "st-3": ("sitou", True, "reserve"),
    "st-4": ("sitou", True, "reserve"),
    "jt-1": ("jtj", False, "construction"),
}
# March reports: project → (status, 入统, 签约额, 到位资金, investment ytd)
REPORTS = {
    "fc-1": ("started", True, 20000, 6500, 12000),
    "fc-2": ("not_started", False, 15000, None, 3000),
    "fc-3": ("started", True, None, None, 6000),
    "bl-1": ("started", True, 15000, 2000, 10000),
    "rc-1": ("started", True, 9500, 5000, 8000),
    "dd-1": ("not_started", True, 2000, None, 3000),
    "st-1": ("started", True, 2000, None, 6000),
    "jt-1": ("started", True, None, None, 1000),
}
RETURNS = {
    ("fc", "2024-01"): ["晋城甲公司"],
    ("fc", "2024-02"): ["晋城乙公司"],
    ("fc", "2024-03"): ["晋城甲公司"],
    ("rc", "2024-02"): ["润城一厂"],
    ("rc", "2024-03"): ["润城二厂"],
    ("dingdian", "2024-03"): ["町店新材料"],
    ("sitou", "2024-01"): ["寺头农业"],
}
LEADERS = {
    "fc": ("L1", "王副县长"),
    "dingdian": ("L2", "李副县长"),
    "sitou": ("L3", "张副县长"),
    "rc": ("L4", "赵副县长"),
}


def registry_env(event: Event, at: datetime = T0) -> Envelope:
    return Envelope.wrap(event, time=at)


def raw_env(service: str, name: str, key: str, data: dict[str, Any], at: datetime = T0) -> Envelope:
    """An event of another service as it arrives: its JSON data under its CloudEvents type."""
    ce_id = str(uuid.uuid4())
    return Envelope(
        id=ce_id,
        type=ce_type(service, name),
        source=f"/diaodu/{service}",
        time=at,
        subject=key,
        data=data,
        correlation_id=ce_id,
        key=key,
    )


def snapshot(pid: str, version: int = 1, **changes: Any) -> ProjectSnapshot:
    unit, signed, stage = PROJECTS[pid]
    fields: dict[str, Any] = {
        "project_id": pid,
        "code": None,
        "name": f"项目{pid}",
        "unit_code": unit,
        "stage": stage,
        "build_type": "new",
        "is_industrial": False,
        "is_private": False,
        "key_level": None,
        "category": None,
        "total_investment": Decimal(50000),
        "annual_plan_investment": Decimal(20000),
        "plan_year": 2024,
        "planned_start": None,
        "planned_completion": None,
        "signed_amount": None,
        "funds_in_place": None,
        "is_signed_project": signed,
        "stats_registered": False,
        "stats_registered_on": None,
        "procedures": [],
        "campaign_id": None,
        "version": version,
    }
    fields.update(changes)
    return ProjectSnapshot(**fields)


def report(
    pid: str,
    month: str,
    *,
    status: str,
    stats: bool,
    signed: int | None,
    funds: int | None,
    ytd: int,
    revision: int = 1,
    report_id: str | None = None,
) -> dict[str, Any]:
    return {
        "report_id": report_id or f"r-{pid}-{month}",
        "project_id": pid,
        "unit_code": PROJECTS[pid][0],
        "month": month,
        "revision": revision,
        "investment_month": ytd,
        "investment_ytd": ytd,
        "investment_cumulative": ytd,
        "construction_status": status,
        "actual_start_date": "2024-01-05" if status == "started" else None,
        "stats_registered": stats,
        "stats_registered_on": "2024-02-01" if stats else None,
        "signed_amount": signed,
        "funds_in_place": funds,
        "procedures": [],
        "submitted_at": T0.isoformat(),
        "submitted_by": "clerk",
        "late": False,
        "flags": [],
    }


@dataclass
class World:
    ids: dict[str, str] = field(default_factory=dict)  # what → ce_id of the event that carried it
    envelopes: list[tuple[str, Envelope]] = field(default_factory=list)

    def add(self, topic: str, env: Envelope, what: str | None = None) -> None:
        self.envelopes.append((topic, env))
        if what:
            self.ids[what] = env.id


def _units_leaders_targets(w: World) -> None:
    for code, (name, kind) in UNITS.items():
        unit = UnitRegistered(unit_code=code, unit_name=name, kind=kind, parent_code=None, aliases=[])
        w.add("registry", registry_env(unit), f"unit:{code}")
    for n, (unit_code, (leader_id, leader_name)) in enumerate(LEADERS.items(), 1):
        assignment = LeaderAssigned(
            assignment_id=n,
            leader_id=leader_id,
            leader_name=leader_name,
            leader_title="副县长",
            unit_code=unit_code,
            project_id=None,
            role="包联",
        )
        w.add("registry", registry_env(assignment))
    for n, (unit_code, metric, value) in enumerate(TARGETS, 1):
        target = TargetSet(
            target_id=n,
            metric=metric,
            period="2024",
            scope="unit" if unit_code else "region",
            unit_code=unit_code,
            campaign_id=None,
            value=Decimal(value),
            baseline=None,
            growth_pct=None,
            note=None,
        )
        w.add("registry", registry_env(target), f"target:{unit_code or 'region'}:{metric}")


def _projects(w: World) -> None:
    for pid in PROJECTS:
        if pid == "rc-2":  # registered unsigned, then updated to signed (version 2); then stale deliveries
            v1 = registry_env(
                ProjectRegistered(project_id=pid, project=snapshot(pid, is_signed_project=False))
            )
            w.add("registry", v1)
            v2 = ProjectUpdated(
                project_id=pid, project=snapshot(pid, version=2), changed=["is_signed_project"]
            )
            w.add("registry", registry_env(v2), "project:rc-2")
            w.add("registry", v1)  # the same ce_id again: a no-op
            stale = ProjectUpdated(
                project_id=pid, project=snapshot(pid, is_signed_project=False), changed=["name"]
            )
            # an older version arriving late never overrides version 2
            w.add("registry", registry_env(stale, at=T0 + timedelta(hours=1)))
            continue
        w.add(
            "registry",
            registry_env(ProjectRegistered(project_id=pid, project=snapshot(pid))),
            f"project:{pid}",
        )


def _reports(w: World) -> None:
    # fc-1 had signed 5000 before the year: only 15000 of its 20000 count in 2024
    december = report("fc-1", "2023-12", status="started", stats=True, signed=5000, funds=None, ytd=100)
    w.add("progress", raw_env("progress", "report_submitted", "fc-1", december), "report:fc-1:2023-12")
    for pid, (status, stats, signed, funds, ytd) in REPORTS.items():
        march = report(pid, "2024-03", status=status, stats=stats, signed=signed, funds=funds, ytd=ytd)
        w.add("progress", raw_env("progress", "report_submitted", pid, march), f"report:{pid}")
    # bl-1's March investment corrected from 10000 to 12000 (a new revision; the original stays)
    revised = {
        **report(
            "bl-1", "2024-03", status="started", stats=True, signed=15000, funds=2000, ytd=12000, revision=2
        ),
        "reason": "统计局核实后更正",
        "previous_revision": 1,
    }
    w.add("progress", raw_env("progress", "report_revised", "bl-1", revised, at=T_REVISION), "report:bl-1")
    for (unit, month), names in RETURNS.items():
        unit_return = {
            "unit_code": unit,
            "month": month,
            "revision": 1,
            "submitted_at": T0.isoformat(),
            "above_size_enterprises": [{"name": n, "date": f"{month}-10"} for n in names],
        }
        w.add(
            "progress",
            raw_env("progress", "unit_return_submitted", unit, unit_return),
            f"return:{unit}:{month}",
        )


def _problems(w: World) -> None:
    """fc-2's land problem: raised, its resolve clock breached, escalated to level 2, then a plan filed."""
    problem = {
        "problem_id": "p-1",
        "project_id": "fc-2",
        "owner_unit": "fc",
        "category": "land",
        "severity": "major",
        "level": 1,
        "status": "raised",
        "occurred_at": T0.isoformat(),
    }
    w.add("escalation", raw_env("escalation", "problem_raised", "fc-2", problem))
    breached = {
        **problem,
        "status": "assigned",
        "clock": "resolve",
        "due_at": T0.isoformat(),
        "occurred_at": "2024-03-21T10:00:00+08:00",
    }
    w.add("escalation", raw_env("escalation", "sla_breached", "fc-2", breached))
    escalated = {
        **problem,
        "status": "assigned",
        "level": 2,
        "from_level": 1,
        "to_level": 2,
        "notice_number": "督办〔2024〕1号",
        "occurred_at": "2024-03-22T10:00:00+08:00",
    }
    w.add("escalation", raw_env("escalation", "problem_escalated", "fc-2", escalated), "problem:escalated")
    plan = {
        **problem,
        "status": "in_progress",
        "level": 2,
        "filed_by": "fc-clerk",
        "plan": "4月底前完成土地调规",
        "deadline": "2024-04-30",
        "occurred_at": T_PLAN.isoformat(),
    }
    w.add("escalation", raw_env("escalation", "problem_plan_filed", "fc-2", plan), "problem:plan_filed")


def build_world() -> World:
    """Every event of the month, in the order each producer published them."""
    w = World()
    _units_leaders_targets(w)
    _projects(w)
    _reports(w)
    _problems(w)
    return w
