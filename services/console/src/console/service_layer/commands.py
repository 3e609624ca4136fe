"""The commands the console's handlers take: plain data, built by the routes from the HTTP schemas."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Actor:
    """Who sends a command, as the audit log records them: name, role, unit and network address."""

    name: str
    role: str | None = None
    unit: str | None = None
    client: str | None = None


@dataclass(frozen=True)
class SignIn:
    """Sign in with a username and password (for a browser session or a bearer token)."""

    username: str
    password: str
    client: str | None = None


@dataclass(frozen=True)
class CreateAccount:
    username: str
    display_name: str
    role: str
    password: str
    unit_code: str | None = None
    leader_id: str | None = None


@dataclass(frozen=True)
class ChangeAccount:
    """Change an account's display name, role, unit or leader id: only the fields in `changes`."""

    username: str
    changes: Mapping[str, Any]


@dataclass(frozen=True)
class ResetPassword:
    """An admin sets a new password (and so unlocks the account)."""

    username: str
    new_password: str


@dataclass(frozen=True)
class SetActive:
    """Deactivate an account (its sessions end at once) or activate it again."""

    username: str
    active: bool


@dataclass(frozen=True)
class ChangeOwnPassword:
    """A signed-in person changes their password, giving the current one; other sessions end."""

    username: str
    old_password: str
    new_password: str
    keep_session: str | None = None


@dataclass(frozen=True)
class RegisterClient:
    """Issue client credentials to a department's system: reporter tokens for one unit, some scopes."""

    name: str
    unit_code: str
    scopes: tuple[str, ...]


@dataclass(frozen=True)
class ClientCredentials:
    """A department system asks for a token (OAuth 2 client_credentials grant)."""

    client_id: str
    client_secret: str
    client: str | None = None


@dataclass(frozen=True)
class RevokeClient:
    client_id: str


@dataclass(frozen=True)
class PassedWrite:
    """A write passed through to a service (or refused by the console) and the status it was answered."""

    method: str
    service: str
    path: str
    status: int
    query: str = ""
