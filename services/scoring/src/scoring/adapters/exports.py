"""A published ranking (R9) as XLSX: every unit's indicators as the office prints them.

Sheet 排名 has one row per unit in rank order: rank, total, and for each indicator of the policy its
actual, target, rate and score, as numbers (the rate formatted as a percentage); sheet 考核信息 says
which month, ranking and policy version (weights and caps) they come from.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from diaodu_platform.xlsx import Cell, Column, Sheet, workbook
from scoring.domain.policy import INDICATORS
from scoring.domain.ranking import PublishedRanking

TRIGGER = {"scheduled": "考核日自动发布", "admin": "管理员发布"}


def _label(code: str) -> str:
    return INDICATORS.get(code, (code, None))[0]


def _ranking_sheet(r: PublishedRanking) -> Sheet:
    codes = [spec.code for spec in r.policy.indicators]
    columns = [Column("排名", 8, "0"), Column("单位代码", 12), Column("单位", 14), Column("总分", 10, "0.00")]
    for code in codes:
        label = _label(code)
        columns += [
            Column(f"{label}-实际", 14),
            Column(f"{label}-目标", 14),
            Column(f"{label}-完成率", 14, "0.00%"),
            Column(f"{label}-得分", 12, "0.00"),
        ]
    columns += [Column("约谈", 8), Column("考核办法版本", 14, "0")]
    rows: list[list[Cell]] = []
    for card in r.cards:
        lines = {i.code: i for i in card.indicators}
        row: list[Cell] = [card.rank, card.unit_code, card.unit_name, card.total]
        for code in codes:
            i = lines.get(code)
            row += [i.actual, i.target, i.rate, i.score] if i else [None] * 4
        row += ["是" if card.unit_code in r.interviews else "否", r.policy.version]
        rows.append(row)
    return Sheet("排名", columns, rows)


def _about_sheet(r: PublishedRanking) -> Sheet:
    names = {c.unit_code: c.unit_name for c in r.cards}
    rows: list[tuple[str, Cell]] = [
        ("月份", r.month),
        ("排名编号", r.id),
        ("考核办法版本", r.policy.version),
        ("考核办法", r.policy.name),
        ("发布方式", TRIGGER.get(r.trigger, r.trigger)),
        ("发布人", r.published_by),
        ("发布时间", r.published_at),
        ("数据截至", r.data_as_of),
        ("参评单位数", len(r.cards)),
        ("约谈单位", "、".join(names.get(code, code) for code in r.interviews) or None),
    ]
    for spec in r.policy.indicators:
        rows += [(f"{_label(spec.code)}-权重", spec.weight), (f"{_label(spec.code)}-上限", spec.cap)]
    return Sheet("考核信息", [Column("项目", 18), Column("内容", 40)], rows)


def ranking_xlsx(r: PublishedRanking) -> bytes:
    return workbook([_ranking_sheet(r), _about_sheet(r)])


def attachment(r: PublishedRanking) -> dict[str, Any]:
    """Content-Disposition with an ASCII name and the Chinese one (RFC 6266 filename*)."""
    name = f"ranking-{r.month}-v{r.policy.version}.xlsx"
    label = quote(f"五个一批考核排名-{r.month}-第{r.policy.version}版.xlsx")
    return {"Content-Disposition": f"attachment; filename=\"{name}\"; filename*=UTF-8''{label}"}
