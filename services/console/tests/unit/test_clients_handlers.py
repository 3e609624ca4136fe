"""Department systems' client credentials on the in-memory console (SPEC §6)."""

from __future__ import annotations

from datetime import timedelta

import jwt
from console_testkit.builders import ADMIN, NOW, signer
from console_testkit.fakes import FakeConsoleUnitOfWork

from console.service_layer import clients, signin
from console.service_layer.commands import ClientCredentials, RegisterClient, RevokeClient
from console.service_layer.read_models import TokenOut


async def test_a_client_gets_a_reporter_token_for_its_unit_and_scopes_until_revoked() -> None:
    uow, sign = FakeConsoleUnitOfWork(), signer()
    cmd = RegisterClient("凤城镇项目管理系统", "fengcheng", ("progress:reports:write",))
    async with uow:
        issued = await clients.register_client(uow=uow, cmd=cmd, actor=ADMIN, now=NOW)
    stored = await uow.clients.get(issued.client_id)
    assert stored is not None and issued.client_secret not in stored.secret_hash
    assert issued.client_secret not in str(uow.audit.lines[-1].detail)
    async with uow:
        out = await clients.issue_client_token(
            uow=uow, cmd=ClientCredentials(issued.client_id, issued.client_secret), now=NOW, signer=sign
        )
    assert isinstance(out, TokenOut)
    public = sign.ring.signing.private.public_key()
    claims = jwt.decode(out.access_token, public, algorithms=["EdDSA"], audience="diaodu")
    assert (claims["sub"], claims["role"], claims["unit"], claims["scope"]) == (
        issued.client_id,
        "reporter",
        "fengcheng",
        "progress:reports:write",
    )
    async with uow:
        revoked = await clients.revoke_client(
            uow=uow, cmd=RevokeClient(issued.client_id), actor=ADMIN, now=NOW + timedelta(days=1)
        )
    assert revoked.revoked_at == NOW + timedelta(days=1)
    async with uow:
        refused = await clients.issue_client_token(
            uow=uow, cmd=ClientCredentials(issued.client_id, issued.client_secret), now=NOW, signer=sign
        )
    assert refused == signin.Refused() and uow.audit.lines[-1].detail["reason"] == "revoked"


async def test_a_wrong_secret_is_refused_and_audited() -> None:
    uow = FakeConsoleUnitOfWork()
    async with uow:
        issued = await clients.register_client(
            uow=uow, cmd=RegisterClient("系统", "beiliu", ("registry:projects:write",)), actor=ADMIN, now=NOW
        )
    async with uow:
        refused = await clients.issue_client_token(
            uow=uow, cmd=ClientCredentials(issued.client_id, "guess"), now=NOW, signer=signer()
        )
    assert refused == signin.Refused()
    assert (uow.audit.lines[-1].action, uow.audit.lines[-1].detail["reason"]) == (
        "sign_in_failed",
        "wrong_secret",
    )
