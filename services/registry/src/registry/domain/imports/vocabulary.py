"""The words of the spreadsheets: column headers, metric labels and enum labels, Chinese and English."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from enum import StrEnum

from registry.domain.model import BuildType, KeyLevel, Metric, ProcedureItem, ProcedureState, Stage, UnitKind


class Kind(StrEnum):
    """What one sheet holds; a workbook holds several, applied in this order."""

    CAMPAIGNS = "campaigns"
    UNITS = "units"
    PROJECTS = "projects"
    TARGETS = "targets"


SHEET_NAMES: dict[Kind, tuple[str, ...]] = {
    Kind.CAMPAIGNS: ("行动", "campaigns"),
    Kind.UNITS: ("单位", "责任单位", "units"),
    Kind.PROJECTS: ("项目", "projects"),
    Kind.TARGETS: ("目标任务", "目标", "targets"),
}


def norm(text: str) -> str:
    """Fold full-width forms, case and spaces, so that '同比增长（%）' matches '同比增长(%)'."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text)).lower()


@dataclass(frozen=True)
class Column:
    """One column of a template: the field it fills, its Chinese header and the other headers accepted."""

    field: str
    header: str
    aliases: tuple[str, ...] = ()
    required: bool = False
    help: str = ""

    def accepts(self) -> set[str]:
        return {norm(h) for h in (self.header, self.field, *self.aliases)}


PROCEDURE_COLUMNS: dict[str, ProcedureItem] = {
    "立项": ProcedureItem.APPROVAL,
    "用地": ProcedureItem.LAND,
    "规划": ProcedureItem.PLANNING,
    "环评": ProcedureItem.EIA,
    "能评": ProcedureItem.ENERGY,
    "施工许可": ProcedureItem.CONSTRUCTION_PERMIT,
}

COLUMNS: dict[Kind, tuple[Column, ...]] = {
    Kind.CAMPAIGNS: (
        Column(
            "id", "行动编码", ("编码", "campaign_id"), True, "字母、数字、_ . -，如 yangcheng-2023-winter"
        ),
        Column("name", "行动名称", ("名称",), True),
        Column("start_date", "开始日期", ("起始日期",), True, "2023-11-01"),
        Column("end_date", "结束日期", ("截止日期",), True, "2024-02-20"),
        Column("description", "说明", ("描述", "备注")),
    ),
    Kind.UNITS: (
        Column("code", "单位编码", ("编码", "unit_code"), True, "拼音编码，如 fengcheng"),
        Column("name", "单位名称", ("名称", "单位"), True),
        Column("kind", "单位类型", ("类型",), True, "乡镇 / 县直部门 / 县属企业 / 开发区"),
        Column("parent_code", "上级单位", ("上级单位编码", "parent"), False, "编码或名称"),
        Column("aliases", "别名", ("曾用名", "其他名称"), False, "多个用“、”或“;”分隔"),
    ),
    Kind.PROJECTS: (
        Column("code", "项目编码", ("项目代码",)),
        Column("name", "项目名称", (), True),
        Column("unit_code", "责任单位", ("单位", "单位名称", "单位编码", "unit"), True, "名称、别名或编码"),
        Column("stage", "项目阶段", ("阶段",), False, "谋划 / 储备 / 前期 / 在建（默认 谋划）"),
        Column("build_type", "建设性质", ("新建续建",), True, "新建 / 续建"),
        Column("is_industrial", "产业项目", ("是否产业项目",), False, "是 / 否"),
        Column("is_private", "民间投资项目", ("民间投资", "是否民间投资"), False, "是 / 否"),
        Column("key_level", "重点工程", ("重点工程级别",), False, "省级 / 市级 / 县级 / 空"),
        Column("category", "行业类别", ("类别", "行业")),
        Column("measure", "金额单位", ("计量单位",), False, "万元（默认）或 亿元，适用于本行所有金额"),
        Column("total_investment", "总投资", (), True),
        Column("annual_plan_investment", "年度计划投资", ("年度投资",)),
        Column("plan_year", "计划年度", ("年度",), True, "2024"),
        Column("planned_start", "计划开工日期", ("计划开工",)),
        Column("planned_completion", "计划竣工日期", ("计划竣工",)),
        Column("signed_amount", "签约金额", ("签约额",)),
        Column("funds_in_place", "到位资金", ()),
        Column("is_signed_project", "签约项目", ("是否签约项目",), False, "是 / 否"),
        Column("stats_registered", "已入统", ("入统", "是否入统"), False, "是 / 否"),
        Column("stats_registered_on", "入统日期", ()),
        Column("campaign_id", "行动", ("行动编码", "campaign"), False, "行动编码或名称"),
        *(
            Column(f"procedure:{item.value}", label, (), False, "已办结 / 办理中 / 需办理 / 不需要")
            for label, item in PROCEDURE_COLUMNS.items()
        ),
    ),
    Kind.TARGETS: (
        Column("unit", "单位", ("责任单位", "单位名称", "单位编码", "unit_code"), False, "空 = 全县/全市"),
        Column("metric", "指标", ("指标名称", "目标指标"), True, "中文名称或编码，如 固定资产投资"),
        Column("period", "期间", ("时段", "时期"), True, "2023Q4 / 2024 / 2025H1 / 2024-03"),
        Column("value", "目标值", ("目标", "数值", "值"), False),
        Column("measure", "计量单位", ("value_unit", "量纲"), False, "亿元 / 万元 / 个 / %"),
        Column("baseline", "基数", ("基期值", "上年基数"), False, "同比增长目标的上年数"),
        Column("growth_pct", "同比增长(%)", ("同比增长", "增长率", "增速"), False, "如 6 表示 6%"),
        Column("campaign_id", "行动", ("行动编码", "campaign"), False, "行动编码或名称"),
        Column("note", "备注", ("说明",)),
    ),
}

