"""Row checks of a targets (目标任务) sheet: units by name, metrics by label, values with their units.

Targets are stated the way the documents state them: a unit by its Chinese name (or code), a metric
by its label, a value with 亿元 / 万元 / 个 / %, growth targets as 基数 + 同比增长(%).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Generic, Protocol, TypeVar

from registry.domain.imports import values as v
from registry.domain.imports.checks import Checked, RowCheck, Validate, campaign_of, unknown_unit
from registry.domain.imports.directory import Directory, closest
from registry.domain.imports.report import ImportReport
from registry.domain.imports.sheets import Sheet
from registry.domain.imports.vocabulary import REGION_WORDS, Kind, lookup_metric, metric_words, norm
from registry.domain.model import Metric, TargetScope
from registry.domain.targets import effective_value


class TargetCommand(Protocol):
    """What the checks (and R1, `coverage`) read of the command a target row stands for."""

    @property
    def metric(self) -> str: ...
    @property
    def period(self) -> str: ...
    @property
    def scope(self) -> str: ...
    @property
    def unit_code(self) -> str | None: ...
    @property
    def campaign_id(self) -> str | None: ...
    @property
    def value(self) -> Decimal | None: ...
    @property
    def baseline(self) -> Decimal | None: ...
    @property
    def growth_pct(self) -> Decimal | None: ...


TC = TypeVar("TC", bound=TargetCommand)


@dataclass
class TargetRows(Generic[TC]):
    """The checked targets, and the rows left out for an unknown unit (their other cells were fine)."""

    checked: list[Checked[TC]]
    failed: dict[tuple[str, str, str | None], list[int]]  # (metric, period, campaign) → rows with errors


def check_targets(
    sheet: Sheet, directory: Directory, report: ImportReport, validate: Validate[TC]
) -> TargetRows[TC]:
    out: list[Checked[TC]] = []
    seen: dict[tuple[Any, ...], int] = {}
    failed: dict[tuple[str, str, str | None], list[int]] = {}
    unknown: list[tuple[RowCheck[TC], tuple[str, str, str | None]]] = []
    for row in sheet.rows:
        c = RowCheck(sheet, row, report, validate)
        metric = _metric(c)
        period = c.cell("period", v.period)
        campaign = campaign_of(c, directory)
        written_unit = v.text(c.raw("unit"))
        unit = None
        region = not written_unit or norm(written_unit) in REGION_WORDS
        if not region:
            unit = directory.resolve(written_unit)
        target = _target(c, metric, period, unit, campaign) if metric and period else None
        group = (str(metric), str(period), campaign)
        if not region and unit is None:
            unknown.append((c, group))  # reported below, once the file's gaps are known
            c.failed = True
        if c.failed or target is None:
            if metric and period:
                failed.setdefault(group, []).append(row.number)
            continue
        key = (target.metric, target.period, target.scope, target.unit_code, target.campaign_id)
        if key in seen:
            c.error(
                "value",
                f"a second target for the same unit, metric, period and campaign (first on row {seen[key]})",
                code="duplicate",
                related_rows=[seen[key]],
            )
            continue
        seen[key] = row.number
        out.append(Checked(row, target))
    _report_unknown_units(out, unknown, directory)
    return TargetRows(out, failed)


def _report_unknown_units(
    out: list[Checked[TC]],
    unknown: list[tuple[RowCheck[TC], tuple[str, str, str | None]]],
    directory: Directory,
) -> None:
    """An unknown name most likely stands for a unit missing from the same lists: rank the close
    names by how many of the unknown name's (metric, period) lists they are absent from."""
    present: dict[tuple[str, str, str | None], set[str]] = {}
    for t in out:
        present.setdefault((str(t.data.metric), t.data.period, t.data.campaign_id), set()).add(
            t.data.unit_code or ""
        )
    groups_of: dict[str, list[tuple[str, str, str | None]]] = {}
    for c, group in unknown:
        groups_of.setdefault(norm(v.text(c.raw("unit"))), []).append(group)
    for c, _ in unknown:
        groups = groups_of[norm(v.text(c.raw("unit")))]
        weight = {code: sum(code not in present.get(g, set()) for g in groups) for code in directory.units}
        unknown_unit(c, "unit", directory, weight)


def _metric(c: RowCheck[Any]) -> Metric | None:
    written = v.text(c.raw("metric"))
    if not written:
        c.error("metric", "指标 is required", code="missing_value")
        return None
    metric = lookup_metric(written)
    if metric is None:
        suggestions = [w for w, _ in closest(written, metric_words(), cutoff=0.4)[:3]]
        c.error(
            "metric",
            f"指标 {written!r} is not known"
            + (f"; closest: {'、'.join(suggestions)}" if suggestions else ""),
            code="unknown_metric",
            suggestions=suggestions,
        )
    return metric


def _target(
    c: RowCheck[TC], metric: Metric, period: str, unit: str | None, campaign: str | None
) -> TC | None:
    measure = c.cell("measure", v.measure)
    value = c.cell("value", v.metric_value, metric, measure)
    baseline = c.cell("baseline", v.metric_value, metric, measure)
    growth = c.cell("growth_pct", v.percent)
    note = v.text(c.raw("note")) or None
    if c.failed:
        return None
    if baseline is not None and growth is None:
        c.error("growth_pct", "基数 is given but 同比增长(%) is not", code="missing_value")
        return None
    if growth is not None and baseline is None:
        if value is None:
            c.error(
                "baseline",
                f"同比增长 {growth.normalize():f}% needs 基数 (the previous year's figure) or a 目标值",
                code="missing_value",
            )
            return None
        c.warn(
            "growth_pct",
            f"同比增长 {growth.normalize():f}% without 基数: the 目标值 is stored, the growth kept in 备注",
            code="growth_without_baseline",
        )
        if "同比增长" not in (note or ""):
            note = f"{note + '；' if note else ''}同比增长{growth.normalize():f}%"
        growth = None
    if value is None and baseline is None:
        c.error("value", "目标值 is required (or 基数 and 同比增长)", code="missing_value")
        return None
    if value is not None and baseline is not None and growth is not None:
        derived = effective_value(baseline, growth)
        if derived != value:
            c.warn(
                "value",
                f"目标值 {value} differs from 基数 × (1 + {growth}%) = {derived}; the 目标值 is stored",
                code="growth_mismatch",
            )
    return c.draft(
        Kind.TARGETS,
        {
            "metric": metric,
            "period": period,
            "scope": TargetScope.UNIT if unit else TargetScope.REGION,
            "unit_code": unit,
            "campaign_id": campaign,
            "value": value,
            "baseline": baseline,
            "growth_pct": growth,
            "note": note,
        },
        {"unit_code": "unit"},
    )
