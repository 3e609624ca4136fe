"""`diaodu` command line: run the local stack, migrate, mint dev tokens, regenerate contracts."""

from __future__ import annotations

import argparse
import json
import signal
import subprocess
import sys
import time

from diaodu_platform.auth import Role
from diaodu_platform.migrations import upgrade
from diaodu_platform.runtime import (
    EmbeddedKafka,
    EmbeddedPostgres,
)
from diaodu_platform.settings import ServiceSettings
from diaodu_platform.stack import Stack
from diaodu_platform.tokens import dev_token
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
        dev_token(
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


def cmd_up(args: argparse.Namespace) -> int:
    """Start PostgreSQL, the broker and the services on loopback; Ctrl-C stops them all."""
    run_dir = REPO_ROOT / ".run"
    run_dir.mkdir(exist_ok=True)
    names = args.services or list(SERVICES)
    pg = kafka = stack = None
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
            kafka = EmbeddedKafka(port=args.kafka_port or None, log_path=run_dir / "broker.log")
            kafka.start()
            bootstrap = kafka.bootstrap
        stack = Stack(admin_dsn=admin_dsn, bootstrap=bootstrap, log_dir=run_dir)
        stack.start(names)
        state = {
            "postgres": {"dsn": admin_dsn, "pid": pg.proc.pid if pg and pg.proc else None},
            "kafka": {"bootstrap": bootstrap, "pid": kafka.proc.pid if kafka and kafka.proc else None},
            "services": {n: {"pid": s.process.pid, "url": s.url} for n, s in stack.services.items()},
        }
        (run_dir / "state.json").write_text(json.dumps(state, indent=2))
        ready = stack.wait_ready()
        for name, svc in stack.services.items():
            status = "ready" if ready[name] else f"NOT READY (see .run/{name}.log)"
            print(f"{name:<10} {svc.url}  {status}")
        print(f"postgres   {admin_dsn}\nkafka      {bootstrap}\nlogs       {run_dir}/")
        if "console" in stack.services:
            print(f"sign in    {stack.services['console'].url}/api/v1/session (the demo accounts follow)")
        if args.then:
            subprocess.run(args.then, shell=True, check=False)
        print("Ctrl-C stops everything.")
        sys.stdout.flush()
        while not stop:
            for name, code in stack.exited().items():
                print(f"{name} exited with {code}; see .run/{name}.log", file=sys.stderr)
                stop = True
            time.sleep(0.5)
        return 0
    finally:
        if stack:
            stack.stop()
        if kafka:
            kafka.stop()
        if pg:
            pg.stop()
        print("stopped")


def cmd_contracts(args: argparse.Namespace) -> int:
    from diaodu_platform.contracts import write_contracts

    changed = write_contracts(check=args.check, only=args.only)
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
    p.add_argument("services", nargs="*", help=f"some of {', '.join(SERVICES)} (default: all)")
    p.set_defaults(func=cmd_migrate)

    p = sub.add_parser("up", help="start the local stack (embedded PostgreSQL + broker + services)")
    p.add_argument("services", nargs="*", help=f"some of {', '.join(SERVICES)} (default: all)")
    p.add_argument("--database-url", help="admin DSN of an external PostgreSQL instead of the embedded one")
    p.add_argument("--kafka-bootstrap", help="an external Kafka instead of the embedded broker")
    p.add_argument("--pg-port", type=int, default=None)
    p.add_argument("--kafka-port", type=int, default=9092, help="0 for a free port")
    p.add_argument("--then", help="a shell command to run once the services are ready (e.g. load the seeds)")
    p.set_defaults(func=cmd_up)

    p = sub.add_parser("contracts", help="regenerate contracts/ (AsyncAPI, OpenAPI, event schemas)")
    p.add_argument("--check", action="store_true", help="fail if contracts/ differs from the code")
    p.add_argument("--only", nargs="*", choices=list(SERVICES), help="only these services")
    p.set_defaults(func=cmd_contracts)

    args = parser.parse_args(argv)
    unknown = [n for n in getattr(args, "services", None) or [] if n not in SERVICES]
    if unknown:
        parser.error(f"unknown service(s) {', '.join(unknown)}; choose from {', '.join(SERVICES)}")
    return int(args.func(args))


if __name__ == "__main__":
    raise SystemExit(main())
