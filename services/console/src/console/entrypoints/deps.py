"""What the console's routes share: who is calling (session cookie or bearer token), its unit of work,
settings, token signer, the client's address, and the answers to a refused sign-in.

A request with `Authorization: Bearer` is judged by its token alone (a browser never adds that header
by itself, so it needs no CSRF token); otherwise the session cookie decides, and a state-changing
request must repeat the session's CSRF token in `X-CSRF-Token` (double submit).
"""

from __future__ import annotations

import hmac
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Annotated, Literal

from fastapi import Depends, Request
from fastapi.exceptions import RequestValidationError
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from pydantic import ValidationError

from console.adapters.signing import TokenSigner
from console.entrypoints.cookies import COOKIE, CSRF_HEADER
from console.entrypoints.schemas import TokenRequestIn
from console.service_layer import sessions
from console.service_layer.commands import Actor
from console.service_layer.queries.accounts import standing
from console.service_layer.read_models import SessionOut
from console.service_layer.signin import Refused
from console.service_layer.unit_of_work import ConsoleUnitOfWork
from console.settings import ConsoleSettings
from diaodu_platform.auth import Principal, Role, principal_of, verifier
from diaodu_platform.errors import Problem, forbidden
from diaodu_platform.http import Now, new_unit_of_work
from diaodu_platform.tokens import unauthorized
from diaodu_platform.types import SHANGHAI

NewUow = Annotated[Callable[[], ConsoleUnitOfWork], Depends(new_unit_of_work)]
UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})


def _settings(request: Request) -> ConsoleSettings:
    settings: ConsoleSettings = request.app.state.settings
    return settings


def _signer(request: Request) -> TokenSigner:
    signer: TokenSigner = request.app.state.signer
    return signer


Settings = Annotated[ConsoleSettings, Depends(_settings)]
Signer = Annotated[TokenSigner, Depends(_signer)]


def client_address(request: Request, settings: Settings) -> str | None:
    """The caller's address: the socket's, or behind `trusted_proxy_hops` proxies the address the
    outermost trusted proxy saw (X-Forwarded-For, counted from the right; the rest is the client's say)."""
    hops = settings.trusted_proxy_hops
    if hops > 0:
        forwarded = [a.strip() for a in request.headers.get("x-forwarded-for", "").split(",") if a.strip()]
        if len(forwarded) >= hops:
            return forwarded[-hops][:100]
    return request.client.host if request.client else None


ClientAddress = Annotated[str | None, Depends(client_address)]


@dataclass(frozen=True)
class Caller:
    """Who is calling and how: a browser session (with its id and CSRF token) or a bearer token."""

    principal: Principal
    via: Literal["session", "bearer"]
    client: str | None = None
    display_name: str | None = None
    session: SessionOut | None = None
    session_id: str | None = None

    def actor(self) -> Actor:
        p = self.principal
        return Actor(p.sub, str(p.role), p.unit, self.client)


def csrf_refused() -> Problem:
    return Problem(
        403,
        "CSRF token missing or wrong",
        f"请求缺少或带错了 {CSRF_HEADER} 请求头 / send the header {CSRF_HEADER} with the csrf_token of your "
        "session (answered by POST and GET /api/v1/session) on every POST, PUT, PATCH and DELETE",
        type_="/problems/csrf",
        header=CSRF_HEADER,
    )


async def _session_caller(request: Request, session_id: str, now: datetime, client: str | None) -> Caller:
    policy = _settings(request).session_policy()
    async with request.app.state.new_uow() as uow:
        found = await sessions.resolve_session(uow=uow, session_id=session_id, now=now, policy=policy)
    if found is None:
        raise unauthorized(
            "会话已结束，请重新登录 / your session has ended (signed out, expired or deactivated)"
        )
    if request.method in UNSAFE_METHODS:
        sent = request.headers.get(CSRF_HEADER, "").encode()
        if not hmac.compare_digest(sent, found.csrf_token.encode()):
            raise csrf_refused()
    a = found.account
    principal = Principal(sub=a.username, role=Role(a.role), unit=a.unit_code, leader_id=a.leader_id)
    return Caller(principal, "session", client, a.display_name, found, session_id)


_bearer = HTTPBearer(auto_error=False)


async def _bearer_caller(request: Request, token: str, client: str | None) -> Caller:
    principal = principal_of(await verifier(request).verify(token))
    async with request.app.state.engine.connect() as conn:  # released before the route takes its own
        known = await standing(conn=conn, sub=principal.sub)
    if known.refused:
        raise unauthorized("账户已停用 / this account or client is deactivated; its tokens are refused")
    return Caller(principal, "bearer", client, known.display_name)


async def current_caller(
    request: Request,
    now: Now,
    client: ClientAddress,
    creds: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Caller:
    if creds is not None and creds.scheme.lower() == "bearer":
        return await _bearer_caller(request, creds.credentials, client)
    session_id = request.cookies.get(COOKIE)
    if session_id:
        return await _session_caller(request, session_id, now, client)
    raise unauthorized(
        "请先登录 / sign in first: the console's session cookie, or `Authorization: Bearer <token>`"
    )


CurrentCaller = Annotated[Caller, Depends(current_caller)]


async def admin_caller(caller: CurrentCaller) -> Caller:
    if caller.principal.role is not Role.admin:
        raise forbidden(
            f"Role {caller.principal.role} may not manage accounts or read the audit log; allowed: admin"
        )
    return caller


AdminCaller = Annotated[Caller, Depends(admin_caller)]


async def session_caller(caller: CurrentCaller) -> Caller:
    if caller.session is None:
        raise unauthorized(
            "没有浏览器会话 / no browser session: sign in with POST /api/v1/session (bearer callers use /me)"
        )
    return caller


SessionCaller = Annotated[Caller, Depends(session_caller)]


def sign_in_refused(refused: Refused, **ext: str) -> Problem:
    """401 that never says whether the name or the password was wrong; 423 with when it unlocks."""
    if refused.locked_until is None:
        return Problem(
            401,
            "Unauthorized",
            "用户名或密码错误 / wrong username or password",
            type_="/problems/sign-in-failed",
            **ext,
        )
    until = refused.locked_until.astimezone(SHANGHAI)
    return Problem(
        423,
        "Account locked",
        f"账户因多次登录失败已锁定，请于 {until:%Y-%m-%d %H:%M} 后再试，或请管理员重置密码 / "
        f"the account is locked after repeated failed sign-ins until {until.isoformat()}; "
        "try again then, or ask the admin to reset the password",
        type_="/problems/account-locked",
        locked_until=until.isoformat(),
        **ext,
    )


async def token_request(request: Request) -> TokenRequestIn:
    """The token request as a form (OAuth 2's usual encoding) or as JSON."""
    content_type = request.headers.get("content-type", "")
    try:
        if content_type.startswith(("application/x-www-form-urlencoded", "multipart/form-data")):
            data = dict((await request.form()).items())
        else:
            data = await request.json()
    except ValueError as exc:
        raise RequestValidationError([{"loc": ("body",), "msg": f"not a form or JSON body: {exc}"}]) from exc
    try:
        return TokenRequestIn.model_validate(data)
    except ValidationError as exc:
        raise RequestValidationError(exc.errors()) from exc


TokenRequest = Annotated[TokenRequestIn, Depends(token_request)]
