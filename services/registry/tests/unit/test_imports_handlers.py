"""The import use case on the in-memory registry: a dry run saves nothing, a commit is all or nothing."""

from __future__ import annotations

from registry_testkit.builders import ADMIN, NOW, world
from registry_testkit.fakes import FakeRegistryUnitOfWork

from registry.entrypoints.schemas import validate_row
from registry.events import CampaignCreated, ProjectRegistered, UnitRegistered, UnitUpdated
from registry.service_layer.commands import ImportFile
from registry.service_layer.imports import run_import

UNITS = "单位编码,单位名称,单位类型,别名\nbeiliu,北留镇,乡镇,北留\nrunchengzhen,润城镇,乡镇,\n"


async def _import(uow: FakeRegistryUnitOfWork, kind: str, body: str, *, dry_run: bool) -> object:
    cmd = ImportFile(kind=kind, filename=f"{kind}.csv", content=body.encode(), dry_run=dry_run)
    return await run_import(uow=uow, cmd=cmd, now=NOW, principal=ADMIN, validate=validate_row)


async def test_a_dry_run_reports_what_would_change_and_saves_nothing() -> None:
    uow = await world()
    report = await _import(uow, "units", UNITS, dry_run=True)
    assert report.dry_run and not report.committed and report.error_count == 0
    assert [(s.created, s.updated, s.unchanged) for s in report.sheets] == [(1, 1, 0)]
    assert uow.rolled_back and uow.published == []


async def test_a_committed_import_applies_each_row_through_its_command() -> None:
    uow = await world()
    report = await _import(uow, "units", UNITS, dry_run=False)
    assert report.committed and uow.committed
    assert [e.unit_code for e in uow.events_of(UnitRegistered)] == ["runchengzhen"]
    (updated,) = uow.events_of(UnitUpdated)
    assert (updated.unit_code, updated.unit_name, updated.aliases) == ("beiliu", "北留镇", ["北留"])
    projects = "项目名称,责任单位,建设性质,金额单位,总投资,计划年度\n文旅项目,北留,新建,亿元,1.2,2024\n"
    report = await _import(uow, "projects", projects, dry_run=False)
    (registered,) = uow.events_of(ProjectRegistered)
    assert (registered.project.unit_code, registered.project.total_investment) == ("beiliu", 12000)


async def test_a_row_a_command_refuses_blocks_the_whole_commit() -> None:
    uow = await world(campaign=True)
    body = (
        "行动编码,行动名称,开始日期,结束日期\n"
        "yangquan-2025,阳泉市2025年重大项目建设年行动,2025-01-01,2025-12-31\n"
        "yangcheng-winter,阳城县2023年项目建设冬季行动,2023-11-01,2024-02-20\n"  # the name is taken
    )
    report = await _import(uow, "campaigns", body, dry_run=False)
    assert not report.committed and report.error_count == 1
    (issue,) = report.issues
    assert (issue.row, issue.code) == (3, "refused_409") and "already exists" in issue.message
    assert uow.events_of(CampaignCreated) == [] and await uow.campaigns.get("yangquan-2025") is None


async def test_a_row_the_api_would_refuse_is_refused_on_its_column() -> None:
    uow = FakeRegistryUnitOfWork()
    body = "行动编码,行动名称,开始日期,结束日期\n冬季行动,2023冬季行动,2023-11-01,2024-02-20\n"
    report = await _import(uow, "campaigns", body, dry_run=True)
    (issue,) = report.issues
    assert (issue.row, issue.column, issue.code) == (2, "行动编码", "invalid")
    assert issue.message.startswith("id: String should match pattern")
