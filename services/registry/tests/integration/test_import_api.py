"""The spreadsheet import over HTTP against the real PostgreSQL and broker, with the seed files."""

from __future__ import annotations

import asyncio
import importlib.util
import io
from pathlib import Path
from typing import Any

import pytest
import uvicorn
from openpyxl import Workbook, load_workbook
from sqlalchemy import text

from diaodu_testkit.harness import ServiceHarness, TopicReader, wait_until
from registry.entrypoints import seed
from registry.entrypoints.seed import load_seeds_with

SEEDS = Path(__file__).resolve().parents[4] / "data" / "seeds"


async def _import(
    h: ServiceHarness, kind: str, name: str, content: bytes | None = None, *, dry_run: bool
) -> tuple[int, dict[str, Any]]:
    r = await h.client.post(
        f"/api/v1/imports/{kind}",
        params={"dry_run": str(dry_run).lower()},
        files={"file": (name, content if content is not None else (SEEDS / name).read_bytes())},
        headers=h.auth("admin"),
    )
    return r.status_code, r.json()


async def _committed(h: ServiceHarness, kind: str, name: str) -> dict[str, Any]:
    status, report = await _import(h, kind, name, dry_run=False)
    assert status == 200 and report["committed"], report
    return report


async def _count(h: ServiceHarness, path: str) -> int:
    r = await h.client.get(f"/api/v1/{path}", params={"page_size": 1}, headers=h.auth("admin"))
    assert r.status_code == 200, r.text
    return int(r.json()["total"])


async def _assert_published(h: ServiceHarness, expected: int) -> None:
    """Exactly `expected` events reach the registry topic once the outbox has drained."""

    async def drained() -> bool:
        async with h.app.state.engine.connect() as conn:
            return (await conn.execute(text("select count(*) from outbox"))).scalar_one() == 0

    await wait_until(drained, timeout=30)
    s = h.settings
    async with TopicReader(s.kafka_bootstrap, s.topic("registry")) as reader:
        await reader.wait_for(lambda rs: len(rs) >= expected)
        for _ in range(5):  # anything more would be on the topic by now: the outbox is empty
            await reader.poll()
        assert len(reader.records) == expected


