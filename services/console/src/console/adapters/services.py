"""The HTTP edge to the four services for the console's pass-through: one long-lived httpx client.

The console forwards method, query, body and a few headers to a service's base URL with a bearer token
and hands back the service's status, body and content type. An unreachable service or one too slow to
answer becomes `ServiceUnreachable` (the route answers 502 or 504 naming the service).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import httpx

from console.settings import ConsoleSettings

# Headers passed on to the service (besides Authorization, which the console sets).
FORWARDED_REQUEST = ("content-type", "idempotency-key", "x-request-id", "accept")
# Headers of the service's answer passed back to the caller (besides Content-Type).
FORWARDED_ANSWER = ("content-disposition", "location", "retry-after", "idempotency-replayed")


class ServiceUnreachable(Exception):
    """No answer from a service: `timed_out` when it was too slow, else it could not be reached."""

    def __init__(self, service: str, *, timed_out: bool, reason: str) -> None:
        super().__init__(f"{service}: {reason}")
        self.service = service
        self.timed_out = timed_out
        self.reason = reason


@dataclass(frozen=True)
class Forward:
    """One request to pass on: to `service`, `path` below its root, with the caller's query and body."""

    service: str
    method: str
    path: str
    query: bytes
    body: bytes
    headers: Mapping[str, str]
    token: str


@dataclass(frozen=True)
class ServiceAnswer:
    status: int
    content: bytes
    media_type: str | None
    headers: dict[str, str]


class ServiceGateway:
    """The services' base URLs and the HTTP client that reaches them (closed with the app)."""

    def __init__(self, settings: ConsoleSettings) -> None:
        self.urls = {name: url.rstrip("/") for name, url in settings.console_service_urls.items()}
        timeout = httpx.Timeout(
            settings.console_service_timeout_s, connect=settings.console_service_connect_timeout_s
        )
        self.client = httpx.AsyncClient(timeout=timeout, follow_redirects=False)

    async def forward(self, req: Forward) -> ServiceAnswer:
        headers = {k: v for k, v in req.headers.items() if k.lower() in FORWARDED_REQUEST}
        headers["Authorization"] = f"Bearer {req.token}"
        url = httpx.URL(f"{self.urls[req.service]}/{req.path.lstrip('/')}", query=req.query)
        try:
            r = await self.client.request(req.method, url, content=req.body, headers=headers)
        except httpx.TimeoutException as exc:
            raise ServiceUnreachable(req.service, timed_out=True, reason=type(exc).__name__) from exc
        except httpx.TransportError as exc:
            raise ServiceUnreachable(req.service, timed_out=False, reason=type(exc).__name__) from exc
        kept = {k: r.headers[k] for k in FORWARDED_ANSWER if k in r.headers}
        return ServiceAnswer(r.status_code, r.content, r.headers.get("content-type"), kept)

    async def close(self) -> None:
        await self.client.aclose()
