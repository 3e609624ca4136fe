"""The campaign (行动) at a glance: reports in, problems by level, SLA breaches, notices, rankings.

These are business gauges of stored state: every replica reports the same value, so panels take
`max` across replicas before summing (docs/operations.md#metrics defines each metric).
"""

from __future__ import annotations

from grafana_foundation_sdk.builders.dashboard import Dashboard, Row

from ops.dashboards.common import bars, dashboard, graph, grid, single


def build() -> Dashboard:
    return (
        dashboard(
            "diaodu-campaign",
            "diaodu · campaign (行动)",
            "This month's progress reports (进度填报), the problem loop (问题督办, 13710) and the monthly "
            "assessment (考核评分) as the campaign office and the 督查室 follow them.",
        )
        .with_row(Row("Reports this month (月度进度填报)"))
        .with_panel(
            single(
                "Reports received",
                "Project reports received for the current reporting month (Asia/Shanghai).",
                "sum(max by (unit_kind) (diaodu_progress_reports_received))",
            )
        )
        .with_panel(
            single(
                "Reports missing",
                "Projects that must report this month and have not yet (R5).",
                "sum(max by (unit_kind) (diaodu_progress_reports_missing))",
                red_above=1,
            )
        )
        .with_panel(
            single(
                "Reported share",
                "Received / (received + missing).",
                "sum(max by (unit_kind) (diaodu_progress_reports_received)) / ("
                "sum(max by (unit_kind) (diaodu_progress_reports_received)) + "
                "sum(max by (unit_kind) (diaodu_progress_reports_missing)))",
                unit="percentunit",
            )
        )
        .with_panel(
            bars(
                "Missing by unit kind",
                "乡镇 township, 县直部门 department, 县属企业 enterprise, 开发区 zone.",
                "max by (unit_kind) (diaodu_progress_reports_missing)",
                "{{unit_kind}}",
                width=6,
            )
        )
        .with_panel(
            graph(
                "Reports received and missing",
                "Over the month the received line should rise to meet the deadline (月底交账).",
                [
                    ("sum(max by (unit_kind) (diaodu_progress_reports_received))", "received"),
                    ("sum(max by (unit_kind) (diaodu_progress_reports_missing))", "missing"),
                ],
                width=24,
            )
        )
        .with_row(Row("Problems (问题督办, 13710)"))
        .with_panel(
            bars(
                "Open problems by level",
                "Level 1 owning unit, 2 包联/分管 leader, 3 county government meeting (R8).",
                "max by (level) (diaodu_escalation_open_problems)",
                "level {{level}}",
                width=8,
            )
        )
        .with_panel(
            single(
                "SLA breaches today",
                "13710 clocks missed in the last 24 hours (R7).",
                "sum(increase(diaodu_escalation_sla_breaches_total[1d]))",
                red_above=1,
                width=8,
            )
        )
        .with_panel(
            single(
                "督办函 issued (range)",
                "Supervision notices issued in the selected range (R8).",
                "sum(increase(diaodu_escalation_notices_issued_total[$__range]))",
                width=8,
            )
        )
        .with_panel(
            graph(
                "Open problems by level",
                "Open until 销号; escalation moves a problem up one level.",
                [("max by (level) (diaodu_escalation_open_problems)", "level {{level}}")],
                width=12,
            )
        )
        .with_panel(
            graph(
                "SLA breaches per hour by clock",
                "acknowledge (1 working day), progress (3), resolve (7, or 1 month for major problems).",
                [
                    (
                        "sum by (clock) (increase(diaodu_escalation_sla_breaches_total[1h]))",
                        "{{clock}}",
                    ),
                    (
                        "sum by (level) (increase(diaodu_escalation_notices_issued_total[1h]))",
                        "督办函 to level {{level}}",
                    ),
                ],
                width=12,
            )
        )
        .with_row(Row("Assessment and rankings (考核评分)"))
        .with_panel(
            single(
                "Last assessment",
                "When the latest monthly assessment (R9) was published.",
                "max(diaodu_scoring_last_assessment_timestamp_seconds) * 1000",
                unit="dateTimeFromNow",
                width=12,
            )
        )
        .with_panel(
            single(
                "Next assessment due",
                "When the next monthly assessment is due (the 25th by default); alert "
                "DiaoduAssessmentRunMissed fires an hour after it passes without a run.",
                "max(diaodu_scoring_next_assessment_due_timestamp_seconds) * 1000",
                unit="dateTimeFromNow",
                width=12,
            )
        )
        .with_panel(
            grid(
                "Latest ranking",
                "Rank (1 = best) and total score of each unit in the latest published ranking; the "
                "bottom three get an interview (约谈).",
                [
                    ("max by (unit, unit_kind) (diaodu_scoring_unit_rank)", "rank"),
                    ("max by (unit, unit_kind) (diaodu_scoring_unit_score)", "score"),
                ],
                width=12,
            )
        )
        .with_panel(
            bars(
                "Scores",
                "Total score per unit in the latest ranking.",
                "sort_desc(max by (unit) (diaodu_scoring_unit_score))",
                "{{unit}}",
                width=12,
            )
        )
    )
