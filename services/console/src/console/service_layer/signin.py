"""Signing in with a username and password: for a browser session or a bearer token (SPEC §6).

A failure is counted and kept even though the request is refused: the handler returns `Refused`, the
unit of work commits the count and the audit line, and the route answers 401 (or 423 while locked).
The answer never says whether the username or the password was wrong.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from console.adapters.passwords import verify_secret
from console.adapters.signing import TokenSigner
from console.adapters.tables import Account
from console.domain.audit import Action
from console.domain.lockout import Attempts, LockoutPolicy
from console.domain.sessions import SessionPolicy
from console.service_layer.audit import record
from console.service_layer.commands import Actor, SignIn
from console.service_layer.read_models import TokenOut
from console.service_layer.sessions import SignedIn, open_session
from console.service_layer.unit_of_work import ConsoleUnitOfWork


@dataclass(frozen=True)
class Refused:
    """A refused sign-in or password check; `locked_until` when the account is locked."""

    locked_until: datetime | None = None


def attempts_of(account: Account) -> Attempts:
    return Attempts(account.failed_attempts, account.first_failed_at, account.locked_until)


def keep_attempts(account: Account, attempts: Attempts) -> None:
    account.failed_attempts = attempts.failures
    account.first_failed_at = attempts.first_failure_at
    account.locked_until = attempts.locked_until


def actor_of(account: Account, client: str | None) -> Actor:
    return Actor(account.username, account.role, account.unit_code, client)


def count_failure(
    uow: ConsoleUnitOfWork,
    account: Account,
    *,
    actor: Actor,
    action: Action,
    now: datetime,
    policy: LockoutPolicy,
) -> Refused:
    """One more failed password of this account; the failure that reaches the limit locks it."""
    attempts = attempts_of(account).after_failure(now, policy)
    keep_attempts(account, attempts)
    status = 422 if action is Action.PASSWORD_CHANGE_FAILED else 401
    record(
        uow,
        actor=actor,
        action=action,
        now=now,
        status=status,
        target=account.username,
        failures=attempts.failures,
    )
    if not attempts.locked(now):
        return Refused()
    record(
        uow,
        actor=actor,
        action=Action.LOCKED_OUT,
        now=now,
        status=423,
        target=account.username,
        locked_until=attempts.locked_until.isoformat() if attempts.locked_until else None,
        after_failures=policy.max_failures,
    )
    return Refused(attempts.locked_until)


async def authenticate(
    uow: ConsoleUnitOfWork, cmd: SignIn, *, now: datetime, policy: LockoutPolicy, via: str
) -> Account | Refused:
    """The account whose password this is, or why not (failures counted, every attempt audited)."""
    account = await uow.accounts.get(cmd.username, for_update=True)
    tried = Actor(cmd.username, client=cmd.client)
    if account is not None and account.active and attempts_of(account).locked(now):
        until = account.locked_until
        record(
            uow, actor=tried, action=Action.SIGN_IN_LOCKED, now=now, status=423, target=cmd.username, via=via
        )
        return Refused(until)
    matches, fresh_hash = await verify_secret(cmd.password, account.password_hash if account else None)
    if account is None or not account.active:
        reason = "unknown_account" if account is None else "inactive"
        record(uow, actor=tried, action=Action.SIGN_IN_FAILED, now=now, status=401, reason=reason, via=via)
        return Refused()
    if not matches:
        return count_failure(uow, account, actor=tried, action=Action.SIGN_IN_FAILED, now=now, policy=policy)
    keep_attempts(account, attempts_of(account).after_success())
    if fresh_hash:
        account.password_hash = fresh_hash
    record(
        uow,
        actor=actor_of(account, cmd.client),
        action=Action.SIGN_IN,
        now=now,
        status=200,
        target=account.username,
        via=via,
    )
    return account


async def start_session(
    *, uow: ConsoleUnitOfWork, cmd: SignIn, now: datetime, lockout: LockoutPolicy, sessions: SessionPolicy
) -> SignedIn | Refused:
    """Sign a person in to the console in a browser: a new session with its CSRF token."""
    found = await authenticate(uow, cmd, now=now, policy=lockout, via="session")
    if isinstance(found, Refused):
        return found
    return open_session(uow, found, client=cmd.client, now=now, policy=sessions)


async def issue_access_token(
    *, uow: ConsoleUnitOfWork, cmd: SignIn, now: datetime, lockout: LockoutPolicy, signer: TokenSigner
) -> TokenOut | Refused:
    """A short-lived bearer token for a person's own program (OAuth 2 password grant)."""
    found = await authenticate(uow, cmd, now=now, policy=lockout, via="token")
    if isinstance(found, Refused):
        return found
    token = signer.sign(sub=found.username, role=found.role, unit=found.unit_code, leader_id=found.leader_id)
    return TokenOut(access_token=token, expires_in=int(signer.ttl.total_seconds()))
