"""Alembic support shared by every service: the async env.py body and a programmatic upgrade."""

from __future__ import annotations

import asyncio
from pathlib import Path

from alembic import command, context, op
from alembic.config import Config
from sqlalchemy import MetaData, pool
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import create_async_engine

OUTBOX_NOTIFY_CHANNEL = "diaodu_outbox"


def alembic_config(service_dir: Path, database_url: str) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(service_dir / "migrations"))
    cfg.set_main_option("sqlalchemy.url", database_url.replace("%", "%%"))
    cfg.attributes["database_url"] = database_url
    return cfg


def upgrade(service_dir: Path, database_url: str, revision: str = "head") -> None:
    """Bring one service's database to `revision` (run by `make run`, the tests and the k8s Job)."""
    command.upgrade(alembic_config(service_dir, database_url), revision)


def run_env(target_metadata: MetaData) -> None:
    """The body of every service's migrations/env.py (online mode, asyncpg)."""
    url = context.config.attributes.get("database_url") or context.config.get_main_option("sqlalchemy.url")

    def do_run(connection: Connection) -> None:
        context.configure(connection=connection, target_metadata=target_metadata, compare_type=True)
        with context.begin_transaction():
            context.run_migrations()

    async def run_async() -> None:
        engine = create_async_engine(str(url), poolclass=pool.NullPool)
        async with engine.connect() as conn:
            await conn.run_sync(do_run)
        await engine.dispose()

    if context.is_offline_mode():
        context.configure(url=url, target_metadata=target_metadata, literal_binds=True)
        with context.begin_transaction():
            context.run_migrations()
    else:
        asyncio.run(run_async())


def create_outbox_notify_trigger() -> None:
    """Wake the outbox relay on every committed insert (LISTEN/NOTIFY), one notify per statement."""
    op.execute(
        f"""
        CREATE OR REPLACE FUNCTION diaodu_outbox_notify() RETURNS trigger AS $$
        BEGIN
            PERFORM pg_notify('{OUTBOX_NOTIFY_CHANNEL}', '');
            RETURN NULL;
        END;
        $$ LANGUAGE plpgsql;
        """
    )
    op.execute(
        "CREATE TRIGGER outbox_notify AFTER INSERT ON outbox "
        "FOR EACH STATEMENT EXECUTE FUNCTION diaodu_outbox_notify();"
    )
