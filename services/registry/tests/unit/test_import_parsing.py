"""Unit tests of the spreadsheet import's reading and row checks (no database)."""

from __future__ import annotations

import importlib.util
import io
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from openpyxl import Workbook

from registry.adapters import spreadsheets as reader
from registry.adapters.spreadsheets import template_csv, template_xlsx
from registry.domain.imports import rows, target_rows
from registry.domain.imports import values as v
from registry.domain.imports.coverage import check_coverage, spans
from registry.domain.imports.directory import Directory, UnitRef
from registry.domain.imports.report import ImportReport
from registry.domain.imports.vocabulary import Kind
from registry.entrypoints.schemas import validate_row

SEEDS = Path(__file__).resolve().parents[4] / "data" / "seeds"
D = Decimal
TARGETS_HEADER = "单位,指标,期间,目标值,计量单位,基数,同比增长(%),行动,备注\n"


def _directory() -> Directory:
    return Directory.of(
        [
            UnitRef("fengcheng", "凤城镇", "township"),
            UnitRef("manghe", "蟒河镇", "township"),
            UnitRef("henghe", "横河镇", "township"),
            UnitRef("nengyuan", "能源局", "department", aliases=["县能源局"]),
        ],
        {"yangcheng-2023-winter": "阳城县2023年项目建设冬季行动"},
    )


def _targets(
    content: bytes | str, filename: str = "t.csv", *, coverage: bool = False
) -> tuple[target_rows.TargetRows, ImportReport]:
    data = content.encode() if isinstance(content, str) else content
    report = ImportReport(kind="targets", filename=filename, dry_run=True)
    (sheet,) = reader.read("targets", filename, data, report)
    checked = target_rows.check_targets(sheet, _directory(), report, validate_row)
    if coverage:
        check_coverage(sheet, checked, [], report)
    return checked, report


def _issues(report: ImportReport, code: str | None = None) -> list[tuple[Any, ...]]:
    return [(i.row, i.column, i.value, i.code) for i in report.issues if code is None or i.code == code]


# --- reading files ------------------------------------------------------------------------------


def test_csv_with_and_without_bom_gives_the_same_targets() -> None:
    body = TARGETS_HEADER + "凤城镇,固定资产投资,2023Q4,4.5,亿元,,,,\n"
    plain, r1 = _targets(body.encode("utf-8"))
    bom, r2 = _targets(body.encode("utf-8-sig"))
    assert r1.issues == [] and r2.issues == []
    assert [t.data for t in plain.checked] == [t.data for t in bom.checked]
    assert plain.checked[0].data.unit_code == "fengcheng"


def test_english_field_names_are_accepted_as_headers() -> None:
    body = (
        "unit_code,metric,period,value,value_unit,campaign_id,note\n"
        "nengyuan,fixed_asset_investment,2023Q4,12,亿元,yangcheng-2023-winter,x\n"
    )
    checked, report = _targets(body)
    assert report.issues == []
    (t,) = checked.checked
    assert (t.data.unit_code, t.data.metric, t.data.value, t.data.campaign_id) == (
        "nengyuan",
        "fixed_asset_investment",
        D("120000.00"),
        "yangcheng-2023-winter",
    )


def test_excel_chinese_csv_in_gb18030_is_read_with_a_warning() -> None:
    body = TARGETS_HEADER + "县能源局,固定资产投资,2023Q4,12,亿元,,,,\n"
    checked, report = _targets(body.encode("gb18030"))
    assert checked.checked[0].data.unit_code == "nengyuan"  # resolved through the alias
    assert _issues(report) == [(None, None, None, "encoding")]


def test_unknown_and_missing_columns_are_reported_on_the_header_row() -> None:
    report = ImportReport(kind="targets", filename="t.csv", dry_run=True)
    reader.read("targets", "t.csv", "单位,指标,目标值,颜色\n凤城镇,固定资产投资,1,红\n".encode(), report)
    assert sorted(_issues(report)) == [
        (1, "期间", None, "missing_column"),
        (1, "颜色", None, "unknown_column"),
    ]
    assert report.error_count == 1 and report.warning_count == 1


