"""The monthly 五个一批 assessment (R9): gather inputs, score, rank, publish, explain, recompute.

A published ranking stores its policy and every input it used (with the ids of the events they
came from), so it can be explained line by line and recomputed to the identical ranking later.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Row, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncConnection

from diaodu_platform.outbox import Outbox
from scoring.adapters import facts
from scoring.adapters.tables import interviews, rankings, scorecards
from scoring.domain.indicators import build_unit_inputs
from scoring.domain.periods import window_for
from scoring.domain.policy import Policy, policy_from_dict, policy_to_dict
from scoring.domain.scoring import (
    Scorecard,
    UnitInput,
    bottom,
    rank_units,
    scorecard_from_dict,
    scorecard_to_dict,
    unit_input_from_dict,
    unit_input_to_dict,
)
from scoring.events import (
    IndicatorLine,
    InterviewRequired,
    LeaderRef,
    RankedUnit,
    RankingPublished,
    ScorecardComputed,
)


class NothingToAssess(Exception):
    """There is nothing a ranking could fairly be published from (no ranked units or no targets)."""


async def gather_inputs(
    conn: AsyncConnection, *, policy: Policy, month: str, as_of: datetime | None
) -> list[UnitInput]:
    """The inputs of every unit of the ranked kinds, from the projections as of `as_of`."""
    window = window_for(month, policy.target_period)
    units = await facts.load_units(conn, as_of=as_of)
    targets = await facts.load_targets(conn, period=window.period, as_of=as_of)
    projects = await facts.load_project_facts(conn, window=window, as_of=as_of)
    enterprises = await facts.load_enterprises(conn, window=window, as_of=as_of)
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
    if not inputs:
        raise NothingToAssess(f"no units of kind {', '.join(policy.ranked_kinds)} are registered")
    if not any(i.target is not None for u in inputs for i in u.indicators.values()):
        period = window_for(month, policy.target_period).period
        raise NothingToAssess(
            f"none of the {len(inputs)} ranked units has a target for period {period}; "
            "set the targets (目标任务) in the registry first"
        )


@dataclass
class StoredRanking:
    id: int
    month: str
    policy: Policy
    trigger: str
    published_by: str
    published_at: datetime
    data_as_of: datetime | None
    cards: list[Scorecard]
    inputs: dict[str, UnitInput]
    interviews: dict[str, list[dict[str, Any]]]


def _line(c: Scorecard) -> list[IndicatorLine]:
    return [
        IndicatorLine(
            code=i.code,
            label=i.label,
            actual=i.actual,
            target=i.target,
            rate=i.rate,
            cap=i.cap,
            weight=i.weight,
            score=i.score,
            note=i.note,
        )
        for i in c.indicators
    ]


async def publish_month(
    conn: AsyncConnection, outbox: Outbox, *, policy: Policy, month: str, trigger: str, by: str, now: datetime
) -> tuple[StoredRanking, bool]:
    """Rank `month` under `policy` and publish it, once per (month, policy version); returns the
    ranking and whether this call published it (False: it had been published already)."""
    inputs = await gather_inputs(conn, policy=policy, month=month, as_of=None)
    assessable(policy, month, inputs)
    cards = rank_units(policy, inputs)
    order = [
        {"rank": c.rank, "unit_code": c.unit_code, "unit_name": c.unit_name, "total_score": str(c.total)}
        for c in cards
    ]
    ranking_id = (
        await conn.execute(
            insert(rankings)
            .values(
                month=month,
                policy_version=policy.version,
                trigger=trigger,
                published_by=by,
                published_at=now,
                data_as_of=now,
                policy=policy_to_dict(policy),
                ranking=order,
            )
            .on_conflict_do_nothing()
            .returning(rankings.c.id)
        )
    ).scalar()
    if ranking_id is None:  # another replica or request published this month under this version
        existing = await load_ranking(conn, month=month, policy_version=policy.version)
        assert existing is not None
        return existing, False
    by_code = {u.unit_code: u for u in inputs}
    await conn.execute(
        insert(scorecards),
        [
            {
                "ranking_id": ranking_id,
                "unit_code": c.unit_code,
                "month": month,
                "rank": c.rank,
                "total_score": c.total,
                "scorecard": scorecard_to_dict(c),
                "inputs": unit_input_to_dict(by_code[c.unit_code]),
            }
            for c in cards
        ],
    )
    summoned = bottom(policy, cards)
    leaders = await facts.load_unit_leaders(conn, [c.unit_code for c in summoned])
    if summoned:
        await conn.execute(
            insert(interviews),
            [
                {
                    "ranking_id": ranking_id,
                    "unit_code": c.unit_code,
                    "month": month,
                    "rank": c.rank,
                    "leaders": leaders.get(c.unit_code, []),
                }
                for c in summoned
            ],
        )
    n = len(cards)
    events: list[Any] = [
        ScorecardComputed(
            ranking_id=ranking_id,
            month=month,
            policy_version=policy.version,
            unit_code=c.unit_code,
            unit_name=c.unit_name,
            rank=c.rank,
            ranked_count=n,
            total_score=c.total,
            indicators=_line(c),
        )
        for c in cards
    ]
    events.append(
        RankingPublished(
            ranking_id=ranking_id,
            month=month,
            policy_version=policy.version,
            trigger=trigger,
            published_at=now,
            ranking=[
                RankedUnit(rank=c.rank, unit_code=c.unit_code, unit_name=c.unit_name, total_score=c.total)
                for c in cards
            ],
            bottom_units=[c.unit_code for c in summoned],
        )
    )
    events += [
        InterviewRequired(
            ranking_id=ranking_id,
            month=month,
            policy_version=policy.version,
            unit_code=c.unit_code,
            unit_name=c.unit_name,
            rank=c.rank,
            ranked_count=n,
            total_score=c.total,
            leaders=[
                LeaderRef(
                    leader_id=x["leader_id"],
                    leader_name=x["leader_name"],
                    leader_title=x["leader_title"],
                    role=x["role"],
                )
                for x in leaders.get(c.unit_code, [])
            ],
            reason=f"{month} 五个一批考核 ranked {c.rank} of {n} (bottom {policy.interview_count}): 约谈",
        )
        for c in summoned
    ]
    await outbox.add(conn, *events)
    stored = StoredRanking(
        ranking_id,
        month,
        policy,
        trigger,
        by,
        now,
        now,
        cards,
        by_code,
        {c.unit_code: leaders.get(c.unit_code, []) for c in summoned},
    )
    return stored, True


async def load_ranking(
    conn: AsyncConnection, *, month: str, policy_version: int | None = None
) -> StoredRanking | None:
    """A published ranking of `month` (the latest published one unless a policy version is given)."""
    stmt = select(rankings).where(rankings.c.month == month).order_by(rankings.c.id.desc()).limit(1)
    if policy_version is not None:
        stmt = stmt.where(rankings.c.policy_version == policy_version)
    return await _stored(conn, (await conn.execute(stmt)).first())


async def load_ranking_by_id(conn: AsyncConnection, ranking_id: int) -> StoredRanking | None:
    return await _stored(
        conn, (await conn.execute(select(rankings).where(rankings.c.id == ranking_id))).first()
    )


async def latest_ranking(conn: AsyncConnection) -> StoredRanking | None:
    """The ranking of the latest assessed month (the latest published one of that month)."""
    stmt = select(rankings).order_by(rankings.c.month.desc(), rankings.c.id.desc()).limit(1)
    return await _stored(conn, (await conn.execute(stmt)).first())


async def _stored(conn: AsyncConnection, r: Row[Any] | None) -> StoredRanking | None:
    if r is None:
        return None
    rows = (
        await conn.execute(
            select(scorecards).where(scorecards.c.ranking_id == r.id).order_by(scorecards.c.rank)
        )
    ).all()
    summoned = {
        x.unit_code: list(x.leaders)
        for x in await conn.execute(select(interviews).where(interviews.c.ranking_id == r.id))
    }
    return StoredRanking(
        r.id,
        r.month,
        policy_from_dict(r.policy),
        r.trigger,
        r.published_by,
        r.published_at,
        r.data_as_of,
        [scorecard_from_dict(x.scorecard) for x in rows],
        {x.unit_code: unit_input_from_dict(x.inputs) for x in rows},
        summoned,
    )


async def list_rankings(
    conn: AsyncConnection, *, year: int | None, month: str | None
) -> list[dict[str, Any]]:
    stmt = select(rankings).order_by(rankings.c.month, rankings.c.id)
    if month:
        stmt = stmt.where(rankings.c.month == month)
    elif year:
        stmt = stmt.where(rankings.c.month.like(f"{year:04d}-%"))
    return [
        {
            "ranking_id": r.id,
            "month": r.month,
            "policy_version": r.policy_version,
            "trigger": r.trigger,
            "published_by": r.published_by,
            "published_at": r.published_at,
            "units": len(r.ranking),
            "bottom_units": [x["unit_code"] for x in r.ranking[-r.policy.get("interview_count", 3) :]]
            if r.policy.get("interview_count", 3)
            else [],
        }
        for r in await conn.execute(stmt)
    ]


def card_out(c: Scorecard) -> dict[str, Any]:
    return {
        "rank": c.rank,
        "unit_code": c.unit_code,
        "unit_name": c.unit_name,
        "total_score": c.total,
        "indicators": [
            {
                "code": i.code,
                "label": i.label,
                "actual": i.actual,
                "target": i.target,
                "rate": i.rate,
                "cap": i.cap,
                "weight": i.weight,
                "score": i.score,
                "note": i.note,
            }
            for i in c.indicators
        ],
    }


def ranking_out(r: StoredRanking) -> dict[str, Any]:
    return {
        "ranking_id": r.id,
        "month": r.month,
        "policy_version": r.policy.version,
        "trigger": r.trigger,
        "published_by": r.published_by,
        "published_at": r.published_at,
        "data_as_of": r.data_as_of,
        "policy": policy_to_dict(r.policy),
        "scorecards": [card_out(c) for c in r.cards],
        "interviews": [{"unit_code": code, "leaders": leaders} for code, leaders in r.interviews.items()],
    }


async def unit_scorecards(conn: AsyncConnection, *, unit_code: str, year: int | None) -> list[dict[str, Any]]:
    """One unit's scorecards in the latest published ranking of each month (for its leaders)."""
    latest = {r["month"]: r["policy_version"] for r in await list_rankings(conn, year=year, month=None)}
    out = []
    for month in sorted(latest):
        r = await load_ranking(conn, month=month, policy_version=latest[month])
        card = next((c for c in r.cards if c.unit_code == unit_code), None) if r else None
        if r is not None and card is not None:
            out.append(
                {
                    "month": month,
                    "ranking_id": r.id,
                    "policy_version": r.policy.version,
                    "ranked_count": len(r.cards),
                    "interview": unit_code in r.interviews,
                    **card_out(card),
                }
            )
    return out
