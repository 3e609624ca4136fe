"""AsyncAPI 3.0 documents and per-event JSON Schemas, generated from a service's event catalog.

Written here rather than taken from faststream's generator because every diaodu topic carries
many event types, each a CloudEvent whose context attributes travel as Kafka headers; faststream
documents one payload per publisher and no headers. The output is checked into `contracts/`.
"""

from __future__ import annotations

from typing import Any

from diaodu_platform.events import Event, EventCatalog

CE_HEADERS_SCHEMA: dict[str, Any] = {
    "type": "object",
    "description": "CloudEvents 1.0 context attributes, Kafka protocol binding, binary content mode",
    "required": [
        "ce_specversion",
        "ce_id",
        "ce_type",
        "ce_source",
        "ce_time",
        "ce_subject",
        "correlation_id",
    ],
    "properties": {
        "ce_specversion": {"type": "string", "const": "1.0"},
        "ce_id": {"type": "string", "description": "Unique event id; consumers dedupe on it"},
        "ce_type": {"type": "string", "description": "diaodu.<service>.<event>.v<N>"},
        "ce_source": {"type": "string", "description": "/diaodu/<service>"},
        "ce_time": {"type": "string", "format": "date-time"},
        "ce_subject": {"type": "string", "description": "The project id or unit code the event is about"},
        "content-type": {"type": "string", "const": "application/json"},
        "correlation_id": {"type": "string", "description": "Id of the request or event chain"},
        "causation_id": {"type": "string", "description": "Id of the request or event that caused this one"},
    },
}


def event_schema(event: type[Event]) -> dict[str, Any]:
    """The JSON Schema of one event's data (the Kafka value)."""
    schema = event.model_json_schema(mode="serialization")
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["$id"] = f"https://diaodu.local/contracts/events/{event.ce_type()}.schema.json"
    schema["title"] = event.ce_type()
    schema["description"] = _doc(event)
    schema["x-kafka-key"] = event.key_field
    return schema


def _doc(event: type[Event]) -> str:
    return " ".join((event.__doc__ or "").split())


def _message_name(event: type[Event]) -> str:
    return f"{event.name}.v{event.version}"


def _message(ev: type[Event]) -> dict[str, Any]:
    return {
        "name": ev.ce_type(),
        "title": ev.__name__,
        "summary": _doc(ev).splitlines()[0] if _doc(ev) else ev.name,
        "contentType": "application/json",
        "headers": {
            **CE_HEADERS_SCHEMA,
            "properties": {
                **CE_HEADERS_SCHEMA["properties"],
                "ce_type": {"type": "string", "const": ev.ce_type()},
            },
        },
        "payload": event_schema(ev),
        "bindings": {"kafka": {"key": {"type": "string", "description": f"the event's {ev.key_field}"}}},
    }


def asyncapi_document(
    catalog: EventCatalog,
    *,
    topic: str,
    title: str,
    version: str,
    description: str,
    consumes: dict[str, str] | None = None,
) -> dict[str, Any]:
    """AsyncAPI 3.0 for the topic a service publishes (and the topics it consumes, by reference)."""
    messages = {_message_name(ev): _message(ev) for ev in catalog}
    channel_id = catalog.service
    doc: dict[str, Any] = {
        "asyncapi": "3.0.0",
        "info": {"title": title, "version": version, "description": description},
        "defaultContentType": "application/json",
        "servers": {
            "production": {"host": "kafka:9092", "protocol": "kafka", "description": "Apache Kafka (KRaft)"},
            "local": {"host": "127.0.0.1:9092", "protocol": "kafka", "description": "embedded broker"},
        },
        "channels": {
            channel_id: {
                "address": topic,
                "description": f"Events published by the {catalog.service} service, keyed so one "
                "project's (or unit's) events keep their order.",
                "messages": {name: {"$ref": f"#/components/messages/{name}"} for name in messages},
            }
        },
        "operations": {
            f"publish_{catalog.service}": {
                "action": "send",
                "channel": {"$ref": f"#/channels/{channel_id}"},
                "messages": [{"$ref": f"#/channels/{channel_id}/messages/{n}"} for n in messages],
            }
        },
        "components": {"messages": messages},
    }
    for name, address in (consumes or {}).items():
        doc["channels"][f"consumed_{name}"] = {
            "address": address,
            "description": f"Consumed: see the {name} service's AsyncAPI document for its messages.",
        }
        doc["operations"][f"consume_{name}"] = {
            "action": "receive",
            "channel": {"$ref": f"#/channels/consumed_{name}"},
        }
    return doc
