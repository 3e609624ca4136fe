"""The monthly 五个一批 assessment (R9): gather the inputs, score, rank and publish once.

A published ranking stores its policy and every input it used (with the ids of the events they
came from), so it can be explained line by line and recomputed to the identical ranking later.
"""

from __future__ import annotations

from datetime import datetime

from diaodu_platform.errors import Problem
from scoring.adapters.repositories import FactRepository
from scoring.domain.indicators import build_unit_inputs
from scoring.domain.periods import window_for
from scoring.domain.policy import Policy
from scoring.domain.ranking import PublishedRanking
from scoring.domain.scoring import UnitInput, bottom, rank_units
from scoring.service_layer.commands import RunAssessment
from scoring.service_layer.policies import current_policy, require_policy
from scoring.service_layer.publication import ranking_events
from scoring.service_layer.unit_of_work import ScoringUnitOfWork


class NothingToAssess(Exception):
    """There is nothing a ranking could fairly be published from (no ranked units or no targets)."""


async def gather_inputs(
    facts: FactRepository, *, policy: Policy, month: str, as_of: datetime | None
) -> list[UnitInput]:
    """The inputs of every unit of the ranked kinds, from the projections as of `as_of`."""
    window = window_for(month, policy.target_period)
    units = await facts.units(as_of=as_of)
    targets = await facts.targets(period=window.period, as_of=as_of)
    projects = await facts.projects(window=window, as_of=as_of)
    enterprises = await facts.enterprises(window=window, as_of=as_of)
    out = []
    for code, unit in sorted(units.items()):
        if unit.kind not in policy.ranked_kinds:
            continue
        mine = {metric: t for (u, metric), t in targets.items() if u == code}
        out.append(
            build_unit_inputs(
                unit_code=code,
                unit_name=unit.name,
                kind=unit.kind,
                unit_event_id=unit.source_event_id,
                projects=projects,
                enterprises=enterprises.get(code, []),
                targets=mine,
                window=window,
            )
        )
    return out


def assessable(policy: Policy, month: str, inputs: list[UnitInput]) -> None:
    """A month is ranked only with ranked units and at least one of their targets."""
    if not inputs:
        raise NothingToAssess(f"no units of kind {', '.join(policy.ranked_kinds)} are registered")
    if not any(i.target is not None for u in inputs for i in u.indicators.values()):
        period = window_for(month, policy.target_period).period
        raise NothingToAssess(
            f"none of the {len(inputs)} ranked units has a target for period {period}; "
            "set the targets (目标任务) in the registry first"
        )


async def publish_month(
    *, uow: ScoringUnitOfWork, policy: Policy, month: str, trigger: str, by: str, now: datetime
) -> tuple[PublishedRanking, bool]:
    """Rank and publish `month` once per (month, policy version) (R9); True when this call published it."""
    inputs = await gather_inputs(uow.facts, policy=policy, month=month, as_of=None)
    assessable(policy, month, inputs)
    cards = rank_units(policy, inputs)
    order = [
        {"rank": c.rank, "unit_code": c.unit_code, "unit_name": c.unit_name, "total_score": str(c.total)}
        for c in cards
    ]
    ranking_id = await uow.rankings.claim(
        month=month, policy=policy, trigger=trigger, by=by, now=now, order=order
    )
    if ranking_id is None:  # another replica or request published this month under this version
        existing = await uow.rankings.get(month=month, policy_version=policy.version)
        assert existing is not None
        return existing, False
    summoned = bottom(policy, cards)
    leaders = await uow.facts.unit_leaders([c.unit_code for c in summoned])
    by_code = {u.unit_code: u for u in inputs}
    interviews = {c.unit_code: leaders.get(c.unit_code, []) for c in summoned}
    ranking = PublishedRanking(ranking_id, month, policy, trigger, by, now, now, cards, by_code, interviews)
    await uow.rankings.add_details(ranking)
    uow.emit(*ranking_events(ranking, summoned))
    return ranking, True


async def run_assessment(
    *, uow: ScoringUnitOfWork, cmd: RunAssessment, by: str, now: datetime
) -> tuple[PublishedRanking, bool]:
    """Run a month's assessment now, published once per policy version (R9); 422 if nothing to assess."""
    if cmd.policy_version is not None:
        policy = await require_policy(uow.policies, cmd.policy_version)
    else:
        policy = await current_policy(uow=uow, month=cmd.month, now=now)
    try:
        return await publish_month(
            uow=uow, policy=policy, month=cmd.month, trigger=cmd.trigger, by=by, now=now
        )
    except NothingToAssess as exc:
        raise Problem(
            422, "Nothing to assess", str(exc), type_="/problems/nothing-to-assess", month=cmd.month
        ) from exc
