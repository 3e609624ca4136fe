"""`diaodu` command line: run the local stack, migrate, mint dev tokens, regenerate contracts."""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import signal
import subprocess
import sys
import time

import httpx

from diaodu_platform.auth import Role, mint_token
from diaodu_platform.migrations import upgrade
from diaodu_platform.runtime import (
    EmbeddedKafka,
    EmbeddedPostgres,
    database_url,
    ensure_database,
    stop_process,
)
from diaodu_platform.settings import ServiceSettings
from diaodu_platform.topology import REPO_ROOT, SERVICES


def cmd_token(args: argparse.Namespace) -> int:
    settings = ServiceSettings()
    if settings.env == "production":
        print(
            "diaodu token mints development tokens only; production tokens come from the identity provider",
            file=sys.stderr,
        )
        return 2
    if args.role == "reporter" and not args.unit:
        print("a reporter token needs --unit <unit code>", file=sys.stderr)
        return 2
    print(
        mint_token(
            settings, sub=args.sub or f"dev-{args.role}", role=args.role, unit=args.unit, ttl_hours=args.hours
        )
    )
    return 0


def cmd_migrate(args: argparse.Namespace) -> int:
    settings = ServiceSettings()
    for name in args.services or list(SERVICES):
        upgrade(SERVICES[name].directory, settings.database_url)
        print(f"{name}: migrated")
    return 0


def service_env(
    name: str, *, db_url: str, bootstrap: str, extra: dict[str, str] | None = None
) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        {
            "DIAODU_SERVICE": name,
            "DIAODU_DATABASE_URL": db_url,
            "DIAODU_KAFKA_BOOTSTRAP": bootstrap,
            "DIAODU_HTTP_PORT": str(SERVICES[name].port),
        }
    )
    env.update(extra or {})
    return env


def wait_ready(port: int, timeout: float = 60) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/readyz", timeout=2).status_code == 200:
                return True
        except httpx.HTTPError:
            pass
        time.sleep(0.3)
    return False


def cmd_up(args: argparse.Namespace) -> int:
    """Start PostgreSQL, the broker and the services on loopback; Ctrl-C stops them all."""
    run_dir = REPO_ROOT / ".run"
    run_dir.mkdir(exist_ok=True)
    names = args.services or list(SERVICES)
    pg = kafka = None
    procs: dict[str, subprocess.Popen[bytes]] = {}
    stop = False

    def on_signal(*_: object) -> None:
        nonlocal stop
        stop = True

    signal.signal(signal.SIGINT, on_signal)
    signal.signal(signal.SIGTERM, on_signal)
    try:
        if args.database_url:
            admin_dsn = args.database_url
        else:
            pg = EmbeddedPostgres(run_dir / "postgres", port=args.pg_port)
            pg.start()
            admin_dsn = pg.admin_dsn
        if args.kafka_bootstrap:
            bootstrap = args.kafka_bootstrap
        else:
            kafka = EmbeddedKafka(port=args.kafka_port, log_path=run_dir / "broker.log")
            kafka.start()
            bootstrap = kafka.bootstrap
        for name in names:
            info = SERVICES[name]
            asyncio.run(ensure_database(admin_dsn, info.database))
            url = database_url(admin_dsn, info.database)
            upgrade(info.directory, url)
            log = open(run_dir / f"{name}.log", "ab")  # noqa: SIM115
            procs[name] = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "uvicorn",
                    info.app,
                    "--host",
                    "127.0.0.1",
                    "--port",
                    str(info.port),
                    "--no-access-log",
                ],
                env=service_env(name, db_url=url, bootstrap=bootstrap),
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        state = {
            "postgres": {"dsn": admin_dsn, "pid": pg.proc.pid if pg and pg.proc else None},
            "kafka": {"bootstrap": bootstrap, "pid": kafka.proc.pid if kafka and kafka.proc else None},
            "services": {
                n: {"pid": p.pid, "url": f"http://127.0.0.1:{SERVICES[n].port}"} for n, p in procs.items()
            },
        }
        (run_dir / "state.json").write_text(json.dumps(state, indent=2))
        for name in names:
            ok = wait_ready(SERVICES[name].port)
            status = "ready" if ok else f"NOT READY (see .run/{name}.log)"
            print(f"{name:<10} http://127.0.0.1:{SERVICES[name].port}  {status}")
        print(
            f"postgres   {admin_dsn}\nkafka      {bootstrap}\nlogs       {run_dir}/\nCtrl-C stops everything."
        )
        sys.stdout.flush()
        while not stop:
            for name, proc in procs.items():
                if proc.poll() is not None:
                    print(f"{name} exited with {proc.returncode}; see .run/{name}.log", file=sys.stderr)
                    stop = True
            time.sleep(0.5)
        return 0
    finally:
        for proc in procs.values():
            stop_process(proc)
        if kafka:
            kafka.stop()
        if pg:
            pg.stop()
        print("stopped")


def cmd_contracts(args: argparse.Namespace) -> int:
    from diaodu_platform.contracts import write_contracts

    changed = write_contracts(check=args.check)
    for path in changed:
        print(("differs: " if args.check else "wrote: ") + str(path.relative_to(REPO_ROOT)))
    if args.check and changed:
        print("contracts/ is out of date: run `make contracts` and commit the result", file=sys.stderr)
        return 1
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="diaodu", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("token", help="mint a development JWT (local mode only)")
    p.add_argument("--role", required=True, choices=[r.value for r in Role])
    p.add_argument("--unit", help="unit code (required for reporters)")
    p.add_argument("--sub", help="subject (user name)")
    p.add_argument("--hours", type=int, default=12)
    p.set_defaults(func=cmd_token)

    p = sub.add_parser("migrate", help="run Alembic migrations against DIAODU_DATABASE_URL")
    p.add_argument("services", nargs="*", choices=list(SERVICES))
    p.set_defaults(func=cmd_migrate)

    p = sub.add_parser("up", help="start the local stack (embedded PostgreSQL + broker + services)")
    p.add_argument("services", nargs="*", choices=list(SERVICES))
    p.add_argument("--database-url", help="admin DSN of an external PostgreSQL instead of the embedded one")
    p.add_argument("--kafka-bootstrap", help="an external Kafka instead of the embedded broker")
    p.add_argument("--pg-port", type=int, default=None)
    p.add_argument("--kafka-port", type=int, default=9092)
    p.set_defaults(func=cmd_up)

    p = sub.add_parser("contracts", help="regenerate contracts/ (AsyncAPI, OpenAPI, event schemas)")
    p.add_argument("--check", action="store_true", help="fail if contracts/ differs from the code")
    p.set_defaults(func=cmd_contracts)

    args = parser.parse_args(argv)
    return int(args.func(args))


if __name__ == "__main__":
    raise SystemExit(main())
