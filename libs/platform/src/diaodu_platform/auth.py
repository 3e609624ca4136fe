"""Bearer auth (SPEC §6): who is calling (`sub`, `role`, a reporter's `unit`) and what they may do.

Tokens are verified by diaodu_platform.tokens against the trusted issuers' JWKS."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from pydantic import BaseModel

from diaodu_platform.errors import forbidden
from diaodu_platform.tokens import Claims, TokenVerifier, unauthorized


class Role(StrEnum):
    reporter = "reporter"  # 责任单位 clerk
    leader = "leader"  # 包联领导
    supervisor = "supervisor"  # 督查室
    admin = "admin"  # 发改局 / 项目推进中心


class Principal(BaseModel):
    sub: str
    role: Role
    unit: str | None = None
    leader_id: str | None = None
    # A department system's token is limited to these scopes (empty: a person, limited by role).
    scopes: tuple[str, ...] = ()

    def can_write_for_unit(self, unit_code: str) -> bool:
        """Admins write for every unit; reporters only for their own (SPEC §6)."""
        if self.role is Role.admin:
            return True
        return self.role is Role.reporter and self.unit == unit_code


def principal_of(claims: Claims) -> Principal:
    """The diaodu principal a verified token names; 401 when its role or unit is not usable."""
    try:
        principal = Principal(
            sub=claims.sub,
            role=Role(claims.role),
            unit=claims.unit,
            leader_id=claims.leader_id,
            scopes=claims.scopes,
        )
    except ValueError as exc:
        raise unauthorized(f"Unknown role {claims.role!r}; allowed: {', '.join(Role)}") from exc
    if not principal.sub:
        raise unauthorized("The token names no subject (`sub`).")
    if principal.role is Role.reporter and not principal.unit:
        raise unauthorized("A reporter token must carry the `unit` claim.")
    return principal


def verifier(request: Request) -> TokenVerifier:
    """The app's token verifier, built from its settings on first use."""
    state = request.app.state
    if getattr(state, "verifier", None) is None:
        state.verifier = TokenVerifier(state.settings)
    found: TokenVerifier = state.verifier
    return found


_bearer = HTTPBearer(auto_error=False)


async def current_principal(
    request: Request, creds: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)]
) -> Principal:
    if creds is None or creds.scheme.lower() != "bearer":
        raise unauthorized("Send `Authorization: Bearer <token>`.")
    return principal_of(await verifier(request).verify(creds.credentials))


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
