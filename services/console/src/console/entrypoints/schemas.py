"""Request bodies of the console API: each checks a request and turns it into the handler's command.

New passwords are held to the rule of domain/passwords.py by the handlers (so the refusal names the
rule in the clerk's words); here they are only bounded in length.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from console.service_layer import commands as c
from diaodu_platform.auth import Role

Username = Annotated[
    str,
    Field(
        min_length=1,
        max_length=64,
        pattern=r"^[A-Za-z0-9_.\-]+$",
        description="Sign-in name: letters, digits, _ . - (a unit's account uses the unit code)",
        examples=["fengcheng"],
    ),
]
Code = Annotated[str, Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_.\-]+$")]
DisplayName = Annotated[str, Field(min_length=1, max_length=100, examples=["凤城镇"])]
Password = Annotated[str, Field(max_length=256)]
Scope = Annotated[
    str,
    Field(
        pattern=r"^[a-z]+(:[a-z_\-]+)+$",
        max_length=100,
        description="service:resource[:action], e.g. progress:reports:write",
    ),
]


class SignInIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    username: str = Field(max_length=200)
    password: Password

    def command(self, client: str | None) -> c.SignIn:
        return c.SignIn(self.username, self.password, client)


class AccountIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    username: Username
    display_name: DisplayName
    role: Role
    password: Password
    unit_code: Code | None = None
    leader_id: Code | None = None

    def command(self) -> c.CreateAccount:
        return c.CreateAccount(
            username=self.username,
            display_name=self.display_name,
            role=str(self.role),
            password=self.password,
            unit_code=self.unit_code,
            leader_id=self.leader_id,
        )


class AccountPatch(BaseModel):
    """Only the fields sent change; send null to clear a unit or leader id."""

    model_config = ConfigDict(extra="forbid")
    display_name: DisplayName | None = None
    role: Role | None = None
    unit_code: Code | None = None
    leader_id: Code | None = None

    @model_validator(mode="after")
    def _names_are_not_cleared(self) -> AccountPatch:
        for name in ("display_name", "role"):
            if name in self.model_fields_set and getattr(self, name) is None:
                raise ValueError(f"{name} cannot be cleared")
        return self

    def command(self, username: str) -> c.ChangeAccount:
        changes: dict[str, Any] = {name: getattr(self, name) for name in self.model_fields_set}
        if "role" in changes:
            changes["role"] = str(changes["role"])
        return c.ChangeAccount(username, changes)


class PasswordResetIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    new_password: Password


class PasswordChangeIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    old_password: Password
    new_password: Password


class TokenRequestIn(BaseModel):
    """An OAuth 2 token request (form-encoded or JSON): a person's password grant, or a department
    system's client credentials."""

    grant_type: Literal["password", "client_credentials"] = "password"
    username: str | None = Field(default=None, max_length=200)
    password: Password | None = None
    client_id: str | None = Field(default=None, max_length=100)
    client_secret: Password | None = None
    scope: str | None = Field(default=None, description="ignored: a client's scopes are those it was issued")

    @model_validator(mode="after")
    def _grant_has_its_fields(self) -> TokenRequestIn:
        needed = ("username", "password") if self.grant_type == "password" else ("client_id", "client_secret")
        missing = [name for name in needed if getattr(self, name) is None]
        if missing:
            raise ValueError(f"grant_type {self.grant_type} needs {' and '.join(missing)}")
        return self

    def sign_in(self, client: str | None) -> c.SignIn:
        return c.SignIn(self.username or "", self.password or "", client)

    def credentials(self, client: str | None) -> c.ClientCredentials:
        return c.ClientCredentials(self.client_id or "", self.client_secret or "", client)


class ClientIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str = Field(min_length=1, max_length=200, examples=["凤城镇项目管理系统"])
    unit_code: Code
    scopes: list[Scope] = Field(min_length=1)

    def command(self) -> c.RegisterClient:
        return c.RegisterClient(self.name, self.unit_code, tuple(dict.fromkeys(self.scopes)))
