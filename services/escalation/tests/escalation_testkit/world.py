"""A small county for the handlers' unit tests: three units, two projects, two leaders, the real
PRC working-day calendar and the default 13710 rules; and shortcuts to a problem at a given step."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from diaodu_platform.auth import Principal, Role
from escalation.adapters.calendar import prc_calendar
from escalation.adapters.tables import LeaderAssignmentView, ProjectView, UnitView
from escalation.domain.model import Category, Severity
from escalation.domain.sla import SlaRules
from escalation.service_layer import problems
from escalation.service_layer.clocks import SlaPolicy
from escalation.service_layer.commands import AssignProblem, RaiseProblem
from escalation.service_layer.read_models import ProblemOut
from escalation_testkit.fakes import FakeEscalationUnitOfWork

SH = ZoneInfo("Asia/Shanghai")
SLA = SlaPolicy(is_workday=prc_calendar(), rules=SlaRules())
P1 = "project-fengcheng-xincailiao"  # 凤城镇's project, its unit held by leader-li
P2 = "project-beiliu-nongchanpin"  # 北留镇's project, held by leader-zhao itself
# Friday before the 2024 Spring Festival: the make-up Sunday 02-04 counts, 02-10..02-17 do not.
FRIDAY = datetime(2024, 2, 2, 10, tzinfo=SH)

SUPERVISOR = Principal(sub="dudu-office", role=Role.supervisor)
ADMIN = Principal(sub="fgj-admin", role=Role.admin)


def reporter(unit: str) -> Principal:
    return Principal(sub=f"clerk-{unit}", role=Role.reporter, unit=unit)


def leader(sub: str) -> Principal:
    return Principal(sub=sub, role=Role.leader)


def county() -> FakeEscalationUnitOfWork:
    """A fresh unit of work over the county's projections (as the registry's events built them)."""
    uow = FakeEscalationUnitOfWork()
    d = uow.directory
    for code, name, kind in (
        ("fengcheng", "凤城镇", "township"),
        ("beiliu", "北留镇", "township"),
        ("zrzyj", "县自然资源局", "department"),
    ):
        d.units[code] = UnitView(code=code, name=name, kind=kind)
    d.projects[P1] = ProjectView(
        id=P1, name="凤城镇新材料产业园项目", unit_code="fengcheng", stage="construction"
    )
    d.projects[P2] = ProjectView(id=P2, name="北留镇农产品加工项目", unit_code="beiliu", stage="construction")
    d.assignments += [
        LeaderAssignmentView(
            id=1, leader_id="leader-li", unit_code="fengcheng", project_id=None, role="包联"
        ),
        LeaderAssignmentView(id=2, leader_id="leader-zhao", unit_code=None, project_id=P2, role="包联"),
    ]
    return uow


async def run(uow: FakeEscalationUnitOfWork, handler: Callable[..., Awaitable[Any]], **kwargs: Any) -> Any:
    """One handler in one unit of work, as a route or a job runs it."""
    async with uow:
        return await handler(uow=uow, **kwargs)


async def raised(
    uow: FakeEscalationUnitOfWork,
    *,
    now: datetime = FRIDAY,
    project_id: str = P1,
    unit: str = "fengcheng",
    severity: Severity = Severity.ORDINARY,
) -> ProblemOut:
    """A land problem raised by the project's unit."""
    cmd = RaiseProblem(
        title="园区用地指标未落实", category=Category.LAND, severity=severity, project_id=project_id
    )
    out: ProblemOut = await run(uow, problems.raise_problem, cmd=cmd, principal=reporter(unit), now=now)
    return out


async def assigned(
    uow: FakeEscalationUnitOfWork,
    *,
    now: datetime = FRIDAY,
    project_id: str = P1,
    unit: str = "fengcheng",
    severity: Severity = Severity.ORDINARY,
) -> ProblemOut:
    """A problem raised and assigned (交办) to its unit by the 督查室 at `now`."""
    p = await raised(uow, now=now, project_id=project_id, unit=unit, severity=severity)
    out: ProblemOut = await run(
        uow, problems.assign, cmd=AssignProblem(problem_id=p.id), principal=SUPERVISOR, now=now, sla=SLA
    )
    return out
