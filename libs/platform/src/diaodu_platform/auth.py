"""JWT bearer auth (SPEC §6): claims `sub`, `role` and, for reporters, `unit`."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import Annotated

import jwt
from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from pydantic import BaseModel

from diaodu_platform.errors import Problem, forbidden
from diaodu_platform.settings import ServiceSettings


class Role(StrEnum):
    reporter = "reporter"  # 责任单位 clerk
    leader = "leader"  # 包联领导
    supervisor = "supervisor"  # 督查室
    admin = "admin"  # 发改局 / 项目推进中心


class Principal(BaseModel):
    sub: str
    role: Role
    unit: str | None = None

    def can_write_for_unit(self, unit_code: str) -> bool:
        """Admins write for every unit; reporters only for their own (SPEC §6)."""
        if self.role is Role.admin:
            return True
        return self.role is Role.reporter and self.unit == unit_code


def mint_token(
    settings: ServiceSettings, *, sub: str, role: Role | str, unit: str | None = None, ttl_hours: int = 12
) -> str:
    """Sign a token; the CLI uses this in local mode only."""
    now = datetime.now(UTC)
    claims: dict[str, object] = {
        "sub": sub,
        "role": str(Role(role)),
        "iss": settings.jwt_issuer,
        "iat": now,
        "exp": now + timedelta(hours=ttl_hours),
    }
    if unit:
        claims["unit"] = unit
    return jwt.encode(claims, settings.jwt_secret.get_secret_value(), algorithm=settings.jwt_algorithm)


def decode_token(settings: ServiceSettings, token: str) -> Principal:
    try:
        claims = jwt.decode(
            token,
            settings.jwt_secret.get_secret_value(),
            algorithms=[settings.jwt_algorithm],
            issuer=settings.jwt_issuer,
            options={"require": ["sub", "role", "exp"]},
        )
    except jwt.ExpiredSignatureError as exc:
        raise _unauthorized("The token has expired; sign in again.") from exc
    except jwt.PyJWTError as exc:
        raise _unauthorized(f"The token is not valid: {exc}") from exc
    try:
        principal = Principal(sub=claims["sub"], role=claims["role"], unit=claims.get("unit"))
    except ValueError as exc:
        raise _unauthorized(f"Unknown role {claims.get('role')!r}; allowed: {', '.join(Role)}") from exc
    if principal.role is Role.reporter and not principal.unit:
        raise _unauthorized("A reporter token must carry the `unit` claim.")
    return principal


def _unauthorized(detail: str) -> Problem:
    return Problem(401, "Unauthorized", detail, type_="/problems/unauthorized")


_bearer = HTTPBearer(auto_error=False)


async def current_principal(
    request: Request, creds: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)]
) -> Principal:
    if creds is None or creds.scheme.lower() != "bearer":
        raise _unauthorized("Send `Authorization: Bearer <token>`.")
    return decode_token(request.app.state.settings, creds.credentials)


CurrentPrincipal = Annotated[Principal, Depends(current_principal)]


def require_roles(*roles: Role) -> object:
    """A dependency admitting only the given roles."""

    async def dep(principal: CurrentPrincipal) -> Principal:
        if principal.role not in roles:
            raise forbidden(
                f"Role {principal.role} may not do this; allowed roles: {', '.join(map(str, roles))}"
            )
        return principal

    return Depends(dep)


def forbid_other_unit(principal: Principal, unit_code: str) -> None:
    if not principal.can_write_for_unit(unit_code):
        raise forbidden(
            f"{principal.sub} ({principal.role}, unit {principal.unit}) may not write for unit {unit_code}"
        )


# The role sets the routes of several services admit (SPEC §6).
Admin = Annotated[Principal, require_roles(Role.admin)]
Writer = Annotated[Principal, require_roles(Role.admin, Role.reporter)]
Office = Annotated[Principal, require_roles(Role.admin, Role.supervisor)]
Reader = Annotated[Principal, require_roles(Role.admin, Role.supervisor, Role.leader)]
