"""Talking to a running diaodu from outside: base URLs, development tokens, HTTP calls, pipeline lag.

Used by the activity generator (tools.activity), the end-to-end tests (tests/e2e) and the
benchmark (bench/). Tokens are minted with the services' development signing key, so this works
against `make run` and test stacks only; a production service refuses that key.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

import httpx
from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient

from diaodu_platform.auth import Role
from diaodu_platform.settings import ServiceSettings
from diaodu_platform.tokens import dev_token as sign_dev_token

SERVICE_NAMES = ("registry", "progress", "escalation", "scoring")
# Which services' topics each service consumes (its entrypoints/main.py subscriptions).
CONSUMES: dict[str, tuple[str, ...]] = {
    "progress": ("registry",),
    "escalation": ("registry", "progress"),
    "scoring": ("registry", "progress", "escalation"),
}


@dataclass(frozen=True)
class Urls:
    """Base URLs of the services (`make run` defaults)."""

    registry: str = "http://127.0.0.1:8001"
    progress: str = "http://127.0.0.1:8002"
    escalation: str = "http://127.0.0.1:8003"
    scoring: str = "http://127.0.0.1:8004"
    console: str = "http://127.0.0.1:8000"

    def of(self, service: str) -> str:
        url: str = getattr(self, service)
        return url.rstrip("/")

    @classmethod
    def from_ports(cls, ports: dict[str, int]) -> Urls:
        return cls(**{name: f"http://127.0.0.1:{port}" for name, port in ports.items()})


def dev_token(role: Role | str, *, sub: str, unit: str | None = None, hours: int = 12) -> str:
    """A token signed with the local development key (.run/keys/); never in production."""
    settings = ServiceSettings()
    if settings.env == "production":
        raise RuntimeError("development tokens are not minted when DIAODU_ENV=production")
    return sign_dev_token(settings, sub=sub, role=role, unit=unit, ttl_hours=hours)


class ApiError(RuntimeError):
    def __init__(self, response: httpx.Response) -> None:
        self.response = response
        self.status = response.status_code
        try:
            self.body: Any = response.json()
        except ValueError:
            self.body = response.text
        request = response.request
        super().__init__(f"{request.method} {request.url} → {self.status}: {self.body}")


@dataclass
class Api:
    """One HTTP client per service; calls carry a token for a role (and a unit for reporters)."""

    urls: Urls
    sub: str
    timeout: float = 30.0
    max_connections: int = 100
    clients: dict[str, httpx.AsyncClient] = field(default_factory=dict)
    _tokens: dict[tuple[str, str | None], str] = field(default_factory=dict)

    async def __aenter__(self) -> Api:
        limits = httpx.Limits(
            max_connections=self.max_connections, max_keepalive_connections=self.max_connections
        )
        for name in SERVICE_NAMES:
            self.clients[name] = httpx.AsyncClient(
                base_url=self.urls.of(name), timeout=self.timeout, limits=limits
            )
        return self

    async def __aexit__(self, *exc: object) -> None:
        for client in self.clients.values():
            await client.aclose()

    def auth(self, role: Role | str, unit: str | None = None) -> dict[str, str]:
        key = (str(role), unit)
        if key not in self._tokens:
            self._tokens[key] = dev_token(role, sub=self.sub, unit=unit)
        return {"Authorization": f"Bearer {self._tokens[key]}"}

    async def call(
        self,
        service: str,
        method: str,
        path: str,
        *,
        role: Role | str = Role.admin,
        unit: str | None = None,
        expect: Iterable[int] = (200, 201),
        key: str | None = None,
        **kwargs: Any,
    ) -> httpx.Response:
        """`method path` on `service` as `role`; raises ApiError unless the status is expected."""
        headers = {**self.auth(role, unit), **kwargs.pop("headers", {})}
        if key is not None:
            headers["Idempotency-Key"] = key
        response = await self.clients[service].request(method, f"/api/v1{path}", headers=headers, **kwargs)
        if response.status_code not in set(expect):
            raise ApiError(response)
        return response

    async def json(self, service: str, method: str, path: str, **kwargs: Any) -> Any:
        return (await self.call(service, method, path, **kwargs)).json()

    async def all_pages(self, service: str, path: str, **params: Any) -> list[dict[str, Any]]:
        """Every item of a paginated list (`items`, `total`)."""
        items: list[dict[str, Any]] = []
        page = 1
        while True:
            body = await self.json(service, "GET", path, params={**params, "page": page, "page_size": 200})
            items += body["items"]
            if len(items) >= body["total"] or not body["items"]:
                return items
            page += 1

    async def set_clock(self, service: str, when: str) -> None:
        """Move a service's clock (local and test mode only); its scheduled jobs run at once."""
        await self.call(service, "PUT", "/ops/clock", json={"now": when})

    async def reset_clock(self, service: str) -> None:
        await self.call(service, "PUT", "/ops/clock", json={"reset": True})


