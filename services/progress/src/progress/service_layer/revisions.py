"""What one accepted report revision writes (R4): its row, its anomalies, its events and the answer.

A revision's event is built from the checked command without validating it again (this is the hot
path); tests/unit/test_event_contract.py holds its JSON equal to the validated event's.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from progress.domain.model import AnomalyStatus, Month
from progress.domain.validation import Flag
from progress.events import AnomalyFlagged, ReportRevised, ReportSubmitted
from progress.service_layer.commands import ReportFigures


@dataclass(frozen=True)
class Revision:
    """One revision of a report about to be written: whose, which, when and by whom."""

    report_id: str
    revision: int
    project_id: str
    unit_code: str
    month: Month
    flags: list[Flag]
    late: bool
    reason: str | None  # None for the first revision (report_submitted)
    now: datetime
    by: str


def report_row(rev: Revision, figures: ReportFigures) -> dict[str, Any]:
    """The row of the `reports` table."""
    return {
        "report_id": rev.report_id,
        "revision": rev.revision,
        "project_id": rev.project_id,
        "unit_code": rev.unit_code,
        "month": str(rev.month),
        "investment_month": figures.investment_month,
        "investment_ytd": figures.investment_ytd,
        "investment_cumulative": figures.investment_cumulative,
        "construction_status": figures.construction_status.value,
        "actual_start_date": figures.actual_start_date,
        "procedures": [p.model_dump(mode="json") for p in figures.procedures],
        "stats_registered": figures.stats_registered,
        "stats_registered_on": figures.stats_registered_on,
        "signed_amount": figures.signed_amount,
        "funds_in_place": figures.funds_in_place,
        "narrative": figures.narrative,
        "attachments": list(figures.attachments),
        "flags": [f.rule.value for f in rev.flags],
        "late": rev.late,
        "reason": rev.reason,
        "submitted_at": rev.now,
        "submitted_by": rev.by,
    }


def report_event(rev: Revision, figures: ReportFigures) -> ReportSubmitted:
    """report_submitted for the first revision, report_revised (with the reason) for the next ones."""
    fields: dict[str, Any] = {
        "report_id": rev.report_id,
        "project_id": rev.project_id,
        "unit_code": rev.unit_code,
        "month": str(rev.month),
        "revision": rev.revision,
        "investment_month": figures.investment_month,
        "investment_ytd": figures.investment_ytd,
        "investment_cumulative": figures.investment_cumulative,
        "construction_status": figures.construction_status,
        "actual_start_date": figures.actual_start_date,
        "stats_registered": figures.stats_registered,
        "stats_registered_on": figures.stats_registered_on,
        "signed_amount": figures.signed_amount,
        "funds_in_place": figures.funds_in_place,
        "procedures": list(figures.procedures),
        "narrative": figures.narrative,
        "attachments": list(figures.attachments),
        "submitted_at": rev.now,
        "submitted_by": rev.by,
        "late": rev.late,
        "flags": [f.rule for f in rev.flags],
    }
    if rev.reason is None:
        return ReportSubmitted.model_construct(**fields)
    return ReportRevised.model_construct(**fields, reason=rev.reason, previous_revision=rev.revision - 1)


def flagged(rev: Revision) -> list[tuple[dict[str, Any], AnomalyFlagged]]:
    """Each flag's `anomalies` row and its anomaly_flagged event."""
    common = {
        "report_id": rev.report_id,
        "project_id": rev.project_id,
        "unit_code": rev.unit_code,
        "month": str(rev.month),
    }
    out = []
    for f in rev.flags:
        aid = str(uuid.uuid4())
        row = {
            **common,
            "id": aid,
            "revision": rev.revision,
            "rule": f.rule.value,
            "detail": f.detail,
            "figures": f.figures,
            "status": AnomalyStatus.OPEN.value,
            "created_at": rev.now,
        }
        event = AnomalyFlagged(
            **common, anomaly_id=aid, revision=rev.revision, rule=f.rule, detail=f.detail, figures=f.figures
        )
        out.append((row, event))
    return out


def answer(event: ReportSubmitted, rev: Revision, anomaly_rows: list[dict[str, Any]]) -> dict[str, Any]:
    """The answer is the event's data, with the reason and the anomalies to review."""
    body = {k: v for k, v in event.model_dump(mode="json").items() if k != "previous_revision"}
    body.update(
        reason=rev.reason,
        anomalies=[{"anomaly_id": a["id"], "rule": a["rule"], "detail": a["detail"]} for a in anomaly_rows],
    )
    return body
