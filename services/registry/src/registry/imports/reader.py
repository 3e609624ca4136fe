"""Reading CSV (UTF-8 with or without BOM, or Excel's GB18030) and XLSX into sheets of rows."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from typing import Any

from registry.imports.report import ImportReport
from registry.imports.values import text
from registry.imports.vocabulary import COLUMNS, SHEET_NAMES, Column, Kind, norm

MAX_ROWS = 5000  # as many as one PUT /targets takes


class FileError(ValueError):
    """The file as a whole cannot be read (wrong format, no header, too many rows)."""


@dataclass
class Row:
    number: int  # the spreadsheet's own row number (the header is row 1 in a template)
    cells: dict[str, Any]  # by field name
    headers: dict[str, str]  # field name → the header as written, for the report


@dataclass
class Sheet:
    kind: Kind
    name: str
    columns: dict[str, str] = field(default_factory=dict)  # field → header as written
    rows: list[Row] = field(default_factory=list)

    def header(self, field_name: str) -> str:
        """The header of a field as written, else the template's."""
        if field_name in self.columns:
            return self.columns[field_name]
        return next(c.header for c in COLUMNS[self.kind] if c.field == field_name)


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
    if kind == "workbook":
        sheets = [
            _sheet(k, name, grid, report)
            for k in Kind
            for name, grid in grids
            if norm(name) in {norm(n) for n in SHEET_NAMES[k]}
        ]
        if not sheets:
            names = "、".join(n for k in Kind for n in SHEET_NAMES[k][:1])
            raise FileError(f"no sheet is named {names}; name each sheet after what it holds")
        return sheets
    wanted = {norm(n) for n in SHEET_NAMES[Kind(kind)]}
    name, grid = next(((n, g) for n, g in grids if norm(n) in wanted), grids[0])
    return [_sheet(Kind(kind), name, grid, report)]


def _csv_grid(content: bytes, report: ImportReport) -> list[tuple[int, list[Any]]]:
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
    return [(reader.line_num, row) for row in reader]


def _xlsx_grids(content: bytes) -> list[tuple[str, list[tuple[int, list[Any]]]]]:
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


def _sheet(kind: Kind, name: str, grid: list[tuple[int, list[Any]]], report: ImportReport) -> Sheet:
    sheet = Sheet(kind=kind, name=name)
    rows = [(n, cells) for n, cells in grid if any(text(c) for c in cells)]
    if not rows:
        raise FileError(f"sheet {name!r} has no header row")
    header_no, header = rows[0]
    by_position = _map_headers(sheet, header_no, header, report)
    data = rows[1:]
    if len(data) > MAX_ROWS:
        raise FileError(f"sheet {name!r} has {len(data)} rows; at most {MAX_ROWS} are read at once")
    for number, cells in data:
        values = {f: cells[i] if i < len(cells) else None for i, f in by_position.items()}
        sheet.rows.append(Row(number=number, cells=values, headers=sheet.columns))
    return sheet


def _map_headers(sheet: Sheet, header_no: int, header: list[Any], report: ImportReport) -> dict[int, str]:
    accepted: dict[str, Column] = {}
    for column in COLUMNS[sheet.kind]:
        for word in column.accepts():
            accepted.setdefault(word, column)
    by_position: dict[int, str] = {}
    for i, cell in enumerate(header):
        written = text(cell)
        if not written:
            continue
        found = accepted.get(norm(written).lstrip("*"))
        if found is None:
            report.warn(
                sheet.name,
                f"column {written!r} is not part of the {sheet.kind} template and is ignored",
                code="unknown_column",
                row=header_no,
                column=written,
            )
            continue
        if found.field in sheet.columns:
            report.error(
                sheet.name,
                f"columns {sheet.columns[found.field]!r} and {written!r} both mean {found.header}",
                code="duplicate_column",
                row=header_no,
                column=written,
            )
            continue
        sheet.columns[found.field] = written
        by_position[i] = found.field
    for column in COLUMNS[sheet.kind]:
        if column.required and column.field not in sheet.columns:
            report.error(
                sheet.name,
                f"required column {column.header} ({column.field}) is missing",
                code="missing_column",
                row=header_no,
                column=column.header,
            )
    return by_position