def test_old_xls_files_are_refused_with_advice() -> None:
    report = ImportReport(kind="units", filename="u.xls", dry_run=True)
    with pytest.raises(reader.FileError, match="xlsx"):
        reader.read("units", "u.xls", b"\xd0\xcf\x11\xe0rest", report)


def test_xlsx_numbers_dates_and_sheet_choice() -> None:
    book = Workbook()
    book.active.title = "说明"
    ws = book.create_sheet("目标任务")
    ws.append(["单位", "指标", "期间", "目标值", "计量单位"])
    ws.append(["凤城镇", "民间投资", 2024, 23.58, "亿元"])
    ws.append([None, None, None, None, None])
    ws.append(["蟒河镇", "储备项目数", "2024年", 8, None])
    buf = io.BytesIO()
    book.save(buf)
    checked, report = _targets(buf.getvalue(), "targets.xlsx", coverage=True)
    assert [i.code for i in report.issues] == ["r1_no_regional_target", "r1_no_regional_target"]
    first, second = checked.checked
    assert (first.row.number, first.data.period, first.data.value) == (2, "2024", D("235800.00"))
    assert (second.row.number, second.data.metric, second.data.value) == (4, "reserve_count", D("8.00"))
    assert v.day(datetime(2023, 11, 1, 0, 0)) == date(2023, 11, 1)


# --- values -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("metric", "cell", "column_unit", "expected"),
    [
        ("fixed_asset_investment", "4.5", "亿元", D("45000.00")),
        ("fixed_asset_investment", "4.5亿元", None, D("45000.00")),
        ("fixed_asset_investment", "23.58 亿", None, D("235800.00")),
        ("fixed_asset_investment", "1,200", "万元", D("1200.00")),
        ("fixed_asset_investment", 0.15, "亿元", D("1500.00")),
        ("fixed_asset_investment", "700", None, D("700.00")),  # 万元 is the API's unit
        ("reserve_count", "243", "个", D("243.00")),
        ("procedure_completion_rate", "80", "%", D("0.80")),
        ("same_year_start_rate", "40%", None, D("0.40")),
        ("new_start_rate", "0.5", None, D("0.50")),
    ],
)
def test_values_are_converted_to_the_apis_units(
    metric: str, cell: Any, column_unit: str | None, expected: Decimal
) -> None:
    assert v.metric_value(cell, metric, column_unit) == expected


@pytest.mark.parametrize(
    ("metric", "cell", "column_unit", "message"),
    [
        ("fixed_asset_investment", "4,5亿", None, "not a number"),
        ("fixed_asset_investment", "约5亿", None, "not a number"),
        ("fixed_asset_investment", "-1", "亿元", "negative"),
        ("fixed_asset_investment", "0.0000001", "亿元", "2 decimal places"),
        ("fixed_asset_investment", "3", "个", "亿元 or 万元"),
        ("fixed_asset_investment", "3亿元", "万元", "the cell says 亿元"),
        ("reserve_count", "2.5", None, "whole number"),
        ("reserve_count", "2", "亿元", "counts projects"),
        ("new_start_rate", "50", None, "written in %"),
    ],
)
def test_bad_values_say_what_is_allowed(
    metric: str, cell: str, column_unit: str | None, message: str
) -> None:
    with pytest.raises(v.CellError, match=message):
        v.metric_value(cell, metric, column_unit)


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        ("2023Q4", "2023Q4"),
        ("2023q4", "2023Q4"),
        ("2023-Q4", "2023Q4"),
        (2024, "2024"),
        (2024.0, "2024"),
        ("2024年", "2024"),
        ("2025H1", "2025H1"),
        ("2025年上半年", "2025H1"),
        ("2023年第四季度", "2023Q4"),
        ("2024年一季度", "2024Q1"),
        ("2024-3", "2024-03"),
        ("2024年3月", "2024-03"),
    ],
)
def test_periods_in_the_forms_documents_use(cell: Any, expected: str) -> None:
    assert v.period(cell) == expected


