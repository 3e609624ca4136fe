"""The spreadsheet import (导入): check every row, apply it through the registry's handlers, commit or not.

Everything happens in ONE unit of work, so each saved row emits its normal event, and nothing at all
is saved when an error remains. A dry run takes the very same path and rolls back at the end, so it
finds whatever the commit would find (including conflicts only the handlers see) and reports what
would be created, updated or left unchanged.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import partial
from typing import Any, TypeVar

from sqlalchemy.exc import IntegrityError

from diaodu_platform.auth import Principal
from diaodu_platform.errors import Problem
from registry.adapters import spreadsheets
from registry.adapters.tables import Project
from registry.domain.imports import report as r
from registry.domain.imports import rows, target_rows
from registry.domain.imports.checks import Checked, Validate
from registry.domain.imports.coverage import Registered, check_coverage
from registry.domain.imports.directory import Directory, UnitRef
from registry.domain.imports.sheets import Row, Sheet
from registry.domain.imports.vocabulary import Kind
from registry.domain.targets import TargetLine
from registry.service_layer import campaigns, projects, targets, units
from registry.service_layer.commands import (
    CreateCampaign,
    ImportFile,
    ProcedureLine,
    RegisterProject,
    RegisterUnit,
    SetTarget,
    UpdateProject,
    UpdateUnit,
    UpsertTargets,
)
from registry.service_layer.read_models import ImportReport
from registry.service_layer.unit_of_work import RegistryUnitOfWork

C = TypeVar("C")


class _Rollback(Exception):
    """Leaves the unit of work without committing (dry run, or errors remain)."""


@dataclass
class _Context:
    uow: RegistryUnitOfWork
    principal: Principal
    now: datetime
    directory: Directory
    report: r.ImportReport
    validate: Validate[object]
    applied: int = 0

    def commands(self, command: type[C]) -> Validate[C]:
        """`validate` for rows that stand for this command (the one `validate` builds for their kind)."""

        def build(kind: Kind, data: dict[str, Any]) -> C:
            cmd = self.validate(kind, data)
            if not isinstance(cmd, command):
                raise TypeError(f"a {kind} row must stand for a {command.__name__}, not {cmd!r}")
            return cmd

        return build

    def stamp(self) -> datetime:
        """`now` for the next row: a microsecond after the row above, so lists keep the file's order."""
        self.applied += 1
        return self.now + timedelta(microseconds=self.applied - 1)

    async def attempt(self, sheet: Sheet, row: Row | None, action: Callable[[], Awaitable[Any]]) -> bool:
        """Run one handler call in a savepoint; a refusal becomes an error of its row, the rest go on."""
        try:
            async with self.uow.savepoint():
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
    uow: RegistryUnitOfWork,
    cmd: ImportFile,
    now: datetime,
    principal: Principal,
    validate: Validate[object],
) -> ImportReport:
    """Check one uploaded file and apply it unless it is a dry run or an error remains (SPEC §7)."""
    # It enters `uow` itself, since a dry run leaves it without committing; `validate` holds the API's
    # constraints on each kind of row and builds its command (CreateCampaign, RegisterUnit,
    # RegisterProject or SetTarget). spreadsheets.FileError: the file cannot be read at all.
    report = r.ImportReport(kind=cmd.kind, filename=cmd.filename, dry_run=cmd.dry_run)
    sheets = spreadsheets.read(cmd.kind, cmd.filename, cmd.content, report)
    try:
        async with uow:
            ctx = _Context(uow, principal, now, await _directory(uow), report, validate)
            for sheet in sheets:
                summary = r.SheetSummary(kind=sheet.kind, sheet=sheet.name, rows=len(sheet.rows))
                report.sheets.append(summary)
                if any(i.code == "missing_column" and i.sheet == sheet.name for i in report.issues):
                    continue  # every row would repeat the missing column
                await _APPLY[sheet.kind](ctx, sheet, summary)
            if cmd.dry_run or not report.ok:
                raise _Rollback
    except _Rollback:
        pass
    else:
        report.committed = True
    report.sort()
    return ImportReport.model_validate(dataclasses.asdict(report))


async def _directory(uow: RegistryUnitOfWork) -> Directory:
    return Directory.of(
        (UnitRef(u.code, u.name, u.kind, u.parent_code, list(u.aliases)) for u in await uow.units.all()),
        {c.id: c.name for c in await uow.campaigns.all()},
    )


