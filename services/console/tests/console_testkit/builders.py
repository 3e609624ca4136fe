"""Builders for the handler tests: a clock reading, actors, accounts with known passwords, a signer."""

from __future__ import annotations

from datetime import datetime, timedelta

from console.adapters.signing import KeyRing, TokenSigner
from console.domain.lockout import LockoutPolicy
from console.domain.sessions import SessionPolicy
from console.service_layer import accounts
from console.service_layer.commands import Actor, CreateAccount
from console.service_layer.read_models import AccountOut
from console_testkit.fakes import FakeConsoleUnitOfWork
from diaodu_platform.keys import SigningKey
from diaodu_platform.types import SHANGHAI

NOW = datetime(2023, 11, 20, 9, 0, tzinfo=SHANGHAI)
PASSWORD = "Fengcheng-2023!"
ADMIN = Actor("office-admin", "admin", None, "10.0.0.1")
LOCKOUT = LockoutPolicy()
SESSIONS = SessionPolicy()


def signer() -> TokenSigner:
    key = SigningKey.generate()
    return TokenSigner(KeyRing(key, (key,)), "diaodu", "diaodu", timedelta(minutes=15))


async def account(
    uow: FakeConsoleUnitOfWork,
    username: str = "fengcheng",
    *,
    role: str = "reporter",
    unit_code: str | None = "fengcheng",
    password: str = PASSWORD,
    display_name: str = "凤城镇",
) -> AccountOut:
    """An account created by the admin at NOW (one audit line)."""
    cmd = CreateAccount(username, display_name, role, password, unit_code)
    async with uow:
        return await accounts.create_account(uow=uow, cmd=cmd, actor=ADMIN, now=NOW)


async def world() -> FakeConsoleUnitOfWork:
    """A console with one reporter (fengcheng) and one admin (office-admin)."""
    uow = FakeConsoleUnitOfWork()
    await account(uow)
    await account(
        uow, "office-admin", role="admin", unit_code=None, password="Office-admin-2023", display_name="管理员"
    )
    return uow
