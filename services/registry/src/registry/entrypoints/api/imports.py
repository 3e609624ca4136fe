"""Spreadsheet import routes (导入): templates, dry run and all-or-nothing commit."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, File, Query, UploadFile
from fastapi.responses import Response

from diaodu_platform.auth import Admin, CurrentPrincipal
from diaodu_platform.errors import Problem
from diaodu_platform.http import Now
from diaodu_platform.xlsx import XLSX
from registry.adapters.spreadsheets import FileError, template_csv, template_xlsx
from registry.domain.imports.vocabulary import SHEET_NAMES, Kind
from registry.entrypoints.deps import NewUow
from registry.entrypoints.schemas import validate_row
from registry.service_layer.commands import ImportFile
from registry.service_layer.imports import run_import
from registry.service_layer.read_models import ImportReport

router = APIRouter(tags=["imports"])
MAX_BYTES = 10 * 1024 * 1024


class ImportKind(StrEnum):
    CAMPAIGNS = "campaigns"
    UNITS = "units"
    PROJECTS = "projects"
    TARGETS = "targets"
    WORKBOOK = "workbook"  # an XLSX with sheets 行动 / 单位 / 项目 / 目标任务, applied in that order


class TemplateFormat(StrEnum):
    CSV = "csv"
    XLSX = "xlsx"


@router.post(
    "/imports/{kind}",
    response_model=ImportReport,
    responses={422: {"description": "The file cannot be read, or (commit) errors remain: nothing was saved"}},
)
async def import_file(
    kind: ImportKind,
    principal: Admin,
    now: Now,
    new_uow: NewUow,
    file: Annotated[
        UploadFile, File(description="CSV (UTF-8, BOM optional) or XLSX, Chinese or English headers")
    ],
    dry_run: Annotated[bool, Query(description="check and report only (default); false commits")] = True,
) -> ImportReport:
    """Check every row and report problems by sheet, row and column; commit only when no error remains."""
    content = await file.read(MAX_BYTES + 1)
    if len(content) > MAX_BYTES:
        raise Problem(413, "File too large", f"at most {MAX_BYTES // 1024 // 1024} MB per import")
    cmd = ImportFile(kind=kind, filename=file.filename or "upload", content=content, dry_run=dry_run)
    try:
        report = await run_import(uow=new_uow(), cmd=cmd, now=now, principal=principal, validate=validate_row)
    except FileError as exc:
        raise Problem(
            422,
            "Unreadable file",
            str(exc),
            type_="/problems/import-file",
            errors=[{"field": "file", "message": str(exc)}],
        ) from exc
    if not dry_run and not report.committed:
        raise _refused(report)
    return report


def _refused(report: ImportReport) -> Problem:
    """The commit refused: every error, by row, beside the whole report."""
    return Problem(
        422,
        "Import refused",
        f"{report.error_count} error(s) in {report.filename}; nothing was saved. Correct the rows listed "
        "in `issues` (severity error) and import again; warnings do not block.",
        type_="/problems/import",
        errors=[
            {"field": f"{i.sheet} row {i.row} {i.column or ''}".strip(), "message": i.message}
            for i in report.issues
            if i.severity == "error"
        ],
        **report.model_dump(mode="json"),
    )


@router.get(
    "/imports/templates/{kind}.{fmt}",
    response_class=Response,
    responses={200: {"content": {"text/csv": {}, XLSX: {}}, "description": "the template file"}},
)
async def download_template(kind: ImportKind, fmt: TemplateFormat, _: CurrentPrincipal) -> Response:
    """A template with Chinese headers and one example row (`workbook` only as xlsx)."""
    if kind is ImportKind.WORKBOOK:
        if fmt is TemplateFormat.CSV:
            raise Problem(404, "Not found", "the workbook template is an .xlsx file: workbook.xlsx")
        content, media = template_xlsx(list(Kind)), XLSX
        label = "导入工作簿"
    else:
        k = Kind(kind)
        label = SHEET_NAMES[k][0]
        if fmt is TemplateFormat.CSV:
            content, media = template_csv(k), "text/csv; charset=utf-8"
        else:
            content, media = template_xlsx([k]), XLSX
    filename = f"{kind}.{fmt}"
    disposition = f"attachment; filename=\"{filename}\"; filename*=UTF-8''{quote(f'{label}模板.{fmt}')}"
    return Response(content, media_type=media, headers={"Content-Disposition": disposition})
