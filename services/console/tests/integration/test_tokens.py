"""Tokens the console signs: its JWKS, the password and client-credentials grants, and verification by
the platform's TokenVerifier, as the four services do it."""

from __future__ import annotations

import jwt
from console_testkit.harness import admin_program, create_account

from diaodu_platform.keys import load_or_create
from diaodu_platform.tokens import TokenVerifier, dev_key_path
from diaodu_testkit.harness import ServiceHarness


async def test_the_jwks_publishes_the_signing_key_shared_with_the_development_tokens(
    console: ServiceHarness,
) -> None:
    r = await console.client.get("/.well-known/jwks.json")
    assert r.status_code == 200 and "max-age" in r.headers["cache-control"]
    (key,) = r.json()["keys"]
    assert (key["kty"], key["crv"], key["alg"], key["use"]) == ("OKP", "Ed25519", "EdDSA", "sig")
    assert "d" not in key  # the public half only
    assert key["kid"] == load_or_create(dev_key_path(console.settings)).kid  # `diaodu token`'s key


async def test_a_password_grant_token_verifies_like_any_service_would_and_serves_me(
    console: ServiceHarness,
) -> None:
    await create_account(
        console, "zhujian-clerk", "Zhujian-ju-2023", unit_code="zhujian", display_name="住建局"
    )
    form = {"grant_type": "password", "username": "zhujian-clerk", "password": "Zhujian-ju-2023"}
    r = await console.client.post("/api/v1/token", data=form)
    assert r.status_code == 200, r.text
    answer = r.json()
    assert answer["token_type"] == "bearer" and answer["expires_in"] == 900
    claims = await TokenVerifier(console.settings).verify(answer["access_token"])
    assert (claims.sub, claims.role, claims.unit) == ("zhujian-clerk", "reporter", "zhujian")
    assert jwt.get_unverified_header(answer["access_token"])["alg"] == "EdDSA"
    me = await console.client.get("/api/v1/me", headers={"Authorization": f"Bearer {answer['access_token']}"})
    assert me.status_code == 200 and me.json()["via"] == "bearer" and me.json()["display_name"] == "住建局"
    as_json = await console.client.post(
        "/api/v1/token", json={"username": "zhujian-clerk", "password": "Zhujian-ju-2023"}
    )
    assert as_json.status_code == 200


async def test_a_wrong_password_gets_no_token(console: ServiceHarness) -> None:
    await create_account(console, "shuiwu-clerk", "Shuiwu-ju-2023", unit_code="shuiwu")
    r = await console.client.post(
        "/api/v1/token", data={"username": "shuiwu-clerk", "password": "nope-nope-nope"}
    )
    assert r.status_code == 401 and r.json()["error"] == "invalid_grant"
    assert r.json()["detail"] == "用户名或密码错误 / wrong username or password"
    missing = await console.client.post(
        "/api/v1/token", data={"grant_type": "password", "username": "shuiwu-clerk"}
    )
    assert missing.status_code == 422


async def test_the_console_refuses_a_deactivated_accounts_token_at_once(console: ServiceHarness) -> None:
    await create_account(console, "jiaoyu-clerk", "Jiaoyu-ju-2023", unit_code="jiaoyu")
    token = (
        await console.client.post(
            "/api/v1/token", data={"username": "jiaoyu-clerk", "password": "Jiaoyu-ju-2023"}
        )
    ).json()["access_token"]
    bearer = {"Authorization": f"Bearer {token}"}
    assert (await console.client.get("/api/v1/me", headers=bearer)).status_code == 200
    async with admin_program(console) as admin:
        assert (await admin.post("/api/v1/accounts/jiaoyu-clerk/deactivate")).status_code == 200
    refused = await console.client.get("/api/v1/me", headers=bearer)
    assert refused.status_code == 401 and "停用" in refused.json()["detail"]


async def test_a_department_system_gets_a_scoped_reporter_token_until_revoked(
    console: ServiceHarness,
) -> None:
    async with admin_program(console) as admin:
        created = await admin.post(
            "/api/v1/clients",
            json={
                "name": "交通局项目管理系统",
                "unit_code": "jiaotong",
                "scopes": ["progress:reports:write"],
            },
        )
        assert created.status_code == 201, created.text
        client = created.json()
        listed = (await admin.get("/api/v1/clients", params={"unit_code": "jiaotong"})).json()
        assert [c["client_id"] for c in listed["items"]] == [client["client_id"]]
        assert "client_secret" not in listed["items"][0]
        grant = {
            "grant_type": "client_credentials",
            "client_id": client["client_id"],
            "client_secret": client["client_secret"],
        }
        r = await console.client.post("/api/v1/token", data=grant)
        assert r.status_code == 200, r.text
        claims = await TokenVerifier(console.settings).verify(r.json()["access_token"])
        assert (claims.sub, claims.role, claims.unit, claims.scopes) == (
            client["client_id"],
            "reporter",
            "jiaotong",
            ("progress:reports:write",),
        )
        bearer = {"Authorization": f"Bearer {r.json()['access_token']}"}
        assert (await console.client.get("/api/v1/me", headers=bearer)).json()["scopes"] == [
            "progress:reports:write"
        ]
        assert (await admin.post(f"/api/v1/clients/{client['client_id']}/revoke")).json()["revoked_at"]
    assert (await console.client.get("/api/v1/me", headers=bearer)).status_code == 401
    assert (await console.client.post("/api/v1/token", data=grant)).status_code == 401