@pytest.mark.parametrize("cell", ["2024-13", "冬季", "24Q4", ""])
def test_bad_periods_are_refused(cell: str) -> None:
    with pytest.raises(v.CellError, match="期间"):
        v.period(cell)


# --- row checks ---------------------------------------------------------------------------------


def test_bad_cells_are_reported_by_row_column_and_value_and_the_row_is_left_out() -> None:
    body = TARGETS_HEADER + (
        "凤城镇,固定资产投资,2023Q4,四点五,亿元,,,,\n"
        "凤城镇,固定资产投资,冬季,4.5,亿元,,,,\n"
        "凤城镇,固投资,2023Q4,4.5,亿元,,,,\n"
        "凤城镇,民间投资,2023Q4,6.6,亿元,,,冬季行动,\n"
    )
    checked, report = _targets(body)
    assert checked.checked == []
    assert _issues(report) == [
        (2, "目标值", "四点五", "bad_value"),
        (3, "期间", "冬季", "bad_value"),
        (4, "指标", "固投资", "unknown_metric"),
        (5, "行动", "冬季行动", "unknown_campaign"),
    ]
    metric_issue = next(i for i in report.issues if i.code == "unknown_metric")
    assert "固投" in metric_issue.suggestions
    assert all(i.sheet == "csv" for i in report.issues)


def test_duplicate_targets_point_at_the_first_row() -> None:
    body = (
        TARGETS_HEADER
        + "凤城镇,固定资产投资,2023Q4,4.5,亿元,,,,\nfengcheng,固定资产投资,2023年第四季度,5,亿元,,,,\n"
    )
    checked, report = _targets(body)
    assert len(checked.checked) == 1
    dup = next(i for i in report.issues if i.code == "duplicate")
    assert (dup.row, dup.related_rows) == (3, [2])


def test_growth_targets_with_and_without_a_baseline() -> None:
    body = TARGETS_HEADER + (
        ",固定资产投资,2025,,亿元,221.7,6,,\n"  # value derived from the baseline
        ",重点工程投资,2025,235,亿元,,6,,文件未给出基数\n"  # kept as value, growth in the note
        ",民间投资,2025,,,,8,,\n"  # nothing to store
        ",签约金额,2025,,亿元,400,,,\n"  # baseline without growth
    )
    checked, report = _targets(body)
    derived, noted = (t.data for t in checked.checked)
    assert (derived.value, derived.baseline, derived.growth_pct) == (None, D("2217000.00"), D("6.00"))
    assert (noted.value, noted.baseline, noted.growth_pct) == (D("2350000.00"), None, None)
    assert noted.note == "文件未给出基数；同比增长6%"
    assert [(i.row, i.code, i.severity.value) for i in report.issues if not i.code.startswith("r1")] == [
        (3, "growth_without_baseline", "warning"),
        (4, "missing_value", "error"),
        (5, "missing_value", "error"),
    ]


def test_region_words_and_empty_unit_mean_a_regional_target() -> None:
    body = TARGETS_HEADER + "全县,签约金额,2023Q4,60,亿元,,,,\n,到位资金,2023Q4,6,亿元,,,,\n"
    checked, _ = _targets(body)
    assert [(t.data.scope, t.data.unit_code) for t in checked.checked] == [("region", None), ("region", None)]


def test_units_sheet_resolves_parents_defined_above_and_refuses_a_taken_name() -> None:
    body = (
        "单位编码,单位名称,单位类型,上级单位,别名\n"
        "kaifaqu,开发区,开发区,,开发区管委会\n"
        "kfq-a,开发区一园,zone,开发区管委会,\n"  # parent by the alias of a unit defined above
        "hengheX,横河镇,乡镇,,\n"  # the name of a registered unit under another code
        "yuanlin,园林绿化服务中心,部门,,凤城镇\n"  # an alias that is another unit's name
        "bad,某单位,街道,,\n"
    )
    report = ImportReport(kind="units", filename="u.csv", dry_run=True)
    (sheet,) = reader.read("units", "u.csv", body.encode(), report)
    checked = rows.check_units(sheet, _directory(), report, validate_row)
    assert [(c.data.code, c.data.parent_code, c.data.aliases) for c in checked] == [
        ("kaifaqu", None, ("开发区管委会",)),  # the row's RegisterUnit: aliases as a tuple
        ("kfq-a", "kaifaqu", ()),
    ]
    assert _issues(report) == [
        (4, "单位名称", "横河镇", "name_taken"),
        (5, "别名", "凤城镇", "name_taken"),
        (6, "单位类型", "街道", "bad_value"),
    ]


