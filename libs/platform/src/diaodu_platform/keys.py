"""Signing keys of diaodu's tokens: Ed25519 (JWS `EdDSA`), named by `kid`, published as a JWKS.

The console signs the tokens people and department systems use; every service verifies them against
the console's JWKS (`/.well-known/jwks.json`), never against a shared secret (SPEC §6). A rotation
adds a key with a new `kid` and keeps the old one's public half in the JWKS until its tokens expire.

In local mode one development key lives in `.run/keys/` (created on first use): `diaodu token`, the
seed loader and the demo sign with it, and the services trust its JWKS file. Production never reads it.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from jwt.algorithms import OKPAlgorithm

ALGORITHM = "EdDSA"


@dataclass(frozen=True)
class SigningKey:
    """One Ed25519 private key and its `kid`."""

    kid: str
    private: Ed25519PrivateKey

    @classmethod
    def generate(cls) -> SigningKey:
        private = Ed25519PrivateKey.generate()
        return cls(kid=thumbprint(private.public_key()), private=private)

    @classmethod
    def from_pem(cls, pem: bytes) -> SigningKey:
        private = serialization.load_pem_private_key(pem, password=None)
        if not isinstance(private, Ed25519PrivateKey):
            raise ValueError("a diaodu signing key is an Ed25519 private key (PEM, PKCS#8)")
        return cls(kid=thumbprint(private.public_key()), private=private)

    def pem(self) -> bytes:
        return self.private.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )

    def public_jwk(self) -> dict[str, Any]:
        jwk: dict[str, Any] = json.loads(OKPAlgorithm.to_jwk(self.private.public_key()))
        return {**jwk, "kid": self.kid, "alg": ALGORITHM, "use": "sig"}

    def sign(self, claims: dict[str, Any]) -> str:
        return jwt.encode(claims, self.private, algorithm=ALGORITHM, headers={"kid": self.kid})


def thumbprint(public: Ed25519PublicKey) -> str:
    """A stable `kid`: the first 16 hex digits of the SHA-256 of the raw public key."""
    raw = public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return hashlib.sha256(raw).hexdigest()[:16]


def jwks(keys: Iterable[SigningKey]) -> dict[str, Any]:
    """The JSON Web Key Set of the keys' public halves."""
    return {"keys": [k.public_jwk() for k in keys]}


def load_or_create(path: Path) -> SigningKey:
    """The key stored at `path` (PEM), created with mode 0600 on first use; its JWKS is written beside it.

    Several processes may start at once (the services of `make run`, a test session): the key is
    written to a private temporary file and linked into place, so a reader sees a whole key or none,
    and the first writer wins."""
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "wb") as f:
            f.write(SigningKey.generate().pem())
        try:
            os.link(tmp, path)
        except FileExistsError:
            pass  # another process created it first: use theirs
        finally:
            tmp.unlink()
    key = SigningKey.from_pem(path.read_bytes())
    target = jwks_path(path)
    tmp_jwks = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    tmp_jwks.write_text(json.dumps(jwks([key]), indent=2) + "\n")
    tmp_jwks.replace(target)
    return key


def jwks_path(key_path: Path) -> Path:
    """Where `load_or_create` writes the JWKS of the key at `key_path`."""
    return key_path.with_name(key_path.stem + ".jwks.json")
