"""A launcher killed outright (SIGKILL: no atexit, no signal handler) takes its embedded PostgreSQL and
broker with it, so no server outlives the `make run` or test run that started it."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

LAUNCHER = """
import json, sys
from pathlib import Path
from diaodu_platform.runtime import EmbeddedKafka, EmbeddedPostgres
pg = EmbeddedPostgres(Path(sys.argv[1]), fast=True)
pg.start()
kafka = EmbeddedKafka()
kafka.start()
print("PIDS", json.dumps({"postgres": pg.proc.pid, "kafka": kafka.proc.pid}), flush=True)
sys.stdin.read()  # until killed
"""


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    try:  # a zombie waiting for its reaper is gone for our purpose
        return Path(f"/proc/{pid}/stat").read_text().split()[2] != "Z"
    except FileNotFoundError:
        return False


def test_killing_the_launcher_stops_its_postgres_and_broker(tmp_path: Path) -> None:
    tmp_path.chmod(0o755)  # PostgreSQL runs as its own user when the tests run as root
    launcher = subprocess.Popen(
        [sys.executable, "-c", LAUNCHER, str(tmp_path / "pg")],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert launcher.stdout is not None
    line = ""
    while not line.startswith("PIDS "):  # the runtime logs to stdout too
        line = launcher.stdout.readline()
        assert line, "the launcher ended before starting its servers"
    pids = json.loads(line.removeprefix("PIDS "))
    assert all(alive(pid) for pid in pids.values()), pids
    launcher.send_signal(signal.SIGKILL)
    launcher.wait(10)
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline and any(alive(pid) for pid in pids.values()):
        time.sleep(0.1)
    left = {name: pid for name, pid in pids.items() if alive(pid)}
    for pid in left.values():  # do not leave them behind even when the test fails
        os.kill(pid, signal.SIGKILL)
    assert not left, f"still running after their launcher was killed: {left}"
