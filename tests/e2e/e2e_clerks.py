"""What the e2e scenario's users do over HTTP: the office imports the seeds and sets what the
documents leave open; each township's clerk registers its projects and reports September to
December 2023 (one late, one refused and corrected, one flagged, one revised) and posts its
新增入规企业. The figures come from e2e_campaign.py; everything posted is kept to check against.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from functools import partial
from typing import Any

import httpx
from e2e_campaign import (
    ACHIEVED,
    CAMPAIGN,
    ENTERPRISE_TARGET,
    PERIOD,
    WEIGHTS,
    Achievement,
    q4_targets,
    split,
)

from registry.entrypoints.seed import load_seeds_with
from tools.client import Api, ApiError, eventually

D = Decimal
SH = "+08:00"
REPORT_DAYS = {"2023-09": "09-27", "2023-10": "10-27", "2023-11": "11-28", "2023-12": "12-18"}


@dataclass
class Township:
    code: str
    name: str
    plan: Achievement
    targets: dict[str, Decimal]
    investment_project: str = ""  # 入统 continuing project: its investment counts (入库投资率)
    signed_project: str = ""  # 招商签约 project: 签约额, 到位资金, 落地
    other_project: str | None = None  # not 入统: its investment must not count
    # What was posted, as the scoring rules read it (newest revision of each month).
    ytd: dict[str, Decimal] = field(default_factory=dict)
    signed: dict[str, Decimal] = field(default_factory=dict)
    funds: dict[str, Decimal] = field(default_factory=dict)
    returns: dict[str, list[str]] = field(default_factory=dict)


@dataclass
class Campaign:
    townships: dict[str, Township]
    seed_lines: list[str]
    responses: dict[str, Any] = field(default_factory=dict)  # notable answers, by what they show
    report_ids: dict[tuple[str, str], str] = field(default_factory=dict)  # (project, month) → report id


def money(x: Decimal) -> float:
    return float(x)


def at(day: str, time: str = "10:00:00") -> str:
    return f"{day}T{time}{SH}"


async def register_projects(api: Api, t: Township) -> None:
    """The township's clerk registers its projects (项目入库), as its reporter."""
    q4 = t.plan.investment * t.targets["fixed_asset_investment"]
    common = {"unit_code": t.code, "plan_year": 2023, "campaign_id": CAMPAIGN}
    investment = await api.json(
        "registry",
        "POST",
        "/projects",
        role="reporter",
        unit=t.code,
        key=f"e2e-{t.code}-A",
        json={
            **common,
            "code": f"{t.code}-A",
            "name": f"{t.name}重点产业项目",
            "stage": "construction",
            "build_type": "continuing",
            "is_industrial": True,
            "total_investment": money(q4 * 2 + D(20000)),
            "annual_plan_investment": 4500,  # ahead of 序时进度 all year: no red light
            "stats_registered": True,
            "stats_registered_on": "2023-03-31",
        },
    )
    signed = await api.json(
        "registry",
        "POST",
        "/projects",
        role="reporter",
        unit=t.code,
        key=f"e2e-{t.code}-B",
        json={
            **common,
            "code": f"{t.code}-B",
            "name": f"{t.name}招商签约项目",
            "stage": "preliminary",
            "build_type": "new",
            "is_private": True,
            "total_investment": 50000,
            "planned_start": "2023-11-01",
            "is_signed_project": True,
            "signed_amount": 2000,
            "funds_in_place": 500,
        },
    )
    t.investment_project, t.signed_project = investment["project_id"], signed["project_id"]
    if t.code in ("fengcheng", "dingdian"):
        other = await api.json(
            "registry",
            "POST",
            "/projects",
            role="reporter",
            unit=t.code,
            key=f"e2e-{t.code}-C",
            json={
                **common,
                "code": f"{t.code}-C",
                "name": f"{t.name}乡村道路改造",
                "stage": "construction",
                "build_type": "continuing",
                "total_investment": 3000,
            },
        )
        t.other_project = other["project_id"]