async def test_dry_run_of_the_seed_files_lists_the_documents_inconsistencies_by_row(
    registry: ServiceHarness, tmp_path: Path
) -> None:
    await _committed(registry, "campaigns", "yangcheng_campaign.csv")
    await _committed(registry, "units", "yangcheng_units.csv")

    status, report = await _import(registry, "targets", "yangcheng_targets.csv", dry_run=True)
    assert status == 200 and report["dry_run"] and not report["committed"]
    assert report["error_count"] == 3
    errors = [i for i in report["issues"] if i["severity"] == "error"]
    assert [(i["sheet"], i["row"], i["column"], i["value"], i["code"]) for i in errors] == [
        ("csv", row, "单位", "麟河镇", "unknown_unit") for row in (190, 191, 192)
    ]
    assert all(i["suggestions"][0] == "蟒河镇" for i in errors)
    r1 = {(i["row"], i["code"]) for i in report["issues"] if i["code"].startswith("r1_")}
    assert {
        (2, "r1_over_allocated"),  # 固定资产投资 2023Q4: units 70.2 亿 vs 48.8 亿
        (3, "r1_over_allocated"),  # 产业项目投资 2023Q4: 39.3 vs 30.5
        (4, "r1_over_allocated"),  # 民间投资 2023Q4: 25.7 vs 23.58
        (70, "r1_over_allocated"),  # 储备项目数 2024: 346 vs 243
        (71, "r1_over_allocated"),  # 储备项目投资 2024: 237.45 vs 180
        (72, "r1_under_allocated"),  # 产业项目投资 2024: 79 vs 92.8 (townships give a share)
        (73, "r1_over_allocated"),  # 民间投资 2024: 71.2 vs 69.7
        (161, "r1_under_allocated"),  # 签约金额 2023Q4: 59 vs 60 while 麟河镇 is unknown
        (162, "r1_over_allocated"),  # 新开工项目计划投资额 2023Q4: 33.7 vs 22
        (163, "r1_over_allocated"),  # 到位资金 2023Q4: 18.6 vs 6
    } <= r1
    coverage = {(c["metric"], c["period"]): c for c in report["coverage"]}
    assert coverage[("fixed_asset_investment", "2023Q4")]["unit_sum"] == 702000
    assert coverage[("funds_in_place", "2023Q4")]["regional_row"] == 163
    assert report["sheets"] == [
        {"kind": "targets", "sheet": "csv", "rows": 218, "created": 215, "updated": 0, "unchanged": 0}
    ]
    assert await _count(registry, "targets") == 0  # a dry run saves nothing

    # The XLSX made from the CSV reports the same problems on the same rows.
    spec = importlib.util.spec_from_file_location("make_xlsx", SEEDS / "make_xlsx.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    xlsx, _ = module.write(tmp_path)
    status, from_xlsx = await _import(registry, "targets", "t.xlsx", xlsx.read_bytes(), dry_run=True)
    assert status == 200
    assert [(i["row"], i["column"], i["code"]) for i in from_xlsx["issues"]] == [
        (i["row"], i["column"], i["code"]) for i in report["issues"]
    ]
    assert {i["sheet"] for i in from_xlsx["issues"]} == {"目标任务"}


async def test_a_commit_with_an_error_saves_nothing(registry: ServiceHarness) -> None:
    await _committed(registry, "campaigns", "yangcheng_campaign.csv")
    await _committed(registry, "units", "yangcheng_units.csv")
    await _assert_published(registry, 1 + 42)

    r = await registry.client.post(
        "/api/v1/imports/targets",
        params={"dry_run": "false"},
        files={"file": ("yangcheng_targets.csv", (SEEDS / "yangcheng_targets.csv").read_bytes())},
        headers=registry.auth("admin"),
    )
    assert r.status_code == 422 and r.headers["content-type"].startswith("application/problem+json")
    problem = r.json()
    assert problem["title"] == "Import refused" and problem["committed"] is False
    assert problem["error_count"] == 3 and len(problem["errors"]) == 3
    assert [i["row"] for i in problem["issues"] if i["severity"] == "error"] == [190, 191, 192]
    assert await _count(registry, "targets") == 0
    await _assert_published(registry, 1 + 42)  # no target_set staged, none published

    # A units file with one bad row: the good rows above it are not saved either.
    bad = "单位编码,单位名称,单位类型\nnewunit,新单位,乡镇\nfengcheng2,凤城镇,乡镇\n".encode()
    status, report = await _import(registry, "units", "u.csv", bad, dry_run=False)
    assert status == 422 and [(i["row"], i["code"]) for i in report["issues"]] == [(3, "name_taken")]
    assert (
        await registry.client.get("/api/v1/units/newunit", headers=registry.auth("admin"))
    ).status_code == 404


async def test_after_the_alias_the_seeds_commit_and_loading_again_changes_nothing(
    registry: ServiceHarness,
) -> None:
    client = registry.client
    client.headers.update(registry.auth("admin"))
    lines: list[str] = []
    first = await load_seeds_with(client, data_dir=SEEDS, out=lines.append)
    assert any("麟河镇" in line and "蟒河镇" in line for line in lines)  # the as-written dry run was shown
    assert [(r["kind"], r["filename"], r["sheets"][0]["created"]) for r in first] == [
        ("campaigns", "yangcheng_campaign.csv", 1),
        ("campaigns", "yangquan_2025_campaign.csv", 1),
        ("units", "yangcheng_units.csv", 42),
        ("units", "yangcheng_unit_aliases.csv", 0),
        ("targets", "yangcheng_targets.csv", 218),
        ("targets", "yangquan_2025_targets.csv", 7),
    ]
    assert first[3]["sheets"][0]["updated"] == 1  # 蟒河镇 gained the alias 麟河镇
    manghe = (await client.get("/api/v1/units/manghe")).json()
    assert manghe["aliases"] == ["麟河镇"]
    coverage = (await client.get("/api/v1/reports/target-coverage", params={"period": "2023Q4"})).json()
    signed = next(c for c in coverage if c["metric"] == "signed_amount")
    assert (signed["regional_target"], signed["unit_sum"], signed["flag"]) == (600000, 600000, "balanced")
    r = await client.get("/api/v1/targets", params={"unit_code": "manghe", "metric": "funds_in_place"})
    (funds,) = r.json()["items"]
    assert (funds["value"], funds["period"], funds["campaign_id"]) == (
        4000,
        "2023Q4",
        "yangcheng-2023-winter",
    )
    r = await client.get(
        "/api/v1/targets", params={"scope": "region", "metric": "fixed_asset_investment", "period": "2025"}
    )
    (fai,) = r.json()["items"]
    assert (fai["value"], fai["baseline"], fai["growth_pct"]) == (2350000, None, None)
    assert "同比增长6%" in fai["note"]

    units, targets = await _count(registry, "units"), await _count(registry, "targets")
    assert (units, targets) == (42, 225)
    events = 2 + 42 + 1 + 225  # campaign_created, unit_registered, unit_updated (alias), target_set
    await _assert_published(registry, events)

    second = await load_seeds_with(client, data_dir=SEEDS, out=lambda _: None)
    assert len(second) == 5  # the alias is in place: no resolution step this time
    assert all(r["sheets"][0]["created"] == r["sheets"][0]["updated"] == 0 for r in second)
    assert sum(r["sheets"][0]["unchanged"] for r in second) == 2 + 42 + 218 + 7
    assert (await _count(registry, "units"), await _count(registry, "targets")) == (units, targets)
    await _assert_published(registry, events)


async def test_templates_download_with_chinese_headers_and_import_back(registry: ServiceHarness) -> None:
    for kind in ("campaigns", "units", "projects", "targets"):
        for fmt in ("csv", "xlsx"):
            r = await registry.client.get(
                f"/api/v1/imports/templates/{kind}.{fmt}", headers=registry.auth("reporter", unit="x")
            )
            assert r.status_code == 200, r.text
            assert "attachment" in r.headers["content-disposition"]
            if fmt == "xlsx":
                book = load_workbook(io.BytesIO(r.content))
                assert book.worksheets[-1].title == "说明"
            else:
                assert r.content.decode("utf-8-sig").split(",")[0] in {
                    "行动编码",
                    "单位编码",
                    "项目编码",
                    "单位",
                }
            status, report = await _import(registry, kind, f"{kind}.{fmt}", r.content, dry_run=True)
            assert status == 200 and report["sheets"][0]["rows"] == 1
            assert not [i for i in report["issues"] if i["code"] in ("unknown_column", "missing_column")]
    # The examples chain: campaign, then unit, then its project and target all commit.
    for kind in ("campaigns", "units"):
        csv = (
            await registry.client.get(f"/api/v1/imports/templates/{kind}.csv", headers=registry.auth("admin"))
        ).content
        assert (await _import(registry, kind, f"{kind}.csv", csv, dry_run=False))[0] == 200
    units_csv = "单位编码,单位名称,单位类型\nfengcheng,凤城镇,乡镇\n".encode()
    assert (await _import(registry, "units", "u.csv", units_csv, dry_run=False))[0] == 200
    for kind in ("projects", "targets"):
        xlsx = (
            await registry.client.get(
                f"/api/v1/imports/templates/{kind}.xlsx", headers=registry.auth("admin")
            )
        ).content
        status, report = await _import(registry, kind, f"{kind}.xlsx", xlsx, dry_run=False)
        assert status == 200 and report["sheets"][0]["created"] == 1, report
    r = await registry.client.get("/api/v1/imports/templates/workbook.xlsx", headers=registry.auth("admin"))
    assert [ws.title for ws in load_workbook(io.BytesIO(r.content)).worksheets] == [
        "行动",
        "单位",
        "项目",
        "目标任务",
        "说明",
    ]


async def test_projects_import_updates_only_what_changed_and_a_workbook_resolves_its_own_units(
    registry: ServiceHarness,
) -> None:
    book = Workbook()
    book.active.title = "单位"
    book["单位"].append(["单位编码", "单位名称", "单位类型", "别名"])
    book["单位"].append(["beiliu", "北留镇", "乡镇", "北留"])
    projects = book.create_sheet("项目")
    projects.append(
        ["项目名称", "责任单位", "建设性质", "金额单位", "总投资", "年度计划投资", "计划年度", "立项"]
    )
    projects.append(["皇城相府文旅综合开发", "北留", "新建", "亿元", 12, 3, 2024, "已办结"])
    targets = book.create_sheet("目标任务")
    targets.append(["单位", "指标", "期间", "目标值", "计量单位"])
    targets.append(["北留", "固定资产投资", "2024", 3.6, "亿元"])
    buf = io.BytesIO()
    book.save(buf)
    status, report = await _import(registry, "workbook", "w.xlsx", buf.getvalue(), dry_run=False)
    assert status == 200, report
    assert [(s["kind"], s["created"]) for s in report["sheets"]] == [
        ("units", 1),
        ("projects", 1),
        ("targets", 1),
    ]

    (project,) = (await registry.client.get("/api/v1/projects", headers=registry.auth("admin"))).json()[
        "items"
    ]
    assert (project["unit_code"], project["total_investment"], project["procedures"][0]["state"]) == (
        "beiliu",
        120000,
        "done",
    )
    await _assert_published(registry, 3)  # unit_registered, project_registered, target_set
    header = "项目名称,责任单位,建设性质,金额单位,总投资,年度计划投资,计划年度,用地\n"
    changed = (header + "皇城相府文旅综合开发,北留镇,新建,亿元,12.5,3,2024,办理中\n").encode()
    status, report = await _import(registry, "projects", "p.csv", changed, dry_run=False)
    assert status == 200 and report["sheets"][0]["updated"] == 1
    status, report = await _import(registry, "projects", "p.csv", changed, dry_run=False)
    assert status == 200 and report["sheets"][0]["unchanged"] == 1
    await _assert_published(registry, 3 + 1)  # one project_updated, for the real change
    (project,) = (await registry.client.get("/api/v1/projects", headers=registry.auth("admin"))).json()[
        "items"
    ]
    assert project["total_investment"] == 125000 and project["version"] == 2
    assert [(p["item"], p["state"]) for p in project["procedures"]] == [
        ("approval", "done"),
        ("land", "in_progress"),
    ]


async def test_only_admins_import_and_unreadable_files_are_refused_plainly(registry: ServiceHarness) -> None:
    r = await registry.client.post(
        "/api/v1/imports/units",
        files={"file": ("u.csv", b"a,b\n")},
        headers=registry.auth("reporter", unit="fengcheng"),
    )
    assert r.status_code == 403
    status, problem = await _import(registry, "units", "u.xls", b"\xd0\xcf\x11\xe0xx", dry_run=True)
    assert status == 422 and problem["errors"][0]["field"] == "file" and ".xlsx" in problem["detail"]


async def test_the_seed_command_loads_over_http_and_twice_changes_nothing(
    registry: ServiceHarness, capsys: pytest.CaptureFixture[str]
) -> None:
    server = uvicorn.Server(
        uvicorn.Config(registry.app, host="127.0.0.1", port=0, lifespan="off", log_level="error")
    )
    serving = asyncio.create_task(server.serve())
    await wait_until(lambda: server.started)
    port = server.servers[0].sockets[0].getsockname()[1]
    argv = ["--url", f"http://127.0.0.1:{port}", "--token", registry.token("admin"), "--data-dir", str(SEEDS)]
    try:
        assert await asyncio.to_thread(seed.main, argv) == 0
        first = capsys.readouterr().out
        assert await asyncio.to_thread(seed.main, argv) == 0
        second = capsys.readouterr().out
    finally:
        server.should_exit = True
        await serving
    assert (
        "row 190 [单位]: unit '麟河镇' is not registered" in first and "yangcheng_unit_aliases.csv" in first
    )
    assert "218 rows: 218 new, 0 changed, 0 unchanged" in first
    assert "麟河镇" not in second and "218 rows: 0 new, 0 changed, 218 unchanged" in second
    assert (await _count(registry, "units"), await _count(registry, "targets")) == (42, 225)
