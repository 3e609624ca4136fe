"""The progress service's test kit: the harness on the real runtime (harness), in-memory fakes of its
unit of work (fakes) and the builders of the handlers' unit tests (builders)."""

from progress_testkit.harness import (
    REGISTRY_DIR,
    SERVICE_DIR,
    YEAR,
    Published,
    RegistryFeed,
    at,
    start_progress,
)

__all__ = ["REGISTRY_DIR", "SERVICE_DIR", "YEAR", "Published", "RegistryFeed", "at", "start_progress"]
