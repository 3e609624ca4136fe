"""The glossary of SPEC §3 as enums, shared by every service's domain and API (pure, no I/O)."""

from __future__ import annotations

from enum import StrEnum


class UnitKind(StrEnum):
    """责任单位 kind."""

    TOWNSHIP = "township"  # 乡镇
    DEPARTMENT = "department"  # 县直部门
    ENTERPRISE = "enterprise"  # 县属企业/集团
    ZONE = "zone"  # 开发区


class Stage(StrEnum):
    """项目阶段, declared in lifecycle order: 谋划 → 储备 → 前期 → 在建 → 竣工, or 已取消."""

    PLANNED = "planned"
    RESERVE = "reserve"
    PRELIMINARY = "preliminary"
    CONSTRUCTION = "construction"
    COMPLETED = "completed"
    CANCELLED = "cancelled"


class BuildType(StrEnum):
    """新建 / 续建."""

    NEW = "new"
    CONTINUING = "continuing"


class KeyLevel(StrEnum):
    """省/市/县重点工程."""

    PROVINCIAL = "provincial"
    MUNICIPAL = "municipal"
    COUNTY = "county"


class ProcedureItem(StrEnum):
    """前期手续 item."""

    APPROVAL = "approval"  # 立项
    LAND = "land"  # 用地
    PLANNING = "planning"  # 规划
    EIA = "eia"  # 环评
    ENERGY = "energy"  # 能评
    CONSTRUCTION_PERMIT = "construction_permit"  # 施工许可
    OTHER = "other"


class ProcedureState(StrEnum):
    """State of one 前期手续 item."""

    REQUIRED = "required"
    IN_PROGRESS = "in_progress"
    DONE = "done"
    NOT_REQUIRED = "not_required"


class ConstructionStatus(StrEnum):
    """开工 / 复工 / 停工 status."""

    NOT_STARTED = "not_started"
    STARTED = "started"
    RESUMED = "resumed"
    SUSPENDED = "suspended"
    COMPLETED = "completed"
