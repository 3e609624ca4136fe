"""Production signing keys: a folder of PEM files, the last by name signs, all verify (rotation by kid)."""

from __future__ import annotations

from pathlib import Path

import pytest

from console.adapters.signing import KeyRing, TokenSigner, console_verifier, keys_in, load_key_ring
from console.settings import ConsoleSettings
from diaodu_platform.errors import Problem
from diaodu_platform.keys import SigningKey


def _production(folder: Path) -> ConsoleSettings:
    return ConsoleSettings(env="production", console_signing_keys_dir=str(folder))


async def test_the_newest_key_signs_and_the_older_one_still_verifies(tmp_path: Path) -> None:
    old, new = SigningKey.generate(), SigningKey.generate()
    (tmp_path / "2025-01-01.pem").write_bytes(old.pem())
    (tmp_path / "2026-01-01.pem").write_bytes(new.pem())
    settings = _production(tmp_path)
    ring = load_key_ring(settings)
    assert ring.signing.kid == new.kid and [k["kid"] for k in ring.jwks()["keys"]] == [old.kid, new.kid]
    verifier = console_verifier(settings, ring)
    fresh = TokenSigner.of(settings, ring).sign(sub="admin", role="admin")
    before_rotation = TokenSigner.of(settings, keys_in_only(old, tmp_path / "old")).sign(
        sub="admin", role="admin"
    )
    assert (await verifier.verify(fresh)).sub == "admin"
    assert (await verifier.verify(before_rotation)).sub == "admin"
    stranger = SigningKey.generate().sign(
        {"sub": "x", "role": "admin", "iss": "diaodu", "aud": "diaodu", "exp": 2**40}
    )
    with pytest.raises(Problem) as refused:
        await verifier.verify(stranger)
    assert refused.value.status == 401


def keys_in_only(key: SigningKey, folder: Path) -> KeyRing:
    """The ring as it was before the newer key was added."""
    folder.mkdir()
    (folder / "only.pem").write_bytes(key.pem())
    return keys_in(folder)


def test_production_refuses_an_empty_key_folder_and_the_development_key(tmp_path: Path) -> None:
    with pytest.raises(RuntimeError, match="no signing key"):
        load_key_ring(_production(tmp_path))
    with pytest.raises(ValueError, match="DEV_KEY_FILE"):
        ConsoleSettings(
            env="production", console_signing_keys_dir=str(tmp_path), jwt_dev_key_file="/tmp/k.pem"
        )