def investment_reports(t: Township) -> dict[str, dict[str, Any]]:
    """The 入统 project's months: September's ytd is the base, Q4 adds plan × target (30/30/40 %)."""
    q4 = t.plan.investment * t.targets["fixed_asset_investment"]
    months = dict(zip(["2023-10", "2023-11", "2023-12"], split(q4, (30, 30, 40)), strict=True))
    ytd, out = D(4000), {}
    out["2023-09"] = (D(500), ytd)
    for month, amount in months.items():
        ytd += amount
        out[month] = (amount, ytd)
    return {
        month: {
            "project_id": t.investment_project,
            "month": month,
            "investment_month": money(amount),
            "investment_ytd": money(y),
            "investment_cumulative": money(y + D(5000)),
            "construction_status": "started",
            "actual_start_date": "2022-04-18",
            "stats_registered": True,
            "stats_registered_on": "2023-03-31",
            "narrative": "主体施工",
        }
        for month, (amount, y) in out.items()
    }


def signed_reports(t: Township) -> dict[str, dict[str, Any]]:
    """The signed project: cumulative 签约额 / 到位资金 grow in Q4 by plan × target; it starts in
    November if it lands (落地)."""
    ds = t.plan.signing * t.targets["signed_amount"]
    df = t.plan.funds * t.targets.get("funds_in_place", D(10000))
    signed = {"2023-09": D(2000), "2023-10": D(2000) + split(ds, (40, 60))[0]}
    signed["2023-11"] = signed["2023-10"]
    signed["2023-12"] = D(2000) + ds
    funds = {"2023-09": D(500), "2023-10": D(500), "2023-11": D(500) + split(df, (50, 50))[0]}
    funds["2023-12"] = D(500) + df
    out = {}
    ytd = D(0)
    for month in REPORT_DAYS:
        started = t.plan.landed and month >= "2023-11"
        amount = {"2023-11": D(100), "2023-12": D(200)}.get(month, D(0)) if started else D(0)
        ytd += amount
        out[month] = {
            "project_id": t.signed_project,
            "month": month,
            "investment_month": money(amount),
            "investment_ytd": money(ytd),
            "investment_cumulative": money(ytd),
            "construction_status": "started" if started else "not_started",
            "actual_start_date": "2023-11-15" if started else None,
            "signed_amount": money(signed[month]),
            "funds_in_place": money(funds[month]),
        }
    return out


def other_reports(t: Township) -> dict[str, dict[str, Any]]:
    """Not 入统; December's cumulative passes the total investment (超概算: accepted, flagged)."""
    amounts = {"2023-09": D(500), "2023-10": D(500), "2023-11": D(500), "2023-12": D(1000)}
    out, ytd = {}, D(0)
    for month, amount in amounts.items():
        ytd += amount
        out[month] = {
            "project_id": t.other_project,
            "month": month,
            "investment_month": money(amount),
            "investment_ytd": money(ytd),
            "investment_cumulative": money(ytd + D(1000)),
            "construction_status": "started",
            "actual_start_date": "2023-03-01",
        }
    return out


def enterprise_returns(t: Township) -> list[tuple[str, list[str]]]:
    """(month, enterprises) of the unit returns, in posting order (a month again = its next revision)."""
    e = [f"{t.name}{n}号新材料有限公司" for n in range(3)]
    n = t.plan.enterprises
    if t.code == "fengcheng":  # September's entrant is outside the Q4 window
        return [("2023-09", [e[0]]), ("2023-10", [e[1]]), ("2023-12", [e[2]])]
    if t.code == "yanli":  # November corrected: revision 2 replaces revision 1
        return [("2023-11", [e[1]]), ("2023-11", [e[1], e[2]])]
    if n == 2:  # the October entrant listed again in December counts once
        return [("2023-10", [e[1]]), ("2023-12", [e[1], e[2]])]
    if n == 1:
        return [("2023-11", [e[1]])]
    return [("2023-10", [])]


