"""The console's settings: the platform's, plus lock-out, sessions, tokens and its signing keys."""

from __future__ import annotations

from datetime import timedelta

from pydantic import Field

from console.domain.lockout import LockoutPolicy
from console.domain.sessions import SessionPolicy
from diaodu_platform.settings import ServiceSettings

LOCAL_MODES = ("local", "test")


class ConsoleSettings(ServiceSettings):
    """Read once from `DIAODU_*` variables, e.g. DIAODU_CONSOLE_SIGNING_KEYS_DIR=/run/secrets/console-keys."""

    service: str = "console"
    http_port: int = 8000

    # Lock-out: this many failed sign-ins within the window lock the account for `lockout_minutes`.
    lockout_max_failures: int = 5
    lockout_window_minutes: float = 15
    lockout_minutes: float = 15
    # Browser sessions end after this long without a request, and in any case this long after sign-in.
    session_idle_minutes: float = 30
    session_absolute_hours: float = 12
    # The bearer tokens the console signs (the four services see only these).
    access_token_minutes: float = 15
    # Production: a folder of Ed25519 private keys (PEM, PKCS#8, `*.pem`). The file whose name sorts
    # last signs (name them by date: 2026-01-15.pem); all are published in the JWKS, so a rotation adds
    # a newer file and removes the old one once its tokens have expired. Local and test mode use the
    # development key of `.run/keys/` unless this is set.
    console_signing_keys_dir: str = ""
    # How many reverse proxies in front of the console append to X-Forwarded-For; 0 ignores the header
    # (anyone can send it), n takes the n-th address from the right as the client's.
    trusted_proxy_hops: int = 0
    # The four services' base URLs for the pass-through /api/v1/services/{service}/…, e.g.
    # DIAODU_CONSOLE_SERVICE_URLS='{"registry": "http://registry:8001", "progress": …}' (JSON).
    console_service_urls: dict[str, str] = Field(
        default_factory=lambda: {
            "registry": "http://127.0.0.1:8001",
            "progress": "http://127.0.0.1:8002",
            "escalation": "http://127.0.0.1:8003",
            "scoring": "http://127.0.0.1:8004",
        }
    )
    # How long the pass-through waits for a service's answer (and for a connection).
    console_service_timeout_s: float = 30.0
    console_service_connect_timeout_s: float = 5.0

    def missing_key_source(self) -> str | None:
        """The console verifies with the keys it signs with, not a JWKS URL: production needs them."""
        if self.console_signing_keys_dir:
            return None
        return (
            "DIAODU_CONSOLE_SIGNING_KEYS_DIR must name the folder of the console's signing keys when "
            "DIAODU_ENV=production; refusing to start without a real signing key"
        )

    @property
    def secure_cookies(self) -> bool:
        """Cookies are sent over HTTPS only, except on a developer's or test's plain HTTP."""
        return self.env not in LOCAL_MODES

    def lockout_policy(self) -> LockoutPolicy:
        return LockoutPolicy(
            max_failures=self.lockout_max_failures,
            window=timedelta(minutes=self.lockout_window_minutes),
            lock_for=timedelta(minutes=self.lockout_minutes),
        )

    def session_policy(self) -> SessionPolicy:
        return SessionPolicy(
            idle=timedelta(minutes=self.session_idle_minutes),
            absolute=timedelta(hours=self.session_absolute_hours),
        )

    @property
    def access_token_ttl(self) -> timedelta:
        return timedelta(minutes=self.access_token_minutes)


def console_settings(settings: ServiceSettings | None = None) -> ConsoleSettings:
    """The console's settings, from the environment or from the platform settings a harness built."""
    if isinstance(settings, ConsoleSettings):
        return settings
    given = {} if settings is None else settings.model_dump(exclude_unset=True)
    return ConsoleSettings(**given)
