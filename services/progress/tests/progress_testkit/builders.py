"""Builders of the handlers' unit tests: a little world of units and projects, commands, principals."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime
from decimal import Decimal
from typing import Any

from diaodu_platform.auth import Principal, Role
from diaodu_platform.types import SHANGHAI
from progress.domain.model import ConstructionStatus
from progress.service_layer.commands import ReviseReport, SubmitReport
from progress_testkit.fakes import FakeProgressUnitOfWork, FakeProject

YEAR = 2027


def on(month: int, day: int, hour: int = 10) -> datetime:
    """An instant of YEAR in Asia/Shanghai (the service clock's zone)."""
    return datetime(YEAR, month, day, hour, tzinfo=SHANGHAI)


def month(n: int) -> str:
    return f"{YEAR}-{n:02d}"


def reporter(unit: str) -> Principal:
    return Principal(sub=f"clerk-{unit}", role=Role.reporter, unit=unit)


ADMIN = Principal(sub="office", role=Role.admin)
SUPERVISOR = Principal(sub="duchashi", role=Role.supervisor)


def world(*projects: tuple[str, str, str]) -> FakeProgressUnitOfWork:
    """A fake unit of work knowing the given (project id, unit code, total investment) projects."""
    uow = FakeProgressUnitOfWork()
    for project_id, unit_code, total in projects:
        uow.reports.projects[project_id] = FakeProject(unit_code, Decimal(total))
        uow.unit_returns.units.add(unit_code)
    return uow


def figures(inv: str, ytd: str, cum: str, status: str = "resumed", **extra: Any) -> dict[str, Any]:
    return {
        "investment_month": Decimal(inv),
        "investment_ytd": Decimal(ytd),
        "investment_cumulative": Decimal(cum),
        "construction_status": ConstructionStatus(status),
        **extra,
    }


def submit(project_id: str, n: int, inv: str, ytd: str, cum: str, **extra: Any) -> SubmitReport:
    """A report of month `n` of YEAR."""
    return SubmitReport(project_id=project_id, month=month(n), **figures(inv, ytd, cum, **extra))


def revise(report_id: str, reason: str, inv: str, ytd: str, cum: str, **extra: Any) -> ReviseReport:
    return ReviseReport(report_id=report_id, reason=reason, **figures(inv, ytd, cum, **extra))


async def run(uow: FakeProgressUnitOfWork, handler: Callable[..., Awaitable[Any]], **kwargs: Any) -> Any:
    """Run one handler in one unit of work, as the routes and jobs do."""
    async with uow:
        return await handler(uow=uow, **kwargs)
