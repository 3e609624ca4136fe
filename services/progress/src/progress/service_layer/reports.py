"""Report commands (R4): submit a monthly report, correct it with a revision, review a flag.

The submission is the hot path: one query reads the project, the policy, the project's own history
and the Idempotency-Key; one statement writes the report row, its anomalies, their events (outbox)
and the key record, so they commit together or not at all.
"""

from __future__ import annotations

import functools
import json
import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import asyncpg
from sqlalchemy.ext.asyncio import AsyncEngine

from diaodu_platform.auth import Principal, forbid_other_unit
from diaodu_platform.errors import Problem, conflict, not_found
from diaodu_platform.events import Envelope, Event
from diaodu_platform.idempotency import replay
from diaodu_platform.logging import current_ids
from diaodu_platform.outbox import Outbox
from progress.adapters.report_store import outbox_rows, read_context, report_head, write_report
from progress.adapters.tables import platform
from progress.domain.deadlines import is_late
from progress.domain.model import AnomalyStatus, Month
from progress.domain.policy import Policy
from progress.domain.validation import Figures, Flag, History, Refusal, check_month, unregistered, validate
from progress.entrypoints import schemas as s
from progress.events import AnomalyFlagged, ReportRevised, ReportSubmitted
from progress.service_layer.policy import policy_from_data


def refused(items: list[Refusal]) -> Problem:
    rules = ", ".join(sorted({r.rule.value for r in items}))
    detail = "; ".join(r.message for r in items)
    return Problem(
        422,
        "Report refused",
        f"The report was not saved ({rules}): {detail}",
        type_="/problems/report-refused",
        errors=[r.as_error() for r in items],
    )


def _figures(data: s.FiguresIn, month: Month) -> Figures:
    return Figures(
        month=month,
        investment_month=data.investment_month,
        investment_ytd=data.investment_ytd,
        investment_cumulative=data.investment_cumulative,
        construction_status=data.construction_status,
        actual_start_date=data.actual_start_date,
        signed_amount=data.signed_amount,
        funds_in_place=data.funds_in_place,
    )


async def _context(
    conn: asyncpg.Connection, project_id: str, month: Month, idem: Idempotency | None = None
) -> asyncpg.Record | None:
    return await read_context(
        conn,
        project_id=project_id,
        month=str(month),
        year_start=str(month.year_start),
        principal=idem.principal if idem else None,
        key=idem.key if idem else None,
    )


def _history(ctx: asyncpg.Record) -> History:
    return History(
        total_investment=ctx["total_investment"],
        earlier_month=Month.parse(ctx["earlier_month"]) if ctx["earlier_month"] else None,
        earlier_ytd=ctx["earlier_ytd"],
        earlier_months=tuple(ctx["earlier_months"] or ()),
    )


@functools.lru_cache(maxsize=8)
def _parsed_policy(text: str | None) -> Policy:
    return policy_from_data(json.loads(text) if text else None)


def _policy(ctx: asyncpg.Record) -> Policy:
    return _parsed_policy(ctx["policy"])


@dataclass(frozen=True)
class Idempotency:
    """An Idempotency-Key of a report POST: its record is written in the same statement as the report."""

    principal: str
    key: str
    route: str
    body_hash: str
    engine: AsyncEngine  # replays read the stored answer through diaodu_platform.idempotency

    async def replay(self) -> tuple[int, Any]:
        """The stored answer; 422 if the key was used for another request."""
        async with self.engine.connect() as conn:
            stored = await replay(
                conn,
                platform,
                principal=self.principal,
                key=self.key,
                route=self.route,
                body_hash=self.body_hash,
            )
        assert stored is not None
        return stored


@dataclass(frozen=True)
class Created:
    status: int
    body: dict[str, Any]
    replayed: bool = False


