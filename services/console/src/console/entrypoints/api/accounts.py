"""Accounts (账户): the admin creates, lists, changes, resets, deactivates and activates them."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Request
from fastapi.responses import JSONResponse

from console.entrypoints.deps import AdminCaller, NewUow
from console.entrypoints.schemas import AccountIn, AccountPatch, PasswordResetIn
from console.service_layer import accounts
from console.service_layer.commands import ResetPassword, SetActive
from console.service_layer.queries import accounts as queries
from console.service_layer.read_models import AccountOut
from diaodu_platform.auth import Role
from diaodu_platform.db import Conn
from diaodu_platform.http import CREATED, Now, create_once
from diaodu_platform.idempotency import IdempotencyKey
from diaodu_platform.paging import Page, PageNo, PageSize

router = APIRouter(tags=["accounts"])
UsernamePath = Annotated[str, Path(max_length=64, description="the account's username")]


@router.post("/accounts", status_code=201, response_model=AccountOut, responses=CREATED)
async def create_account(
    request: Request, body: AccountIn, caller: AdminCaller, now: Now, key: IdempotencyKey = None
) -> JSONResponse:
    """A new account; a reporter's names its unit. The password follows the rule (≥10 characters,
    not only digits, not the username)."""
    return await create_once(
        request,
        principal=caller.principal,
        key=key,
        body=body.model_dump(mode="json", exclude={"password"}),  # no password in the key record
        action=lambda uow: accounts.create_account(
            uow=uow, cmd=body.command(), actor=caller.actor(), now=now
        ),
    )


@router.get("/accounts", response_model=Page[AccountOut])
async def list_accounts(
    conn: Conn,
    _: AdminCaller,
    role: Role | None = None,
    unit_code: str | None = None,
    active: bool | None = None,
    q: str | None = None,
    page: PageNo = 1,
    page_size: PageSize = 50,
) -> Page[AccountOut]:
    return await queries.list_accounts(
        conn=conn, role=role, unit_code=unit_code, active=active, q=q, page=page, page_size=page_size
    )


@router.get("/accounts/{username}", response_model=AccountOut)
async def get_account(username: UsernamePath, conn: Conn, _: AdminCaller) -> AccountOut:
    return await queries.get_account(conn=conn, username=username)


@router.patch("/accounts/{username}", response_model=AccountOut)
async def change_account(
    username: UsernamePath, body: AccountPatch, caller: AdminCaller, new_uow: NewUow, now: Now
) -> AccountOut:
    """Change the display name, role, unit or leader id (only the fields sent)."""
    async with new_uow() as uow:
        return await accounts.change_account(
            uow=uow, cmd=body.command(username), actor=caller.actor(), now=now
        )


@router.post("/accounts/{username}/reset-password", response_model=AccountOut)
async def reset_password(
    username: UsernamePath, body: PasswordResetIn, caller: AdminCaller, new_uow: NewUow, now: Now
) -> AccountOut:
    """Set a new password for a person who lost theirs: unlocks the account and ends its sessions."""
    cmd = ResetPassword(username, body.new_password)
    async with new_uow() as uow:
        return await accounts.reset_password(uow=uow, cmd=cmd, actor=caller.actor(), now=now)


@router.post("/accounts/{username}/deactivate", response_model=AccountOut)
async def deactivate(username: UsernamePath, caller: AdminCaller, new_uow: NewUow, now: Now) -> AccountOut:
    """Deactivate at once: the account's sessions end and the console refuses its tokens; the other
    services stop accepting them when they expire (access_token_minutes)."""
    async with new_uow() as uow:
        return await accounts.set_active(
            uow=uow, cmd=SetActive(username, False), actor=caller.actor(), now=now
        )


@router.post("/accounts/{username}/activate", response_model=AccountOut)
async def activate(username: UsernamePath, caller: AdminCaller, new_uow: NewUow, now: Now) -> AccountOut:
    """Activate again (and unlock)."""
    async with new_uow() as uow:
        return await accounts.set_active(
            uow=uow, cmd=SetActive(username, True), actor=caller.actor(), now=now
        )
