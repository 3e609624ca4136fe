"""Session-wide real runtime: one PostgreSQL and one Kafka-wire broker for the whole test run."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from diaodu_testkit.harness import TestRuntime


@pytest.fixture(scope="session")
def runtime() -> Iterator[TestRuntime]:
    rt = TestRuntime.start()
    try:
        yield rt
    finally:
        rt.stop()
