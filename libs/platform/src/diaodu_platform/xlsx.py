"""Spreadsheet exports shared by every service (openpyxl): a header row in Chinese, then one row per line.

Numbers stay numbers and dates stay dates (Excel sorts and sums them); instants are written in
Asia/Shanghai wall time to the second, since a cell has no time zone.
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from diaodu_platform.types import SHANGHAI

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DATE = "yyyy-mm-dd"
DATETIME = "yyyy-mm-dd hh:mm"

Cell = str | int | float | Decimal | date | datetime | None


@dataclass(frozen=True)
class Column:
    header: str
    width: int = 12
    number_format: str | None = None


@dataclass(frozen=True)
class Sheet:
    title: str
    columns: Sequence[Column]
    rows: Iterable[Sequence[Cell]]


def _cell(value: Cell) -> Cell:
    if isinstance(value, datetime):  # to the second: an Excel serial keeps no more, exactly
        local = value.astimezone(SHANGHAI) if value.tzinfo is not None else value
        return local.replace(tzinfo=None, microsecond=0)
    return value


def workbook(sheets: Sequence[Sheet]) -> bytes:
    """The sheets as an .xlsx file: bold frozen header, column widths and number formats."""
    from openpyxl import Workbook  # imported here: only exports pay for it
    from openpyxl.styles import Font

    book = Workbook()
    book.remove(book.active)
    for sheet in sheets:
        ws = book.create_sheet(sheet.title)
        ws.append([c.header for c in sheet.columns])
        for cell in ws[1]:
            cell.font = Font(bold=True)
        for row in sheet.rows:
            ws.append([_cell(v) for v in row])
        for i, column in enumerate(sheet.columns, start=1):
            letter = ws.cell(1, i).column_letter
            ws.column_dimensions[letter].width = column.width
            for (cell,) in ws.iter_rows(min_row=2, min_col=i, max_col=i):
                if column.number_format:
                    cell.number_format = column.number_format
                elif isinstance(cell.value, datetime):
                    cell.number_format = DATETIME
                elif isinstance(cell.value, date):
                    cell.number_format = DATE
        ws.freeze_panes = "A2"
    buf = io.BytesIO()
    book.save(buf)
    return buf.getvalue()