def report_event_data(row: dict[str, Any], procedures: list[dict[str, Any]]) -> dict[str, Any]:
    """The data of report_submitted as its schema serializes it (money as numbers, ISO dates), built
    from the row directly: the request was validated already, and this is the hot path.
    tests/unit/test_event_contract.py holds it equal to ReportSubmitted's own JSON."""

    def money(v: Decimal | None) -> float | None:
        return None if v is None else float(v)

    def iso(v: date | datetime | None) -> str | None:
        return None if v is None else v.isoformat()

    return {
        "report_id": row["report_id"],
        "project_id": row["project_id"],
        "unit_code": row["unit_code"],
        "month": row["month"],
        "revision": row["revision"],
        "investment_month": float(row["investment_month"]),
        "investment_ytd": float(row["investment_ytd"]),
        "investment_cumulative": float(row["investment_cumulative"]),
        "construction_status": row["construction_status"],
        "actual_start_date": iso(row["actual_start_date"]),
        "stats_registered": row["stats_registered"],
        "stats_registered_on": iso(row["stats_registered_on"]),
        "signed_amount": money(row["signed_amount"]),
        "funds_in_place": money(row["funds_in_place"]),
        "procedures": procedures,
        "narrative": row["narrative"],
        "attachments": row["attachments"],
        "submitted_at": iso(row["submitted_at"]),
        "submitted_by": row["submitted_by"],
        "late": row["late"],
        "flags": row["flags"],
    }


def envelope(event: type[Event], data: dict[str, Any], key: str) -> Envelope:
    """Envelope.wrap for event data that is already JSON (as diaodu_platform.outbox.Outbox.envelope)."""
    correlation_id, causation_id = current_ids()
    event_id = str(uuid.uuid4())
    return Envelope(
        id=event_id,
        type=event.ce_type(),
        source=f"/diaodu/{event.service}",
        time=datetime.now(UTC),
        subject=key,
        data=data,
        correlation_id=correlation_id or event_id,
        causation_id=causation_id,
        key=key,
    )


async def _write(
    conn: asyncpg.Connection,
    outbox: Outbox,
    *,
    report_id: str,
    revision: int,
    project_id: str,
    unit_code: str,
    month: Month,
    data: s.FiguresIn,
    flags: list[Flag],
    late: bool,
    reason: str | None,
    now: datetime,
    by: str,
    idem: Idempotency | None = None,
) -> Created:
    """One statement: the revision row, its anomalies, their events and the key record (R4, §5)."""
    procedures = [p.model_dump(mode="json") for p in data.procedures]
    row: dict[str, Any] = {
        "report_id": report_id,
        "revision": revision,
        "project_id": project_id,
        "unit_code": unit_code,
        "month": str(month),
        "investment_month": data.investment_month,
        "investment_ytd": data.investment_ytd,
        "investment_cumulative": data.investment_cumulative,
        "construction_status": data.construction_status.value,
        "actual_start_date": data.actual_start_date,
        "procedures": procedures,
        "stats_registered": data.stats_registered,
        "stats_registered_on": data.stats_registered_on,
        "signed_amount": data.signed_amount,
        "funds_in_place": data.funds_in_place,
        "narrative": data.narrative,
        "attachments": list(data.attachments),
        "flags": [f.rule.value for f in flags],
        "late": late,
        "reason": reason,
        "submitted_at": now,
        "submitted_by": by,
    }
    anomaly_ids = [str(uuid.uuid4()) for _ in flags]
    common = {"report_id": report_id, "project_id": project_id, "unit_code": unit_code, "month": str(month)}
    anomaly_rows = [
        {
            **common,
            "id": aid,
            "revision": revision,
            "rule": f.rule.value,
            "detail": f.detail,
            "figures": f.figures,
            "status": AnomalyStatus.OPEN.value,
            "created_at": now,
        }
        for aid, f in zip(anomaly_ids, flags, strict=True)
    ]
    data_json = report_event_data(row, procedures)
    if reason is not None:
        data_json.update(reason=reason, previous_revision=revision - 1)
    envelopes = [
        envelope(ReportRevised if reason is not None else ReportSubmitted, data_json, project_id)
    ] + [
        outbox.envelope(
            AnomalyFlagged(
                **common, anomaly_id=aid, revision=revision, rule=f.rule, detail=f.detail, figures=f.figures
            )
        )
        for aid, f in zip(anomaly_ids, flags, strict=True)
    ]
    # The answer is the event's data, with the reason and the anomalies to review.
    body = {k: v for k, v in envelopes[0].data.items() if k != "previous_revision"}
    body.update(
        reason=reason,
        anomalies=[
            {"anomaly_id": aid, "rule": f.rule.value, "detail": f.detail}
            for aid, f in zip(anomaly_ids, flags, strict=True)
        ],
    )
    key_row = None
    if idem is not None:
        key_row = {
            "principal": idem.principal,
            "key": idem.key,
            "route": idem.route,
            "request_hash": idem.body_hash,
            "status_code": 201,
            "response": body,
        }
    try:
        await write_report(
            conn,
            report=row,
            anomaly_rows=anomaly_rows,
            outbox=outbox_rows(outbox.topic, envelopes),
            idempotency=key_row,
        )
    except asyncpg.UniqueViolationError as exc:
        if idem is not None and exc.constraint_name == "pk_idempotency_keys":
            # A concurrent request with the same key won: answer as it did.
            status, stored = await idem.replay()
            return Created(status, stored, replayed=True)
        raise conflict(
            f"the report of project {project_id} for {month} changed meanwhile (revision "
            f"{revision} exists); read it and submit a revision",
            report_id=report_id,
        ) from exc
    return Created(201, body)


