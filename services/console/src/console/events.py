"""The events the console publishes: none (SPEC §2: the console needs no topic).

Sign-ins and account changes are kept in the console's own audit log (GET /api/v1/audit), not sent to
the campaign services: they learn who is calling from the short-lived tokens the console signs.
"""

from __future__ import annotations

from diaodu_platform.events import EventCatalog

# Not in diaodu_platform.event_types.PUBLISHED: an empty catalogue enters itself there when built.
CATALOG = EventCatalog("console", [])
