"""Signing in and out of the console in a browser, and who is signed in."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Response

from console.entrypoints.cookies import clear_session_cookie, set_session_cookie
from console.entrypoints.deps import (
    ClientAddress,
    CurrentCaller,
    NewUow,
    SessionCaller,
    Settings,
    sign_in_refused,
)
from console.entrypoints.schemas import PasswordChangeIn, SignInIn
from console.service_layer import accounts, sessions, signin
from console.service_layer.commands import ChangeOwnPassword
from console.service_layer.read_models import AccountOut, MeOut, SessionOut
from diaodu_platform.errors import unprocessable
from diaodu_platform.http import Now

router = APIRouter(tags=["session"])
REFUSED: dict[int | str, dict[str, Any]] = {
    401: {"description": "用户名或密码错误 / wrong username or password (problem+json)"},
    423: {"description": "the account is locked, with `locked_until` (problem+json)"},
}


@router.post("/session", response_model=SessionOut, responses=REFUSED)
async def sign_in(
    body: SignInIn, response: Response, new_uow: NewUow, now: Now, settings: Settings, client: ClientAddress
) -> SessionOut:
    """Sign in: sets the HttpOnly session cookie and answers the account and the session's CSRF token."""
    async with new_uow() as uow:
        outcome = await signin.start_session(
            uow=uow,
            cmd=body.command(client),
            now=now,
            lockout=settings.lockout_policy(),
            sessions=settings.session_policy(),
        )
    if isinstance(outcome, signin.Refused):
        raise sign_in_refused(outcome)
    set_session_cookie(response, outcome.session_id, secure=settings.secure_cookies)
    return outcome.session


@router.get("/session", response_model=SessionOut)
async def get_session(caller: SessionCaller) -> SessionOut:
    """The browser's session: its account, CSRF token and when it ends unless used."""
    assert caller.session is not None
    return caller.session


@router.delete("/session", status_code=204, response_class=Response)
async def sign_out(caller: SessionCaller, new_uow: NewUow, now: Now, settings: Settings) -> Response:
    """Sign out: the session ends at once and the cookie is cleared (needs X-CSRF-Token)."""
    assert caller.session_id is not None
    async with new_uow() as uow:
        await sessions.end_session(uow=uow, session_id=caller.session_id, actor=caller.actor(), now=now)
    response = Response(status_code=204)
    clear_session_cookie(response, secure=settings.secure_cookies)
    return response


@router.get("/me", response_model=MeOut)
async def me(caller: CurrentCaller) -> MeOut:
    """Who is signed in: by the session cookie or the bearer token."""
    p = caller.principal
    return MeOut(
        sub=p.sub,
        role=str(p.role),
        unit=p.unit,
        leader_id=p.leader_id,
        display_name=caller.display_name,
        scopes=list(p.scopes),
        via=caller.via,
    )


@router.post("/me/password", response_model=AccountOut, responses=REFUSED)
async def change_password(
    body: PasswordChangeIn, caller: CurrentCaller, new_uow: NewUow, now: Now, settings: Settings
) -> AccountOut:
    """Change one's own password, giving the current one; one's other sessions end."""
    cmd = ChangeOwnPassword(caller.principal.sub, body.old_password, body.new_password, caller.session_id)
    async with new_uow() as uow:
        outcome = await accounts.change_own_password(
            uow=uow, cmd=cmd, actor=caller.actor(), now=now, lockout=settings.lockout_policy()
        )
    if isinstance(outcome, signin.Refused):
        if outcome.locked_until is not None:
            raise sign_in_refused(outcome)
        raise unprocessable("old_password", "当前密码不正确 / the current password is wrong")
    return outcome
