"""What an account must look like, and what a change of one changed (for the audit log)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

REPORTER = "reporter"
LEADER = "leader"
ADMIN = "admin"


def shape_errors(*, role: str, unit_code: str | None, leader_id: str | None) -> list[tuple[str, str]]:
    """(field, message) for each way the role, unit and leader id do not fit together (SPEC §6)."""
    errors = []
    if role == REPORTER and not unit_code:
        errors.append(
            ("unit_code", "报送员账户必须填写所属单位 / a reporter account needs the code of its unit")
        )
    if leader_id and role != LEADER:
        errors.append(
            ("leader_id", "只有包联领导账户可以填写领导编号 / only a leader account carries a leader_id")
        )
    return errors


def changes(before: Mapping[str, Any], after: Mapping[str, Any]) -> dict[str, list[Any]]:
    """Each field whose value differs, as [before, after]; the fields of `after` only."""
    return {name: [before.get(name), value] for name, value in after.items() if before.get(name) != value}


def removes_last_admin(
    *, role: str, active: bool, new_role: str, new_active: bool, active_admins: int
) -> bool:
    """True when the change would leave the console with no active admin to manage it."""
    was_admin = role == ADMIN and active
    stays_admin = new_role == ADMIN and new_active
    return was_admin and not stays_admin and active_admins <= 1
