"""Lock-out after repeated failed sign-ins: the arithmetic of the failure window and the lock.

After `max_failures` failed sign-ins within `window` (counted from the first failure of the window),
the account is locked for `lock_for`; while locked even the right password is refused. A successful
sign-in forgets the failures.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta


@dataclass(frozen=True)
class LockoutPolicy:
    max_failures: int = 5
    window: timedelta = timedelta(minutes=15)
    lock_for: timedelta = timedelta(minutes=15)


@dataclass(frozen=True)
class Attempts:
    """An account's failed sign-ins: how many in the current window, since when, locked until when."""

    failures: int = 0
    first_failure_at: datetime | None = None
    locked_until: datetime | None = None

    def locked(self, now: datetime) -> bool:
        return self.locked_until is not None and now < self.locked_until

    def after_failure(self, now: datetime, policy: LockoutPolicy) -> Attempts:
        """The attempts after one more failure at `now`: a new window when the last one has passed,
        and a lock (with the count reset) when this failure reaches the limit."""
        if self.first_failure_at is None or now - self.first_failure_at >= policy.window:
            counted = Attempts(failures=1, first_failure_at=now)
        else:
            counted = replace(self, failures=self.failures + 1, locked_until=None)
        if counted.failures >= policy.max_failures:
            return Attempts(locked_until=now + policy.lock_for)
        return counted

    def after_success(self) -> Attempts:
        return Attempts()
