"""Typed settings, read once per service from `DIAODU_*` environment variables."""

from __future__ import annotations

from typing import Literal

from pydantic import SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DEV_JWT_SECRET = "diaodu-local-dev-signing-key-not-for-production"


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

    jwt_secret: SecretStr = SecretStr(DEV_JWT_SECRET)
    jwt_algorithm: str = "HS256"
    jwt_issuer: str = "diaodu"

    log_level: str = "INFO"
    log_json: bool = True

    @model_validator(mode="after")
    def _refuse_dev_secret_in_production(self) -> ServiceSettings:
        secret = self.jwt_secret.get_secret_value()
        if self.env == "production" and (secret == DEV_JWT_SECRET or len(secret) < 32):
            raise ValueError(
                "DIAODU_JWT_SECRET must be set to a real signing key of at least 32 characters "
                "when DIAODU_ENV=production; refusing to start with the development key"
            )
        return self

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
