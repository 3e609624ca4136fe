"""Report commands (R4): submit a project's monthly report, correct it with a revision.

The submission is the hot path: one read (the project, the policy, the project's own history and
the Idempotency-Key) and one statement writing the report row, its anomalies, their events and the
key record (adapters/report_store.py), so they commit together or not at all.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from diaodu_platform.auth import Principal, forbid_other_unit
from diaodu_platform.errors import Problem, conflict, not_found
from diaodu_platform.idempotency import IdempotencyRequest, Outcome, Stored
from progress.adapters.report_store import KeyAlreadyUsed, RevisionTaken
from progress.domain.deadlines import is_late
from progress.domain.model import Month
from progress.domain.validation import Figures, Refusal, check_month, unregistered, validate
from progress.service_layer.commands import ReportFigures, ReviseReport, SubmitReport
from progress.service_layer.revisions import Revision, answer, flagged, report_event, report_row
from progress.service_layer.unit_of_work import ProgressUnitOfWork


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


def _figures(cmd: ReportFigures, month: Month) -> Figures:
    return Figures(
        month=month,
        investment_month=cmd.investment_month,
        investment_ytd=cmd.investment_ytd,
        investment_cumulative=cmd.investment_cumulative,
        construction_status=cmd.construction_status,
        actual_start_date=cmd.actual_start_date,
        signed_amount=cmd.signed_amount,
        funds_in_place=cmd.funds_in_place,
    )


async def _replay(uow: ProgressUnitOfWork, idem: IdempotencyRequest) -> Outcome:
    """The first answer to this Idempotency-Key (422 if the key was used for another request)."""
    stored = await uow.recall(idem)
    assert stored is not None  # the key is taken: its record is there
    return Outcome(stored.status, stored.body, replayed=True)


async def _write(
    uow: ProgressUnitOfWork, rev: Revision, figures: ReportFigures, idem: IdempotencyRequest | None
) -> Outcome:
    """One statement: the revision row, its anomalies, their events and the key record (R4, §5)."""
    anomalies = flagged(rev)
    event = report_event(rev, figures)
    anomaly_rows = [row for row, _ in anomalies]
    body = answer(event, rev, anomaly_rows)
    try:
        await uow.reports.add(
            report=report_row(rev, figures),
            anomaly_rows=anomaly_rows,
            events=[event, *(ev for _, ev in anomalies)],
            key=(idem, Stored(201, body)) if idem is not None else None,
        )
    except KeyAlreadyUsed:
        assert idem is not None
        return await _replay(uow, idem)  # a concurrent request with the same key won: answer as it did
    except RevisionTaken as exc:
        raise conflict(
            f"the report of project {rev.project_id} for {rev.month} changed meanwhile (revision "
            f"{rev.revision} exists); read it and submit a revision",
            report_id=rev.report_id,
        ) from exc
    return Outcome(201, body)


async def submit_report(
    *,
    uow: ProgressUnitOfWork,
    cmd: SubmitReport,
    now: datetime,
    principal: Principal,
    idem: IdempotencyRequest | None = None,
) -> Outcome:
    """Submit a project's first report of a month: 422 names each broken rule, odd figures flagged (R4)."""
    month = Month.parse(cmd.month)
    ctx = await uow.reports.context(cmd.project_id, month, idem)
    if ctx is None:
        problems = [unregistered(cmd.project_id)]
        future = check_month(month, now)
        raise refused([*problems, future] if future else problems)
    if idem is not None and ctx.key_used:
        return await _replay(uow, idem)
    forbid_other_unit(principal, ctx.unit_code)
    if ctx.current_report_id is not None:
        raise conflict(
            f"project {cmd.project_id} already has a report for {month} (revision "
            f"{ctx.current_revision}); correct it with POST /api/v1/reports/{ctx.current_report_id}"
            "/revisions and a reason",
            report_id=ctx.current_report_id,
        )
    verdict = validate(_figures(cmd, month), ctx.history, now=now, policy=ctx.policy)
    if not verdict.accepted:
        raise refused(verdict.refusals)
    rev = Revision(
        report_id=str(uuid.uuid4()),
        revision=1,
        project_id=cmd.project_id,
        unit_code=ctx.unit_code,
        month=month,
        flags=verdict.flags,
        late=is_late(month, now, ctx.policy),
        reason=None,
        now=now,
        by=principal.sub,
    )
    return await _write(uow, rev, cmd, idem)


async def revise_report(
    *,
    uow: ProgressUnitOfWork,
    cmd: ReviseReport,
    now: datetime,
    principal: Principal,
    idem: IdempotencyRequest | None = None,
) -> Outcome:
    """Correct a report with a new revision and its reason; late once the month closed (R4, R5)."""
    head = await uow.reports.head(cmd.report_id)
    if head is None:
        raise not_found("report", cmd.report_id)
    project_id, month = head
    ctx = await uow.reports.context(project_id, month, idem)
    if ctx is None:
        raise refused([unregistered(project_id)])
    if idem is not None and ctx.key_used:
        return await _replay(uow, idem)
    forbid_other_unit(principal, ctx.unit_code)
    verdict = validate(_figures(cmd, month), ctx.history, now=now, policy=ctx.policy)
    if not verdict.accepted:
        raise refused(verdict.refusals)
    rev = Revision(
        report_id=cmd.report_id,
        revision=(ctx.current_revision or 0) + 1,
        project_id=project_id,
        unit_code=ctx.unit_code,
        month=month,
        flags=verdict.flags,
        late=is_late(month, now, ctx.policy),
        reason=cmd.reason,
        now=now,
        by=principal.sub,
    )
    return await _write(uow, rev, cmd, idem)
