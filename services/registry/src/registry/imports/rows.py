"""Row checks: every row of a sheet becomes the API's own command model, or problems by column.

A row is checked completely (all its bad cells are reported, not just the first), against the
registry's units and campaigns and against the rows above it in the same import.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from pydantic import BaseModel, ValidationError

from registry.entrypoints import schemas as s
from registry.imports import values as v
from registry.imports.directory import Directory, UnitRef
from registry.imports.reader import Row, Sheet
from registry.imports.report import ImportReport
from registry.imports.vocabulary import (
    BUILD_TYPES,
    KEY_LEVELS,
    PROCEDURE_COLUMNS,
    PROCEDURE_STATES,
    STAGES,
    UNIT_KINDS,
    norm,
)

M = TypeVar("M", bound=BaseModel)


@dataclass
class Checked(Generic[M]):
    """A row that passed its checks, as the command the API would receive."""

    row: Row
    data: M
    given: set[str] = field(default_factory=set)  # fields with a non-empty cell (the rest stay as they are)


class RowCheck:
    """Collects one row's problems, each tied to the column it came from."""

    def __init__(self, sheet: Sheet, row: Row, report: ImportReport) -> None:
        self.sheet, self.row, self.report = sheet, row, report
        self.failed = False

    def raw(self, f: str) -> Any:
        return self.row.cells.get(f)

    def error(self, f: str | None, message: str, *, code: str = "invalid", **extra: Any) -> None:
        self.failed = True
        self.report.error(
            self.sheet.name,
            message,
            code=code,
            row=self.row.number,
            column=self.sheet.header(f) if f else None,
            value=v.text(self.raw(f)) if f else None,
            **extra,
        )

    def warn(self, f: str | None, message: str, *, code: str) -> None:
        self.report.warn(
            self.sheet.name,
            message,
            code=code,
            row=self.row.number,
            column=self.sheet.header(f) if f else None,
            value=v.text(self.raw(f)) if f else None,
        )

    def cell(self, f: str, parse: Callable[..., Any], *args: Any) -> Any:
        """A parsed cell, or None after recording why it could not be read."""
        try:
            return parse(self.raw(f), *args)
        except v.CellError as exc:
            self.error(f, str(exc), code="bad_value")
            return None

    def model(self, cls: type[M], data: dict[str, Any], columns: dict[str, str]) -> M | None:
        """The command model, with pydantic's complaints placed on their columns."""
        try:
            return cls.model_validate(data)
        except ValidationError as exc:
            for err in exc.errors():
                loc = [str(p) for p in err["loc"]]
                f = columns.get(loc[0], loc[0]) if loc else None
                known = f if f in self.sheet.columns else None
                self.error(known, f"{'.'.join(loc) or 'row'}: {err['msg']}", code="invalid")
            return None


def _blank(value: Any) -> bool:
    return v.text(value) == ""


# --- campaigns (行动) -------------------------------------------------------------------------


def check_campaigns(sheet: Sheet, directory: Directory, report: ImportReport) -> list[Checked[s.CampaignIn]]:
    out: list[Checked[s.CampaignIn]] = []
    seen: dict[str, int] = {}
    for row in sheet.rows:
        c = RowCheck(sheet, row, report)
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
        campaign = c.model(s.CampaignIn, data, {})
        if campaign is None:
            continue
        seen[campaign.id] = row.number
        directory.campaigns[campaign.id] = campaign.name
        out.append(Checked(row, campaign))
    return out


# --- units (责任单位) -------------------------------------------------------------------------