async def post_report(api: Api, c: Campaign, t: Township, body: dict[str, Any], expect: int = 201) -> Any:
    r = await api.call(
        "progress",
        "POST",
        "/reports",
        role="reporter",
        unit=t.code,
        key=f"e2e-{body['project_id']}-{body['month']}",
        json=body,
        expect=(expect,),
    )
    out = r.json()
    if expect == 201:
        c.report_ids[(body["project_id"], body["month"])] = out["report_id"]
    return out


def remember(t: Township, body: dict[str, Any]) -> None:
    month = body["month"]
    if body["project_id"] == t.investment_project:
        t.ytd[month] = D(str(body["investment_ytd"]))
    elif body["project_id"] == t.signed_project:
        t.signed[month] = D(str(body["signed_amount"]))
        t.funds[month] = D(str(body["funds_in_place"]))


async def report_month(api: Api, c: Campaign, month: str, skip: Iterable[str] = ()) -> None:
    """Every township's reports of `month`, the projects in parallel (each project's months in order)."""
    jobs = []
    for t in c.townships.values():
        bodies = [investment_reports(t)[month], signed_reports(t)[month]]
        if t.other_project:
            bodies.append(other_reports(t)[month])
        for body in bodies:
            if body["project_id"] in skip:
                continue
            remember(t, body)
            jobs.append(post_report(api, c, t, body))
    answers = await asyncio.gather(*jobs)
    c.responses.setdefault("reports", []).extend(answers)


async def post_returns(api: Api, c: Campaign, month: str) -> None:
    for t in c.townships.values():
        for n, (m, names) in enumerate(enterprise_returns(t)):
            if m != month:
                continue
            body = {
                "unit_code": t.code,
                "month": m,
                "above_size_enterprises": [{"name": x, "date": f"{m}-15"} for x in names],
            }
            answer = await api.json(
                "progress",
                "POST",
                "/unit-returns",
                role="reporter",
                unit=t.code,
                key=f"e2e-r-{t.code}-{n}",
                json=body,
            )
            t.returns[m] = names  # a later return of the month is its next revision and wins
            c.responses.setdefault("returns", {})[(t.code, m, answer["revision"])] = answer


async def known_to(api: Api, service: str, path: str) -> bool:
    try:
        await api.call(service, "GET", path, expect=(200,))
        return True
    except ApiError as exc:
        if exc.status == 404:
            return False
        raise


