"""The 督查室's lists as XLSX (SPEC §8: working tools from live data): problem lists and 督办函,
with Chinese headers and labels.

Each sheet holds what the JSON list holds for the same filters; codes stay beside their Chinese
labels so a sheet can be matched back to the API.
"""

from __future__ import annotations

from urllib.parse import quote

from diaodu_platform.xlsx import Column, Sheet, workbook
from escalation.service_layer.queries.notices import NoticeLine
from escalation.service_layer.read_models import ProblemOut

CATEGORY = {
    "land": "用地",
    "demolition": "征拆",
    "funding": "资金",
    "approval": "审批手续",
    "environment": "环保",
    "energy": "能耗",
    "other": "其他",
}
SEVERITY = {"ordinary": "一般", "major": "重大"}
STATUS = {
    "raised": "待交办",
    "assigned": "已交办",
    "acknowledged": "已部署",
    "in_progress": "办理中",
    "resolved": "已销号",
    "reopened": "重新办理",
}
LEVEL = {1: "责任单位", 2: "包联领导", 3: "县政府会议"}
SOURCE = {"unit": "单位上报", "system": "系统发现"}
REASON = {"escalation": "逾期升级", "manual": "督查室督办"}

PROBLEM_COLUMNS = (
    Column("问题编号", 38),
    Column("问题", 40),
    Column("项目", 32),
    Column("责任单位", 16),
    Column("单位代码", 12),
    Column("责任人", 10),
    Column("协办单位", 16),
    Column("类别", 10),
    Column("性质", 8),
    Column("督办层级", 10, "0"),
    Column("层级说明", 12),
    Column("状态", 10),
    Column("来源", 10),
    Column("发现时间", 17),
    Column("交办时间", 17),
    Column("办结期限", 12),
    Column("是否逾期", 10),
    Column("包联领导", 20),
    Column("销号时间", 17),
    Column("办结情况", 40),
)
NOTICE_COLUMNS = (
    Column("督办函编号", 22),
    Column("问题编号", 38),
    Column("问题", 40),
    Column("责任单位", 16),
    Column("单位代码", 12),
    Column("督办层级", 10, "0"),
    Column("办结期限", 12),
    Column("签发时间", 17),
    Column("事由", 12),
    Column("签发人", 16),
    Column("说明", 40),
)


def problems_xlsx(problems: list[ProblemOut], leader_names: dict[str, str]) -> bytes:
    """问题清单: one row per problem, in the list's order."""
    rows = [
        (
            p.id,
            p.title,
            p.project_name,
            p.owner_unit_name or p.owner_unit,
            p.owner_unit,
            p.responsible_person,
            "、".join(p.co_units) or None,
            CATEGORY.get(p.category, p.category),
            SEVERITY.get(p.severity, p.severity),
            p.level,
            LEVEL.get(p.level),
            STATUS.get(p.status, p.status),
            SOURCE.get(p.source, p.source),
            p.raised_at,
            p.assigned_at,
            p.deadline,
            "是" if p.overdue else "否",
            "、".join(leader_names.get(x, x) for x in p.leader_ids) or None,
            p.resolved_at,
            p.resolution,
        )
        for p in problems
    ]
    return workbook([Sheet("问题清单", PROBLEM_COLUMNS, rows)])


def notices_xlsx(lines: list[NoticeLine]) -> bytes:
    """督办函: one row per notice, in number order."""
    rows = [
        (
            x.notice.number,
            x.notice.problem_id,
            x.problem_title,
            x.owner_unit_name or x.notice.owner_unit,
            x.notice.owner_unit,
            x.notice.level,
            x.notice.deadline,
            x.notice.issued_at,
            REASON.get(x.notice.reason, x.notice.reason),
            x.notice.issued_by,
            x.notice.note,
        )
        for x in lines
    ]
    return workbook([Sheet("督办函", NOTICE_COLUMNS, rows)])


def attachment(filename: str, label: str) -> dict[str, str]:
    """Content-Disposition with an ASCII name and the Chinese one (RFC 6266 filename*)."""
    return {"Content-Disposition": f"attachment; filename=\"{filename}\"; filename*=UTF-8''{quote(label)}"}
