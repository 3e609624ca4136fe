"""The pass-through to the four services: `/api/v1/services/{service}/{path}` (SPEC §2, §6).

The console authenticates the caller as on every route (session cookie, with the CSRF token on writes,
or a bearer token) and passes the request on with a bearer token: the caller's own, or one it signs for
the signed-in account. The service's status, body and content type come back as they are (files too).
A department system's client token may only read and post what it is issued for; every write is
audited with its answer's status.
"""

from __future__ import annotations

from fastapi import APIRouter, Request, Response

from console.adapters.services import Forward, ServiceAnswer, ServiceGateway, ServiceUnreachable
from console.domain.passthrough import SERVICES, client_allowance, client_may, is_write
from console.entrypoints.deps import Caller, CurrentCaller, NewUow, Signer
from console.service_layer.commands import PassedWrite
from console.service_layer.passthrough import audit_write
from diaodu_platform.errors import Problem, forbidden
from diaodu_platform.http import Now

router = APIRouter(tags=["services"])
METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")


def unknown_service(service: str) -> Problem:
    return Problem(
        404,
        "Not found",
        f"没有名为 {service} 的服务 / no service {service!r}; allowed: {', '.join(SERVICES)}",
        type_="/problems/not-found",
        allowed=list(SERVICES),
    )


def unreachable(exc: ServiceUnreachable) -> Problem:
    if exc.timed_out:
        return Problem(
            504,
            "Service timed out",
            f"服务 {exc.service} 未及时应答 / {exc.service} did not answer in time ({exc.reason})",
            type_="/problems/service-timeout",
            service=exc.service,
        )
    return Problem(
        502,
        "Service unreachable",
        f"无法连接服务 {exc.service} / {exc.service} could not be reached ({exc.reason})",
        type_="/problems/service-unreachable",
        service=exc.service,
    )


def client_refused(service: str, path: str, method: str) -> Problem:
    return forbidden(
        f"接入系统无权执行 {method} /api/v1/services/{service}/{path} / a client's token may not do this; "
        f"it may do: {client_allowance()}"
    )


def bearer_for(caller: Caller, request: Request, signer: Signer) -> str:
    """The caller's own bearer token, or one the console signs for the signed-in account."""
    if caller.via == "bearer":
        return request.headers["authorization"].split(" ", 1)[1].strip()
    p = caller.principal
    return signer.sign(sub=p.sub, role=str(p.role), unit=p.unit, leader_id=p.leader_id)


async def _forward(gateway: ServiceGateway, req: Forward) -> ServiceAnswer | Problem:
    if req.service not in SERVICES or req.service not in gateway.urls:
        raise unknown_service(req.service)
    try:
        return await gateway.forward(req)
    except ServiceUnreachable as exc:
        return unreachable(exc)


async def pass_through(
    service: str,
    path: str,
    request: Request,
    caller: CurrentCaller,
    signer: Signer,
    new_uow: NewUow,
    now: Now,
) -> Response:
    """Pass the request on to the service and answer as it did; writes are audited with the status."""
    method = request.method
    if service not in SERVICES:
        raise unknown_service(service)
    outcome: ServiceAnswer | Problem
    if caller.principal.scopes and not client_may(method, service, path):
        outcome = client_refused(service, path, method)
    else:
        req = Forward(
            service=service,
            method=method,
            path=path,
            query=request.url.query.encode(),
            body=await request.body(),
            headers=request.headers,
            token=bearer_for(caller, request, signer),
        )
        outcome = await _forward(request.app.state.services, req)
    if is_write(method):
        cmd = PassedWrite(method, service, path, outcome.status, request.url.query)
        async with new_uow() as uow:
            await audit_write(uow=uow, cmd=cmd, actor=caller.actor(), now=now)
    if isinstance(outcome, Problem):
        raise outcome
    return Response(outcome.content, outcome.status, headers=outcome.headers, media_type=outcome.media_type)


for _method in METHODS:
    router.add_api_route(
        "/services/{service}/{path:path}",
        pass_through,
        methods=[_method],
        name=f"pass_through_{_method.lower()}",
        operation_id=f"pass_through_{_method.lower()}",
        response_class=Response,
        summary=f"{_method} through the console to a service ({', '.join(SERVICES)})",
        responses={
            403: {"description": "CSRF token missing, or a client token doing what it is not issued for"},
            404: {"description": "no such service (problem+json naming the allowed ones)"},
            502: {"description": "the service could not be reached"},
            504: {"description": "the service did not answer in time"},
        },
    )
