"""Downloadable templates: Chinese headers and one example row, as CSV (with BOM, for Excel) or XLSX."""

from __future__ import annotations

import csv
import io

from registry.domain.imports.vocabulary import COLUMNS, METRIC_LABELS, SHEET_NAMES, Kind

EXAMPLES: dict[Kind, dict[str, str]] = {
    Kind.CAMPAIGNS: {
        "id": "yangcheng-2023-winter",
        "name": "阳城县2023年项目建设冬季行动",
        "start_date": "2023-11-01",
        "end_date": "2024-02-20",
        "description": "阳政办发〔2023〕84号",
    },
    Kind.UNITS: {"code": "manghe", "name": "蟒河镇", "kind": "乡镇", "parent_code": "", "aliases": "麟河镇"},
    Kind.PROJECTS: {
        "code": "fengcheng-xishan-lvyou",
        "name": "凤城镇新建西山乡村旅游建设项目",
        "unit_code": "凤城镇",
        "stage": "前期",
        "build_type": "新建",
        "is_industrial": "是",
        "is_private": "否",
        "key_level": "县级",
        "category": "文旅",
        "measure": "万元",
        "total_investment": "12000",
        "annual_plan_investment": "3000",
        "plan_year": "2023",
        "planned_start": "2023-12-01",
        "planned_completion": "2025-06-30",
        "is_signed_project": "否",
        "stats_registered": "否",
        "campaign_id": "yangcheng-2023-winter",
        "procedure:approval": "已办结",
        "procedure:land": "办理中",
    },
    Kind.TARGETS: {
        "unit": "凤城镇",
        "metric": "固定资产投资",
        "period": "2023Q4",
        "value": "4.5",
        "measure": "亿元",
        "campaign_id": "yangcheng-2023-winter",
        "note": "单位为空 = 全县目标；同比增长目标填 基数 和 同比增长(%)",
    },
}


def template_csv(kind: Kind) -> bytes:
    """The template of one kind as CSV, UTF-8 with BOM so that Excel shows the Chinese headers."""
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\r\n")
    writer.writerow([c.header for c in COLUMNS[kind]])
    writer.writerow([EXAMPLES[kind].get(c.field, "") for c in COLUMNS[kind]])
    return buf.getvalue().encode("utf-8-sig")


def template_xlsx(kinds: list[Kind]) -> bytes:
    """One sheet per kind (named as the import recognises it) and a 说明 sheet describing the columns."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    book = Workbook()
    book.remove(book.active)
    for kind in kinds:
        ws = book.create_sheet(SHEET_NAMES[kind][0])
        ws.append([c.header for c in COLUMNS[kind]])
        ws.append([EXAMPLES[kind].get(c.field, "") or None for c in COLUMNS[kind]])
        for cell in ws[1]:
            cell.font = Font(bold=True)
        for i, column in enumerate(COLUMNS[kind], start=1):
            ws.column_dimensions[ws.cell(1, i).column_letter].width = max(10, 2 * len(column.header) + 4)
        ws.freeze_panes = "A2"
    notes = book.create_sheet("说明")
    notes.append(["表", "列", "字段", "必填", "说明"])
    for kind in kinds:
        for c in COLUMNS[kind]:
            notes.append([SHEET_NAMES[kind][0], c.header, c.field, "是" if c.required else "", c.help])
    if Kind.TARGETS in kinds:
        notes.append([])
        notes.append(["指标", "编码", "可用名称"])
        for metric, labels in METRIC_LABELS.items():
            notes.append([labels[0], metric.value, "、".join(labels)])
    buf = io.BytesIO()
    book.save(buf)
    return buf.getvalue()
