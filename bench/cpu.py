"""CPU time spent by each part of the system during a phase (Linux /proc), to say where a report's
cost goes: the four services (by pid), every PostgreSQL process, the broker, the benchmark itself."""

from __future__ import annotations

import os
import time
from pathlib import Path

TICK = os.sysconf("SC_CLK_TCK")


def _seconds(stat: str) -> float:
    fields = stat.rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICK  # utime + stime


def _of_pid(pid: int) -> float:
    try:
        return _seconds(Path(f"/proc/{pid}/stat").read_text())
    except (OSError, IndexError, ValueError):
        return 0.0


def _postgres() -> float:
    total = 0.0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            text = stat.read_text()
        except OSError:
            continue
        if "(postgres)" in text:
            total += _seconds(text)
    return total


def snapshot(pids: dict[str, int]) -> dict[str, float]:
    """CPU seconds so far of the named processes, all postgres processes and this process."""
    out = {name: _of_pid(pid) for name, pid in pids.items()}
    out["postgres"] = _postgres()
    out["bench client"] = time.process_time()
    return out


def per_item_ms(before: dict[str, float], after: dict[str, float], items: int) -> str:
    """'name 1.2 ms, …' of CPU per item between two snapshots (postgres: backends alive at both)."""
    parts = [f"{name} {(after[name] - before[name]) * 1000 / max(items, 1):.2f} ms" for name in after]
    return ", ".join(parts)


def load() -> str:
    one, five, _ = os.getloadavg()
    return f"load average {one:.2f} (1 min), {five:.2f} (5 min) on {os.cpu_count()} CPUs"
