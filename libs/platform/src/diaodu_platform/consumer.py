"""Idempotent batch consumption with bounded retries and a dead-letter topic (SPEC §5).

A batch is applied in one transaction: the inbox rows `(consumer, ce_id)` are inserted with
ON CONFLICT DO NOTHING and only the new events reach their handler, so a redelivery is a no-op.
If the batch fails, its events are retried one by one; an event that still fails after
`max_attempts` is recorded as dead-lettered and sent (through the outbox, atomically with that
record) to the consumer's dead-letter topic with the error, and the next event goes on.
Connection-level failures (database down) are never counted as attempts: the batch waits.
"""

from __future__ import annotations

import asyncio
import time
import traceback
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from aiokafka import ConsumerRecord
from sqlalchemy import exc as sa_exc
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from diaodu_platform.clock import system_now
from diaodu_platform.db import PlatformTables
from diaodu_platform.event_types import Handler
from diaodu_platform.events import Envelope, InvalidEnvelope
from diaodu_platform.logging import bind_contextvars, get_logger
from diaodu_platform.metrics import Metrics
from diaodu_platform.outbox import Outbox

log = get_logger(__name__)


@dataclass
class Received:
    record: Any
    envelope: Envelope | None
    decode_error: str | None = None


def _is_transient(exc: BaseException) -> bool:
    if isinstance(exc, sa_exc.DBAPIError) and exc.connection_invalidated:
        return True
    return isinstance(exc, OSError | ConnectionError | sa_exc.InterfaceError | asyncio.TimeoutError) or (
        isinstance(exc, sa_exc.OperationalError)
    )


class EventConsumer:
    """Applies events of other services' topics to this service's projections, once each."""

    def __init__(
        self,
        *,
        name: str,
        engine: AsyncEngine,
        tables: PlatformTables,
        outbox: Outbox,
        dead_letter_topic: str,
        handlers: dict[str, Handler],
        metrics: Metrics,
        max_attempts: int = 3,
        retry_backoff_s: float = 0.05,
    ) -> None:
        self.name = name
        self.engine = engine
        self.tables = tables
        self.outbox = outbox
        self.dead_letter_topic = dead_letter_topic
        self.handlers = handlers
        self.metrics = metrics
        self.max_attempts = max_attempts
        self.retry_backoff_s = retry_backoff_s

    async def on_records(self, records: Sequence[ConsumerRecord]) -> None:
        """Apply one batch; returns only when every record is applied, skipped or dead-lettered."""
        started = time.perf_counter()
        received = [self._decode(r) for r in records]
        while True:
            try:
                await self._apply_batch(received)
                break
            except Exception as exc:
                if _is_transient(exc):
                    log.warning("database unavailable; batch will be retried", error=str(exc))
                    await asyncio.sleep(1.0)
                    continue
                log.warning("batch failed; applying its events one by one", error=str(exc))
                for item in received:
                    await self._apply_one_with_retries(item)
                break
        self.metrics.consume_batch_seconds.labels(self.name).observe(time.perf_counter() - started)

    def _decode(self, record: ConsumerRecord) -> Received:
        try:
            env = Envelope.from_kafka(headers=record.headers, value=record.value, key=record.key)
            return Received(record, env)
        except (InvalidEnvelope, ValueError, UnicodeDecodeError) as exc:
            return Received(record, None, f"{type(exc).__name__}: {exc}")

    async def _apply_batch(self, received: list[Received]) -> None:
        if any(r.envelope is None for r in received):
            raise InvalidEnvelope("batch holds an undecodable record")
        envelopes = [r.envelope for r in received if r.envelope is not None]
        async with self.engine.begin() as conn:
            fresh = await self._claim(conn, envelopes)
            for env in envelopes:
                if env.id in fresh:
                    fresh.discard(env.id)
                    await self._handle(conn, env)
                else:
                    self.metrics.events_duplicate.labels(self.name).inc()

    async def _claim(self, conn: AsyncConnection, envelopes: list[Envelope]) -> set[str]:
        """Insert inbox rows; return the ids that were not processed before."""
        if not envelopes:
            return set()
        rows = [{"consumer": self.name, "event_id": e.id, "event_type": e.type} for e in envelopes]
        stmt = (
            insert(self.tables.inbox)
            .values(rows)
            .on_conflict_do_nothing()
            .returning(self.tables.inbox.c.event_id)
        )
        return {r[0] for r in await conn.execute(stmt)}

    async def _handle(self, conn: AsyncConnection, env: Envelope) -> None:
        bind_contextvars(correlation_id=env.correlation_id, causation_id=env.id)
        handler = self.handlers.get(env.type)
        if handler is not None:  # event types this service does not need are only recorded
            await handler(conn, env)
        self.metrics.events_consumed.labels(self.name, env.type if handler else "ignored").inc()

    async def _apply_one_with_retries(self, item: Received) -> None:
        error = item.decode_error or ""
        attempts = 0
        while item.envelope is not None and attempts < self.max_attempts:
            try:
                async with self.engine.begin() as conn:
                    if await self._claim(conn, [item.envelope]):
                        await self._handle(conn, item.envelope)
                    else:
                        self.metrics.events_duplicate.labels(self.name).inc()
                return
            except Exception as exc:
                if _is_transient(exc):
                    await asyncio.sleep(1.0)
                    continue
                attempts += 1
                error = "".join(traceback.format_exception_only(exc)).strip()
                log.warning("event failed", attempt=attempts, error=error, ce_id=item.envelope.id)
                await asyncio.sleep(self.retry_backoff_s * (2 ** (attempts - 1)))
        await self._dead_letter(item, error, attempts)

    async def _dead_letter(self, item: Received, error: str, attempts: int) -> None:
        record = item.record
        env = item.envelope
        raw = {k: v.decode(errors="replace") for k, v in (record.headers or [])}
        event_id = env.id if env else raw.get("ce_id") or f"{record.topic}:{record.partition}:{record.offset}"
        dead = Envelope(
            id=event_id,
            type=env.type if env else raw.get("ce_type", "diaodu.undecodable"),
            source=env.source if env else raw.get("ce_source", f"kafka://{record.topic}"),
            time=env.time if env else system_now(),
            subject=env.subject if env else "",
            data={},
            correlation_id=env.correlation_id if env else event_id,
            causation_id=env.causation_id if env else None,
            key=record.key.decode(errors="replace") if record.key else None,
            extra_headers={
                "dlq_error": error[:2000],
                "dlq_consumer": self.name,
                "dlq_attempts": str(attempts),
                "dlq_original_topic": record.topic,
                "dlq_original_partition": str(record.partition),
                "dlq_original_offset": str(record.offset),
            },
        )
        payload = (record.value or b"").decode(errors="replace")
        while True:
            try:
                async with self.engine.begin() as conn:
                    await conn.execute(
                        insert(self.tables.inbox)
                        .values(
                            consumer=self.name,
                            event_id=event_id,
                            event_type=dead.type,
                            status="dead_lettered",
                            attempts=attempts,
                            error=error[:4000],
                        )
                        .on_conflict_do_nothing()
                    )
                    await conn.execute(
                        insert(self.tables.outbox).values(
                            topic=self.dead_letter_topic,
                            key=dead.key,
                            headers=dead.headers(),
                            payload=payload,
                        )
                    )
                break
            except Exception as exc:
                if not _is_transient(exc):
                    raise
                await asyncio.sleep(1.0)
        self.metrics.events_dead_lettered.labels(self.name).inc()
        log.error("event dead-lettered", ce_id=event_id, error=error, topic=self.dead_letter_topic)
