"""The pass-through to the four services (SPEC §2, §6): which services it reaches, which requests are
writes (audited), and what a department system's client credentials may do through it."""

from __future__ import annotations

SERVICES = ("registry", "progress", "escalation", "scoring")
WRITES = frozenset({"POST", "PUT", "PATCH", "DELETE"})
READS = frozenset({"GET", "HEAD"})
# A client token writes only what it is issued for: reports and unit returns to progress.
CLIENT_WRITES = frozenset(
    {("POST", "progress", "api/v1/reports"), ("POST", "progress", "api/v1/unit-returns")}
)


def is_write(method: str) -> bool:
    return method.upper() in WRITES


def client_may(method: str, service: str, path: str) -> bool:
    """Reads of anything (each service keeps a client to its unit), and the writes it is issued for."""
    verb = method.upper()
    return verb in READS or (verb, service, path.strip("/")) in CLIENT_WRITES


def client_allowance() -> str:
    """What a client may do through the console, for a refusal's text."""
    writes = ", ".join(f"{m} /api/v1/services/{s}/{p}" for m, s, p in sorted(CLIENT_WRITES))
    return f"GET of its own unit's data, and {writes}"
