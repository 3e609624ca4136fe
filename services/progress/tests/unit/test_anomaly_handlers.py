"""Reviews of flagged figures (R4) on the in-memory unit of work."""

from __future__ import annotations

import pytest
from progress_testkit.builders import ADMIN, SUPERVISOR, on, run, submit, world
from progress_testkit.fakes import FakeProgressUnitOfWork

from diaodu_platform.errors import Problem
from progress.domain.model import AnomalyStatus
from progress.events import AnomalyFlagged, AnomalyReviewed
from progress.service_layer.anomalies import review_anomaly
from progress.service_layer.commands import ReviewAnomaly
from progress.service_layer.read_models import AnomalyOut
from progress.service_layer.reports import submit_report

DISMISSED, CONFIRMED = AnomalyStatus.DISMISSED, AnomalyStatus.CONFIRMED


async def flagged() -> tuple[FakeProgressUnitOfWork, str]:
    """A world with one over-budget (超概算) report and its open anomaly."""
    uow = world(("p1", "fc", "100"))
    await run(uow, submit_report, cmd=submit("p1", 1, "150", "150", "150"), now=on(2, 10), principal=ADMIN)
    [flag] = uow.events_of(AnomalyFlagged)
    return uow, flag.anomaly_id


async def review(uow: FakeProgressUnitOfWork, cmd: ReviewAnomaly, day: int) -> AnomalyOut:
    out: AnomalyOut = await run(uow, review_anomaly, cmd=cmd, now=on(2, day), principal=SUPERVISOR)
    return out


async def test_a_flag_is_dismissed_and_the_review_is_an_event() -> None:
    uow, aid = await flagged()
    out = await review(uow, ReviewAnomaly(aid, DISMISSED, "追加投资已批复"), 11)
    assert (out.status, out.reviewed_by, out.review_note) == (DISMISSED, "duchashi", "追加投资已批复")
    [event] = uow.events_of(AnomalyReviewed)
    assert (event.anomaly_id, event.status, event.rule.value) == (aid, DISMISSED, "over_budget")
    assert event.reviewed_at == on(2, 11) and uow.anomalies.records[aid].status == "dismissed"


async def test_a_flag_is_reviewed_only_once() -> None:
    uow, aid = await flagged()
    await review(uow, ReviewAnomaly(aid, DISMISSED), 11)
    with pytest.raises(Problem) as twice:
        await review(uow, ReviewAnomaly(aid, CONFIRMED), 12)
    assert twice.value.status == 409 and twice.value.ext["review_status"] == "dismissed"
    assert len(uow.events_of(AnomalyReviewed)) == 1


async def test_a_review_must_confirm_or_dismiss() -> None:
    uow, aid = await flagged()
    with pytest.raises(Problem) as invalid:
        await review(uow, ReviewAnomaly(aid, AnomalyStatus.OPEN), 11)
    assert invalid.value.status == 422
    assert invalid.value.ext["errors"][0]["allowed"] == ["confirmed", "dismissed"]
    assert uow.anomalies.records[aid].status == "open"


async def test_reviewing_an_unknown_anomaly_is_not_found() -> None:
    uow, _ = await flagged()
    with pytest.raises(Problem) as missing:
        await review(uow, ReviewAnomaly("nope", CONFIRMED), 11)
    assert missing.value.status == 404