def test_importing_a_unit_again_keeps_the_aliases_it_already_has() -> None:
    directory = _directory()
    directory.put(UnitRef("manghe", "蟒河镇", "township", aliases=["麟河镇"]))
    report = ImportReport(kind="units", filename="u.csv", dry_run=True)
    (sheet,) = reader.read(
        "units", "u.csv", "单位编码,单位名称,单位类型\nmanghe,蟒河镇,乡镇\n".encode(), report
    )
    (checked,) = rows.check_units(sheet, directory, report, validate_row)
    assert checked.data.aliases == ("麟河镇",)


def test_projects_rows_convert_amounts_flags_and_procedures() -> None:
    body = (
        "项目名称,责任单位,建设性质,产业项目,重点工程,金额单位,总投资,年度计划投资,计划年度,计划开工日期,立项,用地\n"
        "西山乡村旅游,凤城镇,新建,是,省重点工程,亿元,1.2,0.3,2024,2024/3/1,已办结,办理中\n"
        "某项目,凤城镇,改建,也许,,,100,200,24,2024-02-30,完成,\n"
    )
    report = ImportReport(kind="projects", filename="p.csv", dry_run=True)
    (sheet,) = reader.read("projects", "p.csv", body.encode(), report)
    (good,) = rows.check_projects(sheet, _directory(), report, validate_row)
    p = good.data
    assert (p.unit_code, p.build_type, p.is_industrial, p.key_level) == (
        "fengcheng",
        "new",
        True,
        "provincial",
    )
    assert (p.total_investment, p.annual_plan_investment, p.planned_start) == (
        D(12000),
        D(3000),
        date(2024, 3, 1),
    )
    assert [(x.item, x.state) for x in p.procedures] == [("approval", "done"), ("land", "in_progress")]
    assert "stage" not in good.given and "total_investment" in good.given
    assert sorted((i.row, i.column, i.value) for i in report.issues) == [
        (3, "产业项目", "也许"),
        (3, "建设性质", "改建"),
        (3, "计划年度", "24"),
        (3, "计划开工日期", "2024-02-30"),
    ]


# --- the seed files as written ------------------------------------------------------------------


def _seed_directory() -> Directory:
    directory = Directory()
    report = ImportReport(kind="units", filename="seed", dry_run=True)
    for kind, name in (("campaigns", "yangcheng_campaign.csv"), ("units", "yangcheng_units.csv")):
        (sheet,) = reader.read(kind, name, (SEEDS / name).read_bytes(), report)
        getattr(rows, f"check_{kind}")(sheet, directory, report, validate_row)
    assert report.issues == []
    return directory


def test_seed_units_cover_every_unit_with_a_target_in_the_yangcheng_document() -> None:
    directory = _seed_directory()
    kinds = [u.kind for u in directory.units.values()]
    assert len(directory.units) == 42
    assert (kinds.count("township"), kinds.count("zone"), kinds.count("enterprise")) == (15, 1, 5)
    assert directory.resolve("麟河镇") is None and directory.resolve("县能源局") == "nengyuan"


