"""Hashing of passwords and client secrets: argon2id (pwdlib), run off the event loop.

A check against an account that does not exist spends the same time on a stand-in hash, so the
answer's timing does not tell whether a username exists.
"""

from __future__ import annotations

import asyncio
import functools

from pwdlib import PasswordHash
from pwdlib.exceptions import UnknownHashError
from pwdlib.hashers.argon2 import Argon2Hasher

_HASHER = PasswordHash((Argon2Hasher(),))


async def hash_secret(secret: str) -> str:
    """The argon2id hash of a password or client secret."""
    return await asyncio.to_thread(_HASHER.hash, secret)


@functools.cache
def _stand_in() -> str:
    return _HASHER.hash("no account has this password")


def _verify(secret: str, hashed: str | None) -> tuple[bool, str | None]:
    if hashed is None:
        _HASHER.verify(secret, _stand_in())
        return False, None
    try:
        return _HASHER.verify_and_update(secret, hashed)
    except UnknownHashError:
        return False, None


async def verify_secret(secret: str, hashed: str | None) -> tuple[bool, str | None]:
    """(whether it matches, a fresh hash when the stored one was made with outdated parameters)."""
    return await asyncio.to_thread(_verify, secret, hashed)