# Labels as the documents write them; the English code is always accepted too.
METRIC_LABELS: dict[Metric, tuple[str, ...]] = {
    Metric.FIXED_ASSET_INVESTMENT: ("固定资产投资", "固投", "完成固定资产投资"),
    Metric.INDUSTRIAL_INVESTMENT: ("产业项目投资", "产业投资", "产业项目有效投资"),
    Metric.PRIVATE_INVESTMENT: ("民间投资",),
    Metric.FIRST_INDUSTRY_INVESTMENT: ("一产投资", "第一产业投资"),
    Metric.RESERVE_COUNT: ("储备项目数", "项目储备数量", "储备项目数量"),
    Metric.RESERVE_INVESTMENT: (
        "储备项目投资",
        "储备项目投资(固定资产有效投资)",
        "固定资产有效投资",
        "储备项目年度投资",
    ),
    Metric.SIGNED_AMOUNT: ("签约金额", "签约额", "冬季签约目标", "招商引资签约项目投资额", "签约项目投资额"),
    Metric.NEW_START_INVESTMENT: ("新开工项目计划投资额", "新开工项目计划投资"),
    Metric.FUNDS_IN_PLACE: ("到位资金",),
    Metric.KEY_PROJECT_INVESTMENT: ("重点工程投资", "省市重点工程完成投资", "重点工程完成投资"),
    Metric.LARGE_PROJECT_COUNT_10_50YI: ("10-50亿元项目数", "10-50亿元项目", "10至50亿元项目数"),
    Metric.LARGE_PROJECT_COUNT_5_10YI: ("5-10亿元项目数", "5-10亿元项目", "5至10亿元项目数"),
    Metric.ABOVE_SIZE_ENTERPRISE_COUNT: ("新增入规企业数", "入规企业数"),
    Metric.SIGNED_PROJECT_COUNT: ("签约项目数",),
    Metric.NEW_START_RATE: ("新建开工率", "新建项目开工率", "计划新建项目开工率"),
    Metric.RESTART_RATE: ("复工率", "续建项目复工率"),
    Metric.START_RATE: ("开复工率", "项目开复工率"),
    Metric.PROCEDURE_COMPLETION_RATE: ("手续办结率", "前期手续办结率"),
    Metric.SAME_YEAR_START_RATE: ("当年开工率", "签约项目当年开工率", "招商引资签约项目当年开工率"),
}


