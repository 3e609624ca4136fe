"""Reading CSV (UTF-8 with or without BOM, or Excel's GB18030) and XLSX into sheets of rows."""

from __future__ import annotations

import csv
import io

from registry.domain.imports.report import ImportReport
from registry.domain.imports.sheets import FileError, Grid, Sheet, sheets_of


def is_xlsx(filename: str, content: bytes) -> bool:
    return content[:4] == b"PK\x03\x04" or filename.lower().endswith((".xlsx", ".xlsm"))


def read(kind: str, filename: str, content: bytes, report: ImportReport) -> list[Sheet]:
    """The sheets of one upload; `kind` 'workbook' reads every recognised sheet of an XLSX."""
    if not content.strip():
        raise FileError("the file is empty")
    if filename.lower().endswith(".xls") or content[:4] == b"\xd0\xcf\x11\xe0":
        raise FileError("old .xls files are not read: save the sheet as .xlsx or as CSV (UTF-8)")
    if is_xlsx(filename, content):
        grids = _xlsx_grids(content)
    else:
        if kind == "workbook":
            raise FileError("a workbook import needs an .xlsx file with sheets 行动 / 单位 / 项目 / 目标任务")
        grids = [("csv", _csv_grid(content, report))]
    return sheets_of(kind, grids, report)


def _csv_grid(content: bytes, report: ImportReport) -> Grid:
    try:
        decoded = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:
            decoded = content.decode("gb18030")
        except UnicodeDecodeError as exc:
            raise FileError("the CSV is neither UTF-8 nor GB18030: save it as “CSV UTF-8”") from exc
        report.warn(
            "csv", "the CSV is not UTF-8; it was read as GB18030 (Excel's Chinese CSV)", code="encoding"
        )
    first = decoded.split("\n", 1)[0]
    delimiter = "\t" if first.count("\t") > first.count(",") else ","
    reader = csv.reader(io.StringIO(decoded, newline=""), delimiter=delimiter)
    return [(reader.line_num, list(row)) for row in reader]


def _xlsx_grids(content: bytes) -> list[tuple[str, Grid]]:
    from openpyxl import load_workbook  # imported here: only uploads of XLSX pay for it

    try:
        book = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many types for a damaged file
        raise FileError(f"the XLSX file cannot be opened: {exc}") from exc
    try:
        return [
            (ws.title, [(i, list(r)) for i, r in enumerate(ws.iter_rows(values_only=True), start=1)])
            for ws in book.worksheets
        ]
    finally:
        book.close()
