"""What the console answers with: the models its handlers and queries return, and their mapping from rows."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any, Literal

from pydantic import BaseModel

if TYPE_CHECKING:
    from console.adapters.tables import Account, AuditEntry, MachineClient


class AccountOut(BaseModel):
    username: str
    display_name: str
    role: str
    unit_code: str | None
    leader_id: str | None
    active: bool
    locked_until: datetime | None
    password_changed_at: datetime
    created_at: datetime
    updated_at: datetime


def account_out(a: Account) -> AccountOut:
    return AccountOut(
        username=a.username,
        display_name=a.display_name,
        role=a.role,
        unit_code=a.unit_code,
        leader_id=a.leader_id,
        active=a.active,
        locked_until=a.locked_until,
        password_changed_at=a.password_changed_at,
        created_at=a.created_at,
        updated_at=a.updated_at,
    )


class SessionOut(BaseModel):
    """A signed-in browser: who, and the CSRF token its state-changing requests send as X-CSRF-Token."""

    account: AccountOut
    csrf_token: str
    created_at: datetime
    last_seen_at: datetime
    expires_at: datetime


class MeOut(BaseModel):
    """Who is calling: from the session cookie or the bearer token."""

    sub: str
    role: str
    unit: str | None
    leader_id: str | None
    display_name: str | None
    scopes: list[str]
    via: Literal["session", "bearer"]


class TokenOut(BaseModel):
    """An OAuth 2 token answer (RFC 6749 §5.1)."""

    access_token: str
    token_type: Literal["bearer"] = "bearer"
    expires_in: int


class AuditOut(BaseModel):
    id: int
    at: datetime
    actor: str
    actor_role: str | None
    actor_unit: str | None
    action: str
    target: str | None
    detail: dict[str, Any]
    client: str | None
    status: int


def audit_out(e: AuditEntry) -> AuditOut:
    assert e.id is not None
    return AuditOut(
        id=e.id,
        at=e.at,
        actor=e.actor,
        actor_role=e.actor_role,
        actor_unit=e.actor_unit,
        action=e.action,
        target=e.target,
        detail=e.detail,
        client=e.client,
        status=e.status,
    )


class ClientOut(BaseModel):
    client_id: str
    name: str
    unit_code: str
    scopes: list[str]
    created_by: str
    created_at: datetime
    revoked_at: datetime | None


def client_out(c: MachineClient) -> ClientOut:
    return ClientOut(
        client_id=c.client_id,
        name=c.name,
        unit_code=c.unit_code,
        scopes=list(c.scopes),
        created_by=c.created_by,
        created_at=c.created_at,
        revoked_at=c.revoked_at,
    )


class ClientCreatedOut(ClientOut):
    """The new client's credentials: the secret is shown this once and kept only as a hash."""

    client_secret: str