async def eventually(
    check: Callable[[], Awaitable[Any]], *, timeout: float = 30.0, interval: float = 0.1, what: str = ""
) -> Any:
    """Await `check()` until it returns something truthy; TimeoutError naming `what` otherwise."""
    deadline = time.monotonic() + timeout
    last: Any = None
    while True:
        last = await check()
        if last:
            return last
        if time.monotonic() > deadline:
            raise TimeoutError(f"{what or 'condition'} not met within {timeout:.0f}s (last: {last!r})")
        await asyncio.sleep(interval)


class LagProbe:
    """Consumer-group lag of the services, measured at the broker as KEDA does (end − committed).

    `namespace` is the services' DIAODU_TOPIC_NAMESPACE; topics are `<ns>diaodu.<service>.v1` and
    groups `<ns>diaodu-<service>`.
    """

    def __init__(self, bootstrap: str, namespace: str = "") -> None:
        self.bootstrap = bootstrap
        self.namespace = namespace
        self._admin: AIOKafkaAdminClient | None = None
        self._reader: AIOKafkaConsumer | None = None

    def topic(self, service: str) -> str:
        return f"{self.namespace}diaodu.{service}.v1"

    async def __aenter__(self) -> LagProbe:
        self._admin = AIOKafkaAdminClient(bootstrap_servers=self.bootstrap, request_timeout_ms=30000)
        await self._admin.start()
        self._reader = AIOKafkaConsumer(
            bootstrap_servers=self.bootstrap, enable_auto_commit=False, metadata_max_age_ms=1000
        )
        await self._reader.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        if self._reader is not None:
            with contextlib.suppress(Exception):
                await self._reader.stop()
        if self._admin is not None:
            with contextlib.suppress(Exception):
                await self._admin.close()

    async def _partitions(self, topics: Iterable[str]) -> list[TopicPartition]:
        assert self._reader is not None
        await self._reader.topics()  # refresh metadata
        return [
            TopicPartition(t, p) for t in topics for p in sorted(self._reader.partitions_for_topic(t) or ())
        ]

    async def lag(self) -> dict[str, int]:
        """`consumer ← producer` → events the consumer's group has not committed yet."""
        assert self._admin is not None and self._reader is not None
        out: dict[str, int] = {}
        for consumer, producers in CONSUMES.items():
            parts = await self._partitions(self.topic(p) for p in producers)
            group = f"{self.namespace}diaodu-{consumer}"
            committed = await self._admin.list_consumer_group_offsets(group, partitions=parts)
            ends = await self._reader.end_offsets(parts)
            starts = await self._reader.beginning_offsets(parts)
            for producer in producers:
                total = 0
                for tp in (tp for tp in parts if tp.topic == self.topic(producer)):
                    done = committed.get(tp)
                    position = done.offset if done is not None and done.offset >= 0 else starts[tp]
                    total += max(ends[tp] - position, 0)
                out[f"{consumer} ← {producer}"] = total
        return out

    async def settled(self) -> bool:
        """True when every consumer group has committed every event published so far."""
        return not any((await self.lag()).values())
