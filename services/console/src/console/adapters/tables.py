"""The console's tables (SQLModel), in a metadata of its own beside the platform tables.

Timestamps are set by the handler that writes the row, from the service's clock (`now`). No password
and no session id is stored as given: passwords as argon2 hashes, session ids as their SHA-256.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, Column, ForeignKey, Index, String
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import registry
from sqlmodel import Field, SQLModel

from diaodu_platform.columns import json_list_field, timestamp_field
from diaodu_platform.db import PlatformTables


class ConsoleModel(SQLModel, registry=registry()):
    pass


metadata = ConsoleModel.metadata
platform = PlatformTables(metadata)


class Account(ConsoleModel, table=True):
    """A person who signs in: a unit's clerk (报送员), a leader, the 督查室, the campaign office."""

    __tablename__ = "accounts"
    username: str = Field(primary_key=True, max_length=64)
    display_name: str = Field(max_length=100)
    role: str = Field(max_length=20, index=True)
    unit_code: str | None = Field(default=None, max_length=64, index=True)
    leader_id: str | None = Field(default=None, max_length=64)
    active: bool = True
    password_hash: str = Field(max_length=255)
    failed_attempts: int = 0
    first_failed_at: datetime | None = timestamp_field(nullable=True)
    locked_until: datetime | None = timestamp_field(nullable=True)
    password_changed_at: datetime = timestamp_field()
    created_at: datetime = timestamp_field()
    updated_at: datetime = timestamp_field()


class BrowserSession(ConsoleModel, table=True):
    """A signed-in browser: the cookie carries the id, the row keeps its hash and the CSRF token."""

    __tablename__ = "sessions"
    id_hash: str = Field(primary_key=True, max_length=64)
    username: str = Field(
        sa_column=Column(String(64), ForeignKey("accounts.username"), nullable=False, index=True)
    )
    csrf_token: str = Field(max_length=64)
    client: str | None = Field(default=None, max_length=100)
    created_at: datetime = timestamp_field()
    last_seen_at: datetime = timestamp_field()


class AuditEntry(ConsoleModel, table=True):
    """One line of the audit log: who (role, unit) did what to whom, when, from where, and the answer."""

    __tablename__ = "audit_log"
    __table_args__ = (Index("ix_audit_log_at", "at"),)
    id: int | None = Field(default=None, sa_column=Column(BigInteger, primary_key=True, autoincrement=True))
    at: datetime = timestamp_field()
    actor: str = Field(max_length=200, index=True)
    actor_role: str | None = Field(default=None, max_length=20)
    actor_unit: str | None = Field(default=None, max_length=64)
    action: str = Field(max_length=40, index=True)
    target: str | None = Field(default=None, max_length=200, index=True)
    detail: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSONB, nullable=False))
    client: str | None = Field(default=None, max_length=100)
    status: int


class MachineClient(ConsoleModel, table=True):
    """A department system's client credentials: it gets reporter tokens for one unit, limited to scopes."""

    __tablename__ = "machine_clients"
    client_id: str = Field(primary_key=True, max_length=64)
    name: str = Field(max_length=200)
    unit_code: str = Field(max_length=64, index=True)
    scopes: list[str] = json_list_field()
    secret_hash: str = Field(max_length=255)
    created_by: str = Field(max_length=200)
    created_at: datetime = timestamp_field()
    revoked_at: datetime | None = timestamp_field(nullable=True)
