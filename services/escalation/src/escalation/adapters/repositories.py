"""The repositories the command handlers and jobs use, through the unit of work (one ORM session).

Each has an in-memory twin in the tests' fakes (tests/escalation_testkit/fakes.py) with the same
methods, so a handler runs unchanged on either.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, func, or_, select, text, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from escalation.adapters.projections import INVESTMENT
from escalation.adapters.tables import (
    ClockRow,
    EscalationRow,
    HistoryRow,
    LeaderAssignmentView,
    MeetingItemRow,
    NoticeRow,
    ProblemRow,
    ProjectLight,
    ProjectView,
    SystemTrigger,
    UnitView,
)
from escalation.domain.model import Status


class ProblemRepository:
    """问题, the aggregate every command changes."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def add(self, p: ProblemRow) -> None:
        self.session.add(p)
        await self.session.flush()  # the problem row first: history, clocks and notices refer to it

    async def get(self, problem_id: str) -> ProblemRow | None:
        """The problem, locked for this transaction (commands and the timer engine serialise on it)."""
        return await self.session.get(ProblemRow, problem_id, with_for_update=True)

    async def get_unless_locked(self, problem_id: str) -> ProblemRow | None:
        """The problem under its row lock, or None when another replica holds it (SKIP LOCKED)."""
        stmt = select(ProblemRow).where(col(ProblemRow.id) == problem_id).with_for_update(skip_locked=True)
        return (await self.session.execute(stmt)).scalars().first()

    async def open_by_level(self) -> dict[int, int]:
        """Problems not closed (销号), by their current level."""
        rows = await self.session.execute(
            select(col(ProblemRow.level), func.count())
            .where(col(ProblemRow.status) != Status.RESOLVED)
            .group_by(col(ProblemRow.level))
        )
        return {int(level): int(n) for level, n in rows.all()}


class HistoryRepository:
    """Every transition of a problem (R8)."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    def add(self, row: HistoryRow) -> None:
        self.session.add(row)

    async def of(self, problem_id: str) -> list[HistoryRow]:
        await self.session.flush()
        stmt = select(HistoryRow).where(col(HistoryRow.problem_id) == problem_id).order_by(col(HistoryRow.id))
        return list((await self.session.execute(stmt)).scalars().all())


class ClockRepository:
    """The 13710 clocks (R7) of every cycle of every problem."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    def add(self, row: ClockRow) -> None:
        self.session.add(row)

    async def stop(self, problem_id: str, kinds: Collection[str], *, state: str, now: datetime) -> None:
        """End the problem's running clocks of the given kinds."""
        await self.session.flush()
        await self.session.execute(
            update(ClockRow)
            .where(
                col(ClockRow.problem_id) == problem_id,
                col(ClockRow.state) == "running",
                col(ClockRow.kind).in_(list(kinds)),
            )
            .values(state=state, ended_at=now)
        )

    async def owing(self, problem_id: str, now: datetime) -> list[ClockRow]:
        """The problem's running clocks that owe a reminder or have run out by `now`, earliest first."""
        stmt = (
            select(ClockRow)
            .where(
                col(ClockRow.problem_id) == problem_id,
                col(ClockRow.state) == "running",
                col(ClockRow.next_at) <= now,
            )
            .order_by(col(ClockRow.due_at), col(ClockRow.id))
        )
        return list((await self.session.execute(stmt)).scalars().all())

    async def problems_owing(self, now: datetime, *, skip: Collection[str], limit: int) -> list[str]:
        """Ids of problems with a clock owing something by `now` (not in `skip`), in id order."""
        stmt = (
            select(col(ClockRow.problem_id))
            .where(
                col(ClockRow.state) == "running",
                col(ClockRow.next_at) <= now,
                col(ClockRow.problem_id).not_in(skip),
            )
            .group_by(col(ClockRow.problem_id))
            .order_by(col(ClockRow.problem_id))
            .limit(limit)
        )
        return [r[0] for r in (await self.session.execute(stmt)).all()]


class NoticeRepository:
    """督办函 and their per-year numbering."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def next_seq(self, year: int) -> int:
        """Advance the year's counter atomically; the row lock holds until commit (two replicas)."""
        seq = (
            await self.session.execute(
                text(
                    "INSERT INTO notice_counters (year, last) VALUES (:year, 1) "
                    "ON CONFLICT (year) DO UPDATE SET last = notice_counters.last + 1 RETURNING last"
                ),
                {"year": year},
            )
        ).scalar_one()
        return int(seq)

    def add(self, row: NoticeRow) -> None:
        self.session.add(row)


class LadderRepository:
    """Steps up the ladder (R8) and the county meeting's agenda items."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def add_escalation(self, row: EscalationRow) -> None:
        self.session.add(row)
        await self.session.flush()  # the unique clock_id refuses a second escalation of the same breach

    async def add_meeting_item(self, row: MeetingItemRow) -> None:
        self.session.add(row)
        await self.session.flush()

    async def close_meeting_items(self, problem_id: str, now: datetime) -> None:
        await self.session.execute(
            update(MeetingItemRow)
            .where(
                col(MeetingItemRow.problem_id) == problem_id,
                col(MeetingItemRow.closed_at).is_(None),
            )
            .values(closed_at=now)
        )


class DirectoryRepository:
    """Units, projects and leaders as projected from the registry's events."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def unit(self, code: str) -> UnitView | None:
        return await self.session.get(UnitView, code)

    async def project(self, project_id: str) -> ProjectView | None:
        return await self.session.get(ProjectView, project_id)

    async def leaders_of(self, *, project_id: str | None, unit_code: str) -> list[str]:
        """包联/分管 leaders of the project, then of the owning unit (R8 level 2)."""
        la = LeaderAssignmentView
        conditions: list[ColumnElement[bool]] = [
            (col(la.unit_code) == unit_code) & col(la.project_id).is_(None)
        ]
        if project_id:
            conditions.append(col(la.project_id) == project_id)
        rows = (
            await self.session.execute(select(col(la.leader_id), col(la.project_id)).where(or_(*conditions)))
        ).all()
        ordered = sorted(rows, key=lambda r: (r[1] is None, r[0]))
        return list(dict.fromkeys(r[0] for r in ordered))


class TriggerRepository:
    """Episodes that make the system raise a problem by itself, and the lights they come from."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def red_investment_lights(self, *, red_since_up_to: str) -> list[ProjectLight]:
        """Projects whose investment light has been red since `red_since_up_to` or earlier."""
        stmt = select(ProjectLight).where(
            col(ProjectLight.kind) == INVESTMENT,
            col(ProjectLight.light) == "red",
            col(ProjectLight.red_since) <= red_since_up_to,
        )
        return list((await self.session.execute(stmt)).scalars().all())

    async def add_if_new(self, **values: Any) -> None:
        """Record an episode once: a known key changes nothing."""
        await self.session.execute(
            insert(SystemTrigger).values(**values).on_conflict_do_nothing(index_elements=["key"])
        )

    async def pending(self, limit: int) -> list[SystemTrigger]:
        """Episodes with no problem yet, oldest first, locked (SKIP LOCKED: replicas share the work)."""
        stmt = (
            select(SystemTrigger)
            .where(col(SystemTrigger.problem_id).is_(None))
            .order_by(col(SystemTrigger.detected_at))
            .limit(limit)
            .with_for_update(skip_locked=True)
        )
        return list((await self.session.execute(stmt)).scalars().all())
