"""The pass-through's rules and its HTTP edge without the services: what a client token may do, which
headers go on, and how a slow or absent service is answered."""

from __future__ import annotations

import httpx
import pytest

from console.adapters.services import Forward, ServiceGateway, ServiceUnreachable
from console.domain.passthrough import client_allowance, client_may, is_write
from console.entrypoints.api.services import unreachable
from console.settings import ConsoleSettings


@pytest.mark.parametrize(
    ("method", "service", "path", "allowed"),
    [
        ("POST", "progress", "api/v1/reports", True),
        ("POST", "progress", "api/v1/unit-returns/", True),
        ("GET", "registry", "api/v1/projects", True),
        ("GET", "scoring", "api/v1/rankings/2026-03", True),
        ("PATCH", "progress", "api/v1/reports", False),
        ("POST", "progress", "api/v1/reports/abc/revisions", False),
        ("POST", "registry", "api/v1/units", False),
        ("DELETE", "escalation", "api/v1/problems/1", False),
    ],
)
def test_a_client_reads_and_posts_only_what_it_is_issued_for(
    method: str, service: str, path: str, allowed: bool
) -> None:
    assert client_may(method, service, path) is allowed


def test_writes_are_the_state_changing_methods_and_a_refusal_says_what_is_allowed() -> None:
    assert [m for m in ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE") if is_write(m)] == [
        "POST",
        "PUT",
        "PATCH",
        "DELETE",
    ]
    assert "POST /api/v1/services/progress/api/v1/reports" in client_allowance()


def _gateway(handler: httpx.MockTransport) -> ServiceGateway:
    gateway = ServiceGateway(ConsoleSettings(env="test"))
    gateway.client = httpx.AsyncClient(transport=handler)
    return gateway


def _forward(**headers: str) -> Forward:
    return Forward("progress", "POST", "api/v1/reports", b"a=1", b"{}", headers, token="tok")


async def test_the_gateway_passes_on_the_callers_headers_with_the_consoles_token() -> None:
    seen: list[httpx.Request] = []

    def answer(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(
            201, content=b"{}", headers={"content-type": "application/json", "x-other": "1"}
        )

    gateway = _gateway(httpx.MockTransport(answer))
    got = await gateway.forward(
        _forward(
            **{
                "Content-Type": "application/json",
                "Idempotency-Key": "k1",
                "X-Request-Id": "r1",
                "Cookie": "c",
            }
        )
    )
    (request,) = seen
    assert str(request.url) == "http://127.0.0.1:8002/api/v1/reports?a=1"
    assert request.headers["authorization"] == "Bearer tok" and "cookie" not in request.headers
    assert (request.headers["idempotency-key"], request.headers["x-request-id"]) == ("k1", "r1")
    assert (got.status, got.media_type, got.headers) == (201, "application/json", {})
    await gateway.close()


@pytest.mark.parametrize(
    ("error", "status"), [(httpx.ReadTimeout("slow"), 504), (httpx.ConnectError("refused"), 502)]
)
async def test_a_slow_or_absent_service_is_named(error: Exception, status: int) -> None:
    def fail(request: httpx.Request) -> httpx.Response:
        raise error

    gateway = _gateway(httpx.MockTransport(fail))
    with pytest.raises(ServiceUnreachable) as caught:
        await gateway.forward(_forward())
    problem = unreachable(caught.value)
    assert (problem.status, problem.ext["service"]) == (status, "progress")
    await gateway.close()
