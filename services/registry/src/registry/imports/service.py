"""Running an import: check every row, apply it through the registry's own handlers, commit or not.

Everything happens in ONE transaction (unit of work), so each saved row stages its normal event
in the outbox, and nothing at all is saved when an error remains. A dry run takes the very same
path and rolls back at the end, so it finds whatever the commit would find (including conflicts
only the handlers see) and reports what would be created, updated or left unchanged.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from functools import partial
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession
from sqlmodel import col, select

from diaodu_platform.auth import Principal
from diaodu_platform.db import unit_of_work
from diaodu_platform.errors import Problem
from diaodu_platform.outbox import Outbox
from registry.adapters.tables import Campaign, Project, Target, Unit
from registry.domain.targets import TargetLine
from registry.entrypoints import schemas as s
from registry.imports import rows, target_rows
from registry.imports.coverage import Registered, check_coverage
from registry.imports.directory import Directory, UnitRef
from registry.imports.reader import Row, Sheet, read
from registry.imports.report import ImportReport, SheetSummary
from registry.imports.vocabulary import Kind
from registry.service_layer import handlers


class _Rollback(Exception):
    """Leaves the unit of work without committing (dry run, or errors remain)."""


class _Context:
    def __init__(
        self,
        session: AsyncSession,
        outbox: Outbox,
        principal: Principal,
        directory: Directory,
        report: ImportReport,
    ) -> None:
        self.session, self.outbox, self.principal = session, outbox, principal
        self.directory, self.report = directory, report

    async def attempt(self, sheet: Sheet, row: Row | None, action: Callable[[], Awaitable[Any]]) -> bool:
        """Run one handler call in a savepoint; a refusal becomes an error of its row, the rest go on."""
        try:
            async with self.session.begin_nested():
                await action()
                return True
        except Problem as exc:
            for err in exc.ext.get("errors") or [{"field": None, "message": exc.detail or exc.title}]:
                field = str(err.get("field") or "").split(".")[-1]
                self.report.error(
                    sheet.name,
                    str(err.get("message")),
                    code=f"refused_{exc.status}",
                    row=row.number if row else None,
                    column=sheet.header(field) if field in sheet.columns else None,
                )
        except IntegrityError as exc:
            self.report.error(
                sheet.name,
                f"the database refused the row: {exc.orig}",
                code="refused",
                row=row.number if row else None,
            )
        return False


async def run_import(
    *,
    engine: AsyncEngine,
    outbox: Outbox,
    principal: Principal,
    kind: str,
    filename: str,
    content: bytes,
    dry_run: bool,
) -> ImportReport:
    """Check and apply one uploaded file; raises reader.FileError when the file cannot be read at all."""
    report = ImportReport(kind=kind, filename=filename, dry_run=dry_run)
    sheets = read(kind, filename, content, report)
    try:
        async with unit_of_work(engine) as session:
            ctx = _Context(session, outbox, principal, await _directory(session), report)
            for sheet in sheets:
                summary = SheetSummary(kind=sheet.kind, sheet=sheet.name, rows=len(sheet.rows))
                report.sheets.append(summary)
                if any(i.code == "missing_column" and i.sheet == sheet.name for i in report.issues):
                    continue  # every row would repeat the missing column
                await _APPLY[sheet.kind](ctx, sheet, summary)
            if dry_run or not report.ok:
                raise _Rollback
    except _Rollback:
        pass
    else:
        report.committed = True
    report.sort()
    return report


async def _directory(session: AsyncSession) -> Directory:
    units = (await session.execute(select(Unit))).scalars().all()
    campaigns = (await session.execute(select(Campaign))).scalars().all()
    return Directory.of(
        (UnitRef(u.code, u.name, u.kind, u.parent_code, list(u.aliases)) for u in units),
        {c.id: c.name for c in campaigns},
    )


async def _campaigns(ctx: _Context, sheet: Sheet, summary: SheetSummary) -> None:
    for checked in rows.check_campaigns(sheet, ctx.directory, ctx.report):
        data = checked.data
        existing = await ctx.session.get(Campaign, data.id)
        if existing is None:
            summary.created += await ctx.attempt(
                sheet,
                checked.row,
                partial(handlers.create_campaign, session=ctx.session, outbox=ctx.outbox, data=data),
            )
            continue
        stored = (existing.name, existing.start_date, existing.end_date, existing.description)
        if stored == (data.name, data.start_date, data.end_date, data.description):
            summary.unchanged += 1
        else:
            ctx.report.error(
                sheet.name,
                f"campaign {data.id} already exists as {existing.name} "
                f"{existing.start_date}..{existing.end_date}; an import does not change an existing "
                "campaign: use a new 行动编码 or the stored values",
                code="campaign_differs",
                row=checked.row.number,
                column=sheet.header("id"),
                value=data.id,
            )


async def _units(ctx: _Context, sheet: Sheet, summary: SheetSummary) -> None:
    for checked in rows.check_units(sheet, ctx.directory, ctx.report):
        data = checked.data
        existing = await ctx.session.get(Unit, data.code)
        if existing is None:
            summary.created += await ctx.attempt(
                sheet,
                checked.row,
                partial(handlers.register_unit, session=ctx.session, outbox=ctx.outbox, data=data),
            )
            continue
        changes = {
            f: getattr(data, f) for f in sorted(checked.given) if getattr(existing, f) != getattr(data, f)
        }
        if not changes:
            summary.unchanged += 1
            continue
        patch = s.UnitPatch(**changes)
        summary.updated += await ctx.attempt(
            sheet,
            checked.row,
            partial(handlers.update_unit, session=ctx.session, outbox=ctx.outbox, code=data.code, data=patch),
        )


async def _projects(ctx: _Context, sheet: Sheet, summary: SheetSummary) -> None:
    for checked in rows.check_projects(sheet, ctx.directory, ctx.report):
        data = checked.data
        stmt = select(Project).where(
            col(Project.code) == data.code
            if data.code
            else (col(Project.unit_code) == data.unit_code) & (col(Project.name) == data.name)
        )
        existing = (await ctx.session.execute(stmt)).scalars().first()
        if existing is None:
            summary.created += await ctx.attempt(
                sheet,
                checked.row,
                partial(
                    handlers.register_project,
                    session=ctx.session,
                    outbox=ctx.outbox,
                    principal=ctx.principal,
                    data=data,
                ),
            )
            continue
        changes = _project_changes(ctx, sheet, checked, existing)
        if changes is None:
            continue
        if not changes:
            summary.unchanged += 1
            continue
        patch = s.ProjectPatch(**changes)
        summary.updated += await ctx.attempt(
            sheet,
            checked.row,
            partial(
                handlers.update_project,
                session=ctx.session,
                outbox=ctx.outbox,
                principal=ctx.principal,
                project_id=existing.id,
                data=patch,
            ),
        )


def _project_changes(
    ctx: _Context, sheet: Sheet, checked: rows.Checked[s.ProjectIn], existing: Project
) -> dict[str, Any] | None:
    """The fields the row changes (only those it fills in); None when the row cannot apply."""
    data, number = checked.data, checked.row.number
    if existing.unit_code != data.unit_code:
        ctx.report.error(
            sheet.name,
            f"project {existing.name} belongs to unit {existing.unit_code}; an import does not move it",
            code="unit_differs",
            row=number,
            column=sheet.header("unit_code"),
        )
        return None
    if "stage" in checked.given and existing.stage != data.stage:
        ctx.report.warn(
            sheet.name,
            f"the project is {existing.stage}; a stage changes only through POST /projects/{{id}}/stage "
            "(with its lifecycle check), so this cell is ignored",
            code="stage_ignored",
            row=number,
            column=sheet.header("stage"),
        )
    wanted: dict[str, Any] = {}
    for f in checked.given - {"stage", "unit_code"}:
        if f == "procedures":
            merged = {p["item"]: p for p in existing.procedures}
            merged.update({p.item: p.model_dump(mode="json") for p in data.procedures})
            wanted[f] = list(merged.values())
        else:
            wanted[f] = getattr(data, f)
    return {f: x for f, x in wanted.items() if getattr(existing, f) != x}


async def _targets(ctx: _Context, sheet: Sheet, summary: SheetSummary) -> None:
    checked = target_rows.check_targets(sheet, ctx.directory, ctx.report)
    ctx.report.coverage.extend(
        check_coverage(sheet, checked, await _registered(ctx.session, checked), ctx.report)
    )
    if not checked.checked:
        return
    body = s.TargetsIn(targets=[c.data for c in checked.checked])
    try:
        async with ctx.session.begin_nested():
            result = await handlers.upsert_targets(session=ctx.session, outbox=ctx.outbox, data=body)
    except Problem as exc:
        for err in exc.ext.get("errors") or []:
            index, _, field = str(err.get("field", "")).removeprefix("targets.").partition(".")
            row = checked.checked[int(index)].row if index.isdigit() else None
            ctx.report.error(
                sheet.name,
                str(err.get("message")),
                code=f"refused_{exc.status}",
                row=row.number if row else None,
                column=sheet.header("unit" if field == "unit_code" else field) if field else None,
            )
        return
    summary.created, summary.updated, summary.unchanged = result.created, result.updated, result.unchanged


async def _registered(session: AsyncSession, checked: target_rows.TargetRows) -> list[Registered]:
    metrics = {str(c.data.metric) for c in checked.checked}
    periods = {c.data.period for c in checked.checked}
    if not metrics:
        return []
    found = (
        await session.execute(
            select(Target).where(col(Target.metric).in_(metrics), col(Target.period).in_(periods))
        )
    ).scalars()
    return [
        Registered(t.campaign_id, TargetLine(t.metric, t.period, t.scope, t.unit_code, t.value))
        for t in found
    ]


_APPLY: dict[Kind, Callable[[_Context, Sheet, SheetSummary], Awaitable[None]]] = {
    Kind.CAMPAIGNS: _campaigns,
    Kind.UNITS: _units,
    Kind.PROJECTS: _projects,
    Kind.TARGETS: _targets,
}
