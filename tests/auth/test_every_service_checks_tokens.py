"""Each of the four services refuses a token it must not trust and accepts an external issuer's.

The services verify tokens against JWKS, not a shared secret (SPEC §6). Here each one runs on the
real PostgreSQL and broker, trusting diaodu's development key and, by settings, an external OIDC
issuer (a province's 统一身份认证) whose JWKS is served over HTTP by this test on a free loopback port.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import importlib
import json
import socket
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import pytest
import uvicorn
from starlette.applications import Starlette
from starlette.responses import JSONResponse
from starlette.routing import Route

from diaodu_platform.keys import SigningKey, jwks
from diaodu_platform.tokens import issue_token
from diaodu_platform.topology import SERVICES
from diaodu_testkit.harness import ServiceHarness, TestRuntime, start_service

# An authenticated read of each service, answered 200 to any role.
READ = {
    "registry": "/api/v1/campaigns",
    "progress": "/api/v1/anomalies",
    "escalation": "/api/v1/problems",
    "scoring": "/api/v1/policies",
}
PROVINCE = "https://idp.sx.example/realms/gov"
AUDIENCE = "diaodu-county"
ROLE_MAP = {"xmtj-clerk": "reporter", "xmtj-office": "admin"}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


@pytest.fixture(scope="module")
def province_key() -> SigningKey:
    return SigningKey.generate()


@pytest.fixture(scope="module")
async def province_jwks(province_key: SigningKey) -> AsyncIterator[str]:
    """The external issuer's JWKS, served on 127.0.0.1 for the length of the module."""

    async def keys(request: object) -> JSONResponse:
        return JSONResponse(jwks([province_key]))

    port = free_port()
    app = Starlette(routes=[Route("/protocol/openid-connect/certs", keys)])
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    task = asyncio.create_task(server.serve())
    while not server.started:
        await asyncio.sleep(0.02)
    yield f"http://127.0.0.1:{port}/protocol/openid-connect/certs"
    server.should_exit = True
    with contextlib.suppress(asyncio.CancelledError):
        await task


@pytest.fixture(scope="module")
async def services(runtime: TestRuntime, province_jwks: str) -> AsyncIterator[dict[str, ServiceHarness]]:
    oidc = {
        "oidc_issuer": PROVINCE,
        "oidc_audience": AUDIENCE,
        "oidc_jwks_url": province_jwks,
        "oidc_role_claim": "groups",
        "oidc_role_map": ROLE_MAP,
        "oidc_unit_claim": "org_code",
        "oidc_subject_claim": "preferred_username",
    }
    harnesses: dict[str, ServiceHarness] = {}
    for name in READ:  # one after the other: Alembic's migration context is process-global
        info = SERVICES[name]
        harnesses[name] = await start_service(
            runtime,
            service=name,
            service_dir=info.directory,
            create_app=importlib.import_module(info.app.split(":")[0]).create_app,
            **oidc,
        )
    yield harnesses
    for h in harnesses.values():
        await h.close()


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def forged_tokens(dev: SigningKey) -> dict[str, str]:
    """Tokens each service must refuse, by what is wrong with them."""
    base = {"issuer": "diaodu", "audience": "diaodu", "sub": "mallory", "role": "admin"}
    claims = {"sub": "mallory", "role": "admin", "iss": "diaodu", "aud": "diaodu", "exp": 4_000_000_000}
    header = base64.urlsafe_b64encode(json.dumps({"alg": "none"}).encode()).rstrip(b"=").decode()
    body = base64.urlsafe_b64encode(json.dumps(claims).encode()).rstrip(b"=").decode()
    return {
        "another key": issue_token(SigningKey.generate(), **base),  # type: ignore[arg-type]
        "wrong audience": issue_token(dev, **{**base, "audience": "another-system"}),  # type: ignore[arg-type]
        "wrong issuer": issue_token(dev, **{**base, "issuer": "https://elsewhere"}),  # type: ignore[arg-type]
        "expired": issue_token(dev, **base, now=datetime.now(UTC) - timedelta(hours=1)),  # type: ignore[arg-type]
        "alg none": f"{header}.{body}.",
    }


async def test_each_service_refuses_forged_foreign_and_expired_tokens(
    services: dict[str, ServiceHarness],
) -> None:
    from diaodu_platform.keys import load_or_create
    from diaodu_platform.tokens import dev_key_path

    for name, h in services.items():
        good = await h.client.get(READ[name], headers=h.auth("admin"))
        assert good.status_code == 200, (name, good.text)
        for what, token in forged_tokens(load_or_create(dev_key_path(h.settings))).items():
            r = await h.client.get(READ[name], headers=bearer(token))
            assert r.status_code == 401, (name, what, r.text)
            assert r.headers["content-type"].startswith("application/problem+json"), (name, what)
            assert r.headers.get("www-authenticate") == "Bearer", (name, what)


async def test_the_external_issuers_token_is_accepted_and_mapped_to_role_and_unit(
    services: dict[str, ServiceHarness], province_key: SigningKey
) -> None:
    now = datetime.now(UTC)
    clerk = province_key.sign(
        {
            "iss": PROVINCE,
            "aud": AUDIENCE,
            "preferred_username": "lijing@beiliu",
            "groups": ["staff", "xmtj-clerk"],
            "org_code": "beiliu",
            "iat": now,
            "exp": now + timedelta(minutes=5),
        }
    )
    for name, h in services.items():
        r = await h.client.get(READ[name], headers=bearer(clerk))
        assert r.status_code == 200, (name, r.text)
    # registry checks the unit before anything else: the mapped reporter of 北留镇 may not write for 润城镇
    registry = services["registry"]
    project = {
        "name": "外部",
        "unit_code": "runcheng",
        "build_type": "new",
        "total_investment": 1,
        "plan_year": 2024,
    }
    r = await registry.client.post("/api/v1/projects", json=project, headers=bearer(clerk))
    assert r.status_code == 403 and "lijing@beiliu (reporter, unit beiliu)" in r.json()["detail"], r.text
    wrong_audience = province_key.sign(
        {
            "iss": PROVINCE,
            "aud": "diaodu",
            "preferred_username": "x",
            "groups": ["xmtj-office"],
            "exp": now.timestamp() + 60,
        }
    )
    r = await registry.client.get(READ["registry"], headers=bearer(wrong_audience))
    assert r.status_code == 401, r.text
