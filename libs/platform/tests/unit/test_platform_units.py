"""Platform pieces that need no I/O: settings, tokens, the envelope, the clock."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import ClassVar

import pytest
from pydantic import ValidationError

from diaodu_platform.asyncapi import event_schema
from diaodu_platform.auth import Principal, Role
from diaodu_platform.clock import Clock
from diaodu_platform.events import Envelope, Event, EventCatalog, InvalidEnvelope
from diaodu_platform.settings import ServiceSettings
from diaodu_platform.types import SHANGHAI, Money


class Sample(Event):
    """Something happened to a project."""

    service: ClassVar[str] = "sample"
    name: ClassVar[str] = "happened"
    key_field: ClassVar[str] = "project_id"
    project_id: str
    amount: Money


def test_production_needs_the_consoles_jwks_and_refuses_development_keys() -> None:
    with pytest.raises(ValidationError, match="DIAODU_JWT_JWKS_URL"):
        ServiceSettings(env="production")
    with pytest.raises(ValidationError, match="local and test mode"):
        ServiceSettings(env="production", jwt_jwks_url="http://console/jwks", jwt_jwks_file="/tmp/k.json")
    with pytest.raises(ValidationError, match="OIDC_AUDIENCE"):
        ServiceSettings(env="production", jwt_jwks_url="http://console/jwks", oidc_issuer="https://idp")
    ok = ServiceSettings(env="production", jwt_jwks_url="http://console:8000/.well-known/jwks.json")
    assert ok.env == "production"


def test_reporter_writes_only_for_its_own_unit() -> None:
    reporter = Principal(sub="a", role=Role.reporter, unit="beiliu")
    assert reporter.can_write_for_unit("beiliu") and not reporter.can_write_for_unit("runcheng")
    assert Principal(sub="b", role=Role.admin).can_write_for_unit("runcheng")
    assert not Principal(sub="c", role=Role.leader).can_write_for_unit("beiliu")


def test_envelope_round_trips_through_kafka_headers() -> None:
    env = Envelope.wrap(Sample(project_id="p-1", amount="1234.50"), correlation_id="c-1", causation_id="r-1")
    headers = [(k, v.encode()) for k, v in env.headers().items()]
    back = Envelope.from_kafka(headers=headers, value=env.value(), key=b"p-1")
    assert back.type == "diaodu.sample.happened.v1" and back.subject == "p-1" and back.key == "p-1"
    assert back.data == {"project_id": "p-1", "amount": 1234.5}
    assert (back.correlation_id, back.causation_id) == ("c-1", "r-1")
    assert EventCatalog("sample", [Sample]).parse(back) == Sample(project_id="p-1", amount="1234.5")


def test_envelope_without_cloudevents_headers_is_refused() -> None:
    with pytest.raises(InvalidEnvelope, match="ce_id"):
        Envelope.from_kafka(headers=[("ce_type", b"x")], value=b"{}", key=None)
    with pytest.raises(InvalidEnvelope, match="JSON object"):
        headers = {"ce_id": "1", "ce_type": "t", "ce_source": "s", "ce_specversion": "1.0"}
        Envelope.from_kafka(headers=headers, value=b"[1]", key=None)


def test_money_allows_two_decimals_and_schema_names_the_key() -> None:
    with pytest.raises(ValidationError):
        Sample(project_id="p", amount="1.234")
    schema = event_schema(Sample)
    assert schema["title"] == "diaodu.sample.happened.v1" and schema["x-kafka-key"] == "project_id"
    assert schema["description"] == "Something happened to a project."


def test_clock_moves_only_outside_production() -> None:
    clock = Clock(movable=True)
    clock.set(datetime(2026, 3, 25, 9, 0))
    assert abs(clock.now() - datetime(2026, 3, 25, 9, 0, tzinfo=SHANGHAI)) < timedelta(seconds=5)
    clock.advance(timedelta(days=2))
    assert clock.now().date().isoformat() == "2026-03-27"
    fixed = Clock(movable=False)
    with pytest.raises(PermissionError):
        fixed.advance(timedelta(days=1))
