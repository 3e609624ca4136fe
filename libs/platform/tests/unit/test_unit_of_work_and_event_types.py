"""The unit of work, the one Idempotency-Key mechanism and the event-type registry, without I/O."""

from __future__ import annotations

from typing import ClassVar

import pytest

from diaodu_platform.errors import Problem
from diaodu_platform.event_types import PUBLISHED, Subscription, UnknownEventType, ce_type, check_catalog
from diaodu_platform.events import Envelope, Event
from diaodu_platform.idempotency import IdempotencyRequest, Stored, run_once
from diaodu_testkit.fakes import FakeUnitOfWork


class Rang(Event):
    """A test event."""

    service: ClassVar[str] = "bell"
    name: ClassVar[str] = "rang"
    key_field: ClassVar[str] = "bell"
    bell: str


async def ignore(conn: object, env: Envelope) -> None:
    return None


async def test_events_reach_the_outbox_only_when_the_unit_of_work_commits() -> None:
    uow = FakeUnitOfWork()
    async with uow:
        uow.emit(Rang(bell="a"))
    assert uow.committed and uow.events_of(Rang) == [Rang(bell="a")]

    failing = FakeUnitOfWork()
    with pytest.raises(ValueError):
        async with failing:
            failing.emit(Rang(bell="b"))
            raise ValueError("refused")
    assert failing.rolled_back and not failing.committed and failing.published == []


def _request(body: object, key: str = "k1") -> IdempotencyRequest:
    request = IdempotencyRequest.of(principal="clerk", key=key, route="POST /api/v1/things", body=body)
    assert request is not None
    return request


async def test_a_retry_with_the_same_key_replays_the_first_answer_and_changes_nothing() -> None:
    uow = FakeUnitOfWork()
    runs = []

    async def create(u: object) -> Stored:
        runs.append(1)
        return Stored(201, {"id": len(runs)})

    first = await run_once(lambda: uow, _request({"a": 1}), create)
    again = await run_once(lambda: uow, _request({"a": 1}), create)
    assert (first.status, first.body, first.replayed) == (201, {"id": 1}, False)
    assert (again.status, again.body, again.replayed) == (201, {"id": 1}, True)
    assert len(runs) == 1


async def test_a_key_reused_for_another_body_is_refused_with_422() -> None:
    uow = FakeUnitOfWork()

    async def create(u: object) -> Stored:
        return Stored(201, {"ok": True})

    await run_once(lambda: uow, _request({"a": 1}), create)
    with pytest.raises(Problem) as refused:
        await run_once(lambda: uow, _request({"a": 2}), create)
    assert refused.value.status == 422 and "already used" in refused.value.detail


async def test_without_a_key_the_command_simply_runs_each_time() -> None:
    uow = FakeUnitOfWork()
    runs = []

    async def create(u: object) -> Stored:
        runs.append(1)
        return Stored(201, {})

    assert IdempotencyRequest.of(principal="c", key=None, route="r", body={}) is None
    await run_once(lambda: uow, None, create)
    await run_once(lambda: uow, None, create)
    assert len(runs) == 2


def test_the_hot_path_key_record_carries_the_answer() -> None:
    row = _request({"a": 1}).row(Stored(201, {"id": 7}))
    assert row["principal"] == "clerk" and row["key"] == "k1" and row["status_code"] == 201
    assert row["response"] == {"id": 7} and len(row["request_hash"]) == 64


def test_event_types_are_spelled_from_the_registry() -> None:
    assert ce_type("escalation", "problem_plan_filed") == "diaodu.escalation.problem_plan_filed.v1"
    with pytest.raises(UnknownEventType, match="not a published event type"):
        ce_type("escalation", "problem_planned")


def test_a_subscription_must_decide_on_every_event_the_producer_publishes() -> None:
    handled = {name: ignore for name in PUBLISHED["escalation"] if name != "problem_plan_filed"}
    with pytest.raises(UnknownEventType, match="problem_plan_filed"):
        Subscription("escalation", handled)
    sub = Subscription("escalation", handled, ignored=("problem_plan_filed",))
    assert "diaodu.escalation.problem_raised.v1" in sub.by_ce_type()
    assert "diaodu.escalation.problem_plan_filed.v1" not in sub.by_ce_type()


def test_a_subscription_to_an_unpublished_event_is_refused() -> None:
    with pytest.raises(UnknownEventType, match="does not publish"):
        Subscription("registry", {"project_deleted": ignore}, ignored=tuple(PUBLISHED["registry"]))
    with pytest.raises(UnknownEventType, match="both handled and ignored"):
        Subscription("registry", {"unit_registered": ignore}, ignored=tuple(PUBLISHED["registry"]))


def test_a_producer_catalogue_must_match_the_registry() -> None:
    check_catalog("scoring", list(PUBLISHED["scoring"].items()))
    with pytest.raises(UnknownEventType, match="only in the catalogue"):
        check_catalog("scoring", [*PUBLISHED["scoring"].items(), ("ranking_withdrawn", 1)])


async def test_a_fake_unit_of_work_forgets_the_rows_of_work_that_failed() -> None:
    from diaodu_testkit.fakes import FakeRows

    class Bells(FakeUnitOfWork):
        def __init__(self) -> None:
            super().__init__()
            self.bells = FakeRows()

    uow = Bells()
    async with uow:
        uow.bells.rows["a"] = "rung"
    with pytest.raises(ValueError):
        async with uow:
            uow.bells.rows["b"] = "rung"
            raise ValueError("refused")
    assert uow.bells.rows == {"a": "rung"}
