"""The audit log as the office's spreadsheet (审计日志), with Chinese headers and action labels.

Each row holds what the JSON list holds for the same filters; the action code stays beside its label
so a sheet can be matched back to the API.
"""

from __future__ import annotations

import json
from urllib.parse import quote

from console.domain.audit import LABELS
from console.service_layer.read_models import AuditOut
from diaodu_platform.xlsx import Column, Sheet, workbook

ROLE = {"reporter": "报送员", "leader": "包联领导", "supervisor": "督查室", "admin": "管理员"}
AUDIT_COLUMNS = (
    Column("序号", 8, "0"),
    Column("时间", 17),
    Column("操作人", 18),
    Column("角色", 10),
    Column("所属单位", 14),
    Column("操作", 14),
    Column("操作代码", 20),
    Column("对象", 18),
    Column("结果", 8),
    Column("状态码", 8, "0"),
    Column("来源地址", 16),
    Column("详情", 50),
)


def audit_xlsx(lines: list[AuditOut]) -> bytes:
    """审计日志: one row per line, newest first, as the list answers."""
    rows = [
        (
            e.id,
            e.at,
            e.actor,
            ROLE.get(e.actor_role or "", e.actor_role),
            e.actor_unit,
            LABELS.get(e.action, e.action),
            e.action,
            e.target,
            "成功" if e.status < 400 else "失败",
            e.status,
            e.client,
            json.dumps(e.detail, ensure_ascii=False) if e.detail else None,
        )
        for e in lines
    ]
    return workbook([Sheet("审计日志", AUDIT_COLUMNS, rows)])


def download_headers(ascii_name: str, chinese_name: str) -> dict[str, str]:
    """Content-Disposition naming the file in ASCII and in Chinese (RFC 6266 filename*)."""
    encoded = quote(chinese_name)
    return {"Content-Disposition": f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{encoded}"}
