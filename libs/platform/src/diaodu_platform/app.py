"""The app factory every service uses: logging, metrics, errors, health, events, auth wiring."""

from __future__ import annotations

import asyncio
import contextlib
import uuid
from collections.abc import AsyncIterator, Callable, Coroutine, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

from fastapi import APIRouter, FastAPI, Request, Response
from fastapi.responses import JSONResponse
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from prometheus_fastapi_instrumentator import Instrumentator
from sqlalchemy import MetaData, text
from structlog.contextvars import bind_contextvars, clear_contextvars

from diaodu_platform.asyncapi import asyncapi_document
from diaodu_platform.clock import Clock
from diaodu_platform.consumer import EventConsumer, Handler
from diaodu_platform.db import PlatformTables, make_engine
from diaodu_platform.errors import install_error_handlers
from diaodu_platform.events import EventCatalog
from diaodu_platform.kafka import (
    connect_forever,
    ensure_topics,
    make_broker,
    make_producer,
    report_consumer_lag,
    subscribe,
)
from diaodu_platform.logging import configure_logging, get_logger
from diaodu_platform.metrics import Metrics
from diaodu_platform.ops import ops_router
from diaodu_platform.outbox import Outbox, OutboxRelay
from diaodu_platform.scheduler import Job, Scheduler
from diaodu_platform.settings import ServiceSettings

log = get_logger(__name__)


@dataclass
class Subscription:
    """Events of another service's topic that this service applies to its projections."""

    service: str
    handlers: dict[str, Handler]


@dataclass
class ServiceSpec:
    name: str
    title: str
    description: str
    version: str
    catalog: EventCatalog
    metadata: MetaData
    tables: PlatformTables
    routers: Sequence[APIRouter]
    subscriptions: Sequence[Subscription] = ()
    # Periodic jobs run by the scheduler (deadlines, SLA timers, assessment day).
    jobs: Sequence[Job] = ()
    # Extra background work; each gets the app and runs until cancelled.
    background: Sequence[Callable[[FastAPI], Coroutine[Any, Any, None]]] = field(default_factory=list)


class ContextMiddleware:
    """Binds request, correlation and causation ids to the log context and echoes them back."""

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = dict(scope["headers"])
        rid = headers.get(b"x-request-id", b"").decode() or uuid.uuid4().hex
        cid = headers.get(b"x-correlation-id", b"").decode() or rid
        clear_contextvars()
        bind_contextvars(request_id=rid, correlation_id=cid, causation_id=rid)

        async def send_with_ids(message: Any) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [
                    *message.get("headers", []),
                    (b"x-request-id", rid.encode()),
                    (b"x-correlation-id", cid.encode()),
                ]
            await send(message)

        await self.app(scope, receive, send_with_ids)


def create_service_app(spec: ServiceSpec, settings: ServiceSettings) -> FastAPI:
    configure_logging(service=spec.name, level=settings.log_level, json=settings.log_json)
    metrics = Metrics(spec.name)
    broker = make_broker(settings, metrics)
    own_topic = settings.topic(spec.name)
    dlq_topic = settings.dead_letter_topic(spec.name)
    outbox = Outbox(tables=spec.tables, topic=own_topic)
    consumed = {s.service: settings.topic(s.service) for s in spec.subscriptions}

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        engine = make_engine(settings)
        app.state.engine = engine
        handlers: dict[str, Handler] = {}
        for sub in spec.subscriptions:
            handlers.update(sub.handlers)
        if consumed:
            app.state.consumer = EventConsumer(
                name=spec.name,
                engine=engine,
                tables=spec.tables,
                outbox=outbox,
                dead_letter_topic=dlq_topic,
                handlers=handlers,
                metrics=metrics,
                max_attempts=settings.consumer_max_attempts,
                retry_backoff_s=settings.consumer_retry_backoff_s,
            )
            subscribe(broker, settings, list(consumed.values()), app.state.consumer)
        relay = OutboxRelay(
            dsn=settings.asyncpg_dsn,
            producer_factory=lambda: make_producer(settings),
            publish_timeout_s=settings.kafka_request_timeout_ms / 1000 + 10,
            metrics=metrics,
            service=spec.name,
            batch_size=settings.outbox_batch_size,
            poll_interval_s=settings.outbox_poll_interval_s,
            repair=lambda topics: ensure_topics(settings, topics),
        )
        app.state.relay = relay
        topics = [own_topic, dlq_topic, *consumed.values()]
        tasks = [asyncio.create_task(connect_forever(broker, settings, topics))]
        tasks += [asyncio.create_task(job(app)) for job in spec.background]
        if consumed:
            lag = report_consumer_lag(settings, metrics, list(consumed.values()))
            tasks.append(asyncio.create_task(lag))
        relay.start()
        scheduler = Scheduler(
            service=spec.name,
            engine=engine,
            clock=app.state.clock,
            jobs=list(spec.jobs),
            app=app,
            metrics=metrics,
        )
        app.state.scheduler = scheduler
        scheduler.start()
        log.info("service started", topic=own_topic, consumes=list(consumed.values()))
        try:
            yield
        finally:
            await scheduler.stop()
            await relay.stop()
            for task in tasks:
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError, Exception):
                    await task
            with contextlib.suppress(Exception):
                await broker.stop()
            await engine.dispose()

    app = FastAPI(
        title=spec.title,
        description=spec.description,
        version=spec.version,
        lifespan=lifespan,
        openapi_url="/openapi.json",
    )
    app.state.settings = settings
    app.state.spec = spec
    app.state.metrics = metrics
    app.state.broker = broker
    app.state.outbox = outbox
    app.state.tables = spec.tables
    app.state.clock = Clock(movable=settings.env != "production")
    install_error_handlers(app)
    Instrumentator(
        registry=metrics.registry,
        excluded_handlers=["/metrics", "/healthz", "/readyz"],
        should_group_status_codes=False,
    ).instrument(app)
    app.add_middleware(ContextMiddleware)

    asyncapi = asyncapi_document(
        spec.catalog,
        topic=settings.topic(spec.name),
        title=f"{spec.title} events",
        version=spec.version,
        description=spec.description,
        consumes=consumed,
    )

    @app.get("/healthz", tags=["ops"])
    async def healthz() -> dict[str, str]:
        return {"status": "ok", "service": spec.name}

    @app.get("/readyz", tags=["ops"])
    async def readyz(request: Request) -> JSONResponse:
        checks: dict[str, str] = {}
        try:
            async with request.app.state.engine.connect() as conn:
                await asyncio.wait_for(conn.execute(text("SELECT 1")), 2)
            checks["database"] = "ok"
        except Exception as exc:
            checks["database"] = f"unavailable: {type(exc).__name__}"
        try:
            checks["broker"] = "ok" if await broker.ping(timeout=1.0) else "unavailable"
        except Exception as exc:
            checks["broker"] = f"unavailable: {type(exc).__name__}"
        ready = all(v == "ok" for v in checks.values())
        return JSONResponse({"ready": ready, "checks": checks}, status_code=200 if ready else 503)

    @app.get("/metrics", tags=["ops"])
    async def prometheus_metrics() -> Response:
        return Response(generate_latest(metrics.registry), media_type=CONTENT_TYPE_LATEST)

    @app.get("/asyncapi.json", tags=["ops"])
    async def asyncapi_json() -> dict[str, Any]:
        return asyncapi

    for router in [*spec.routers, ops_router]:
        app.include_router(router, prefix="/api/v1")
    return app
