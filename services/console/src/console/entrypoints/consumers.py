"""The events of other services the console applies: none.

The console owns no campaign data and reaches the campaign services only through their APIs
(SPEC §2), so it subscribes to no topic.
"""

from __future__ import annotations

from diaodu_platform.event_types import Subscription

SUBSCRIPTIONS: list[
    Subscription
] = []  # accounts and sessions are the console's own: it projects nobody's events
