"""Commands on accounts: the admin creates, changes, resets, deactivates and activates them; a person
changes their own password. Each change is one line of the audit log (never a password or hash)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from console.adapters.passwords import hash_secret, verify_secret
from console.adapters.tables import Account
from console.domain.accounts import changes, removes_last_admin, shape_errors
from console.domain.audit import Action
from console.domain.lockout import Attempts, LockoutPolicy
from console.domain.passwords import check_password
from console.service_layer.audit import record
from console.service_layer.commands import (
    Actor,
    ChangeAccount,
    ChangeOwnPassword,
    CreateAccount,
    ResetPassword,
    SetActive,
)
from console.service_layer.read_models import AccountOut, account_out
from console.service_layer.sessions import digest
from console.service_layer.signin import Refused, count_failure, keep_attempts
from console.service_layer.unit_of_work import ConsoleUnitOfWork
from diaodu_platform.errors import Problem, conflict, forbidden, not_found, unprocessable

EDITABLE = ("display_name", "role", "unit_code", "leader_id")


def _refuse_shape(role: str, unit_code: str | None, leader_id: str | None) -> None:
    errors = shape_errors(role=role, unit_code=unit_code, leader_id=leader_id)
    if errors:
        problem = unprocessable(errors[0][0], errors[0][1])
        problem.ext["errors"] = [{"field": f, "message": m} for f, m in errors]
        raise problem


def _refuse_password(password: str, *, username: str, field: str) -> None:
    refusal = check_password(password, username=username, field=field)
    if refusal is not None:
        raise unprocessable(refusal.field, refusal.message, rule=refusal.rule)


async def _account(uow: ConsoleUnitOfWork, username: str) -> Account:
    account = await uow.accounts.get(username, for_update=True)
    if account is None:
        raise not_found("account", username)
    return account


async def _refuse_last_admin(uow: ConsoleUnitOfWork, account: Account, *, role: str, active: bool) -> None:
    count = await uow.accounts.active_admins()
    if removes_last_admin(
        role=account.role, active=account.active, new_role=role, new_active=active, active_admins=count
    ):
        raise conflict(
            f"{account.username} is the last active admin: add another admin first "
            "(最后一个管理员账户不能停用或改为其他角色)"
        )


async def create_account(
    *, uow: ConsoleUnitOfWork, cmd: CreateAccount, actor: Actor, now: datetime
) -> AccountOut:
    """A new account with its first password (SPEC §6: people sign in with accounts the console keeps)."""
    _refuse_shape(cmd.role, cmd.unit_code, cmd.leader_id)
    _refuse_password(cmd.password, username=cmd.username, field="password")
    if await uow.accounts.get(cmd.username) is not None:
        raise conflict(f"account {cmd.username!r} already exists (用户名已存在)")
    account = Account(
        username=cmd.username,
        display_name=cmd.display_name,
        role=cmd.role,
        unit_code=cmd.unit_code,
        leader_id=cmd.leader_id,
        password_hash=await hash_secret(cmd.password),
        password_changed_at=now,
        created_at=now,
        updated_at=now,
    )
    uow.accounts.add(account)
    fields = {name: getattr(account, name) for name in EDITABLE}
    record(
        uow, actor=actor, action=Action.ACCOUNT_CREATED, now=now, status=201, target=cmd.username, **fields
    )
    return account_out(account)


async def change_account(
    *, uow: ConsoleUnitOfWork, cmd: ChangeAccount, actor: Actor, now: datetime
) -> AccountOut:
    """Change the fields given; the role takes effect on the account's sessions at once, on its
    tokens when they are renewed (at most the token lifetime later)."""
    account = await _account(uow, cmd.username)
    before: dict[str, Any] = {name: getattr(account, name) for name in EDITABLE}
    after = {**before, **{k: v for k, v in cmd.changes.items() if k in EDITABLE}}
    _refuse_shape(after["role"], after["unit_code"], after["leader_id"])
    await _refuse_last_admin(uow, account, role=after["role"], active=account.active)
    changed = changes(before, after)
    if not changed:
        return account_out(account)
    for name, (_, value) in changed.items():
        setattr(account, name, value)
    account.updated_at = now
    record(
        uow,
        actor=actor,
        action=Action.ACCOUNT_CHANGED,
        now=now,
        status=200,
        target=cmd.username,
        changes=changed,
    )
    return account_out(account)


async def reset_password(
    *, uow: ConsoleUnitOfWork, cmd: ResetPassword, actor: Actor, now: datetime
) -> AccountOut:
    """An admin sets a new password: the account is unlocked and its sessions end."""
    account = await _account(uow, cmd.username)
    _refuse_password(cmd.new_password, username=cmd.username, field="new_password")
    account.password_hash = await hash_secret(cmd.new_password)
    was_locked = account.locked_until is not None and now < account.locked_until
    keep_attempts(account, Attempts())
    account.password_changed_at = account.updated_at = now
    ended = await uow.sessions.remove_all_of(cmd.username)
    record(
        uow,
        actor=actor,
        action=Action.PASSWORD_RESET,
        now=now,
        status=200,
        target=cmd.username,
        unlocked=was_locked,
        sessions_ended=ended,
    )
    return account_out(account)


async def set_active(*, uow: ConsoleUnitOfWork, cmd: SetActive, actor: Actor, now: datetime) -> AccountOut:
    """Deactivate (sessions end at once; its tokens are refused by the console) or activate again."""
    account = await _account(uow, cmd.username)
    if account.active == cmd.active:
        return account_out(account)
    if not cmd.active and cmd.username == actor.name:
        raise forbidden("an admin cannot deactivate their own account (不能停用自己的账户)")
    await _refuse_last_admin(uow, account, role=account.role, active=cmd.active)
    account.active = cmd.active
    account.updated_at = now
    if cmd.active:
        keep_attempts(account, Attempts())
        record(uow, actor=actor, action=Action.ACCOUNT_ACTIVATED, now=now, status=200, target=cmd.username)
    else:
        ended = await uow.sessions.remove_all_of(cmd.username)
        record(
            uow,
            actor=actor,
            action=Action.ACCOUNT_DEACTIVATED,
            now=now,
            status=200,
            target=cmd.username,
            sessions_ended=ended,
        )
    return account_out(account)


async def change_own_password(
    *, uow: ConsoleUnitOfWork, cmd: ChangeOwnPassword, actor: Actor, now: datetime, lockout: LockoutPolicy
) -> AccountOut | Refused:
    """Change one's own password, giving the current one; a wrong one counts as a failed sign-in
    (and a lock ends every session). The other sessions of the account end."""
    account = await _account(uow, cmd.username)
    if not account.active:
        raise Problem(
            401, "Unauthorized", "账户已停用 / the account is deactivated", type_="/problems/unauthorized"
        )
    _refuse_password(cmd.new_password, username=cmd.username, field="new_password")
    matches, _ = await verify_secret(cmd.old_password, account.password_hash)
    if not matches:
        refused = count_failure(
            uow, account, actor=actor, action=Action.PASSWORD_CHANGE_FAILED, now=now, policy=lockout
        )
        if refused.locked_until is not None:
            await uow.sessions.remove_all_of(cmd.username)
        return refused
    account.password_hash = await hash_secret(cmd.new_password)
    keep_attempts(account, Attempts())
    account.password_changed_at = account.updated_at = now
    keep = digest(cmd.keep_session) if cmd.keep_session else None
    ended = await uow.sessions.remove_all_of(cmd.username, keep=keep)
    record(
        uow,
        actor=actor,
        action=Action.PASSWORD_CHANGED,
        now=now,
        status=200,
        target=cmd.username,
        sessions_ended=ended,
    )
    return account_out(account)
