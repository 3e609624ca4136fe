"""Browser sessions: opened by a sign-in, found by the cookie on each request, ended by sign-out,
deactivation, a password change or their idle and absolute expiry (domain/sessions.py)."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime

from console.adapters.tables import Account, BrowserSession
from console.domain.audit import Action
from console.domain.sessions import SessionPolicy, expires_at, is_expired
from console.service_layer.audit import record
from console.service_layer.commands import Actor
from console.service_layer.read_models import SessionOut, account_out
from console.service_layer.unit_of_work import ConsoleUnitOfWork


@dataclass(frozen=True)
class SignedIn:
    """A new session: its answer, and its id for the cookie (the database keeps only the id's hash)."""

    session: SessionOut
    session_id: str


def new_secret() -> str:
    return secrets.token_urlsafe(32)


def digest(session_id: str) -> str:
    """How a session id is stored: its SHA-256 (a copy of the table names no usable session)."""
    return hashlib.sha256(session_id.encode()).hexdigest()


def session_out(row: BrowserSession, account: Account, policy: SessionPolicy) -> SessionOut:
    return SessionOut(
        account=account_out(account),
        csrf_token=row.csrf_token,
        created_at=row.created_at,
        last_seen_at=row.last_seen_at,
        expires_at=expires_at(created_at=row.created_at, last_seen_at=row.last_seen_at, policy=policy),
    )


def open_session(
    uow: ConsoleUnitOfWork, account: Account, *, client: str | None, now: datetime, policy: SessionPolicy
) -> SignedIn:
    """A new session of a signed-in account, with its own CSRF token."""
    session_id = new_secret()
    row = BrowserSession(
        id_hash=digest(session_id),
        username=account.username,
        csrf_token=new_secret(),
        client=client,
        created_at=now,
        last_seen_at=now,
    )
    uow.sessions.add(row)
    return SignedIn(session=session_out(row, account, policy), session_id=session_id)


async def resolve_session(
    *, uow: ConsoleUnitOfWork, session_id: str, now: datetime, policy: SessionPolicy
) -> SessionOut | None:
    """The live session the cookie names, marked as seen now; None (and forgotten) when it has
    expired or its account is deactivated."""
    row = await uow.sessions.get(digest(session_id))
    if row is None:
        return None
    account = await uow.accounts.get(row.username)
    expired = is_expired(created_at=row.created_at, last_seen_at=row.last_seen_at, now=now, policy=policy)
    if account is None or not account.active or expired:
        await uow.sessions.remove(row.id_hash)
        return None
    row.last_seen_at = max(row.last_seen_at, now)
    return session_out(row, account, policy)


async def end_session(*, uow: ConsoleUnitOfWork, session_id: str, actor: Actor, now: datetime) -> None:
    """Sign out: the session is forgotten at once."""
    await uow.sessions.remove(digest(session_id))
    record(uow, actor=actor, action=Action.SIGN_OUT, now=now, status=204, target=actor.name)


async def purge_expired(*, uow: ConsoleUnitOfWork, now: datetime, policy: SessionPolicy) -> int:
    """Forget every session past its idle or absolute expiry; how many."""
    return await uow.sessions.remove_expired(
        seen_before=now - policy.idle, created_before=now - policy.absolute
    )