def metric_label(metric: str) -> str:
    """The first (document) label of a metric, for reports."""
    return METRIC_LABELS[Metric(metric)][0]


_METRICS: dict[str, Metric] = {
    **{norm(label): m for m, labels in METRIC_LABELS.items() for label in labels},
    **{norm(m.value): m for m in Metric},
}


def lookup_metric(text: str) -> Metric | None:
    return _METRICS.get(norm(text).replace("–", "-").replace("—", "-").replace("~", "-"))


def metric_words() -> list[str]:
    """Every label a clerk may use, for suggestions."""
    return [label for labels in METRIC_LABELS.values() for label in labels]


def _enum_words(pairs: dict[str, StrEnum], enum: type[StrEnum]) -> dict[str, StrEnum]:
    out = {norm(k): v for k, v in pairs.items()}
    out.update({norm(v.value): v for v in enum})
    return out


UNIT_KINDS = _enum_words(
    {
        "乡镇": UnitKind.TOWNSHIP,
        "乡": UnitKind.TOWNSHIP,
        "镇": UnitKind.TOWNSHIP,
        "县直部门": UnitKind.DEPARTMENT,
        "部门": UnitKind.DEPARTMENT,
        "县直单位": UnitKind.DEPARTMENT,
        "市直部门": UnitKind.DEPARTMENT,
        "县属企业": UnitKind.ENTERPRISE,
        "企业": UnitKind.ENTERPRISE,
        "集团": UnitKind.ENTERPRISE,
        "县属企业/集团": UnitKind.ENTERPRISE,
        "开发区": UnitKind.ZONE,
        "园区": UnitKind.ZONE,
    },
    UnitKind,
)
STAGES = _enum_words(
    {"谋划": Stage.PLANNED, "储备": Stage.RESERVE, "前期": Stage.PRELIMINARY, "在建": Stage.CONSTRUCTION},
    Stage,
)
BUILD_TYPES = _enum_words({"新建": BuildType.NEW, "续建": BuildType.CONTINUING}, BuildType)
KEY_LEVELS = _enum_words(
    {
        "省级": KeyLevel.PROVINCIAL,
        "省": KeyLevel.PROVINCIAL,
        "省重点": KeyLevel.PROVINCIAL,
        "省重点工程": KeyLevel.PROVINCIAL,
        "市级": KeyLevel.MUNICIPAL,
        "市": KeyLevel.MUNICIPAL,
        "市重点": KeyLevel.MUNICIPAL,
        "市重点工程": KeyLevel.MUNICIPAL,
        "县级": KeyLevel.COUNTY,
        "县": KeyLevel.COUNTY,
        "县重点": KeyLevel.COUNTY,
        "县重点工程": KeyLevel.COUNTY,
    },
    KeyLevel,
)
PROCEDURE_STATES = _enum_words(
    {
        "已办结": ProcedureState.DONE,
        "办结": ProcedureState.DONE,
        "已完成": ProcedureState.DONE,
        "完成": ProcedureState.DONE,
        "办理中": ProcedureState.IN_PROGRESS,
        "在办": ProcedureState.IN_PROGRESS,
        "需办理": ProcedureState.REQUIRED,
        "未办理": ProcedureState.REQUIRED,
        "未办": ProcedureState.REQUIRED,
        "不需要": ProcedureState.NOT_REQUIRED,
        "无需办理": ProcedureState.NOT_REQUIRED,
        "不涉及": ProcedureState.NOT_REQUIRED,
    },
    ProcedureState,
)
BOOLEANS: dict[str, bool] = {
    **{norm(w): True for w in ("是", "y", "yes", "true", "1", "√", "✓")},
    **{norm(w): False for w in ("否", "n", "no", "false", "0", "×", "x")},
}

# A target row whose unit cell holds one of these is a regional target, as is an empty cell.
REGION_WORDS = frozenset(norm(w) for w in ("全县", "全市", "全区", "全域", "全省", "合计", "region"))
