"""In-memory stand-ins of the progress repositories and unit of work, for the handlers' unit tests.

Each fake has the methods of its SQL repository (adapters/report_store.py, adapters/repositories.py)
and keeps its rows in lists and dicts, so a test asserts on state and on `uow.published`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from diaodu_platform.events import Event
from diaodu_platform.idempotency import IdempotencyRequest, Stored
from diaodu_testkit.fakes import FakeUnitOfWork
from progress.adapters.report_store import KeyAlreadyUsed, ReportContext, RevisionTaken
from progress.adapters.repositories import AlreadyWritten, AnomalyRecord, UnitReturnContext
from progress.domain.model import AnomalyStatus, Month
from progress.domain.policy import Policy
from progress.domain.validation import History


@dataclass
class FakeProject:
    """A project as progress knows it from the registry."""

    unit_code: str
    total_investment: Decimal


class FakePolicy:
    def __init__(self) -> None:
        self.policy = Policy()
        self.version = 0
        self.saved_by: str | None = None

    async def get(self) -> tuple[Policy, int]:
        return self.policy, self.version

    async def save(self, policy: Policy, *, by: str, at: datetime) -> int:
        self.policy, self.version, self.saved_by = policy, self.version + 1, by
        return self.version


class FakeReportStore:
    """Report revisions in memory; a written revision's events are staged on the unit of work."""

    def __init__(self, uow: FakeProgressUnitOfWork) -> None:
        self.uow = uow
        self.projects: dict[str, FakeProject] = {}
        self.rows: list[dict[str, Any]] = []

    def current(self, project_id: str, month: Month) -> dict[str, Any] | None:
        """The newest revision of a project's month."""
        rows = [r for r in self.rows if r["project_id"] == project_id and r["month"] == str(month)]
        return max(rows, key=lambda r: r["revision"], default=None)

    def _history(self, project: FakeProject, project_id: str, month: Month) -> History:
        months = sorted(
            {r["month"] for r in self.rows if r["project_id"] == project_id and r["month"] < str(month)}
        )
        latest = [self.current(project_id, Month.parse(m)) for m in months]
        same_year = [r for r in latest if r is not None and r["month"] >= str(month.year_start)]
        prev = same_year[-1] if same_year else None
        return History(
            total_investment=project.total_investment,
            earlier_month=Month.parse(prev["month"]) if prev else None,
            earlier_ytd=prev["investment_ytd"] if prev else None,
            earlier_months=tuple(r["investment_month"] for r in latest if r is not None),
        )

    async def head(self, report_id: str) -> tuple[str, Month] | None:
        row = next((r for r in self.rows if r["report_id"] == report_id), None)
        return None if row is None else (row["project_id"], Month.parse(row["month"]))

    async def context(
        self, project_id: str, month: Month, idem: IdempotencyRequest | None = None
    ) -> ReportContext | None:
        project = self.projects.get(project_id)
        if project is None:
            return None
        cur = self.current(project_id, month)
        return ReportContext(
            unit_code=project.unit_code,
            policy=self.uow.policy.policy,
            history=self._history(project, project_id, month),
            key_used=idem is not None and (idem.principal, idem.key) in self.uow.keys,
            current_report_id=cur["report_id"] if cur else None,
            current_revision=cur["revision"] if cur else None,
        )

    async def add(
        self,
        *,
        report: dict[str, Any],
        anomaly_rows: list[dict[str, Any]],
        events: Sequence[Event],
        key: tuple[IdempotencyRequest, Stored] | None = None,
    ) -> None:
        if key is not None and (key[0].principal, key[0].key) in self.uow.keys:
            raise KeyAlreadyUsed
        if any(
            (r["project_id"], r["month"], r["revision"])
            == (report["project_id"], report["month"], report["revision"])
            for r in self.rows
        ):
            raise RevisionTaken
        self.rows.append(report)
        for a in anomaly_rows:
            self.uow.anomalies.records[a["id"]] = AnomalyRecord(
                **a, review_note=None, reviewed_by=None, reviewed_at=None
            )
        self.uow.emit(*events)
        if key is not None:
            await self.uow.remember(*key)


class FakeAnomalies:
    def __init__(self) -> None:
        self.records: dict[str, AnomalyRecord] = {}

    async def review(
        self, anomaly_id: str, *, status: AnomalyStatus, note: str | None, by: str, at: datetime
    ) -> AnomalyRecord | None:
        record = self.records.get(anomaly_id)
        if record is None or record.status != AnomalyStatus.OPEN.value:
            return None
        reviewed = AnomalyRecord(
            **{
                **vars(record),
                "status": status.value,
                "review_note": note,
                "reviewed_by": by,
                "reviewed_at": at,
            }
        )
        self.records[anomaly_id] = reviewed
        return reviewed

    async def status_of(self, anomaly_id: str) -> str | None:
        record = self.records.get(anomaly_id)
        return None if record is None else record.status


class FakeUnitReturns:
    def __init__(self, uow: FakeProgressUnitOfWork) -> None:
        self.uow = uow
        self.units: set[str] = set()
        self.rows: list[dict[str, Any]] = []

    async def context(self, unit_code: str, month: Month) -> UnitReturnContext:
        revisions = [
            r["revision"] for r in self.rows if (r["unit_code"], r["month"]) == (unit_code, str(month))
        ]
        return UnitReturnContext(unit_code in self.units, max(revisions, default=0), self.uow.policy.policy)

    async def add(self, row: dict[str, Any]) -> None:
        if any(
            (r["unit_code"], r["month"], r["revision"]) == (row["unit_code"], row["month"], row["revision"])
            for r in self.rows
        ):
            raise AlreadyWritten
        self.rows.append(row)


class FakeProgressUnitOfWork(FakeUnitOfWork):
    """ProgressUnitOfWork in memory: the same repositories, committed to lists and `published`."""

    def __init__(self) -> None:
        super().__init__()
        self.policy = FakePolicy()
        self.reports = FakeReportStore(self)
        self.anomalies = FakeAnomalies()
        self.unit_returns = FakeUnitReturns(self)
