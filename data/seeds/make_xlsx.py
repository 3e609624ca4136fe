"""Write XLSX versions of the seed CSV files (the same rows, in the import template's sheets).

    python data/seeds/make_xlsx.py [--out DIR]

writes DIR/yangcheng_targets.xlsx (sheet 目标任务) and DIR/yangcheng_workbook.xlsx (sheets 行动, 单位,
目标任务: one file a clerk can import with POST /api/v1/imports/workbook). Numbers go in as numbers,
as a clerk's spreadsheet has them. The XLSX files are generated, not committed (DIR defaults to
this folder).
"""

from __future__ import annotations

import argparse
import csv
import re
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Font

HERE = Path(__file__).resolve().parent
NUMERIC_COLUMNS = {"目标值", "基数", "同比增长(%)"}
_NUMBER = re.compile(r"^-?\d+(\.\d+)?$")


def _cell(header: str, value: str) -> object:
    if header in NUMERIC_COLUMNS and _NUMBER.match(value):
        return int(value) if value.lstrip("-").isdigit() else float(value)
    return value or None


def add_sheet(book: Workbook, title: str, source: Path) -> None:
    with source.open(encoding="utf-8-sig", newline="") as f:
        rows = list(csv.reader(f))
    ws = book.create_sheet(title)
    header = rows[0]
    ws.append(header)
    for cell in ws[1]:
        cell.font = Font(bold=True)
    for row in rows[1:]:
        ws.append([_cell(h, v) for h, v in zip(header, row, strict=True)])


def write(out: Path) -> list[Path]:
    out.mkdir(parents=True, exist_ok=True)
    written = []
    targets = Workbook()
    targets.remove(targets.active)  # type: ignore[arg-type]
    add_sheet(targets, "目标任务", HERE / "yangcheng_targets.csv")
    targets.save(out / "yangcheng_targets.xlsx")
    written.append(out / "yangcheng_targets.xlsx")
    book = Workbook()
    book.remove(book.active)  # type: ignore[arg-type]
    add_sheet(book, "行动", HERE / "yangcheng_campaign.csv")
    add_sheet(book, "单位", HERE / "yangcheng_units.csv")
    add_sheet(book, "目标任务", HERE / "yangcheng_targets.csv")
    book.save(out / "yangcheng_workbook.xlsx")
    written.append(out / "yangcheng_workbook.xlsx")
    return written


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--out", type=Path, default=HERE)
    for path in write(parser.parse_args().out):
        print(f"wrote {path}")
