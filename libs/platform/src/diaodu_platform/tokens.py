"""Issuing and verifying bearer tokens (SPEC §6): asymmetric JWTs checked against a JWKS.

A service trusts diaodu's own issuer — the console, whose JWKS it reads from `jwt_jwks_url` (or, in
local and test mode, the development key's JWKS file) — and, when configured, one external OIDC
issuer (a province's 统一身份认证) whose claims are mapped to a role and a unit by settings. Every
token must name a trusted `iss`, carry the expected `aud`, be signed with an asymmetric algorithm by
a key of that issuer's JWKS (`alg: none` and shared-secret algorithms are refused) and not be expired.
A JWKS is cached and fetched again when a token names an unknown `kid` (at most every few seconds).
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import jwt

from diaodu_platform.clock import system_now
from diaodu_platform.errors import Problem
from diaodu_platform.keys import SigningKey, load_or_create
from diaodu_platform.settings import ServiceSettings
from diaodu_platform.topology import REPO_ROOT

ASYMMETRIC = ("EdDSA", "RS256", "RS384", "RS512", "PS256", "ES256", "ES384")
DEV_KEY = REPO_ROOT / ".run" / "keys" / "dev-signing-key.pem"
# A token naming an unknown kid triggers a JWKS fetch at most this often (a flood of forged kids
# must not become a flood of requests to the issuer).
REFRESH_MIN_INTERVAL_S = 5.0


def unauthorized(detail: str) -> Problem:
    return Problem(401, "Unauthorized", detail, type_="/problems/unauthorized")


@dataclass(frozen=True)
class Claims:
    """The diaodu meaning of a verified token."""

    sub: str
    role: str
    unit: str | None = None
    leader_id: str | None = None
    scopes: tuple[str, ...] = ()


def issue_token(
    key: SigningKey,
    *,
    issuer: str,
    audience: str,
    sub: str,
    role: str,
    unit: str | None = None,
    leader_id: str | None = None,
    scopes: tuple[str, ...] = (),
    ttl: timedelta = timedelta(minutes=15),
    now: datetime | None = None,
) -> str:
    """A signed token for one person or department system."""
    at = now or system_now()
    claims: dict[str, Any] = {"sub": sub, "role": role, "iss": issuer, "aud": audience}
    claims.update(iat=at, nbf=at, exp=at + ttl)
    if unit:
        claims["unit"] = unit
    if leader_id:
        claims["leader_id"] = leader_id
    if scopes:
        claims["scope"] = " ".join(scopes)
    return key.sign(claims)


def dev_key_path(settings: ServiceSettings) -> Path:
    return Path(settings.jwt_dev_key_file) if settings.jwt_dev_key_file else DEV_KEY


def dev_token(
    settings: ServiceSettings, *, sub: str, role: str, unit: str | None = None, ttl_hours: float = 12
) -> str:
    """A token signed with the development key (local and test mode only: `diaodu token`, seeds, demo)."""
    if settings.env == "production":
        raise PermissionError("development tokens are not minted when DIAODU_ENV=production")
    return issue_token(
        load_or_create(dev_key_path(settings)),
        issuer=settings.jwt_issuer,
        audience=settings.jwt_audience,
        sub=sub,
        role=role,
        unit=unit,
        ttl=timedelta(hours=ttl_hours),
    )


@dataclass
class KeySet:
    """One issuer's public keys by kid, from a JWKS URL, a file or a document at hand, cached."""

    url: str = ""
    file: str = ""
    document: dict[str, Any] | None = None  # an issuer checking its own tokens (the console)
    keys: dict[str, jwt.PyJWK] = field(default_factory=dict)
    fetched_at: float = 0.0
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)

    async def key(self, kid: str | None) -> jwt.PyJWK:
        if kid in self.keys:
            return self.keys[str(kid)]
        async with self.lock:
            if kid not in self.keys and time.monotonic() - self.fetched_at >= REFRESH_MIN_INTERVAL_S:
                await self._load()
        if kid not in self.keys:
            raise unauthorized(f"The token was signed by an unknown key (kid {kid!r}); sign in again.")
        return self.keys[str(kid)]

    async def _load(self) -> None:
        self.fetched_at = time.monotonic()
        try:
            document = await self._document()
        except (OSError, ValueError, httpx.HTTPError) as exc:
            raise Problem(
                503, "Sign-in unavailable", f"The token issuer's keys cannot be read now: {exc}"
            ) from exc
        keys = {}
        for jwk in document.get("keys", []):
            if jwk.get("kid") and jwk.get("use", "sig") == "sig":
                keys[jwk["kid"]] = jwt.PyJWK(jwk)
        self.keys = keys

    async def _document(self) -> dict[str, Any]:
        if self.document is not None:
            return self.document
        if self.file:
            loaded: dict[str, Any] = json.loads(Path(self.file).read_text())
            return loaded
        async with httpx.AsyncClient(timeout=5.0) as client:
            response = await client.get(self.url)
            response.raise_for_status()
            fetched: dict[str, Any] = response.json()
            return fetched


