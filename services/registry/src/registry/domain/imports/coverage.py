"""R1 目标分解 of an imported targets sheet: regional totals against the sum of unit targets.

The check sees the registry as it will be after the commit: targets already registered for the
same campaign, metric and period, overridden by the rows of the file. A mismatch is a warning
on the row of the regional total (the documents themselves contain such mismatches, SPEC §7);
it never blocks the commit.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from registry.domain.imports.report import CoverageRow, ImportReport, Issue, Severity
from registry.domain.imports.sheets import Sheet
from registry.domain.imports.target_rows import TC, TargetRows
from registry.domain.imports.values import WAN_PER_YI, text
from registry.domain.imports.vocabulary import metric_label
from registry.domain.model import is_count
from registry.domain.targets import CoverageLine, TargetLine, coverage_report

_ISSUES = {  # flag → (issue code, severity in the report)
    "under_allocated": ("r1_under_allocated", Severity.WARNING),
    "no_unit_targets": ("r1_no_unit_targets", Severity.WARNING),
    "no_regional_target": ("r1_no_regional_target", Severity.WARNING),
    "over_allocated": ("r1_over_allocated", Severity.INFO),
}


@dataclass(frozen=True)
class Registered:
    """A target already in the registry, with its campaign."""

    campaign_id: str | None
    line: TargetLine


# (campaign, metric, period) → (scope, unit) → (line, row number or None if from the registry)
Groups = dict[tuple[str | None, str, str], dict[tuple[str, str | None], tuple[TargetLine, int | None]]]


def _groups(rows: TargetRows[TC], registered: Iterable[Registered]) -> Groups:
    """The file's targets over the registered ones, grouped as R1 compares them."""
    groups: Groups = {}
    for checked in rows.checked:
        t = checked.data
        groups.setdefault((t.campaign_id, str(t.metric), t.period), {})
    for r in registered:
        group = groups.get((r.campaign_id, r.line.metric, r.line.period))
        if group is not None:
            group[(r.line.scope, r.line.unit_code)] = (r.line, None)
    for checked in rows.checked:
        t = checked.data
        line = TargetLine(
            metric=str(t.metric),
            period=t.period,
            scope=str(t.scope),
            unit_code=t.unit_code,
            value=t.value if t.value is not None else Decimal(0),
            baseline=t.baseline,
            growth_pct=t.growth_pct,
        )
        groups[(t.campaign_id, str(t.metric), t.period)][(line.scope, line.unit_code)] = (
            line,
            checked.row.number,
        )
    return groups


def check_coverage(
    sheet: Sheet, rows: TargetRows[TC], registered: Iterable[Registered], report: ImportReport
) -> list[CoverageRow]:
    """R1 of every (campaign, metric, period) the sheet has targets for; a mismatch is reported."""
    groups = _groups(rows, registered)
    out: list[CoverageRow] = []
    for (campaign, metric, period), members in sorted(
        groups.items(), key=lambda kv: (kv[0][0] or "", kv[0][1:])
    ):
        (cov,) = coverage_report(line for line, _ in members.values())
        regional_row = next((n for (scope, _), (_, n) in members.items() if scope == "region"), None)
        unit_rows = sorted(n for (scope, _), (_, n) in members.items() if scope == "unit" and n is not None)
        row = CoverageRow(
            campaign_id=campaign,
            metric=metric,
            metric_label=metric_label(metric),
            period=period,
            regional_target=cov.regional_target,
            unit_sum=cov.unit_sum,
            unit_count=cov.unit_count,
            coverage=cov.coverage,
            gap=cov.gap,
            flag=cov.flag,
            severity=cov.severity,
            regional_row=regional_row,
            unit_rows=unit_rows,
        )
        out.append(row)
        if cov.flag in _ISSUES:
            written = next(
                (text(c.row.cells.get("value")) for c in rows.checked if c.row.number == row.regional_row),
                None,
            )
            report.add(_issue(sheet, row, cov, rows.failed.get((metric, period, campaign), []), written))
    return out


def _issue(
    sheet: Sheet, row: CoverageRow, cov: CoverageLine, left_out: list[int], written: str | None
) -> Issue:
    code, severity = _ISSUES[cov.flag]
    what = f"R1 目标分解 {row.metric_label} ({row.metric}) {row.period}" + (
        f" [{row.campaign_id}]" if row.campaign_id else ""
    )
    units = (
        f"{row.unit_count} unit target(s) (rows {spans(row.unit_rows)})" if row.unit_rows else "unit targets"
    )
    if cov.flag == "no_regional_target":
        message = (
            f"{what}: {units} add up to {amount(row.metric, cov.unit_sum)} but there is no regional total"
        )
    elif cov.flag == "no_unit_targets":
        message = (
            f"{what}: regional total {amount(row.metric, cov.regional_target)} is not divided among units"
        )
    else:
        assert cov.regional_target is not None and cov.gap is not None
        direction = "short of" if cov.gap > 0 else "above"
        message = (
            f"{what}: {units} add up to {amount(row.metric, cov.unit_sum)}, "
            f"{amount(row.metric, abs(cov.gap))} {direction} the regional total "
            f"{amount(row.metric, cov.regional_target)} "
            f"(coverage {'-' if cov.coverage is None else f'{cov.coverage * 100:.2f}'}%)"
        )
    if left_out:
        message += f"; rows {spans(left_out)} have errors and are not counted"
    anchor = row.regional_row or (row.unit_rows[0] if row.unit_rows else None)
    return Issue(
        severity=severity,
        code=code,
        message=message,
        sheet=sheet.name,
        row=anchor,
        column=sheet.header("value"),
        value=written,
        related_rows=row.unit_rows,
    )


def amount(metric: str, value: Decimal | None) -> str:
    """A figure as the office reads it: 万元 with 亿元 beside it, or a count of projects."""
    if value is None:
        return "-"
    if is_count(metric):
        return f"{value.normalize():f} 个"
    return f"{value:,.2f} 万元 ({(value / WAN_PER_YI).normalize():f} 亿元)"


def spans(numbers: list[int]) -> str:
    """Row numbers as ranges: [5, 6, 7, 9] → '5–7, 9'."""
    out: list[list[int]] = []
    for n in sorted(numbers):
        if out and n == out[-1][-1] + 1:
            out[-1].append(n)
        else:
            out.append([n])
    return ", ".join(str(run[0]) if len(run) == 1 else f"{run[0]}–{run[-1]}" for run in out)
