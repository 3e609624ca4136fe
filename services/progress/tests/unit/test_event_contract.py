"""The fields docs/event-contracts.md promises other services are in every progress event's schema,
and the service's OpenAPI and AsyncAPI documents build."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import pytest

from diaodu_platform.asyncapi import asyncapi_document, event_schema
from diaodu_platform.settings import ServiceSettings
from diaodu_platform.types import SHANGHAI
from progress.domain.model import ConstructionStatus, FlagRule, Month
from progress.domain.validation import Flag
from progress.entrypoints.main import SPEC, create_app
from progress.events import Procedure, ReportRevised, ReportSubmitted
from progress.service_layer.commands import SubmitReport
from progress.service_layer.revisions import Revision, report_event, report_row

REPORT = {
    "report_id",
    "project_id",
    "unit_code",
    "month",
    "revision",
    "investment_month",
    "investment_ytd",
    "investment_cumulative",
    "construction_status",
    "actual_start_date",
    "stats_registered",
    "stats_registered_on",
    "signed_amount",
    "funds_in_place",
    "procedures",
    "submitted_at",
    "submitted_by",
    "late",
    "flags",
}
PROMISED = {
    "report_submitted": (REPORT, "project_id"),
    "report_revised": (REPORT | {"reason", "previous_revision"}, "project_id"),
    "unit_return_submitted": (
        {"unit_code", "month", "revision", "above_size_enterprises", "submitted_at"},
        "unit_code",
    ),
    "report_reminder_due": ({"unit_code", "month", "due_date", "missing_project_ids"}, "unit_code"),
    "report_overdue": ({"project_id", "unit_code", "month", "due_date"}, "project_id"),
    "light_changed": (
        {"scope", "project_id", "unit_code", "month", "kind", "previous", "light", "reason", "gap_points"},
        "project_id",
    ),
    "anomaly_flagged": (
        {"anomaly_id", "report_id", "project_id", "unit_code", "month", "rule", "detail", "figures"},
        "project_id",
    ),
}
EVENTS = {ev.name: ev for ev in SPEC.catalog}


@pytest.mark.parametrize("name", sorted(PROMISED))
def test_promised_fields_are_required_in_the_schema(name: str) -> None:
    fields, key = PROMISED[name]
    schema = event_schema(EVENTS[name])
    assert fields <= set(schema["required"])
    assert schema["x-kafka-key"] == key
    assert schema["title"] == f"diaodu.progress.{name}.v1"


def test_enumerations_other_services_match_on() -> None:
    props = event_schema(EVENTS["anomaly_flagged"])
    rules = set(props["$defs"]["FlagRule"]["enum"])
    assert rules == {"over_budget", "outlier_month", "pre_scoring_jump", "investment_while_not_started"}
    light = event_schema(EVENTS["light_changed"])["$defs"]
    assert set(light["LightKind"]["enum"]) == {"investment", "start", "stats", "unit"}
    assert set(light["Light"]["enum"]) == {"green", "yellow", "red"}


def test_openapi_and_asyncapi_documents_build() -> None:
    app = create_app(ServiceSettings(service="progress"))
    paths = app.openapi()["paths"]
    assert {
        "/api/v1/reports",
        "/api/v1/reports/{report_id}/revisions",
        "/api/v1/unit-returns",
        "/api/v1/anomalies/{anomaly_id}/review",
        "/api/v1/rates",
        "/api/v1/region/months/{month}",
    } <= set(paths)
    doc = asyncapi_document(
        SPEC.catalog,
        topic="diaodu.progress.v1",
        title="t",
        version="1",
        description="d",
        consumes={"registry": "diaodu.registry.v1"},
    )
    assert doc["channels"]


def _revision(full: bool, reason: str | None) -> tuple[Revision, SubmitReport]:
    cmd = SubmitReport(
        project_id="p-1",
        month="2027-03",
        investment_month=Decimal("120.50"),
        investment_ytd=Decimal("300.5"),
        investment_cumulative=Decimal("12000"),
        construction_status=ConstructionStatus.STARTED,
        actual_start_date=date(2027, 3, 2) if full else None,
        procedures=(Procedure(item="land", state="done", date=date(2027, 1, 5)),) if full else (),
        stats_registered=full,
        stats_registered_on=date(2027, 3, 20) if full else None,
        signed_amount=Decimal("5000.25") if full else None,
        funds_in_place=Decimal("0") if full else None,
        narrative="主体封顶" if full else None,
        attachments=("https://x/1.jpg",) if full else (),
    )
    rev = Revision(
        report_id="r-1",
        revision=2,
        project_id="p-1",
        unit_code="u-1",
        month=Month(2027, 3),
        flags=[Flag(FlagRule.OVER_BUDGET, "超概算", {})] if full else [],
        late=not full,
        reason=reason,
        now=datetime(2027, 3, 28, 9, 30, 15, 123456, tzinfo=SHANGHAI),
        by="clerk",
    )
    return rev, cmd


@pytest.mark.parametrize("reason", [None, "统计口径更正"])
@pytest.mark.parametrize("full", [True, False])
def test_the_hot_paths_event_is_what_the_event_class_validates_from_the_stored_row(
    full: bool, reason: str | None
) -> None:
    """The hot path builds its event without validation: its JSON is the validated event's."""
    rev, cmd = _revision(full, reason)
    row = {k: v for k, v in report_row(rev, cmd).items() if k != "reason"}
    event_class = ReportSubmitted if reason is None else ReportRevised
    if reason is not None:
        row.update(reason=reason, previous_revision=1)
    fast = report_event(rev, cmd)
    assert type(fast) is event_class
    slow = event_class.model_validate(row).model_dump(mode="json")
    assert fast.model_dump(mode="json") == slow
    again = event_class.model_validate(fast.model_dump(mode="json")).model_dump(mode="json")
    assert list(again) == list(slow)  # the same keys in the same order
