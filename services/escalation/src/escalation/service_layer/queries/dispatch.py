"""The 双周调度 (bi-weekly dispatch) lists per leader and the county meeting's agenda (R8 level 3)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import date, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession
from sqlmodel import col

from diaodu_platform.auth import Principal, Role
from diaodu_platform.db import session_on
from diaodu_platform.errors import forbidden
from escalation.adapters.tables import HistoryRow, LeaderView, MeetingItemRow, NoticeRow, ProblemRow
from escalation.domain.model import Action, Status
from escalation.service_layer.queries.views import is_overdue, leader_filter, project_names
from escalation.service_layer.read_models import DispatchItem, DispatchList, DispatchSummary, MeetingItemOut


async def list_meeting_items(
    *, conn: AsyncConnection, open_only: bool, now: datetime
) -> list[MeetingItemOut]:
    """The county government meeting's agenda (level 3)."""
    stmt = select(MeetingItemRow, ProblemRow).join(
        ProblemRow, col(ProblemRow.id) == col(MeetingItemRow.problem_id)
    )
    if open_only:
        stmt = stmt.where(col(MeetingItemRow.closed_at).is_(None))
    async with session_on(conn) as session:
        rows = (await session.execute(stmt.order_by(col(MeetingItemRow.id)))).all()
        return [
            MeetingItemOut(
                id=m.id or 0,
                problem_id=m.problem_id,
                notice_number=m.notice_number,
                added_at=m.added_at,
                closed_at=m.closed_at,
                title=p.title,
                owner_unit=p.owner_unit,
                status=p.status,
                overdue=is_overdue(p, now),
            )
            for m, p in rows
        ]


async def _last_notes(session: AsyncSession, ids: list[str]) -> dict[str, tuple[str | None, datetime]]:
    rows = (
        await session.execute(
            select(col(HistoryRow.problem_id), col(HistoryRow.note), col(HistoryRow.at))
            .where(
                col(HistoryRow.problem_id).in_(ids),
                col(HistoryRow.action).in_(
                    [Action.PROGRESS.value, Action.FILE_PLAN.value, Action.ACKNOWLEDGE.value]
                ),
            )
            .order_by(col(HistoryRow.id))
        )
    ).all()
    return {r[0]: (r[1], r[2]) for r in rows}


async def _notice_numbers(session: AsyncSession, ids: list[str]) -> dict[str, list[str]]:
    notices: dict[str, list[str]] = defaultdict(list)
    for pid, number in (
        await session.execute(
            select(col(NoticeRow.problem_id), col(NoticeRow.number))
            .where(col(NoticeRow.problem_id).in_(ids))
            .order_by(col(NoticeRow.id))
        )
    ).all():
        notices[pid].append(number)
    return notices


async def _items(
    session: AsyncSession, problems: Sequence[ProblemRow], now: datetime
) -> dict[str, DispatchItem]:
    """Each problem as a line of the dispatch list, with its last note and its 督办函."""
    ids = [p.id for p in problems]
    notes = await _last_notes(session, ids)
    notices = await _notice_numbers(session, ids)
    projects = await project_names(session, problems)

    def item(p: ProblemRow) -> DispatchItem:
        note, at = notes.get(p.id, (None, None))
        return DispatchItem(
            problem_id=p.id,
            title=p.title,
            project_id=p.project_id,
            project_name=projects.get(p.project_id or ""),
            owner_unit=p.owner_unit,
            category=p.category,
            severity=p.severity,
            level=p.level,
            status=p.status,
            deadline=p.deadline,
            overdue=is_overdue(p, now),
            raised_at=p.raised_at,
            last_note=note,
            last_note_at=at,
            notices=notices[p.id],
        )

    return {p.id: item(p) for p in problems}


async def dispatch_list(
    *,
    conn: AsyncConnection,
    principal: Principal,
    leader_id: str,
    as_of: date,
    period_days: int,
    now: datetime,
) -> DispatchList:
    """双周调度: the leader's open problems (overdue and highest level first), and what the fortnight
    brought in and closed."""
    if principal.role is Role.leader and principal.sub != leader_id:
        raise forbidden("a leader sees only their own dispatch list")
    start = as_of - timedelta(days=period_days - 1)
    async with session_on(conn) as session:
        leader = await session.get(LeaderView, leader_id)
        problems = (await session.execute(select(ProblemRow).where(leader_filter(leader_id)))).scalars().all()
        items = await _items(session, problems, now)

    def in_period(at: datetime | None) -> bool:
        return at is not None and start <= at.astimezone(now.tzinfo).date() <= as_of

    open_ = sorted(
        (p for p in problems if p.status != Status.RESOLVED),
        key=lambda p: (not is_overdue(p, now), -p.level, p.deadline or date.max, p.raised_at),
    )
    return DispatchList(
        leader_id=leader_id,
        leader_name=leader.name if leader else None,
        period_start=start,
        period_end=as_of,
        open_count=len(open_),
        overdue_count=sum(is_overdue(p, now) for p in open_),
        open=[items[p.id] for p in open_],
        raised_in_period=[p.id for p in problems if in_period(p.raised_at)],
        resolved_in_period=[
            items[p.id] for p in problems if p.status == Status.RESOLVED and in_period(p.resolved_at)
        ],
    )


async def dispatch_summary(*, conn: AsyncConnection, now: datetime) -> list[DispatchSummary]:
    """Every leader with open problems: counts by level and overdue, for the 双周调度 meeting."""
    async with session_on(conn) as session:
        leaders = (await session.execute(select(LeaderView).order_by(col(LeaderView.id)))).scalars().all()
        out = []
        for leader in leaders:
            open_ = select(ProblemRow).where(
                leader_filter(leader.id), col(ProblemRow.status) != Status.RESOLVED
            )
            rows = (await session.execute(open_)).scalars().all()
            if not rows:
                continue
            by_level: dict[int, int] = defaultdict(int)
            for p in rows:
                by_level[p.level] += 1
            out.append(
                DispatchSummary(
                    leader_id=leader.id,
                    leader_name=leader.name,
                    open_count=len(rows),
                    overdue_count=sum(is_overdue(p, now) for p in rows),
                    by_level=dict(by_level),
                )
            )
        return out
