"""The password rule (SPEC §6: people sign in to the console with accounts it keeps).

A refusal names the field and the rule, in Chinese and English, so a clerk knows what to change.
"""

from __future__ import annotations

from dataclasses import dataclass

MIN_LENGTH = 10


@dataclass(frozen=True)
class PasswordRefused:
    """Why a new password is not accepted: the field, the rule's code and a message a clerk reads."""

    field: str
    rule: str
    message: str


def check_password(
    password: str, *, username: str, field: str = "password", min_length: int = MIN_LENGTH
) -> PasswordRefused | None:
    """None when the password may be used; else the first rule it breaks."""
    if len(password) < min_length:
        return PasswordRefused(
            field,
            "min_length",
            f"密码至少 {min_length} 个字符 / the password must be at least {min_length} characters long",
        )
    if password.isdigit():
        return PasswordRefused(
            field, "not_all_digits", "密码不能全是数字 / the password must not consist of digits only"
        )
    if password.strip().casefold() == username.strip().casefold():
        return PasswordRefused(
            field, "not_username", "密码不能与用户名相同 / the password must not be the username"
        )
    return None
