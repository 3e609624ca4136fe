"""Signing in on the in-memory console: sessions, tokens, failures counted and audited, lock-out."""

from __future__ import annotations

from datetime import timedelta

import jwt
from console_testkit.builders import LOCKOUT, NOW, PASSWORD, SESSIONS, signer, world
from console_testkit.fakes import FakeConsoleUnitOfWork

from console.adapters.tables import Account
from console.service_layer import signin
from console.service_layer.commands import SignIn
from console.service_layer.read_models import TokenOut
from console.service_layer.sessions import SignedIn, digest


async def _session(
    uow: FakeConsoleUnitOfWork, password: str, *, minutes: float = 0
) -> SignedIn | signin.Refused:
    cmd = SignIn("fengcheng", password, "192.0.2.7")
    async with uow:
        return await signin.start_session(
            uow=uow, cmd=cmd, now=NOW + timedelta(minutes=minutes), lockout=LOCKOUT, sessions=SESSIONS
        )


async def _fengcheng(uow: FakeConsoleUnitOfWork) -> Account:
    found = await uow.accounts.get("fengcheng")
    assert found is not None
    return found


async def test_the_right_password_opens_a_session_kept_only_as_a_hash() -> None:
    uow = await world()
    out = await _session(uow, PASSWORD)
    assert isinstance(out, SignedIn)
    assert out.session.account.username == "fengcheng" and out.session.csrf_token
    (row,) = uow.sessions.of("fengcheng")
    assert row.id_hash == digest(out.session_id) != out.session_id
    assert out.session.expires_at == NOW + timedelta(minutes=30)
    line = uow.audit.lines[-1]
    assert (line.action, line.actor, line.actor_role, line.actor_unit, line.client, line.status) == (
        "sign_in",
        "fengcheng",
        "reporter",
        "fengcheng",
        "192.0.2.7",
        200,
    )


async def test_a_wrong_password_is_refused_and_the_failure_is_kept() -> None:
    uow = await world()
    out = await _session(uow, "not-the-password")
    assert out == signin.Refused()
    assert uow.committed  # the count and the audit line are kept although the request is refused
    assert (await _fengcheng(uow)).failed_attempts == 1
    line = uow.audit.lines[-1]
    assert (line.action, line.actor, line.target, line.status) == (
        "sign_in_failed",
        "fengcheng",
        "fengcheng",
        401,
    )
    assert "not-the-password" not in str(line.detail)


async def test_the_fifth_failure_locks_and_even_the_right_password_waits_for_the_lock_to_pass() -> None:
    uow = await world()
    for minute in range(4):
        assert await _session(uow, "wrong-password", minutes=minute) == signin.Refused()
    locked = await _session(uow, "wrong-password", minutes=4)
    assert locked == signin.Refused(NOW + timedelta(minutes=19))
    assert uow.audit.actions()[-2:] == ["sign_in_failed", "locked_out"]
    assert await _session(uow, PASSWORD, minutes=18) == signin.Refused(NOW + timedelta(minutes=19))
    assert uow.audit.actions()[-1] == "sign_in_locked"
    assert isinstance(await _session(uow, PASSWORD, minutes=19), SignedIn)
    assert (await _fengcheng(uow)).failed_attempts == 0


async def test_an_unknown_or_deactivated_account_is_refused_like_a_wrong_password() -> None:
    uow = await world()
    async with uow:
        unknown = await signin.start_session(
            uow=uow, cmd=SignIn("nobody", PASSWORD), now=NOW, lockout=LOCKOUT, sessions=SESSIONS
        )
    (await _fengcheng(uow)).active = False
    inactive = await _session(uow, PASSWORD)
    assert unknown == inactive == signin.Refused()
    reasons = [(e.actor, e.detail["reason"]) for e in uow.audit.lines[-2:]]
    assert reasons == [("nobody", "unknown_account"), ("fengcheng", "inactive")]


async def test_a_token_names_the_account_its_role_and_unit() -> None:
    uow = await world()
    sign = signer()
    async with uow:
        out = await signin.issue_access_token(
            uow=uow, cmd=SignIn("fengcheng", PASSWORD), now=NOW, lockout=LOCKOUT, signer=sign
        )
    assert isinstance(out, TokenOut) and out.token_type == "bearer" and out.expires_in == 900
    public = sign.ring.signing.private.public_key()
    claims = jwt.decode(out.access_token, public, algorithms=["EdDSA"], audience="diaodu", issuer="diaodu")
    assert (claims["sub"], claims["role"], claims["unit"]) == ("fengcheng", "reporter", "fengcheng")
    assert jwt.get_unverified_header(out.access_token)["kid"] == sign.ring.signing.kid
    assert uow.audit.lines[-1].detail == {"via": "token"}
