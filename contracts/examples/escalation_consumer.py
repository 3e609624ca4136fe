"""Example outside consumer of the escalation topic `diaodu.escalation.v1` (the 督查室's feed).

It depends on nothing of diaodu's code: only `aiokafka`, `jsonschema` and the contract files in
`contracts/events/<ce_type>.schema.json`. Each record is a CloudEvent in Kafka binary mode: the
context attributes are headers (`ce_id`, `ce_type`, `ce_time`, ...), the value is the event's JSON.
Every event is validated against its schema and printed as one line; events that do not validate
are printed as INVALID and counted (the exit status is their number, capped at 100).

    python contracts/examples/escalation_consumer.py --bootstrap 127.0.0.1:9092
    python contracts/examples/escalation_consumer.py --group dudu-office   # remember the position
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import jsonschema
from aiokafka import AIOKafkaConsumer, ConsumerRecord, TopicPartition

CONTRACTS = Path(__file__).resolve().parents[1]
TOPIC = "diaodu.escalation.v1"


class Schemas:
    """JSON Schema validators, one per `ce_type`, loaded from a contracts/events directory."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self._validators: dict[str, jsonschema.Draft202012Validator] = {}

    def validator(self, ce_type: str) -> jsonschema.Draft202012Validator:
        if ce_type not in self._validators:
            path = self.directory / f"{ce_type}.schema.json"
            if not path.exists():
                raise LookupError(f"no schema for {ce_type} in {self.directory}")
            schema = json.loads(path.read_text(encoding="utf-8"))
            self._validators[ce_type] = jsonschema.Draft202012Validator(
                schema, format_checker=jsonschema.FormatChecker()
            )
        return self._validators[ce_type]


def decode(record: ConsumerRecord, schemas: Schemas) -> dict[str, Any]:
    """The CloudEvent of one record, its data validated; raises ValueError if it is not valid."""
    headers = {k: v.decode("utf-8") for k, v in (record.headers or [])}
    if headers.get("ce_specversion") != "1.0" or "ce_type" not in headers or "ce_id" not in headers:
        raise ValueError(f"not a CloudEvent 1.0 record: headers {sorted(headers)}")
    try:
        data = json.loads(record.value or b"null")
        schemas.validator(headers["ce_type"]).validate(data)
    except (json.JSONDecodeError, jsonschema.ValidationError, LookupError) as exc:
        message = exc.message if isinstance(exc, jsonschema.ValidationError) else str(exc)
        raise ValueError(f"{headers['ce_type']} {headers['ce_id']}: {message}") from exc
    return {
        "id": headers["ce_id"],
        "type": headers["ce_type"],
        "time": headers.get("ce_time"),
        "key": record.key.decode("utf-8") if record.key else None,
        "data": data,
    }


def describe(event: dict[str, Any]) -> str:
    """One line per event, e.g. `... problem_escalated problem=… level=2 status=assigned owner=fengcheng`."""
    d = event["data"]
    name = event["type"].split(".")[2]
    line = (
        f"{d.get('occurred_at', event['time'])} {name} problem={d.get('problem_id')} level={d.get('level')} "
        f"status={d.get('status')} owner={d.get('owner_unit')} project={d.get('project_id')}"
    )
    extras = [
        f"{k}={d[k]}"
        for k in (
            "notice_number",
            "clock",
            "percent",
            "due_at",
            "deadline",
            "from_level",
            "to_level",
            "trigger",
        )
        if d.get(k) is not None
    ]
    return " ".join([line, *extras])


async def consume(
    *,
    bootstrap: str,
    topic: str = TOPIC,
    schemas_dir: Path = CONTRACTS / "events",
    group: str | None = None,
    max_events: int | None = None,
    idle_timeout_s: float | None = None,
    out: Callable[[str], Any] = print,
) -> int:
    """Print every event of the topic; returns the number of events that did not validate.

    Without a group the whole topic is read from the beginning (nothing is remembered); with one,
    the position is committed after each batch, so a restart goes on where it stopped.
    """
    schemas = Schemas(schemas_dir)
    consumer = AIOKafkaConsumer(
        bootstrap_servers=bootstrap,
        group_id=group,
        enable_auto_commit=False,
        auto_offset_reset="earliest",
        fetch_max_wait_ms=100,
    )
    await consumer.start()
    seen = invalid = 0
    idle = 0.0
    try:
        if group:
            consumer.subscribe([topic])
        else:
            await consumer.topics()  # fetch metadata to learn the partitions
            partitions = consumer.partitions_for_topic(topic) or set()
            consumer.assign([TopicPartition(topic, p) for p in sorted(partitions)])
            await consumer.seek_to_beginning()
        while max_events is None or seen < max_events:
            batch = await consumer.getmany(timeout_ms=500)
            records = [r for rs in batch.values() for r in rs]
            if not records:
                idle += 0.5
                if idle_timeout_s is not None and idle >= idle_timeout_s:
                    break
                continue
            idle = 0.0
            for record in records:
                seen += 1
                try:
                    out(describe(decode(record, schemas)))
                except ValueError as exc:
                    invalid += 1
                    out(f"INVALID {record.topic}/{record.partition}@{record.offset}: {exc}")
            if group:
                await consumer.commit()
    finally:
        await consumer.stop()
    return invalid


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--bootstrap", default=os.environ.get("KAFKA_BOOTSTRAP", "127.0.0.1:9092"))
    parser.add_argument("--topic", default=TOPIC)
    parser.add_argument(
        "--schemas", type=Path, default=CONTRACTS / "events", help="contracts/events directory"
    )
    parser.add_argument("--group", default=None, help="consumer group (remembers the position)")
    parser.add_argument("--max-events", type=int, default=None)
    parser.add_argument("--idle-timeout", type=float, default=None, help="stop after this many idle seconds")
    args = parser.parse_args()
    invalid = asyncio.run(
        consume(
            bootstrap=args.bootstrap,
            topic=args.topic,
            schemas_dir=args.schemas,
            group=args.group,
            max_events=args.max_events,
            idle_timeout_s=args.idle_timeout,
        )
    )
    sys.exit(min(invalid, 100))


if __name__ == "__main__":
    main()
