"""Time as a dependency: every deadline, SLA clock and assessment day reads `app.state.clock`.

In local and test mode the clock can be moved (PUT /api/v1/ops/clock) so that tests and demos can
let deadlines run out; in production it is the system clock and cannot be moved.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from diaodu_platform.types import SHANGHAI


def system_now() -> datetime:
    """The machine's time, the one place diaodu reads it: for what must follow real time whatever a
    service's clock says (token lifetimes, envelope times); everything the rules decide reads `Clock`."""
    return datetime.now(SHANGHAI)


class Clock:
    """The system clock in Asia/Shanghai, optionally shifted by an offset (non-production only)."""

    def __init__(self, *, movable: bool = False) -> None:
        self.movable = movable
        self.offset = timedelta(0)

    def now(self) -> datetime:
        return system_now() + self.offset

    def today(self) -> datetime:
        return self.now()

    def set(self, when: datetime) -> None:
        self._check()
        if when.tzinfo is None:
            when = when.replace(tzinfo=SHANGHAI)
        self.offset = when - system_now()

    def advance(self, delta: timedelta) -> None:
        self._check()
        self.offset += delta

    def reset(self) -> None:
        self.offset = timedelta(0)

    def _check(self) -> None:
        if not self.movable:
            raise PermissionError("the clock cannot be moved in production")
