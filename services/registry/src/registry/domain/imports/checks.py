"""Checking one row: its problems tied to the columns they came from, and the command it stands for.

A row is checked completely (all its bad cells are reported, not just the first). Beyond the
sheet's own rules, a row must pass the API's constraints on the command it stands for (`Validate`,
given by the entrypoint that owns those constraints), so that a row is refused exactly as the same
request would be. `Validate` also builds that command: the checks read only the few attributes
they need of it (the protocols of `rows` and `target_rows`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from registry.domain.imports import values as v
from registry.domain.imports.directory import Directory
from registry.domain.imports.report import ImportReport
from registry.domain.imports.sheets import Row, Sheet
from registry.domain.imports.vocabulary import Kind

D = TypeVar("D")  # the command a row stands for


class Invalid(ValueError):
    """The API's constraints refuse a row's command: one (location, message) per complaint."""

    def __init__(self, errors: list[tuple[tuple[str, ...], str]]) -> None:
        super().__init__("; ".join(message for _, message in errors))
        self.errors = errors


# The API's constraints on the command of one kind of row: the command the API would build from the
# row's fields (defaults filled in), or `Invalid`.
Validate = Callable[[Kind, dict[str, Any]], D]


@dataclass
class Checked(Generic[D]):
    """A row that passed its checks, as the command the API would receive."""

    row: Row
    data: D
    given: set[str] = field(default_factory=set)  # fields with a non-empty cell (the rest stay as they are)


class RowCheck(Generic[D]):
    """Collects one row's problems, each tied to the column it came from."""

    def __init__(self, sheet: Sheet, row: Row, report: ImportReport, validate: Validate[D]) -> None:
        self.sheet, self.row, self.report, self.validate = sheet, row, report, validate
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

    def draft(self, kind: Kind, data: dict[str, Any], columns: dict[str, str]) -> D | None:
        """The row's command, with the API's complaints placed on their columns."""
        try:
            return self.validate(kind, data)
        except Invalid as exc:
            for loc, message in exc.errors:
                f = columns.get(loc[0], loc[0]) if loc else None
                known = f if f in self.sheet.columns else None
                self.error(known, f"{'.'.join(loc) or 'row'}: {message}", code="invalid")
            return None


def blank(value: Any) -> bool:
    return v.text(value) == ""


def unknown_unit(c: RowCheck[Any], f: str, directory: Directory, weight: dict[str, int] | None) -> None:
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


def campaign_of(c: RowCheck[Any], directory: Directory) -> str | None:
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
