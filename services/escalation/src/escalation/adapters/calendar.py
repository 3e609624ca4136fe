"""The PRC working-day calendar (with 调休 make-up days) from the maintained `chinese_calendar` package.

Configured extra workdays and holidays win over the package; for a year the package does not know
yet (it raises NotImplementedError), the fallback is Monday to Friday plus those overrides.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from functools import lru_cache

import chinese_calendar

from diaodu_platform.logging import get_logger
from escalation.domain.sla import IsWorkday

log = get_logger(__name__)


def prc_calendar(*, extra_workdays: Iterable[date] = (), extra_holidays: Iterable[date] = ()) -> IsWorkday:
    workdays = frozenset(extra_workdays)
    holidays = frozenset(extra_holidays)
    warned: set[int] = set()

    @lru_cache(maxsize=4096)
    def is_workday(day: date) -> bool:
        if day in holidays:
            return False
        if day in workdays:
            return True
        try:
            return bool(chinese_calendar.is_workday(day))
        except NotImplementedError:
            if day.year not in warned:
                warned.add(day.year)
                log.warning(
                    "PRC holidays not known for this year; counting Monday-Friday plus the configured "
                    "extra workdays/holidays",
                    year=day.year,
                )
            return day.weekday() < 5

    return is_workday
