"""Row checks of the campaigns, units and projects sheets: each row becomes a command, or problems.

Rows are checked against the registry's units and campaigns and against the rows above them in the
same import.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Protocol, TypeVar

from registry.domain.imports import values as v
from registry.domain.imports.checks import Checked, RowCheck, Validate, blank, campaign_of, unknown_unit
from registry.domain.imports.directory import Directory, UnitRef
from registry.domain.imports.report import ImportReport
from registry.domain.imports.sheets import Sheet
from registry.domain.imports.vocabulary import (
    BUILD_TYPES,
    KEY_LEVELS,
    PROCEDURE_COLUMNS,
    PROCEDURE_STATES,
    STAGES,
    UNIT_KINDS,
    Kind,
    norm,
)

# What the checks read of the command a row stands for (the rest of it they pass on untouched).


class CampaignCommand(Protocol):
    @property
    def id(self) -> str: ...
    @property
    def name(self) -> str: ...


class UnitCommand(Protocol):
    @property
    def code(self) -> str: ...
    @property
    def name(self) -> str: ...
    @property
    def kind(self) -> str: ...
    @property
    def parent_code(self) -> str | None: ...
    @property
    def aliases(self) -> Sequence[str]: ...


class ProjectCommand(Protocol):
    @property
    def code(self) -> str | None: ...


CC = TypeVar("CC", bound=CampaignCommand)
UC = TypeVar("UC", bound=UnitCommand)
PC = TypeVar("PC", bound=ProjectCommand)

# --- campaigns (行动) -------------------------------------------------------------------------


def check_campaigns(
    sheet: Sheet, directory: Directory, report: ImportReport, validate: Validate[CC]
) -> list[Checked[CC]]:
    out: list[Checked[CC]] = []
    seen: dict[str, int] = {}
    for row in sheet.rows:
        c = RowCheck(sheet, row, report, validate)
        data = {
            "id": v.text(c.raw("id")),
            "name": v.text(c.raw("name")),
            "start_date": c.cell("start_date", v.day),
            "end_date": c.cell("end_date", v.day),
            "description": v.text(c.raw("description")) or None,
        }
        if data["id"] in seen:
            c.error("id", f"行动编码 {data['id']} is already on row {seen[data['id']]}", code="duplicate")
        if c.failed:
            continue
        campaign = c.draft(Kind.CAMPAIGNS, data, {})
        if campaign is None:
            continue
        seen[campaign.id] = row.number
        directory.campaigns[campaign.id] = campaign.name
        out.append(Checked(row, campaign))
    return out


# --- units (责任单位) -------------------------------------------------------------------------


def check_units(
    sheet: Sheet, directory: Directory, report: ImportReport, validate: Validate[UC]
) -> list[Checked[UC]]:
    out: list[Checked[UC]] = []
    codes: dict[str, int] = {}
    names: dict[str, int] = {}
    for row in sheet.rows:
        c = RowCheck(sheet, row, report, validate)
        name = v.text(c.raw("name"))
        code = v.text(c.raw("code")) or (directory.owner(name) or "" if name else "")
        if not code:
            c.error(
                "code", "单位编码 is required for a new unit (e.g. pinyin: fengcheng)", code="missing_value"
            )
        kind = c.cell("kind", v.choice, UNIT_KINDS, "unit kind (单位类型)")
        parent = _parent(c, directory)
        aliases = [a for a in v.words(c.raw("aliases")) if norm(a) != norm(name)]
        _unit_conflicts(c, directory, code, name, aliases, codes, names)
        if c.failed:
            continue
        known = directory.units.get(code)
        merged = list(dict.fromkeys([*known.aliases, *aliases])) if known else aliases  # never drops one
        fields = {"code": code, "name": name, "kind": kind, "parent_code": parent, "aliases": merged}
        unit = c.draft(Kind.UNITS, fields, {})
        if unit is None:
            continue
        codes[code], names[norm(name)] = row.number, row.number
        given = {"name", "kind", "aliases"} | ({"parent_code"} if parent else set())
        in_db = bool(known and known.in_db)
        ref = UnitRef(unit.code, unit.name, unit.kind, unit.parent_code, list(unit.aliases), in_db=in_db)
        directory.put(ref)
        out.append(Checked(row, unit, given))
    return out


def _parent(c: RowCheck[Any], directory: Directory) -> str | None:
    if blank(c.raw("parent_code")):
        return None
    parent = directory.resolve(v.text(c.raw("parent_code")))
    if parent is None:
        unknown_unit(c, "parent_code", directory, None)
    return parent


def _unit_conflicts(
    c: RowCheck[Any],
    directory: Directory,
    code: str,
    name: str,
    aliases: list[str],
    codes: dict[str, int],
    names: dict[str, int],
) -> None:
    """A code or name on a row above, or a name or alias that belongs to another unit."""
    if code in codes:
        c.error(
            "code",
            f"单位编码 {code} is already on row {codes[code]}",
            code="duplicate",
            related_rows=[codes[code]],
        )
    if name and norm(name) in names:
        c.error("name", f"单位名称 {name} is already on row {names[norm(name)]}", code="duplicate")
    for word, f in [(name, "name"), *((a, "aliases") for a in aliases)]:
        owner = directory.owner(word) if word else None
        if owner and owner != code:
            c.error(
                f,
                f"{word} already names unit {owner} ({directory.units[owner].name}); "
                "a name or alias can belong to one unit only",
                code="name_taken",
            )


# --- projects (项目) --------------------------------------------------------------------------

_AMOUNTS = ("total_investment", "annual_plan_investment", "signed_amount", "funds_in_place")
_FLAGS = ("is_industrial", "is_private", "is_signed_project", "stats_registered")


def check_projects(
    sheet: Sheet, directory: Directory, report: ImportReport, validate: Validate[PC]
) -> list[Checked[PC]]:
    out: list[Checked[PC]] = []
    codes: dict[str, int] = {}
    names: dict[tuple[str, str], int] = {}
    for row in sheet.rows:
        c = RowCheck(sheet, row, report, validate)
        data = _project_fields(c, directory)
        given = {k for k, x in data.items() if x not in (None, "", [])}
        if data["code"] and data["code"] in codes:
            c.error(
                "code", f"项目编码 {data['code']} is already on row {codes[data['code']]}", code="duplicate"
            )
        key = (data["unit_code"], norm(data["name"]))
        if data["name"] and key in names:
            c.error(
                "name", f"this unit's project {data['name']} is already on row {names[key]}", code="duplicate"
            )
        if c.failed:
            continue
        fields = {k: x for k, x in data.items() if x is not None}
        project = c.draft(Kind.PROJECTS, fields, {})
        if project is None:
            continue
        if project.code:
            codes[project.code] = row.number
        names[key] = row.number
        out.append(Checked(row, project, given))
    return out


def _project_fields(c: RowCheck[Any], directory: Directory) -> dict[str, Any]:
    """Every cell of a project row, parsed (None where empty or unreadable)."""
    data: dict[str, Any] = {"name": v.text(c.raw("name")), "code": v.text(c.raw("code")) or None}
    unit = directory.resolve(v.text(c.raw("unit_code"))) if not blank(c.raw("unit_code")) else None
    if unit is None and not blank(c.raw("unit_code")):
        unknown_unit(c, "unit_code", directory, None)
    data["unit_code"] = unit or ""
    measure = c.cell("measure", v.measure)
    for f in _AMOUNTS:
        data[f] = c.cell(f, v.amount, measure)
    for f in _FLAGS:
        data[f] = c.cell(f, v.yes_no)
    data["stage"] = c.cell("stage", v.choice, STAGES, "stage (阶段)")
    data["build_type"] = c.cell("build_type", v.choice, BUILD_TYPES, "build type (新建/续建)")
    data["key_level"] = c.cell("key_level", v.choice, KEY_LEVELS, "key-project level (重点工程)")
    data["category"] = v.text(c.raw("category")) or None
    data["plan_year"] = c.cell("plan_year", v.year)
    for f in ("planned_start", "planned_completion", "stats_registered_on"):
        data[f] = c.cell(f, v.day)
    procedures = []
    for item in PROCEDURE_COLUMNS.values():
        state = c.cell(f"procedure:{item.value}", v.choice, PROCEDURE_STATES, "procedure state (手续状态)")
        if state is not None:
            procedures.append({"item": item.value, "state": state})
    data["procedures"] = procedures
    data["campaign_id"] = campaign_of(c, directory)
    return data
