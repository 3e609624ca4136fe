"""Typed settings, read once per service from `DIAODU_*` environment variables."""

from __future__ import annotations

from typing import Literal

from pydantic import model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


class ServiceSettings(BaseSettings):
    """Settings shared by every diaodu service; a service may subclass to add its own."""

    model_config = SettingsConfigDict(env_prefix="DIAODU_", extra="ignore")

    service: str = "unknown"
    env: Literal["local", "test", "production"] = "local"
    http_host: str = "127.0.0.1"
    http_port: int = 8000

    database_url: str = "postgresql+asyncpg://postgres@127.0.0.1:5432/diaodu"
    db_pool_size: int = 10

    kafka_bootstrap: str = "127.0.0.1:9092"
    # Tests give every session its own prefix so topics never collide.
    topic_namespace: str = ""
    topic_partitions: int = 3
    topic_replication: int = 1
    # Apache Kafka supports the idempotent producer; the local Tansu broker does not (README).
    kafka_idempotence: bool = False
    kafka_acks: Literal["all", "1", "0"] = "all"
    # Above the broker's group-join time (Tansu: ~5 s), or JoinGroup times out and retries forever.
    kafka_request_timeout_ms: int = 30000
    # Tansu answers a waiting fetch only when fetch_max_wait runs out: keep it short locally.
    kafka_fetch_max_wait_ms: int = 10
    consumer_batch_size: int = 500
    consumer_max_attempts: int = 3
    consumer_retry_backoff_s: float = 0.05

    outbox_batch_size: int = 500
    outbox_poll_interval_s: float = 0.5

    # Tokens (SPEC §6): diaodu's own issuer is the console, whose JWKS the services read. In local and
    # test mode, with neither set, they trust the development key of `.run/keys/` (diaodu_platform.tokens).
    jwt_issuer: str = "diaodu"
    jwt_audience: str = "diaodu"
    jwt_jwks_url: str = ""
    jwt_jwks_file: str = ""
    jwt_dev_key_file: str = ""
    # An external OIDC issuer trusted besides the console (a province's 统一身份认证), and how its
    # claims map to a diaodu role and unit, e.g. DIAODU_OIDC_ROLE_MAP='{"xmtj-admin": "admin"}'.
    oidc_issuer: str = ""
    oidc_audience: str = ""
    oidc_jwks_url: str = ""
    oidc_role_claim: str = "role"
    oidc_role_map: dict[str, str] = {}
    oidc_unit_claim: str = "unit"
    oidc_subject_claim: str = "sub"

    log_level: str = "INFO"
    log_json: bool = True

    @model_validator(mode="after")
    def _refuse_development_keys_in_production(self) -> ServiceSettings:
        if self.env != "production":
            return self
        if self.jwt_jwks_file or self.jwt_dev_key_file:
            raise ValueError(
                "DIAODU_JWT_JWKS_FILE and DIAODU_JWT_DEV_KEY_FILE are for local and test mode; in production "
                "set DIAODU_JWT_JWKS_URL to the console's /.well-known/jwks.json"
            )
        missing = self.missing_key_source()
        if missing:
            raise ValueError(missing)
        if self.oidc_issuer and not (self.oidc_audience and self.oidc_jwks_url):
            raise ValueError("DIAODU_OIDC_ISSUER needs DIAODU_OIDC_AUDIENCE and DIAODU_OIDC_JWKS_URL")
        return self

    def missing_key_source(self) -> str | None:
        """Why production could not verify tokens, or None: a service reads the console's JWKS (the
        console, which signs them, redefines this to ask for its signing keys)."""
        if self.jwt_jwks_url:
            return None
        return (
            "DIAODU_JWT_JWKS_URL must name the console's /.well-known/jwks.json when "
            "DIAODU_ENV=production; refusing to start without a source of signing keys"
        )

    def topic(self, service: str) -> str:
        """The topic a service publishes to, e.g. `diaodu.registry.v1`."""
        return f"{self.topic_namespace}diaodu.{service}.v1"

    def dead_letter_topic(self, consumer: str) -> str:
        """The dead-letter topic of one consuming service."""
        return f"{self.topic_namespace}diaodu.{consumer}.dlq.v1"

    def consumer_group(self, consumer: str) -> str:
        return f"{self.topic_namespace}diaodu-{consumer}"

    @property
    def asyncpg_dsn(self) -> str:
        """The database URL in the form asyncpg itself accepts."""
        return self.database_url.replace("postgresql+asyncpg://", "postgresql://", 1)
