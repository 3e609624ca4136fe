"""The app factory every service uses: logging, metrics, errors, health, events, auth wiring."""

from __future__ import annotations

import asyncio
import contextlib
import functools
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
from sqlalchemy.ext.asyncio import AsyncEngine
from structlog.contextvars import bind_contextvars, clear_contextvars

from diaodu_platform.asyncapi import asyncapi_document
from diaodu_platform.clock import Clock
from diaodu_platform.consumer import EventConsumer
from diaodu_platform.db import PlatformTables, make_engine
from diaodu_platform.errors import install_error_handlers
from diaodu_platform.event_types import Handler, Subscription
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
from diaodu_platform.uow import SqlUnitOfWork, UnitOfWork

log = get_logger(__name__)
# Each readiness check (database, broker) gets this long; they run at the same time.
READINESS_BUDGET_S = 2.0


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
    # Builds the service's unit of work (its service_layer/unit_of_work.py) from the engine and outbox.
    unit_of_work: Callable[[AsyncEngine, Outbox], UnitOfWork] = SqlUnitOfWork


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


def _consumer(app: FastAPI, spec: ServiceSpec, settings: ServiceSettings, engine: AsyncEngine) -> None:
    """Subscribe the service's projections to the topics of the services it consumes."""
    handlers: dict[str, Handler] = {}
    for sub in spec.subscriptions:
        handlers.update(sub.by_ce_type())
    app.state.consumer = EventConsumer(
        name=spec.name,
        engine=engine,
        tables=spec.tables,
        outbox=app.state.outbox,
        dead_letter_topic=settings.dead_letter_topic(spec.name),
        handlers=handlers,
        metrics=app.state.metrics,
        max_attempts=settings.consumer_max_attempts,
        retry_backoff_s=settings.consumer_retry_backoff_s,
    )
    subscribe(app.state.broker, settings, consumed_topics(spec, settings), app.state.consumer)


def consumed_topics(spec: ServiceSpec, settings: ServiceSettings) -> list[str]:
    return [settings.topic(s.service) for s in spec.subscriptions]


def _relay(spec: ServiceSpec, settings: ServiceSettings, metrics: Metrics) -> OutboxRelay:
    return OutboxRelay(
        dsn=settings.asyncpg_dsn,
        producer_factory=lambda: make_producer(settings),
        publish_timeout_s=settings.kafka_request_timeout_ms / 1000 + 10,
        metrics=metrics,
        service=spec.name,
        batch_size=settings.outbox_batch_size,
        poll_interval_s=settings.outbox_poll_interval_s,
        repair=lambda topics: ensure_topics(settings, topics),
    )


def _background(app: FastAPI, spec: ServiceSpec, settings: ServiceSettings) -> list[asyncio.Task[None]]:
    consumed = consumed_topics(spec, settings)
    topics = [settings.topic(spec.name), settings.dead_letter_topic(spec.name), *consumed]
    tasks = [asyncio.create_task(connect_forever(app.state.broker, settings, topics))]
    tasks += [asyncio.create_task(job(app)) for job in spec.background]
    if consumed:
        lag = report_consumer_lag(settings, app.state.metrics, consumed)
        tasks.append(asyncio.create_task(lag))
    return tasks


def _lifespan(spec: ServiceSpec, settings: ServiceSettings) -> Callable[[FastAPI], Any]:
    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        engine = make_engine(settings)
        app.state.engine = engine
        app.state.new_uow = functools.partial(spec.unit_of_work, engine, app.state.outbox)
        if spec.subscriptions:
            _consumer(app, spec, settings, engine)
        relay = app.state.relay = _relay(spec, settings, app.state.metrics)
        tasks = _background(app, spec, settings)
        relay.start()
        scheduler = app.state.scheduler = Scheduler(
            service=spec.name,
            engine=engine,
            clock=app.state.clock,
            jobs=list(spec.jobs),
            app=app,
            metrics=app.state.metrics,
        )
        scheduler.start()
        log.info("service started", topic=settings.topic(spec.name), consumes=consumed_topics(spec, settings))
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
                await app.state.broker.stop()
            await engine.dispose()

    return lifespan


def create_service_app(spec: ServiceSpec, settings: ServiceSettings) -> FastAPI:
    """The FastAPI app of one service: its routes, events, projections and jobs, with the ops endpoints."""
    configure_logging(service=spec.name, level=settings.log_level, json=settings.log_json)
    metrics = Metrics(spec.name)
    app = FastAPI(
        title=spec.title,
        description=spec.description,
        version=spec.version,
        lifespan=_lifespan(spec, settings),
        openapi_url="/openapi.json",
    )
    app.state.settings = settings
    app.state.spec = spec
    app.state.metrics = metrics
    app.state.broker = make_broker(settings, metrics)
    app.state.outbox = Outbox(tables=spec.tables, topic=settings.topic(spec.name))
    app.state.tables = spec.tables
    app.state.clock = Clock(movable=settings.env != "production")
    install_error_handlers(app)
    Instrumentator(
        registry=metrics.registry,
        excluded_handlers=["/metrics", "/healthz", "/readyz"],
        should_group_status_codes=False,
    ).instrument(app)
    app.add_middleware(ContextMiddleware)
    _ops_routes(app, spec, settings)
    for router in [*spec.routers, ops_router]:
        app.include_router(router, prefix="/api/v1")
    return app


async def _database_check(app: FastAPI) -> str:
    try:
        async with app.state.engine.connect() as conn:
            await asyncio.wait_for(conn.execute(text("SELECT 1")), READINESS_BUDGET_S)
        return "ok"
    except Exception as exc:
        return f"unavailable: {type(exc).__name__}"


async def _broker_check(app: FastAPI) -> str:
    try:
        return "ok" if await app.state.broker.ping(timeout=READINESS_BUDGET_S) else "unavailable"
    except Exception as exc:
        return f"unavailable: {type(exc).__name__}"


async def _readiness(app: FastAPI) -> dict[str, str]:
    """Both checks at once, each within the budget, so the answer fits the probes' 3–4 s timeout even
    on a busy node. Right after start-up the broker connection is still being made in the background
    (connect_forever): until it is, the broker check answers `unavailable` and the replica is not ready."""
    database, broker = await asyncio.gather(_database_check(app), _broker_check(app))
    return {"database": database, "broker": broker}


def _ops_routes(app: FastAPI, spec: ServiceSpec, settings: ServiceSettings) -> None:
    asyncapi = asyncapi_document(
        spec.catalog,
        topic=settings.topic(spec.name),
        title=f"{spec.title} events",
        version=spec.version,
        description=spec.description,
        consumes={s.service: settings.topic(s.service) for s in spec.subscriptions},
    )

    @app.get("/healthz", tags=["ops"])
    async def healthz() -> dict[str, str]:
        return {"status": "ok", "service": spec.name}

    @app.get("/readyz", tags=["ops"])
    async def readyz(request: Request) -> JSONResponse:
        checks = await _readiness(request.app)
        ready = all(v == "ok" for v in checks.values())
        return JSONResponse({"ready": ready, "checks": checks}, status_code=200 if ready else 503)

    @app.get("/metrics", tags=["ops"])
    async def prometheus_metrics() -> Response:
        return Response(generate_latest(app.state.metrics.registry), media_type=CONTENT_TYPE_LATEST)

    @app.get("/asyncapi.json", tags=["ops"])
    async def asyncapi_json() -> dict[str, Any]:
        return asyncapi