def test_seed_targets_as_written_report_linhe_with_manghe_suggested_and_the_r1_mismatches() -> None:
    report = ImportReport(kind="targets", filename="yangcheng_targets.csv", dry_run=True)
    (sheet,) = reader.read(
        "targets", "yangcheng_targets.csv", (SEEDS / "yangcheng_targets.csv").read_bytes(), report
    )
    checked = target_rows.check_targets(sheet, _seed_directory(), report, validate_row)
    coverage = check_coverage(sheet, checked, [], report)
    errors = [i for i in report.issues if i.severity == "error"]
    assert [(i.row, i.column, i.value, i.suggestions[0]) for i in errors] == [
        (190, "单位", "麟河镇", "蟒河镇"),
        (191, "单位", "麟河镇", "蟒河镇"),
        (192, "单位", "麟河镇", "蟒河镇"),
    ]
    assert len(checked.checked) == 215
    gaps = {(c.metric, c.period): (c.regional_target, c.unit_sum, c.flag, c.regional_row) for c in coverage}
    assert gaps[("fixed_asset_investment", "2023Q4")] == (D(488000), D(702000), "over_allocated", 2)
    assert gaps[("industrial_investment", "2023Q4")] == (D(305000), D(393000), "over_allocated", 3)
    assert gaps[("private_investment", "2023Q4")] == (D(235800), D(257000), "over_allocated", 4)
    assert gaps[("reserve_count", "2024")] == (D(243), D(346), "over_allocated", 70)
    assert gaps[("reserve_investment", "2024")] == (D(1800000), D(2374500), "over_allocated", 71)
    assert gaps[("industrial_investment", "2024")] == (D(928000), D(790000), "under_allocated", 72)
    assert gaps[("private_investment", "2024")] == (D(697000), D(712000), "over_allocated", 73)
    # 麟河镇's 1 亿元 is left out while it is unknown: the signing total looks 1 亿元 short.
    assert gaps[("signed_amount", "2023Q4")] == (D(600000), D(590000), "under_allocated", 161)
    assert gaps[("new_start_investment", "2023Q4")] == (D(220000), D(337000), "over_allocated", 162)
    assert gaps[("funds_in_place", "2023Q4")] == (D(60000), D(186000), "over_allocated", 163)
    signed = next(i for i in report.issues if i.code == "r1_under_allocated" and i.row == 161)
    assert "rows 190 have errors" in signed.message and signed.value == "60"


def test_make_xlsx_writes_the_same_targets_as_the_csv(tmp_path: Path) -> None:
    spec = importlib.util.spec_from_file_location("make_xlsx", SEEDS / "make_xlsx.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    targets_xlsx, workbook_xlsx = module.write(tmp_path)
    directory = _seed_directory()

    def parse(name: str, content: bytes) -> tuple[list[Any], list[Any]]:
        report = ImportReport(kind="targets", filename=name, dry_run=True)
        (sheet,) = reader.read("targets", name, content, report)
        checked = target_rows.check_targets(sheet, directory, report, validate_row)
        return [(c.row.number, c.data) for c in checked.checked], _issues(report)

    assert parse("t.xlsx", targets_xlsx.read_bytes()) == parse(
        "t.csv", (SEEDS / "yangcheng_targets.csv").read_bytes()
    )
    report = ImportReport(kind="workbook", filename="w.xlsx", dry_run=True)
    sheets = reader.read("workbook", "w.xlsx", workbook_xlsx.read_bytes(), report)
    assert [(s.kind, s.name, len(s.rows)) for s in sheets] == [
        (Kind.CAMPAIGNS, "行动", 1),
        (Kind.UNITS, "单位", 42),
        (Kind.TARGETS, "目标任务", 218),
    ]


# --- templates ----------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", list(Kind))
def test_templates_parse_back_with_every_column_recognised(kind: Kind) -> None:
    for name, content in ((f"{kind}.csv", template_csv(kind)), (f"{kind}.xlsx", template_xlsx([kind]))):
        report = ImportReport(kind=kind, filename=name, dry_run=True)
        (sheet,) = reader.read(kind, name, content, report)
        assert report.issues == [], name
        assert len(sheet.rows) == 1 and sheet.rows[0].number == 2
    assert template_csv(kind).startswith("\ufeff".encode())  # Excel needs the BOM for UTF-8


def test_row_spans_are_compact() -> None:
    assert spans([9, 5, 6, 7, 12]) == "5–7, 9, 12"