def check_units(sheet: Sheet, directory: Directory, report: ImportReport) -> list[Checked[s.UnitIn]]:
    out: list[Checked[s.UnitIn]] = []
    codes: dict[str, int] = {}
    names: dict[str, int] = {}
    for row in sheet.rows:
        c = RowCheck(sheet, row, report)
        name = v.text(c.raw("name"))
        code = v.text(c.raw("code")) or (directory.owner(name) or "" if name else "")
        if not code:
            c.error(
                "code", "单位编码 is required for a new unit (e.g. pinyin: fengcheng)", code="missing_value"
            )
        kind = c.cell("kind", v.choice, UNIT_KINDS, "unit kind (单位类型)")
        parent = None
        if not _blank(c.raw("parent_code")):
            parent = directory.resolve(v.text(c.raw("parent_code")))
            if parent is None:
                unknown_unit(c, "parent_code", directory, None)
        aliases = [a for a in v.words(c.raw("aliases")) if norm(a) != norm(name)]
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
        if c.failed:
            continue
        known = directory.units.get(code)
        merged = list(dict.fromkeys([*known.aliases, *aliases])) if known else aliases  # never drops one
        unit = c.model(
            s.UnitIn,
            {"code": code, "name": name, "kind": kind, "parent_code": parent, "aliases": merged},
            {},
        )
        if unit is None:
            continue
        codes[code], names[norm(name)] = row.number, row.number
        given = {"name", "kind", "aliases"} | ({"parent_code"} if parent else set())
        directory.put(
            UnitRef(
                unit.code,
                unit.name,
                unit.kind,
                unit.parent_code,
                unit.aliases,
                in_db=bool(known and known.in_db),
            )
        )
        out.append(Checked(row, unit, given))
    return out


def unknown_unit(c: RowCheck, f: str, directory: Directory, weight: dict[str, int] | None) -> None:
    written = v.text(c.raw(f))
    suggestions = directory.suggest_units(written, weight)
    hint = f"; closest known: {'、'.join(suggestions)}" if suggestions else ""
    c.error(
        f,
        f"unit {written!r} is not registered (by code, name or alias){hint}. "
        "Correct the name, or register it / add it as an alias of the right unit (单位 import, 别名 column)",
        code="unknown_unit",
        suggestions=suggestions,
    )


# --- projects (项目) --------------------------------------------------------------------------

_AMOUNTS = ("total_investment", "annual_plan_investment", "signed_amount", "funds_in_place")
_FLAGS = ("is_industrial", "is_private", "is_signed_project", "stats_registered")


def check_projects(sheet: Sheet, directory: Directory, report: ImportReport) -> list[Checked[s.ProjectIn]]:
    out: list[Checked[s.ProjectIn]] = []
    codes: dict[str, int] = {}
    names: dict[tuple[str, str], int] = {}
    for row in sheet.rows:
        c = RowCheck(sheet, row, report)
        data: dict[str, Any] = {"name": v.text(c.raw("name")), "code": v.text(c.raw("code")) or None}
        unit = directory.resolve(v.text(c.raw("unit_code"))) if not _blank(c.raw("unit_code")) else None
        if unit is None and not _blank(c.raw("unit_code")):
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
            state = c.cell(
                f"procedure:{item.value}", v.choice, PROCEDURE_STATES, "procedure state (手续状态)"
            )
            if state is not None:
                procedures.append({"item": item.value, "state": state})
        data["procedures"] = procedures
        campaign = campaign_of(c, directory)
        data["campaign_id"] = campaign
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
        project = c.model(s.ProjectIn, {k: x for k, x in data.items() if x is not None}, {})
        if project is None:
            continue
        if project.code:
            codes[project.code] = row.number
        names[key] = row.number
        out.append(Checked(row, project, given))
    return out


def campaign_of(c: RowCheck, directory: Directory) -> str | None:
    written = v.text(c.raw("campaign_id"))
    if not written:
        return None
    found = directory.resolve_campaign(written)
    if found is None:
        suggestions = directory.suggest_campaigns(written)
        c.error(
            "campaign_id",
            f"campaign {written!r} does not exist; import it first (行动 template)"
            + (f"; closest: {'、'.join(suggestions)}" if suggestions else ""),
            code="unknown_campaign",
            suggestions=suggestions,
        )
    return found