async def submit_report(
    *,
    conn: asyncpg.Connection,
    outbox: Outbox,
    principal: Principal,
    data: s.ReportIn,
    now: datetime,
    idem: Idempotency | None = None,
) -> Created:
    """Submit a project's report for a month (first revision); 422 names each broken R4 rule.

    The hot path: one read (project, policy, history, key) and one write statement."""
    month = Month.parse(data.month)
    ctx = await _context(conn, data.project_id, month, idem)
    if ctx is None:
        problems = [unregistered(data.project_id)]
        future = check_month(month, now)
        raise refused([*problems, future] if future else problems)
    if idem is not None and ctx["key_used"]:
        status, stored = await idem.replay()
        return Created(status, stored, replayed=True)
    forbid_other_unit(principal, ctx["unit_code"])
    if ctx["current_report_id"] is not None:
        raise conflict(
            f"project {data.project_id} already has a report for {month} (revision "
            f"{ctx['current_revision']}); correct it with POST /api/v1/reports/{ctx['current_report_id']}"
            "/revisions and a reason",
            report_id=ctx["current_report_id"],
        )
    policy = _policy(ctx)
    verdict = validate(_figures(data, month), _history(ctx), now=now, policy=policy)
    if not verdict.accepted:
        raise refused(verdict.refusals)
    return await _write(
        conn,
        outbox,
        report_id=str(uuid.uuid4()),
        revision=1,
        project_id=data.project_id,
        unit_code=ctx["unit_code"],
        month=month,
        data=data,
        flags=verdict.flags,
        late=is_late(month, now, policy),
        reason=None,
        now=now,
        by=principal.sub,
        idem=idem,
    )


async def revise_report(
    *,
    conn: asyncpg.Connection,
    outbox: Outbox,
    principal: Principal,
    report_id: str,
    data: s.RevisionIn,
    now: datetime,
    idem: Idempotency | None = None,
) -> Created:
    """Correct a report: a new revision with a reason; after the month closed it is marked late."""
    head = await report_head(conn, report_id)
    if head is None:
        raise not_found("report", report_id)
    month = Month.parse(head["month"])
    ctx = await _context(conn, head["project_id"], month, idem)
    if ctx is None:
        raise refused([unregistered(head["project_id"])])
    if idem is not None and ctx["key_used"]:
        status, stored = await idem.replay()
        return Created(status, stored, replayed=True)
    forbid_other_unit(principal, ctx["unit_code"])
    policy = _policy(ctx)
    verdict = validate(_figures(data, month), _history(ctx), now=now, policy=policy)
    if not verdict.accepted:
        raise refused(verdict.refusals)
    return await _write(
        conn,
        outbox,
        report_id=report_id,
        revision=int(ctx["current_revision"]) + 1,
        project_id=head["project_id"],
        unit_code=ctx["unit_code"],
        month=month,
        data=data,
        flags=verdict.flags,
        late=is_late(month, now, policy),
        reason=data.reason,
        now=now,
        by=principal.sub,
        idem=idem,
    )
