"""Browser sessions on the in-memory console: found by the cookie, seen, expired, purged, ended."""

from __future__ import annotations

from datetime import timedelta

from console_testkit.builders import LOCKOUT, NOW, PASSWORD, SESSIONS, world
from console_testkit.fakes import FakeConsoleUnitOfWork

from console.service_layer import sessions, signin
from console.service_layer.commands import Actor, SignIn
from console.service_layer.sessions import SignedIn


async def _open(uow: FakeConsoleUnitOfWork) -> SignedIn:
    async with uow:
        out = await signin.start_session(
            uow=uow, cmd=SignIn("fengcheng", PASSWORD), now=NOW, lockout=LOCKOUT, sessions=SESSIONS
        )
    assert isinstance(out, SignedIn)
    return out


async def _resolve(uow: FakeConsoleUnitOfWork, session_id: str, minutes: float) -> object:
    async with uow:
        return await sessions.resolve_session(
            uow=uow, session_id=session_id, now=NOW + timedelta(minutes=minutes), policy=SESSIONS
        )


async def test_each_request_moves_the_idle_expiry_on() -> None:
    uow = await world()
    opened = await _open(uow)
    seen = await _resolve(uow, opened.session_id, 25)
    assert seen is not None and seen.expires_at == NOW + timedelta(minutes=55)  # type: ignore[attr-defined]
    assert await _resolve(uow, opened.session_id, 54) is not None


async def test_a_session_idle_for_thirty_minutes_is_refused_and_forgotten() -> None:
    uow = await world()
    opened = await _open(uow)
    assert await _resolve(uow, opened.session_id, 30) is None
    assert uow.sessions.of("fengcheng") == []


async def test_an_unknown_cookie_finds_no_session() -> None:
    uow = await world()
    await _open(uow)
    assert await _resolve(uow, "forged-session-id", 1) is None


async def test_a_deactivated_accounts_session_is_refused() -> None:
    uow = await world()
    opened = await _open(uow)
    account = await uow.accounts.get("fengcheng")
    assert account is not None
    account.active = False
    assert await _resolve(uow, opened.session_id, 1) is None


async def test_sign_out_forgets_the_session_and_is_audited() -> None:
    uow = await world()
    opened = await _open(uow)
    async with uow:
        await sessions.end_session(
            uow=uow, session_id=opened.session_id, actor=Actor("fengcheng", "reporter", "fengcheng"), now=NOW
        )
    assert uow.sessions.of("fengcheng") == [] and uow.audit.actions()[-1] == "sign_out"


async def test_the_purge_forgets_idle_and_too_old_sessions_only() -> None:
    uow = await world()
    await _open(uow)
    kept = await _open(uow)
    await _resolve(uow, kept.session_id, 20)
    async with uow:
        assert await sessions.purge_expired(uow=uow, now=NOW + timedelta(minutes=31), policy=SESSIONS) == 1
    (row,) = uow.sessions.of("fengcheng")
    row.last_seen_at = NOW + timedelta(hours=11, minutes=59)  # in constant use, but begun 12 h ago
    async with uow:
        assert await sessions.purge_expired(uow=uow, now=NOW + timedelta(hours=12), policy=SESSIONS) == 1
    assert uow.sessions.of("fengcheng") == []