async def play(e2e_stack: Any, api: Api) -> Campaign:
    """The whole campaign up to the reports: what the office and the townships' clerks do."""
    # Scoring first: its assessment day must not rank the real month while the data arrive.
    await api.set_clock("scoring", at("2023-12-01", "09:00:00"))
    await api.set_clock("progress", at("2023-09-27", "09:00:00"))

    seed_lines: list[str] = []
    async with httpx.AsyncClient(
        base_url=e2e_stack.urls.registry, headers=api.auth("admin"), timeout=120
    ) as registry:
        await load_seeds_with(registry, out=seed_lines.append)

    targets = q4_targets()
    names = {u["code"]: u["name"] for u in await api.all_pages("registry", "/units", kind="township")}
    c = Campaign(
        townships={
            code: Township(code, names[code], plan, targets[code]) for code, plan in sorted(ACHIEVED.items())
        },
        seed_lines=seed_lines,
    )
    # The office: the 入规 target the document does not state, the quarter policy of the winter
    # campaign (its targets are Q4 targets), and the 包联 leaders of three townships.
    await api.call(
        "registry",
        "PUT",
        "/targets",
        json={
            "targets": [
                {
                    "metric": "above_size_enterprise_count",
                    "period": PERIOD,
                    "scope": "unit",
                    "unit_code": code,
                    "campaign_id": CAMPAIGN,
                    "value": ENTERPRISE_TARGET,
                    "note": "e2e: 新增入规企业 target set by the office",
                }
                for code in c.townships
            ]
        },
    )
    c.responses["policy"] = await api.json(
        "scoring",
        "POST",
        "/policies",
        key="e2e-policy-quarter",
        json={
            "name": "阳城县2023年冬季行动 五个一批考核（季度目标）",
            "effective_from": "2023-10",
            "indicators": [{"code": k, "weight": float(w)} for k, w in WEIGHTS.items()],
            "target_period": "quarter",
        },
    )
    for code, leader in [("sitou", "张县长"), ("manghe", "李副县长"), ("dongfeng", "王副县长")]:
        await api.call(
            "registry", "POST", "/leaders", json={"id": f"leader-{code}", "name": leader, "title": "包联领导"}
        )
        await api.call(
            "registry",
            "POST",
            f"/leaders/leader-{code}/assignments",
            json={"unit_code": code, "role": "包联"},
        )

    await asyncio.gather(*(register_projects(api, t) for t in c.townships.values()))
    projects = [
        p
        for t in c.townships.values()
        for p in (t.investment_project, t.signed_project, t.other_project)
        if p
    ]
    for p in projects:
        await eventually(partial(known_to, api, "progress", f"/projects/{p}"), timeout=60, what=p)

    # September (the base of the Q4 window); dongfeng's signed project reports late.
    late = c.townships["dongfeng"].signed_project
    await report_month(api, c, "2023-09", skip=[late])
    await post_returns(api, c, "2023-09")

    await api.set_clock("progress", at("2023-10-27"))
    late_body = signed_reports(c.townships["dongfeng"])["2023-09"]
    remember(c.townships["dongfeng"], late_body)
    c.responses["late"] = await post_report(api, c, c.townships["dongfeng"], late_body)
    await report_month(api, c, "2023-10")
    await post_returns(api, c, "2023-10")

    # November: dingdian's clerk first gets the year-to-date wrong and is told the right figure.
    await api.set_clock("progress", at("2023-11-28"))
    dingdian = c.townships["dingdian"]
    wrong = dict(investment_reports(dingdian)["2023-11"])
    wrong["investment_ytd"] += 100
    c.responses["ytd_mismatch"] = await post_report(api, c, dingdian, {**wrong}, expect=422)
    c.responses["other_unit"] = (
        await api.call(
            "progress",
            "POST",
            "/reports",
            role="reporter",
            unit="beiliu",
            json=investment_reports(c.townships["fengcheng"])["2023-11"],
            expect=(403,),
        )
    ).json()
    ghost = {**investment_reports(dingdian)["2023-11"], "project_id": "no-such-project"}
    c.responses["unregistered"] = await post_report(api, c, dingdian, ghost, expect=422)
    await report_month(api, c, "2023-11")
    await post_returns(api, c, "2023-11")

    # December: beiliu reports 1,000 万元 too much and corrects it with a revision.
    await api.set_clock("progress", at("2023-12-18"))
    beiliu = c.townships["beiliu"]
    right = investment_reports(beiliu)["2023-12"]
    await report_month(api, c, "2023-12", skip=[beiliu.investment_project])
    first = {
        **right,
        "investment_month": right["investment_month"] + 1000,
        "investment_ytd": right["investment_ytd"] + 1000,
        "investment_cumulative": right["investment_cumulative"] + 1000,
    }
    c.responses["first_december"] = await post_report(api, c, beiliu, first)
    fields = {k: v for k, v in right.items() if k not in ("project_id", "month")}
    c.responses["revision"] = await api.json(
        "progress",
        "POST",
        f"/reports/{c.responses['first_december']['report_id']}/revisions",
        role="reporter",
        unit="beiliu",
        key="e2e-beiliu-dec-fix",
        json={**fields, "reason": "统计局核实：本月完成投资多报1000万元，更正"},
    )
    remember(beiliu, right)
    await post_returns(api, c, "2023-12")
    return c
