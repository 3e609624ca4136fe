"""The console's signing keys and the tokens it signs (SPEC §6: asymmetric keys, JWKS published).

Local and test mode sign with the development key of `.run/keys/` (the one `diaodu token` uses), so
the four services, which trust that key's JWKS file there, accept the console's tokens too. Production
reads `console_signing_keys_dir`: every `*.pem` in it is published, the last by name signs.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

from console.settings import ConsoleSettings
from diaodu_platform.keys import SigningKey, jwks, load_or_create
from diaodu_platform.tokens import KeySet, TokenVerifier, dev_key_path, issue_token


@dataclass(frozen=True)
class KeyRing:
    """The key that signs now, and every key whose tokens may still be in use."""

    signing: SigningKey
    published: tuple[SigningKey, ...]

    def jwks(self) -> dict[str, Any]:
        return jwks(self.published)


def keys_in(folder: Path) -> KeyRing:
    """The keys of a folder: all published, the last by file name signs."""
    files = sorted(folder.glob("*.pem"))
    if not files:
        raise RuntimeError(f"no signing key (*.pem, Ed25519 PKCS#8) in {folder}; refusing to start")
    keys = tuple(SigningKey.from_pem(path.read_bytes()) for path in files)
    return KeyRing(signing=keys[-1], published=keys)


def load_key_ring(settings: ConsoleSettings) -> KeyRing:
    """The configured folder, or else (never in production) the development key."""
    if settings.console_signing_keys_dir:
        return keys_in(Path(settings.console_signing_keys_dir))
    if settings.env == "production":
        raise RuntimeError("the console signs no tokens with the development key in production")
    key = load_or_create(dev_key_path(settings))
    return KeyRing(signing=key, published=(key,))


def console_verifier(settings: ConsoleSettings, ring: KeyRing) -> TokenVerifier:
    """The platform's verifier (own issuer and any external OIDC one), own tokens checked on the ring."""
    verifier = TokenVerifier(settings)
    verifier.issuers[settings.jwt_issuer].keys = KeySet(document=ring.jwks())
    return verifier


@dataclass(frozen=True)
class TokenSigner:
    """Signs the short-lived bearer tokens of people and department systems."""

    ring: KeyRing
    issuer: str
    audience: str
    ttl: timedelta

    @classmethod
    def of(cls, settings: ConsoleSettings, ring: KeyRing) -> TokenSigner:
        return cls(ring, settings.jwt_issuer, settings.jwt_audience, settings.access_token_ttl)

    def sign(
        self,
        *,
        sub: str,
        role: str,
        unit: str | None = None,
        leader_id: str | None = None,
        scopes: tuple[str, ...] = (),
    ) -> str:
        """A token stamped with the wall clock (by the platform), not the movable service clock:
        every service checks `iat`/`exp` against its own real clock."""
        return issue_token(
            self.ring.signing,
            issuer=self.issuer,
            audience=self.audience,
            sub=sub,
            role=role,
            unit=unit,
            leader_id=leader_id,
            scopes=scopes,
            ttl=self.ttl,
        )
