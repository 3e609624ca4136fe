"""The console's HTTP edges without a server: the session cookie, the client's address, its settings."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi import Response
from starlette.requests import Request

from console.entrypoints.cookies import COOKIE, clear_session_cookie, set_session_cookie
from console.entrypoints.deps import client_address
from console.settings import ConsoleSettings


def _cookie(secure: bool) -> str:
    response = Response()
    set_session_cookie(response, "session-id", secure=secure)
    return response.headers["set-cookie"]


def test_the_session_cookie_is_httponly_and_samesite_and_secure_when_asked() -> None:
    cookie = _cookie(secure=True)
    assert cookie.startswith(f"{COOKIE}=session-id;")
    assert "HttpOnly" in cookie and "SameSite=lax" in cookie and "Secure" in cookie and "Path=/" in cookie
    assert "Max-Age" not in cookie  # ends with the browser; the server ends the session anyway
    assert "Secure" not in _cookie(secure=False)


def test_clearing_the_cookie_expires_it() -> None:
    response = Response()
    clear_session_cookie(response, secure=True)
    assert (
        'diaodu_session="";' in response.headers["set-cookie"]
        and "Max-Age=0" in response.headers["set-cookie"]
    )


@pytest.mark.parametrize(("env", "secure"), [("local", False), ("test", False), ("production", True)])
def test_cookies_are_secure_outside_local_and_test_mode(env: str, secure: bool) -> None:
    settings = ConsoleSettings(env=env, console_signing_keys_dir="/run/keys" if env == "production" else "")
    assert settings.secure_cookies is secure


def test_production_refuses_to_start_without_signing_keys() -> None:
    with pytest.raises(ValueError, match="CONSOLE_SIGNING_KEYS_DIR"):
        ConsoleSettings(env="production")


def _request(forwarded: str | None) -> Request:
    headers: list[tuple[bytes, bytes]] = [(b"x-forwarded-for", forwarded.encode())] if forwarded else []
    scope: dict[str, Any] = {"type": "http", "headers": headers, "client": ("10.0.0.9", 5000)}
    return Request(scope)


@pytest.mark.parametrize(
    ("hops", "forwarded", "expected"),
    [
        (0, "203.0.113.5", "10.0.0.9"),  # no trusted proxy: the header is anyone's say
        (1, "198.51.100.1, 203.0.113.5", "203.0.113.5"),  # the address our proxy saw, not the client's claim
        (2, "198.51.100.1, 203.0.113.5", "198.51.100.1"),
        (2, "203.0.113.5", "10.0.0.9"),  # fewer addresses than proxies: the socket's
    ],
)
def test_x_forwarded_for_is_honoured_only_behind_trusted_proxies(
    hops: int, forwarded: str, expected: str
) -> None:
    assert client_address(_request(forwarded), ConsoleSettings(trusted_proxy_hops=hops)) == expected
