"""The faststream Kafka broker of one service, its topics and its event subscription."""

from __future__ import annotations

import asyncio
import contextlib
from typing import Any

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.errors import TopicAlreadyExistsError
from faststream import AckPolicy
from faststream.kafka import KafkaBroker
from faststream.kafka.annotations import KafkaMessage
from faststream.kafka.prometheus import KafkaPrometheusMiddleware
from structlog.contextvars import clear_contextvars

from diaodu_platform.consumer import EventConsumer
from diaodu_platform.logging import get_logger
from diaodu_platform.metrics import Metrics
from diaodu_platform.settings import ServiceSettings

log = get_logger(__name__)


def make_broker(settings: ServiceSettings, metrics: Metrics) -> KafkaBroker:
    return KafkaBroker(
        settings.kafka_bootstrap,
        client_id=f"diaodu-{settings.service}",
        enable_idempotence=settings.kafka_idempotence,
        acks=settings.kafka_acks if settings.kafka_acks == "all" else int(settings.kafka_acks),
        request_timeout_ms=settings.kafka_request_timeout_ms,
        linger_ms=2,
        middlewares=[KafkaPrometheusMiddleware(registry=metrics.registry, app_name=settings.service)],
        logger=None,
    )


def make_producer(settings: ServiceSettings) -> AIOKafkaProducer:
    """The outbox relay's producer (idempotent on Apache Kafka; Tansu lacks it: see settings)."""
    return AIOKafkaProducer(
        bootstrap_servers=settings.kafka_bootstrap,
        client_id=f"diaodu-{settings.service}-relay",
        enable_idempotence=settings.kafka_idempotence,
        acks=settings.kafka_acks if settings.kafka_acks == "all" else int(settings.kafka_acks),
        request_timeout_ms=settings.kafka_request_timeout_ms,
        linger_ms=2,
    )


def subscribe(
    broker: KafkaBroker, settings: ServiceSettings, topics: list[str], consumer: EventConsumer
) -> None:
    """One batch subscriber in the service's consumer group for all topics it consumes."""
    subscriber = broker.subscriber(
        *topics,
        group_id=settings.consumer_group(settings.service),
        batch=True,
        max_records=settings.consumer_batch_size,
        auto_offset_reset="earliest",
        fetch_max_wait_ms=settings.kafka_fetch_max_wait_ms,
        ack_policy=AckPolicy.ACK,
    )

    @subscriber
    async def on_batch(msg: KafkaMessage) -> None:
        clear_contextvars()
        records = msg.raw_message
        await consumer.on_records(records if isinstance(records, tuple | list) else [records])


async def ensure_topics(settings: ServiceSettings, topics: list[str]) -> None:
    """Create the topics a service uses, if the broker lacks them (production provisions them as KafkaTopic).

    Consumed topics are included: a consumer group cannot subscribe to a topic that does not exist yet.
    """
    admin = AIOKafkaAdminClient(
        bootstrap_servers=settings.kafka_bootstrap, request_timeout_ms=settings.kafka_request_timeout_ms
    )
    await admin.start()
    try:
        existing = set(await admin.list_topics())
        missing = [
            NewTopic(
                t, num_partitions=settings.topic_partitions, replication_factor=settings.topic_replication
            )
            for t in topics
            if t not in existing
        ]
        if missing:
            with contextlib.suppress(TopicAlreadyExistsError):
                await admin.create_topics(missing)
    finally:
        await admin.close()


async def connect_forever(broker: KafkaBroker, settings: ServiceSettings, topics: list[str]) -> Any:
    """Start the broker connection, retrying while Kafka is away; the HTTP API works meanwhile."""
    delay = 0.5
    while True:
        try:
            await ensure_topics(settings, topics)
            await broker.start()
            log.info("kafka connected", bootstrap=settings.kafka_bootstrap)
            return
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            log.warning("kafka unavailable; retrying", error=str(exc), retry_in=delay)
            with contextlib.suppress(Exception):
                await broker.stop()
            await asyncio.sleep(delay)
            delay = min(delay * 2, 10.0)


async def report_consumer_lag(
    settings: ServiceSettings, metrics: Metrics, topics: list[str], interval_s: float = 15.0
) -> None:
    """Measure the consumer group's lag on each consumed topic from the broker, as KEDA does:
    end offset minus committed offset (the beginning when nothing is committed: earliest)."""
    group = settings.consumer_group(settings.service)
    admin: AIOKafkaAdminClient | None = None
    reader: AIOKafkaConsumer | None = None
    try:
        while True:
            try:
                if admin is None or reader is None:
                    admin = AIOKafkaAdminClient(
                        bootstrap_servers=settings.kafka_bootstrap,
                        request_timeout_ms=settings.kafka_request_timeout_ms,
                    )
                    await admin.start()
                    reader = AIOKafkaConsumer(
                        bootstrap_servers=settings.kafka_bootstrap,
                        enable_auto_commit=False,
                        request_timeout_ms=settings.kafka_request_timeout_ms,
                    )
                    await reader.start()
                await reader.topics()  # refresh the partition metadata
                partitions = [
                    TopicPartition(topic, p)
                    for topic in topics
                    for p in sorted(reader.partitions_for_topic(topic) or ())
                ]
                committed = await admin.list_consumer_group_offsets(group, partitions=partitions)
                ends = await reader.end_offsets(partitions)
                starts = await reader.beginning_offsets(partitions)
                for topic in topics:
                    lag = 0
                    for tp in (tp for tp in partitions if tp.topic == topic):
                        done = committed.get(tp)
                        position = done.offset if done is not None and done.offset >= 0 else starts[tp]
                        lag += max(ends[tp] - position, 0)
                    metrics.consumer_group_lag.labels(topic=topic).set(lag)
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                log.warning("consumer lag unavailable", error=str(exc))
            await asyncio.sleep(interval_s)
    finally:
        if reader is not None:
            with contextlib.suppress(Exception):
                await reader.stop()
        if admin is not None:
            with contextlib.suppress(Exception):
                await admin.close()
