"""Account commands on the in-memory console: creation, changes, resets, deactivation, own password."""

from __future__ import annotations

from datetime import timedelta

import pytest
from console_testkit.builders import ADMIN, LOCKOUT, NOW, PASSWORD, SESSIONS, account, world
from console_testkit.fakes import FakeConsoleUnitOfWork

from console.service_layer import accounts, signin
from console.service_layer.commands import (
    Actor,
    ChangeAccount,
    ChangeOwnPassword,
    ResetPassword,
    SetActive,
    SignIn,
)
from console.service_layer.read_models import AccountOut
from console.service_layer.sessions import SignedIn
from diaodu_platform.errors import Problem

ROOT = Actor("root", "admin")


async def _signed_in(uow: FakeConsoleUnitOfWork, password: str = PASSWORD) -> SignedIn:
    async with uow:
        out = await signin.start_session(
            uow=uow, cmd=SignIn("fengcheng", password), now=NOW, lockout=LOCKOUT, sessions=SESSIONS
        )
    assert isinstance(out, SignedIn)
    return out


async def test_a_new_account_keeps_a_hash_and_the_audit_log_never_the_password() -> None:
    uow = await world()
    stored = await uow.accounts.get("fengcheng")
    assert stored is not None and stored.password_hash.startswith("$argon2id$")
    line = uow.audit.lines[0]
    assert (line.action, line.actor, line.target, line.status) == (
        "account_created",
        "office-admin",
        "fengcheng",
        201,
    )
    assert line.detail["role"] == "reporter" and line.detail["unit_code"] == "fengcheng"
    assert PASSWORD not in str(line.detail) and "argon2" not in str(line.detail)


@pytest.mark.parametrize(
    ("password", "rule"),
    [("short", "min_length"), ("20231120123", "not_all_digits"), ("Beiliu-zhen", "not_username")],
)
async def test_a_weak_password_is_refused_naming_the_field_and_rule(password: str, rule: str) -> None:
    uow = FakeConsoleUnitOfWork()
    with pytest.raises(Problem) as refused:
        await account(uow, "beiliu-zhen", password=password)
    (error,) = refused.value.ext["errors"]
    assert refused.value.status == 422 and (error["field"], error["rule"]) == ("password", rule)
    assert await uow.accounts.get("beiliu-zhen") is None


async def test_a_reporter_without_a_unit_and_a_second_account_of_a_name_are_refused() -> None:
    uow = await world()
    with pytest.raises(Problem) as no_unit:
        await account(uow, "beiliu", unit_code=None)
    assert no_unit.value.status == 422 and no_unit.value.ext["errors"][0]["field"] == "unit_code"
    with pytest.raises(Problem) as twice:
        await account(uow, "fengcheng")
    assert twice.value.status == 409


async def test_a_change_is_audited_with_what_changed() -> None:
    uow = await world()
    cmd = ChangeAccount("fengcheng", {"role": "leader", "unit_code": None, "leader_id": "li-xian"})
    async with uow:
        out = await accounts.change_account(uow=uow, cmd=cmd, actor=ADMIN, now=NOW + timedelta(days=1))
    assert (out.role, out.unit_code, out.leader_id) == ("leader", None, "li-xian")
    assert out.updated_at == NOW + timedelta(days=1)
    line = uow.audit.lines[-1]
    assert line.action == "account_changed" and line.detail["changes"] == {
        "role": ["reporter", "leader"],
        "unit_code": ["fengcheng", None],
        "leader_id": [None, "li-xian"],
    }


async def test_the_last_admin_can_be_neither_demoted_nor_deactivated() -> None:
    uow = await world()
    for cmd in (ChangeAccount("office-admin", {"role": "supervisor"}), SetActive("office-admin", False)):
        with pytest.raises(Problem) as refused:
            async with uow:
                if isinstance(cmd, ChangeAccount):
                    await accounts.change_account(uow=uow, cmd=cmd, actor=ROOT, now=NOW)
                else:
                    await accounts.set_active(uow=uow, cmd=cmd, actor=ROOT, now=NOW)
        assert refused.value.status == 409


async def test_deactivation_ends_the_accounts_sessions_at_once() -> None:
    uow = await world()
    await _signed_in(uow)
    async with uow:
        out = await accounts.set_active(uow=uow, cmd=SetActive("fengcheng", False), actor=ADMIN, now=NOW)
    assert not out.active and uow.sessions.of("fengcheng") == []
    assert uow.audit.lines[-1].action == "account_deactivated"
    assert uow.audit.lines[-1].detail == {"sessions_ended": 1}


async def test_an_admin_reset_unlocks_the_account_and_ends_its_sessions() -> None:
    uow = await world()
    await _signed_in(uow)
    stored = await uow.accounts.get("fengcheng")
    assert stored is not None
    stored.locked_until, stored.failed_attempts = NOW + timedelta(minutes=10), 0
    async with uow:
        out = await accounts.reset_password(
            uow=uow, cmd=ResetPassword("fengcheng", "Brand-new-pass-1"), actor=ADMIN, now=NOW
        )
    assert out.locked_until is None and uow.sessions.of("fengcheng") == []
    assert uow.audit.lines[-1].detail == {"unlocked": True, "sessions_ended": 1}
    assert isinstance(await _signed_in(uow, "Brand-new-pass-1"), SignedIn)


async def test_changing_ones_password_needs_the_current_one_and_ends_the_other_sessions() -> None:
    uow = await world()
    here, elsewhere = await _signed_in(uow), await _signed_in(uow)
    me = Actor("fengcheng", "reporter", "fengcheng")
    wrong = ChangeOwnPassword("fengcheng", "not-my-password", "Another-pass-2", here.session_id)
    async with uow:
        refused = await accounts.change_own_password(uow=uow, cmd=wrong, actor=me, now=NOW, lockout=LOCKOUT)
    assert refused == signin.Refused() and uow.audit.actions()[-1] == "password_change_failed"
    right = ChangeOwnPassword("fengcheng", PASSWORD, "Another-pass-2", here.session_id)
    async with uow:
        out = await accounts.change_own_password(uow=uow, cmd=right, actor=me, now=NOW, lockout=LOCKOUT)
    assert isinstance(out, AccountOut)
    remaining = {s.id_hash for s in uow.sessions.of("fengcheng")}
    assert len(remaining) == 1 and elsewhere.session.csrf_token not in {
        s.csrf_token for s in uow.sessions.of("fengcheng")
    }
