"""The hand-computed month of R9 (2024-03, default policy): every unit's projects, targets and
新增入规企业, as domain facts, and as the projections of a fake unit of work.

签约率/落地率/资金到位率/入库投资率/入规企业数 of this month were computed by hand (see
tests/unit/test_monthly_assessment.py): rc 79.00, bl 79.00 (tie → 入库投资率), fc 53.50,
dingdian 32.50, sitou 32.50 (tie → unit code); the department 交通局 is not ranked. All amounts in 万元.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal as D

from scoring.domain.indicators import EnterpriseFact, Figure, ProjectFact, TargetRef, build_unit_inputs
from scoring.domain.periods import window_for
from scoring.domain.scoring import UnitInput
from scoring_testkit.fakes import FakeFactRepository

WINDOW = window_for("2024-03", "year")


def fig(value: str | int, pid: str, what: str, month: str = "2024-03") -> Figure:
    return Figure(D(value), f"ev-{pid}-{what}-{month}", month)


def project(
    pid: str,
    unit: str,
    *,
    signed: bool = False,
    started: bool = False,
    stats: bool = False,
    signed_amt: int | None = None,
    signed_base: int | None = None,
    funds: int | None = None,
    ytd: int | None = None,
) -> ProjectFact:
    return ProjectFact(
        project_id=pid,
        name=f"项目{pid}",
        unit_code=unit,
        is_signed=signed,
        started=started,
        stats_registered=stats,
        status_source=f"ev-{pid}-status",
        signed_end=fig(signed_amt, pid, "signed") if signed_amt is not None else None,
        signed_base=fig(signed_base, pid, "signed", "2023-12") if signed_base is not None else None,
        funds_end=fig(funds, pid, "funds") if funds is not None else None,
        ytd_end=fig(ytd, pid, "ytd") if ytd is not None else None,
    )


PROJECTS = [
    # 凤城镇 fc: 签约 (20000 − 5000 before the year) + 15000 = 30000; 1 of 2 signed started;
    # 到位 6500; 入统 investment 12000 + 6000 (fc-2 is not 入统, its 3000 does not count)
    project(
        "fc-1",
        "fc",
        signed=True,
        started=True,
        stats=True,
        signed_amt=20000,
        signed_base=5000,
        funds=6500,
        ytd=12000,
    ),
    project("fc-2", "fc", signed=True, signed_amt=15000, ytd=3000),
    project("fc-3", "fc", started=True, stats=True, ytd=6000),
    # 北留镇 bl: one signed project, started, 入统
    project("bl-1", "bl", signed=True, started=True, stats=True, signed_amt=15000, funds=2000, ytd=12000),
    # 润城镇 rc: two signed projects, one started
    project("rc-1", "rc", signed=True, started=True, stats=True, signed_amt=9500, funds=5000, ytd=8000),
    project("rc-2", "rc", signed=True),
    # 町店镇 dingdian: one signed project, not started, 入统
    project("dd-1", "dingdian", signed=True, stats=True, signed_amt=2000, ytd=3000),
    # 寺头乡 sitou: four signed projects, one started
    project("st-1", "sitou", signed=True, started=True, stats=True, signed_amt=2000, ytd=6000),
    project("st-2", "sitou", signed=True),
    project("st-3", "sitou", signed=True),
    project("st-4", "sitou", signed=True),
    # 交通局 (a department: not ranked by the default policy)
    project("jt-1", "jtj", signed=True, started=True, stats=True, signed_amt=1, ytd=1),
]

TARGETS = {  # unit → metric → value
    "fc": {
        "signed_amount": 37500,
        "funds_in_place": 13000,
        "fixed_asset_investment": 45000,
        "above_size_enterprise_count": 4,
    },
    "bl": {
        "signed_amount": 10000,
        "funds_in_place": 2000,
        "fixed_asset_investment": 20000,
        "above_size_enterprise_count": 2,
    },
    "rc": {
        "signed_amount": 10000,
        "funds_in_place": 5000,
        "fixed_asset_investment": 10000,
        "above_size_enterprise_count": 3,
    },
    "dingdian": {"signed_amount": 4000, "fixed_asset_investment": 10000, "above_size_enterprise_count": 1},
    "sitou": {
        "signed_amount": 8000,
        "funds_in_place": 1000,
        "fixed_asset_investment": 20000,
        "above_size_enterprise_count": 1,
    },
    "jtj": {"fixed_asset_investment": 1},
}

ENTERPRISES = {
    "fc": [
        EnterpriseFact("晋城甲公司", date(2024, 1, 10), "2024-01", "ev-ret-fc-01"),
        EnterpriseFact("晋城乙公司", date(2024, 2, 3), "2024-02", "ev-ret-fc-02"),
        EnterpriseFact("晋城甲公司", date(2024, 1, 10), "2024-03", "ev-ret-fc-03"),  # reported again: once
        EnterpriseFact("晋城丙公司", date(2023, 12, 1), "2023-12", "ev-ret-fc-12"),  # before the year
    ],
    "rc": [
        EnterpriseFact("润城一厂", None, "2024-02", "ev-ret-rc"),
        EnterpriseFact("润城二厂", None, "2024-03", "r"),
    ],
    "dingdian": [EnterpriseFact("町店新材料", None, "2024-03", "ev-ret-dd")],
    "sitou": [EnterpriseFact("寺头农业", None, "2024-01", "ev-ret-st")],
}
UNITS = {
    "fc": ("凤城镇", "township"),
    "bl": ("北留镇", "township"),
    "rc": ("润城镇", "township"),
    "dingdian": ("町店镇", "township"),
    "sitou": ("寺头乡", "township"),
    "jtj": ("交通局", "department"),
}


def inputs() -> list[UnitInput]:
    out = []
    for code, (name, kind) in UNITS.items():
        targets = {
            m: TargetRef(m, "2024", D(v), f"ev-target-{code}-{m}", n)
            for n, (m, v) in enumerate(TARGETS[code].items())
        }
        out.append(
            build_unit_inputs(
                unit_code=code,
                unit_name=name,
                kind=kind,
                unit_event_id=f"ev-unit-{code}",
                projects=PROJECTS,
                enterprises=ENTERPRISES.get(code, []),
                targets=targets,
                window=WINDOW,
            )
        )
    return out


def by_code() -> dict[str, UnitInput]:
    return {u.unit_code: u for u in inputs()}


LEADERS = {
    "fc": ("L1", "王副县长"),
    "dingdian": ("L2", "李副县长"),
    "sitou": ("L3", "张副县长"),
    "rc": ("L4", "赵副县长"),
}


def seed(facts: FakeFactRepository) -> FakeFactRepository:
    """The month's units, targets, projects, returns and leaders as the fake's projections."""
    for code, (name, kind) in UNITS.items():
        facts.add_unit(code, name, kind)
        for metric, value in TARGETS[code].items():
            facts.add_target(code, metric, value)
    facts.project_facts = list(PROJECTS)
    for code, enterprises in ENTERPRISES.items():
        facts.enterprise_facts[code] = list(enterprises)
    for code, (leader_id, name) in LEADERS.items():
        facts.add_leader(code, leader_id, name)
    return facts
