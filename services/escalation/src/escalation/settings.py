"""The escalation service's settings: the platform's, plus the 13710 rules and the calendar overrides."""

from __future__ import annotations

from datetime import date

from diaodu_platform.settings import ServiceSettings
from escalation.domain.sla import SlaRules


class EscalationSettings(ServiceSettings):
    """Read once from `DIAODU_*` variables; lists as JSON.

    e.g. DIAODU_CALENDAR_EXTRA_HOLIDAYS='["2027-02-08"]'
    """

    service: str = "escalation"
    http_port: int = 8003

    # Days the PRC calendar package does not know yet (a future year's 调休 before it is published),
    # or corrections to it: these win over the package.
    calendar_extra_workdays: list[date] = []
    calendar_extra_holidays: list[date] = []

    # R7 13710 clocks.
    sla_acknowledge_working_days: int = 0
    sla_progress_working_days: int = 3
    sla_ordinary_resolve_working_days: int = 7
    sla_major_resolve_months: int = 1
    sla_reminder_percents: list[int] = [50, 75]
    sla_job_interval_s: float = 5.0

    # A red investment light counts as red for a second month once that month's reporting has closed
    # and this many days have passed with no change of light.
    red_light_grace_days: int = 3
    # 双周调度: the dispatch list covers this many days up to its date.
    dispatch_period_days: int = 14

    def sla_rules(self) -> SlaRules:
        return SlaRules(
            acknowledge_working_days=self.sla_acknowledge_working_days,
            progress_working_days=self.sla_progress_working_days,
            ordinary_resolve_working_days=self.sla_ordinary_resolve_working_days,
            major_resolve_months=self.sla_major_resolve_months,
            reminder_percents=tuple(self.sla_reminder_percents),
        )


def escalation_settings(settings: ServiceSettings | None = None, **overrides: object) -> EscalationSettings:
    """Our settings from the platform's (the test harness builds plain `ServiceSettings`)."""
    if isinstance(settings, EscalationSettings) and not overrides:
        return settings
    base = settings.model_dump(exclude_unset=True) if settings is not None else {}
    return EscalationSettings(**{**base, **overrides})
