"""Typed events and the CloudEvents 1.0 envelope in Kafka binary mode (SPEC §5)."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, ClassVar

from pydantic import BaseModel, ConfigDict

from diaodu_platform.clock import system_now
from diaodu_platform.event_types import check_catalog

CE_SPECVERSION = "1.0"


class Event(BaseModel):
    """A fact in the past tense. Subclasses set the service, the event name and the key field."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    service: ClassVar[str]
    name: ClassVar[str]
    version: ClassVar[int] = 1
    # Field whose value is the Kafka key: a project id, or a unit code for unit-level events.
    key_field: ClassVar[str]

    @classmethod
    def ce_type(cls) -> str:
        return f"diaodu.{cls.service}.{cls.name}.v{cls.version}"

    def key(self) -> str:
        return str(getattr(self, self.key_field))


@dataclass(frozen=True)
class Envelope:
    """One CloudEvent: its context attributes travel as Kafka headers, its data as the value."""

    id: str
    type: str
    source: str
    time: datetime
    subject: str
    data: dict[str, Any]
    correlation_id: str
    causation_id: str | None = None
    key: str | None = None
    extra_headers: Mapping[str, str] = field(default_factory=dict)

    @classmethod
    def wrap(
        cls,
        event: Event,
        *,
        correlation_id: str | None = None,
        causation_id: str | None = None,
        time: datetime | None = None,
    ) -> Envelope:
        event_id = str(uuid.uuid4())
        return cls(
            id=event_id,
            type=event.ce_type(),
            source=f"/diaodu/{event.service}",
            time=time or system_now(),
            subject=event.key(),
            data=event.model_dump(mode="json"),
            correlation_id=correlation_id or event_id,
            causation_id=causation_id,
            key=event.key(),
        )

    def headers(self) -> dict[str, str]:
        headers = {
            "ce_specversion": CE_SPECVERSION,
            "ce_id": self.id,
            "ce_type": self.type,
            "ce_source": self.source,
            "ce_time": self.time.isoformat(),
            "ce_subject": self.subject,
            "content-type": "application/json",
            "correlation_id": self.correlation_id,
        }
        if self.causation_id:
            headers["causation_id"] = self.causation_id
        headers.update(self.extra_headers)
        return headers

    def value(self) -> bytes:
        return json.dumps(self.data, ensure_ascii=False, separators=(",", ":")).encode()

    @classmethod
    def from_kafka(
        cls,
        *,
        headers: Sequence[tuple[str, bytes]] | Mapping[str, str],
        value: bytes | None,
        key: bytes | None,
    ) -> Envelope:
        """Decode a Kafka record; raises `InvalidEnvelope` when a required attribute is missing."""
        h = dict(headers) if isinstance(headers, Mapping) else {k: v.decode() for k, v in headers}
        missing = [a for a in ("ce_id", "ce_type", "ce_source", "ce_specversion") if not h.get(a)]
        if missing:
            raise InvalidEnvelope(f"missing CloudEvents headers: {', '.join(missing)}")
        try:
            data = json.loads(value or b"null")
        except ValueError as exc:
            raise InvalidEnvelope(f"value is not JSON: {exc}") from exc
        if not isinstance(data, dict):
            raise InvalidEnvelope("value must be a JSON object")
        known = {"ce_specversion", "ce_id", "ce_type", "ce_source", "ce_time", "ce_subject"}
        return cls(
            id=h["ce_id"],
            type=h["ce_type"],
            source=h["ce_source"],
            time=datetime.fromisoformat(h["ce_time"]) if h.get("ce_time") else system_now(),
            subject=h.get("ce_subject", ""),
            data=data,
            correlation_id=h.get("correlation_id") or h["ce_id"],
            causation_id=h.get("causation_id"),
            key=key.decode() if key else None,
            extra_headers={k: v for k, v in h.items() if k not in known},
        )


class InvalidEnvelope(ValueError):
    """A record on a diaodu topic that is not a well-formed CloudEvent."""


class EventCatalog:
    """The event types one service publishes: source of its AsyncAPI document and JSON Schemas."""

    def __init__(self, service: str, events: Iterable[type[Event]]) -> None:
        self.service = service
        self.events: dict[str, type[Event]] = {}
        for ev in events:
            if ev.service != service:
                raise ValueError(f"{ev.__name__} belongs to {ev.service}, not {service}")
            self.events[ev.ce_type()] = ev
        check_catalog(service, [(ev.name, ev.version) for ev in self.events.values()])

    def __iter__(self) -> Any:
        return iter(self.events.values())

    def parse(self, envelope: Envelope) -> Event:
        return self.events[envelope.type].model_validate(envelope.data)
