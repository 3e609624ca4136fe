"""The fields docs/event-contracts.md promises other services are in every progress event's schema,
and the service's OpenAPI and AsyncAPI documents build."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import pytest

from diaodu_platform.asyncapi import asyncapi_document, event_schema
from diaodu_platform.settings import ServiceSettings
from diaodu_platform.types import SHANGHAI
from progress.entrypoints.main import SPEC, create_app
from progress.events import ReportSubmitted
from progress.service_layer.reports import report_event_data

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


@pytest.mark.parametrize("full", [True, False])
def test_the_hot_paths_event_data_is_what_the_event_class_serializes(full: bool) -> None:
    row = {
        "report_id": "r-1",
        "project_id": "p-1",
        "unit_code": "u-1",
        "month": "2027-03",
        "revision": 2,
        "investment_month": Decimal("120.50"),
        "investment_ytd": Decimal("300.5"),
        "investment_cumulative": Decimal("12000"),
        "construction_status": "started",
        "actual_start_date": date(2027, 3, 2) if full else None,
        "stats_registered": full,
        "stats_registered_on": date(2027, 3, 20) if full else None,
        "signed_amount": Decimal("5000.25") if full else None,
        "funds_in_place": Decimal("0") if full else None,
        "narrative": "主体封顶" if full else None,
        "attachments": ["https://x/1.jpg"] if full else [],
        "submitted_at": datetime(2027, 3, 28, 9, 30, 15, 123456, tzinfo=SHANGHAI),
        "submitted_by": "clerk",
        "late": not full,
        "flags": ["over_budget"] if full else [],
    }
    procedures = [{"item": "land", "state": "done", "date": "2027-01-05"}] if full else []
    fast = report_event_data(row, procedures)
    slow = ReportSubmitted.model_validate({**row, "procedures": procedures}).model_dump(mode="json")
    assert fast == slow
    assert list(ReportSubmitted.model_validate(fast).model_dump(mode="json")) == list(slow)
