"""Transactional outbox: events are written with the state change and relayed to Kafka afterwards.

The relay holds a PostgreSQL advisory lock, so of several replicas exactly one publishes and the
order of each key's events is the order of their rows. It wakes on LISTEN/NOTIFY and also polls.
While the broker is down rows simply wait; delivery is at least once (consumers dedupe by ce_id).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
import zlib
from collections.abc import Awaitable, Callable, Iterable
from typing import Any

import asyncpg
from aiokafka import AIOKafkaProducer
from sqlalchemy import insert
from sqlalchemy.ext.asyncio import AsyncConnection

from diaodu_platform.clock import system_now
from diaodu_platform.db import PlatformTables
from diaodu_platform.events import Envelope, Event
from diaodu_platform.logging import current_ids, get_logger
from diaodu_platform.metrics import Metrics
from diaodu_platform.migrations import OUTBOX_NOTIFY_CHANNEL

log = get_logger(__name__)


def outbox_rows(envelopes: Iterable[Envelope], *, topic: str) -> list[dict[str, Any]]:
    """The outbox table's rows for envelopes bound for `topic`."""
    return [
        {"topic": topic, "key": env.key, "headers": env.headers(), "payload": env.value().decode()}
        for env in envelopes
    ]


class Outbox:
    """Writes events into the outbox table inside the caller's transaction."""

    def __init__(self, *, tables: PlatformTables, topic: str) -> None:
        self.table = tables.outbox
        self.topic = topic

    def envelope(self, event: Event) -> Envelope:
        correlation_id, causation_id = current_ids()
        return Envelope.wrap(event, correlation_id=correlation_id, causation_id=causation_id)

    async def add(self, conn: AsyncConnection, *events: Event) -> list[Envelope]:
        """Stage events for publication; they go out only if the transaction commits."""
        envelopes = [self.envelope(ev) for ev in events]
        await self.add_envelopes(conn, envelopes, topic=self.topic)
        return envelopes

    def rows(self, events: Iterable[Event]) -> list[dict[str, Any]]:
        """Outbox rows of events, for a hot path that inserts them in a statement of its own."""
        return outbox_rows([self.envelope(ev) for ev in events], topic=self.topic)

    async def add_envelopes(
        self, conn: AsyncConnection, envelopes: Iterable[Envelope], *, topic: str
    ) -> None:
        rows = outbox_rows(envelopes, topic=topic)
        if rows:
            await conn.execute(insert(self.table), rows)


class OutboxRelay:
    """Publishes outbox rows in id order and deletes them once the broker has acknowledged them."""

    def __init__(
        self,
        *,
        dsn: str,
        producer_factory: Callable[[], AIOKafkaProducer],
        publish_timeout_s: float = 40.0,
        metrics: Metrics,
        service: str,
        batch_size: int = 500,
        poll_interval_s: float = 0.5,
        repair: Callable[[list[str]], Awaitable[None]] | None = None,
    ) -> None:
        self.dsn = dsn
        # Called with the topics of a failed batch (e.g. to recreate topics a broker lost).
        self.repair = repair
        # The relay owns its producer: after a failure it is replaced, so no state of a broken
        # connection (or a send that never completes) can hold the outbox back.
        self.producer_factory = producer_factory
        self.publish_timeout_s = publish_timeout_s
        self._producer: AIOKafkaProducer | None = None
        self.metrics = metrics
        self.batch_size = batch_size
        self.poll_interval_s = poll_interval_s
        self.lock_id = zlib.crc32(f"diaodu-outbox-relay:{service}".encode())
        self.is_leader = False
        self._wake = asyncio.Event()
        self._stopping = False
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name="outbox-relay")

    async def stop(self) -> None:
        self._stopping = True
        self._wake.set()
        if self._task:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._task
        await self._drop_producer()

    def wake(self) -> None:
        self._wake.set()

    async def _run(self) -> None:
        backoff = 0.1
        while not self._stopping:
            conn: asyncpg.Connection | None = None
            try:
                conn = await asyncpg.connect(self.dsn)
                await self._lead(conn)
                backoff = 0.1
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # database unreachable: wait and try again
                log.warning("outbox relay connection lost", error=str(exc))
                await asyncio.sleep(backoff)
                backoff = min(backoff * 2, 5.0)
            finally:
                self.is_leader = False
                if conn is not None:
                    with contextlib.suppress(Exception):
                        await conn.close(timeout=2)

    async def _lead(self, conn: asyncpg.Connection) -> None:
        while not self._stopping:
            if await conn.fetchval("SELECT pg_try_advisory_lock($1)", self.lock_id):
                break
            await self._observe(conn)  # standby replicas still report the backlog
            await asyncio.sleep(self.poll_interval_s * 4)
        self.is_leader = True
        await conn.add_listener(OUTBOX_NOTIFY_CHANNEL, lambda *_: self._wake.set())
        log.info("outbox relay leading")
        publish_backoff = 0.1
        while not self._stopping:
            rows = await conn.fetch(
                "SELECT id, topic, key, headers, payload FROM outbox ORDER BY id LIMIT $1", self.batch_size
            )
            if not rows:
                await self._observe(conn)
                self._wake.clear()
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._wake.wait(), self.poll_interval_s)
                continue
            try:
                await self._publish(rows)
            except Exception as exc:  # broker down: rows stay and go out when it is back
                self.metrics.outbox_publish_errors.inc()
                log.warning("outbox publish failed; will retry", error=str(exc), rows=len(rows))
                if self.repair is not None:
                    with contextlib.suppress(Exception):
                        await asyncio.wait_for(self.repair(sorted({r["topic"] for r in rows})), 10)
                await self._observe(conn)
                await asyncio.sleep(publish_backoff)
                publish_backoff = min(publish_backoff * 2, 5.0)
                continue
            publish_backoff = 0.1
            await conn.execute("DELETE FROM outbox WHERE id = ANY($1::bigint[])", [r["id"] for r in rows])
            self.metrics.outbox_published.inc(len(rows))

    async def _publish(self, rows: list[Any]) -> None:
        if self._producer is None:
            producer = self.producer_factory()
            await asyncio.wait_for(producer.start(), self.publish_timeout_s)
            self._producer = producer
        started = time.perf_counter()
        try:
            await asyncio.wait_for(self._send_all(self._producer, rows), self.publish_timeout_s)
            self.metrics.outbox_publish_seconds.observe(time.perf_counter() - started)
        except BaseException:
            await self._drop_producer()
            raise

    async def _send_all(self, producer: AIOKafkaProducer, rows: list[Any]) -> None:
        futures = []
        for row in rows:
            headers = row["headers"]
            if isinstance(headers, str):
                headers = json.loads(headers)
            futures.append(
                await producer.send(
                    row["topic"],
                    row["payload"].encode(),
                    key=row["key"].encode() if row["key"] else None,
                    headers=[(k, str(v).encode()) for k, v in headers.items()],
                )
            )
        await asyncio.gather(*futures)

    async def _drop_producer(self) -> None:
        producer, self._producer = self._producer, None
        if producer is not None:
            with contextlib.suppress(BaseException):
                await asyncio.wait_for(producer.stop(), 5)

    async def _observe(self, conn: asyncpg.Connection) -> None:
        row = await conn.fetchrow("SELECT count(*) AS n, min(created_at) AS oldest FROM outbox")
        self.metrics.outbox_backlog.set(row["n"])
        age = 0.0
        if row["oldest"] is not None:
            age = max(0.0, system_now().timestamp() - row["oldest"].timestamp())
        self.metrics.outbox_oldest_age.set(age)
