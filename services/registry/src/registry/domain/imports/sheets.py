"""Sheets of rows from the grids of an uploaded file: headers matched to fields, rows by their number.

The file formats themselves (CSV, XLSX) are read by adapters/spreadsheets; this module sees only
grids of cells, as (row number, cells) pairs, and the names of the sheets they came from.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from registry.domain.imports.report import ImportReport
from registry.domain.imports.values import text
from registry.domain.imports.vocabulary import COLUMNS, SHEET_NAMES, Column, Kind, norm

MAX_ROWS = 5000  # as many as one PUT /targets takes

Grid = list[tuple[int, list[Any]]]  # (row number, cells) as the file numbers its rows


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


def sheets_of(kind: str, grids: list[tuple[str, Grid]], report: ImportReport) -> list[Sheet]:
    """The sheets of one upload; `kind` 'workbook' takes every recognised sheet of a workbook."""
    if kind == "workbook":
        sheets = [
            sheet_of(k, name, grid, report)
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
    return [sheet_of(Kind(kind), name, grid, report)]


def sheet_of(kind: Kind, name: str, grid: Grid, report: ImportReport) -> Sheet:
    """One sheet: its first non-empty row is the header, the rows below it the data."""
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
    _require_columns(sheet, header_no, report)
    return by_position


def _require_columns(sheet: Sheet, header_no: int, report: ImportReport) -> None:
    for column in COLUMNS[sheet.kind]:
        if column.required and column.field not in sheet.columns:
            report.error(
                sheet.name,
                f"required column {column.header} ({column.field}) is missing",
                code="missing_column",
                row=header_no,
                column=column.header,
            )
