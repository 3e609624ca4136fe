"""Playing the plan against the services over HTTP, month by month, moving their clocks.

Each month: on the 5th units raise problems and the office assigns them (交办); on the 6th owners
acknowledge some; on the 12th they resolve some (销号); on the 18th the clerks report (most on time,
some refused and corrected, some flagged, a few revised) and townships post their 新增入规企业; on
the 25th the scoring service's assessment day ranks the townships; on the 3rd of the next month
the late reports come in, the missing ones are overdue and unresolved problems run out their clocks.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from tools.activity import plan as P
from tools.client import Api, ApiError, eventually

CLOCKED = ("progress", "escalation", "scoring")


@dataclass
class ProjectState:
    """Where a project's figures stand after its last report in this run."""

    plan: P.ProjectPlan
    project_id: str
    month: str | None = None
    ytd: Decimal = Decimal(0)
    cumulative: Decimal = Decimal(0)
    signed: Decimal = Decimal(0)
    funds: Decimal = Decimal(0)


@dataclass
class Activity:
    api: Api
    seed: int
    units: list[P.Unit]
    months: list[str]
    per_unit: int = 2
    concurrency: int = 16
    set_targets: bool = True
    out: Callable[[str], None] = print
    projects: dict[str, ProjectState] = field(default_factory=dict)
    problem_ids: dict[str, str] = field(default_factory=dict)
    tally: Counter[str] = field(default_factory=Counter)
    late: list[tuple[ProjectState, dict[str, Any]]] = field(default_factory=list)
    missing: list[tuple[str, str]] = field(default_factory=list)  # (project id, month) never reported
    reported: dict[str, int] = field(default_factory=dict)  # months reported per project, this run
    rankings: dict[str, dict[str, Any] | None] = field(default_factory=dict)

    async def run(self) -> Counter[str]:
        plans = P.plan_projects(
            self.units, seed=self.seed, per_unit=self.per_unit, first_month=self.months[0]
        )
        await self._gather(self.register(p) for p in plans)
        self.out(f"{len(plans)} synthetic projects registered for {len(self.units)} units")
        await self._gather(self.known_to_progress(s) for s in self.projects.values())
        if self.set_targets:
            await self.targets(plans)
        for month in self.months:
            await self.month(month, plans)
        await self.at(P.add_months(self.months[-1], 1), "03", "10:00:00")
        await self._gather(self.post(s, body, "late") for s, body in self.late)
        self.late.clear()
        return self.tally

    async def _gather(self, jobs: Any) -> list[Any]:
        gate = asyncio.Semaphore(self.concurrency)

        async def one(job: Awaitable[Any]) -> Any:
            async with gate:
                return await job

        return await asyncio.gather(*(one(j) for j in jobs))

    async def at(self, month: str, day: str, time: str) -> None:
        """Move the clocks of the services that keep time (their scheduled jobs run at once)."""
        for service in CLOCKED:
            await self.api.set_clock(service, f"{month}-{day}T{time}+08:00")

    # --- projects (项目入库) --------------------------------------------------------------------

    async def register(self, p: P.ProjectPlan) -> None:
        body = {
            "code": p.key,
            "name": p.name,
            "unit_code": p.unit,
            "stage": "preliminary" if p.start_month else "construction",
            "build_type": p.build_type,
            "is_industrial": p.is_industrial,
            "is_private": p.is_private,
            "category": "【模拟】synthetic",
            "total_investment": float(p.total_investment),
            "annual_plan_investment": float(p.annual_plan),
            "plan_year": int(self.months[0][:4]),
            "planned_start": f"{p.start_month}-01" if p.start_month else None,
            "is_signed_project": p.signed,
            "signed_amount": float(p.signed_amount) if p.signed_amount is not None else None,
            "funds_in_place": float(p.funds_in_place) if p.funds_in_place is not None else None,
            "stats_registered": p.stats_registered,
        }
        snap = await self.api.json(
            "registry", "POST", "/projects", role="reporter", unit=p.unit, key=p.key, json=body
        )
        state = ProjectState(plan=p, project_id=snap["project_id"])
        if p.start_month is None:
            state.cumulative = P.wan(float(p.total_investment) * 0.3)  # invested in earlier years
        state.signed, state.funds = p.signed_amount or Decimal(0), p.funds_in_place or Decimal(0)
        self.projects[p.key] = state

    async def known_to_progress(self, s: ProjectState) -> None:
        async def known() -> bool:
            r = await self.api.call("progress", "GET", f"/projects/{s.project_id}", expect=(200, 404))
            return r.status_code == 200

        await eventually(known, timeout=60, what=f"progress knows project {s.project_id}")

    async def targets(self, plans: list[P.ProjectPlan]) -> None:
        """Synthetic annual targets for the townships where the office has set none (labelled)."""
        lines = []
        for year in sorted({int(m[:4]) for m in self.months}):
            for unit in (u for u in self.units if u.kind == "township"):
                have = await self.api.all_pages("registry", "/targets", period=str(year), unit_code=unit.code)
                known = {t["metric"] for t in have if t["campaign_id"] is None}
                for metric, value in P.target_values(self.seed, unit, plans, year).items():
                    if metric not in known:
                        lines.append(
                            {
                                "metric": metric,
                                "period": str(year),
                                "scope": "unit",
                                "unit_code": unit.code,
                                "value": float(value),
                                "note": f"{P.LABEL}{P.NOTE}",
                            }
                        )
        if lines:
            await self.api.call("registry", "PUT", "/targets", json={"targets": lines})
        self.out(f"{len(lines)} synthetic targets set where the townships had none")

    # --- one month ----------------------------------------------------------------------------

    async def month(self, month: str, plans: list[P.ProjectPlan]) -> None:
        before = Counter(self.tally)
        raised = P.problems(self.seed, plans, month)
        await self.at(month, "05", "09:30:00")
        if self.late:  # last month's late reports (posted on the 3rd would do too: after its deadline)
            await self._gather(self.post(s, body, "late") for s, body in self.late)
            self.late.clear()
        await self._gather(self.raise_problem(p) for p in raised)
        await self.at(month, "06", "10:00:00")
        await self._gather(self.owner(p, "acknowledge", {}) for p in raised if p.fate != "ignored")
        await self.at(month, "12", "15:00:00")
        resolution = {"resolution": f"{P.LABEL}问题已协调解决（{P.NOTE}）"}
        await self._gather(self.owner(p, "resolve", resolution) for p in raised if p.fate == "resolved")
        await self.at(month, "18", "10:00:00")  # a week before the scoring day (no pre-scoring flag)
        await self._gather(self.report(s, month) for s in self.projects.values())
        await self._gather(self.unit_return(u, month) for u in self.units if u.kind == "township")
        await asyncio.sleep(1.0)  # let the events reach scoring before its assessment day
        await self.at(month, "25", "09:00:00")
        self.rankings[month] = await self.ranking(month)
        done = self.tally - before
        ranking = self.rankings[month]
        ranked = (
            f"ranking of {len(ranking['scorecards'])} townships, bottom: "
            + ", ".join(c["unit_code"] for c in ranking["scorecards"][-3:])
            if ranking
            else "no ranking published"
        )
        self.out(
            f"{month}: {done['reports']} reports posted, {done['late']} held back to come late, "
            f"{done['missing']} missing, {done['refused']} refused then corrected, {done['flagged']} "
            f"flagged, {done['revised']} revised; {done['returns']} unit returns; {len(raised)} problems "
            f"raised; {ranked}"
        )

    def figures(self, s: ProjectState, month: str, behaviour: P.Behaviour) -> dict[str, Any]:
        p = s.plan
        invest = P.month_investment(self.seed, p, month)
        started = p.start_month is None or month >= p.start_month
        history = self.reported.get(p.key, 0)
        outlier = behaviour == "anomaly" and started and history >= 3
        if outlier:  # five times a usual month: flagged outlier_month for review, never refused (R4)
            invest = P.wan(float(p.monthly) * 5)
        elif behaviour == "anomaly":  # investment while reported 未开工: flagged as well
            invest, started = P.wan(float(p.monthly) * 0.5), False
        same_year = s.month is not None and s.month[:4] == month[:4]
        ytd = (s.ytd if same_year else Decimal(0)) + invest
        body: dict[str, Any] = {
            "project_id": s.project_id,
            "month": month,
            "investment_month": float(invest),
            "investment_ytd": float(ytd),
            "investment_cumulative": float(s.cumulative + invest),
            "construction_status": ("started" if p.build_type == "new" else "resumed")
            if started
            else "not_started",
            "actual_start_date": (f"{p.start_month}-10" if p.start_month else "2022-05-10")
            if started
            else None,
            "stats_registered": p.stats_registered,
            "narrative": f"{P.LABEL}{P.NOTE}",
        }
        if p.signed:
            signed, funds = P.attraction(self.seed, p, month)
            body["signed_amount"], body["funds_in_place"] = float(s.signed + signed), float(s.funds + funds)
        return body

    def advance(self, s: ProjectState, body: dict[str, Any]) -> None:
        self.reported[s.plan.key] = self.reported.get(s.plan.key, 0) + (s.month != body["month"])
        s.month = body["month"]
        s.ytd, s.cumulative = (
            Decimal(str(body["investment_ytd"])),
            Decimal(str(body["investment_cumulative"])),
        )
        if "signed_amount" in body:
            s.signed, s.funds = Decimal(str(body["signed_amount"])), Decimal(str(body["funds_in_place"]))

    async def report(self, s: ProjectState, month: str) -> None:
        behaviour = P.behaviour(self.seed, s.plan.key, month)
        if behaviour == "missing":  # R5: overdue at the deadline
            self.tally["missing"] += 1
            self.missing.append((s.project_id, month))
            return
        body = self.figures(s, month, behaviour)
        self.advance(s, body)
        if behaviour == "late":
            self.late.append((s, body))
            self.tally["late"] += 1
            return
        if behaviour == "refused_then_fixed":  # 已开工 without the start date: 422, then corrected
            wrong = {**body, "construction_status": "started", "actual_start_date": None}
            r = await self.api.call(
                "progress",
                "POST",
                "/reports",
                role="reporter",
                unit=s.plan.unit,
                json=wrong,
                expect=(422, 409),
            )
            self.tally["refused" if r.status_code == 422 else "already"] += 1  # 409: a rerun
        answer = await self.post(s, body, behaviour)
        if answer and answer.get("flags"):
            self.tally["flagged"] += 1
        if behaviour == "revised" and answer:
            fixed = P.wan(float(body["investment_month"]) * 0.9)
            delta = Decimal(str(body["investment_month"])) - fixed
            revision = {k: v for k, v in body.items() if k not in ("project_id", "month")}
            revision.update(
                investment_month=float(fixed),
                investment_ytd=float(Decimal(str(body["investment_ytd"])) - delta),
                investment_cumulative=float(Decimal(str(body["investment_cumulative"])) - delta),
                reason=f"{P.LABEL}核实后更正本月完成投资（{P.NOTE}）",
            )
            await self.api.call(
                "progress",
                "POST",
                f"/reports/{answer['report_id']}/revisions",
                role="reporter",
                unit=s.plan.unit,
                key=f"{s.plan.key}:{month}:rev",
                json=revision,
            )
            self.advance(s, {"month": month, **revision})
            self.tally["revised"] += 1

    async def post(self, s: ProjectState, body: dict[str, Any], behaviour: str) -> dict[str, Any] | None:
        r = await self.api.call(
            "progress",
            "POST",
            "/reports",
            role="reporter",
            unit=s.plan.unit,
            key=f"{s.plan.key}:{body['month']}",
            json=body,
            expect=(201, 409),
        )
        if r.status_code == 409:  # reported already (by someone else, or before this run)
            self.tally["already"] += 1
            return None
        self.tally["replayed" if r.headers.get("Idempotent-Replayed") else "reports"] += 1
        answer: dict[str, Any] = r.json()
        return answer

    async def unit_return(self, unit: P.Unit, month: str) -> None:
        names = P.enterprises(self.seed, unit, month)
        if not names:
            return
        await self.api.call(
            "progress",
            "POST",
            "/unit-returns",
            role="reporter",
            unit=unit.code,
            key=f"sim{self.seed}-return-{unit.code}-{month}",
            json={
                "unit_code": unit.code,
                "month": month,
                "above_size_enterprises": [
                    {"name": n, "date": f"{month}-{10 + i:02d}"} for i, n in enumerate(names)
                ],
                "note": f"{P.LABEL}{P.NOTE}",
            },
        )
        self.tally["returns"] += 1

    # --- problems (问题) ------------------------------------------------------------------------

    async def raise_problem(self, p: P.ProblemPlan) -> None:
        body = {
            "title": p.title,
            "description": f"{P.LABEL}{P.NOTE}",
            "category": p.category,
            "severity": p.severity,
            "project_id": self.projects[p.project_key].project_id,
            "responsible_person": "【模拟】责任人",
        }

        async def attempt() -> dict[str, Any] | None:
            r = await self.api.call(
                "escalation",
                "POST",
                "/problems",
                role="reporter",
                unit=p.unit,
                key=p.key,
                json=body,
                expect=(201, 422),
            )
            if r.status_code == 422:  # escalation has not learnt the project yet
                return None
            answer: dict[str, Any] = r.json()
            return answer

        problem = await eventually(attempt, timeout=60, what=f"escalation accepts problem {p.key}")
        self.problem_ids[p.key] = problem["id"]
        await self.api.call(
            "escalation",
            "POST",
            f"/problems/{problem['id']}/assign",
            role="supervisor",
            json={},
            expect=(200, 409),
        )
        self.tally["problems"] += 1

    async def owner(self, p: P.ProblemPlan, action: str, body: dict[str, Any]) -> None:
        pid = self.problem_ids[p.key]
        await self.api.call(
            "escalation",
            "POST",
            f"/problems/{pid}/{action}",
            role="reporter",
            unit=p.unit,
            json=body,
            expect=(200, 409),
        )

    async def ranking(self, month: str) -> dict[str, Any] | None:
        async def published() -> dict[str, Any] | None:
            try:
                answer: dict[str, Any] = await self.api.json(
                    "scoring", "GET", f"/rankings/{month}", expect=(200,)
                )
                return answer
            except ApiError as exc:
                if exc.status == 404:
                    return None
                raise

        try:
            return await eventually(published, timeout=15, interval=0.25, what=f"the {month} ranking")  # type: ignore[no-any-return]
        except TimeoutError:
            return None
