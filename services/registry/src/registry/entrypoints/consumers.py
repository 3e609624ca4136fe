"""The events of other services the registry applies: none.

The registry is where units, leaders, projects, campaigns and targets start (SPEC §2); it needs no
other service's data, so it subscribes to no topic.
"""

from __future__ import annotations

from diaodu_platform.event_types import Subscription

SUBSCRIPTIONS: list[Subscription] = []  # the registry owns the master data: it projects nobody's events