@dataclass
class Issuer:
    """A trusted issuer: its keys, the audience it must name, and how its claims map to diaodu's."""

    issuer: str
    audience: str
    keys: KeySet
    role_claim: str = "role"
    role_map: Mapping[str, str] = field(default_factory=dict)
    unit_claim: str = "unit"
    subject_claim: str = "sub"

    def claims(self, payload: Mapping[str, Any]) -> Claims:
        raw_role = payload.get(self.role_claim)
        if isinstance(raw_role, list):  # OIDC providers often send roles or groups as a list
            raw_role = next(
                (r for r in raw_role if str(r) in self.role_map), raw_role[0] if raw_role else None
            )
        role = self.role_map.get(str(raw_role), str(raw_role)) if raw_role is not None else ""
        scope = payload.get("scope") or ""
        return Claims(
            sub=str(payload.get(self.subject_claim) or ""),
            role=role,
            unit=payload.get(self.unit_claim),
            leader_id=payload.get("leader_id"),
            scopes=tuple(str(scope).split()),
        )


def trusted_issuers(settings: ServiceSettings) -> dict[str, Issuer]:
    """diaodu's own issuer and, if configured, the external OIDC one, by their `iss`."""
    own_file = settings.jwt_jwks_file
    if not settings.jwt_jwks_url and not own_file and settings.env != "production":
        own_file = str(load_and_jwks(settings))
    issuers = {
        settings.jwt_issuer: Issuer(
            settings.jwt_issuer, settings.jwt_audience, KeySet(url=settings.jwt_jwks_url, file=own_file)
        )
    }
    if settings.oidc_issuer:
        issuers[settings.oidc_issuer] = Issuer(
            settings.oidc_issuer,
            settings.oidc_audience,
            KeySet(url=settings.oidc_jwks_url),
            role_claim=settings.oidc_role_claim,
            role_map=dict(settings.oidc_role_map),
            unit_claim=settings.oidc_unit_claim,
            subject_claim=settings.oidc_subject_claim,
        )
    return issuers


def load_and_jwks(settings: ServiceSettings) -> Path:
    """The development key's JWKS file (the key is created on first use)."""
    from diaodu_platform.keys import jwks_path

    path = dev_key_path(settings)
    load_or_create(path)
    return jwks_path(path)


class TokenVerifier:
    """Checks a bearer token against the trusted issuers; answers 401 problem+json otherwise."""

    def __init__(self, settings: ServiceSettings) -> None:
        self.issuers = trusted_issuers(settings)

    async def verify(self, token: str) -> Claims:
        try:
            header = jwt.get_unverified_header(token)
            unverified = jwt.decode(token, options={"verify_signature": False})
        except jwt.PyJWTError as exc:
            raise unauthorized(f"The token is not valid: it is not a readable JWT ({exc}).") from exc
        alg = header.get("alg")
        if alg not in ASYMMETRIC:
            raise unauthorized(
                f"Tokens signed with {alg!r} are not accepted; allowed: {', '.join(ASYMMETRIC)}"
            )
        issuer = self.issuers.get(str(unverified.get("iss")))
        if issuer is None:
            raise unauthorized(f"The token's issuer {unverified.get('iss')!r} is not trusted.")
        key = await issuer.keys.key(header.get("kid"))
        try:
            payload = jwt.decode(
                token,
                key,
                algorithms=[alg],
                audience=issuer.audience,
                issuer=issuer.issuer,
                options={"require": ["exp", "iss", "aud"]},
            )
        except jwt.ExpiredSignatureError as exc:
            raise unauthorized("The token has expired; sign in again.") from exc
        except jwt.PyJWTError as exc:
            raise unauthorized(f"The token is not valid: {exc}") from exc
        return issuer.claims(payload)
