"""Tokens: issued with an Ed25519 key, verified against a JWKS; forged, foreign or stale ones refused."""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import jwt
import pytest

from diaodu_platform.auth import Principal, Role, principal_of
from diaodu_platform.errors import Problem
from diaodu_platform.keys import SigningKey, jwks, load_or_create
from diaodu_platform.settings import ServiceSettings
from diaodu_platform.tokens import TokenVerifier, issue_token


@pytest.fixture
def key() -> SigningKey:
    return SigningKey.generate()


@pytest.fixture
def settings(tmp_path: Path, key: SigningKey) -> ServiceSettings:
    jwks_file = tmp_path / "jwks.json"
    jwks_file.write_text(json.dumps(jwks([key])))
    return ServiceSettings(env="test", jwt_jwks_file=str(jwks_file))


def token(key: SigningKey, **overrides: object) -> str:
    claims: dict[str, object] = {"issuer": "diaodu", "audience": "diaodu", "sub": "clerk", "role": "reporter"}
    claims.update(unit="fengcheng")
    claims.update(overrides)
    return issue_token(key, **claims)  # type: ignore[arg-type]


async def refused(settings: ServiceSettings, raw: str) -> Problem:
    with pytest.raises(Problem) as exc:
        await TokenVerifier(settings).verify(raw)
    assert exc.value.status == 401
    return exc.value


async def test_a_token_of_the_trusted_key_names_its_principal(
    settings: ServiceSettings, key: SigningKey
) -> None:
    claims = await TokenVerifier(settings).verify(token(key))
    assert principal_of(claims) == Principal(sub="clerk", role=Role.reporter, unit="fengcheng")
    assert jwt.get_unverified_header(token(key))["kid"] == key.kid


async def test_tokens_of_another_key_audience_issuer_or_time_are_refused(
    settings: ServiceSettings, key: SigningKey
) -> None:
    assert "unknown key" in (await refused(settings, token(SigningKey.generate()))).detail
    assert "audience" in (await refused(settings, token(key, audience="another-system"))).detail.lower()
    assert "not trusted" in (await refused(settings, token(key, issuer="https://elsewhere"))).detail
    past = datetime.now(UTC) - timedelta(hours=2)
    assert "expired" in (await refused(settings, token(key, now=past))).detail


async def test_unsigned_and_shared_secret_tokens_are_refused(settings: ServiceSettings) -> None:
    claims = {"sub": "x", "role": "admin", "iss": "diaodu", "aud": "diaodu", "exp": 4_000_000_000}
    header = base64.urlsafe_b64encode(json.dumps({"alg": "none", "typ": "JWT"}).encode()).rstrip(b"=")
    body = base64.urlsafe_b64encode(json.dumps(claims).encode()).rstrip(b"=")
    unsigned = f"{header.decode()}.{body.decode()}."
    assert "'none'" in (await refused(settings, unsigned)).detail
    hs256 = jwt.encode(claims, "a-shared-secret-that-is-long-enough-123", algorithm="HS256")
    assert "HS256" in (await refused(settings, hs256)).detail
    assert "not valid" in (await refused(settings, "not-a-jwt")).detail


def test_a_reporter_token_without_a_unit_or_with_an_unknown_role_is_refused(key: SigningKey) -> None:
    from diaodu_platform.tokens import Claims

    with pytest.raises(Problem, match="unit"):
        principal_of(Claims(sub="clerk", role="reporter"))
    with pytest.raises(Problem, match="Unknown role"):
        principal_of(Claims(sub="clerk", role="mayor"))


async def test_a_rotated_key_is_found_by_reading_the_jwks_again(tmp_path: Path) -> None:
    old, new = SigningKey.generate(), SigningKey.generate()
    jwks_file = tmp_path / "jwks.json"
    jwks_file.write_text(json.dumps(jwks([old])))
    verifier = TokenVerifier(ServiceSettings(env="test", jwt_jwks_file=str(jwks_file)))
    await verifier.verify(token(old))
    jwks_file.write_text(json.dumps(jwks([old, new])))
    verifier.issuers["diaodu"].keys.fetched_at = 0.0  # the refresh interval has passed
    assert (await verifier.verify(token(new))).sub == "clerk"


def test_the_development_key_is_created_once_with_its_jwks(tmp_path: Path) -> None:
    path = tmp_path / "keys" / "dev.pem"
    first = load_or_create(path)
    again = load_or_create(path)
    assert first.kid == again.kid and oct(path.stat().st_mode & 0o777) == "0o600"
    published = json.loads((tmp_path / "keys" / "dev.jwks.json").read_text())
    assert [k["kid"] for k in published["keys"]] == [first.kid] and "d" not in published["keys"][0]