async def _campaigns(ctx: _Context, sheet: Sheet, summary: r.SheetSummary) -> None:
    for checked in rows.check_campaigns(sheet, ctx.directory, ctx.report, ctx.commands(CreateCampaign)):
        data = checked.data
        existing = await ctx.uow.campaigns.get(data.id)
        if existing is None:
            create = partial(campaigns.create_campaign, uow=ctx.uow, cmd=data, now=ctx.stamp())
            summary.created += await ctx.attempt(sheet, checked.row, create)
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


async def _units(ctx: _Context, sheet: Sheet, summary: r.SheetSummary) -> None:
    for checked in rows.check_units(sheet, ctx.directory, ctx.report, ctx.commands(RegisterUnit)):
        data = checked.data
        existing = await ctx.uow.units.get(data.code)
        if existing is None:
            register = partial(units.register_unit, uow=ctx.uow, cmd=data, now=ctx.stamp())
            summary.created += await ctx.attempt(sheet, checked.row, register)
            continue
        wanted = {f: getattr(data, f) for f in sorted(checked.given)}
        if "aliases" in wanted:  # as a unit stores them (and UpdateUnit takes them): a list
            wanted["aliases"] = list(wanted["aliases"])
        changes = {f: x for f, x in wanted.items() if getattr(existing, f) != x}
        if not changes:
            summary.unchanged += 1
            continue
        cmd = UpdateUnit(code=data.code, changes=changes)
        update = partial(units.update_unit, uow=ctx.uow, cmd=cmd, now=ctx.stamp())
        summary.updated += await ctx.attempt(sheet, checked.row, update)


async def _projects(ctx: _Context, sheet: Sheet, summary: r.SheetSummary) -> None:
    for checked in rows.check_projects(sheet, ctx.directory, ctx.report, ctx.commands(RegisterProject)):
        data = checked.data
        existing = await ctx.uow.projects.matching(code=data.code, unit_code=data.unit_code, name=data.name)
        if existing is None:
            register = partial(
                projects.register_project, uow=ctx.uow, cmd=data, now=ctx.stamp(), principal=ctx.principal
            )
            summary.created += await ctx.attempt(sheet, checked.row, register)
            continue
        changes = _project_changes(ctx, sheet, checked, existing)
        if changes is None:
            continue
        if not changes:
            summary.unchanged += 1
            continue
        if "procedures" in changes:
            changes["procedures"] = tuple(ProcedureLine.from_json(p) for p in changes["procedures"])
        update = partial(
            projects.update_project,
            uow=ctx.uow,
            cmd=UpdateProject(project_id=existing.id, changes=changes),
            now=ctx.stamp(),
            principal=ctx.principal,
        )
        summary.updated += await ctx.attempt(sheet, checked.row, update)


def _project_changes(
    ctx: _Context, sheet: Sheet, checked: Checked[RegisterProject], existing: Project
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
            merged.update({p.item: p.as_json() for p in data.procedures})
            wanted[f] = list(merged.values())
        else:
            wanted[f] = getattr(data, f)
    return {f: x for f, x in wanted.items() if getattr(existing, f) != x}


async def _targets(ctx: _Context, sheet: Sheet, summary: r.SheetSummary) -> None:
    checked = target_rows.check_targets(sheet, ctx.directory, ctx.report, ctx.commands(SetTarget))
    ctx.report.coverage.extend(
        check_coverage(sheet, checked, await _registered(ctx.uow, checked), ctx.report)
    )
    if not checked.checked:
        return
    cmd = UpsertTargets(tuple(c.data for c in checked.checked))
    try:
        async with ctx.uow.savepoint():
            result = await targets.upsert_targets(uow=ctx.uow, cmd=cmd, now=ctx.now)
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


async def _registered(
    uow: RegistryUnitOfWork, checked: target_rows.TargetRows[SetTarget]
) -> list[Registered]:
    metrics = {str(c.data.metric) for c in checked.checked}
    periods = {c.data.period for c in checked.checked}
    if not metrics:
        return []
    return [
        Registered(t.campaign_id, TargetLine(t.metric, t.period, t.scope, t.unit_code, t.value))
        for t in await uow.targets.matching(metrics, periods)
    ]


_APPLY: dict[Kind, Callable[[_Context, Sheet, r.SheetSummary], Awaitable[None]]] = {
    Kind.CAMPAIGNS: _campaigns,
    Kind.UNITS: _units,
    Kind.PROJECTS: _projects,
    Kind.TARGETS: _targets,
}
