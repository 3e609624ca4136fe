"""Cell values as clerks type them: numbers with 亿元/万元/个/%, periods, dates, yes/no, lists.

Every parser raises `CellError` with a message that says what is allowed; the row checker turns it
into a problem of that row and column.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from registry.domain.imports.vocabulary import BOOLEANS, norm
from registry.domain.model import is_count, is_rate

WAN_PER_YI = Decimal(10_000)  # 1 亿元 = 10,000 万元 (SPEC §3)
_CENTS = Decimal("0.01")


class CellError(ValueError):
    """A cell that cannot be read; the message says what was expected."""


def text(value: Any) -> str:
    """A cell as trimmed text ('' for empty); whole floats from XLSX lose their '.0'."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime):
        return value.date().isoformat()
    return unicodedata.normalize("NFKC", str(value)).strip()


_MEASURES = {"亿元": "亿元", "亿": "亿元", "万元": "万元", "万": "万元", "个": "个", "项": "个", "%": "%"}
_THOUSANDS = re.compile(r"^[+-]?\d{1,3}(,\d{3})+(\.\d+)?\D*$")
_NUMBER = re.compile(r"^([+-]?\d+(?:\.\d+)?)\s*(亿元|亿|万元|万|个|项|%)?$")


def measure(value: Any) -> str | None:
    """A unit of measure (计量单位): 亿元, 万元, 个 or %; None when the cell is empty."""
    raw = text(value)
    if not raw:
        return None
    found = _MEASURES.get(raw) or _MEASURES.get(raw.replace("(", "").replace(")", ""))
    if found is None:
        raise CellError(f"计量单位 {raw!r} is not known; use 亿元, 万元, 个 or %")
    return found


def number(value: Any) -> tuple[Decimal, str | None] | None:
    """A number and the unit written in the cell itself ('4.5亿元' → (4.5, '亿元')); None if empty."""
    if isinstance(value, bool):
        raise CellError(f"{value!r} is not a number")
    if isinstance(value, int | float | Decimal):
        return Decimal(str(value)), None
    raw = text(value).replace(" ", "")
    if not raw:
        return None
    if _THOUSANDS.match(raw):  # 1,200 is twelve hundred; 4,5 is not a number (a decimal comma?)
        raw = raw.replace(",", "")
    match = _NUMBER.match(raw)
    if match is None:
        raise CellError(f"{raw!r} is not a number; write e.g. 4.5 or 4.5亿元")
    return Decimal(match.group(1)), (_MEASURES[match.group(2)] if match.group(2) else None)


def _unit_of(cell_unit: str | None, column_unit: str | None) -> str | None:
    if cell_unit and column_unit and cell_unit != column_unit:
        raise CellError(f"the cell says {cell_unit} but 计量单位 says {column_unit}")
    return cell_unit or column_unit


def amount(value: Any, column_unit: str | None = None) -> Decimal | None:
    """Money in 万元 (2 places) from 亿元 or 万元 (the default)."""
    parsed = number(value)
    if parsed is None:
        return None
    n, cell_unit = parsed
    unit = _unit_of(cell_unit, column_unit) or "万元"
    if unit not in ("亿元", "万元"):
        raise CellError(f"an amount is in 亿元 or 万元, not {unit}")
    wan = n * WAN_PER_YI if unit == "亿元" else n
    return _money(wan, f"{text(value)} {unit if not cell_unit else ''}".strip())


def _money(wan: Decimal, shown: str) -> Decimal:
    if wan < 0:
        raise CellError(f"{shown} is negative; targets and amounts are ≥ 0")
    if wan != wan.quantize(_CENTS):
        raise CellError(f"{shown} has more than 2 decimal places in 万元 (1 亿元 = 10,000 万元)")
    return wan.quantize(_CENTS)


def metric_value(value: Any, metric: str, column_unit: str | None) -> Decimal | None:
    """A target value in the metric's own unit: 万元 for amounts, a count, or a ratio for rates."""
    parsed = number(value)
    if parsed is None:
        return None
    n, cell_unit = parsed
    unit = _unit_of(cell_unit, column_unit)
    shown = text(value) + ("" if cell_unit or not unit else f" {unit}")
    if is_rate(metric):
        if unit == "%":
            ratio = n / 100
        elif unit is None and n <= 1:
            ratio = n
        else:
            raise CellError(f"{shown}: a rate (率) is written in % (e.g. 80 with 计量单位 %, or 80%)")
        if ratio < 0:
            raise CellError(f"{shown} is negative")
        if ratio != ratio.quantize(_CENTS):
            raise CellError(f"{shown}: a rate is stored as a ratio with 2 decimals (whole percents)")
        return ratio.quantize(_CENTS)
    if is_count(metric):
        if unit not in (None, "个"):
            raise CellError(f"{shown}: this metric counts projects (个), not {unit}")
        if n != n.to_integral_value() or n < 0:
            raise CellError(f"{shown}: a count must be a whole number ≥ 0")
        return n.quantize(_CENTS)
    if unit not in (None, "亿元", "万元"):
        raise CellError(f"{shown}: this metric is an amount in 亿元 or 万元, not {unit}")
    return _money(n * WAN_PER_YI if unit == "亿元" else n, shown)


def percent(value: Any) -> Decimal | None:
    """A percentage such as 6 or '6%' (同比增长), kept in percent."""
    parsed = number(value)
    if parsed is None:
        return None
    n, unit = parsed
    if unit not in (None, "%"):
        raise CellError(f"{text(value)!r}: 同比增长 is a percentage, e.g. 6 or 6%")
    if n != n.quantize(_CENTS):
        raise CellError(f"{text(value)!r}: at most 2 decimal places")
    return n.quantize(_CENTS)


_CN_QUARTER = {"一": 1, "二": 2, "三": 3, "四": 4, "1": 1, "2": 2, "3": 3, "4": 4}
_PERIOD_FORMS: list[tuple[re.Pattern[str], Any]] = [
    (re.compile(r"^(\d{4})年?$"), lambda m: m[1]),
    (re.compile(r"^(\d{4})-?Q([1-4])$"), lambda m: f"{m[1]}Q{m[2]}"),
    (re.compile(r"^(\d{4})-?H([12])$"), lambda m: f"{m[1]}H{m[2]}"),
    (re.compile(r"^(\d{4})[-/.年](\d{1,2})月?$"), lambda m: f"{m[1]}-{int(m[2]):02d}"),
    (re.compile(r"^(\d{4})年?第?([一二三四1-4])季度$"), lambda m: f"{m[1]}Q{_CN_QUARTER[m[2]]}"),
    (re.compile(r"^(\d{4})年?上半年$"), lambda m: f"{m[1]}H1"),
    (re.compile(r"^(\d{4})年?下半年$"), lambda m: f"{m[1]}H2"),
]


def period(value: Any) -> str:
    """A target period as the API writes it: YYYY, YYYYQn, YYYYHn or YYYY-MM."""
    raw = norm(text(value)).upper()
    for pattern, build in _PERIOD_FORMS:
        match = pattern.match(raw)
        if match:
            result: str = build(match)
            if len(result) == 7 and result[4] == "-" and not 1 <= int(result[5:]) <= 12:
                break
            return result
    raise CellError(
        f"期间 {text(value)!r} is not a period; write 2024, 2023Q4, 2025H1 or 2024-03 "
        "(2023年第四季度 and 2025年上半年 are understood too)"
    )


_DATE = re.compile(r"^(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?$")


def day(value: Any) -> date | None:
    """A date: an XLSX date cell, or 2023-11-01, 2023/11/1, 2023.11.01, 2023年11月1日."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    raw = text(value)
    if not raw:
        return None
    match = _DATE.match(raw.split(" ")[0])
    if match:
        try:
            return date(int(match[1]), int(match[2]), int(match[3]))
        except ValueError:
            pass
    raise CellError(f"{raw!r} is not a date; write e.g. 2023-11-01")


def year(value: Any) -> int | None:
    raw = text(value).removesuffix("年")
    if not raw:
        return None
    if not re.fullmatch(r"\d{4}", raw):
        raise CellError(f"{raw!r} is not a year; write e.g. 2024")
    return int(raw)


def yes_no(value: Any) -> bool | None:
    if isinstance(value, bool):
        return value
    raw = norm(text(value))
    if not raw:
        return None
    if raw not in BOOLEANS:
        raise CellError(f"{text(value)!r} is not 是 or 否")
    return BOOLEANS[raw]


def words(value: Any) -> list[str]:
    """A list cell: names separated by 、 , ; | or /."""
    return [w.strip() for w in re.split(r"[、,;|/]", text(value)) if w.strip()]


def choice(value: Any, table: dict[str, Any], what: str) -> Any:
    """One of a vocabulary's values (Chinese label or English code); None if empty."""
    raw = norm(text(value))
    if not raw:
        return None
    if raw not in table:
        allowed = sorted({str(v) for v in table.values()})
        raise CellError(
            f"{text(value)!r} is not a known {what}; allowed: {', '.join(allowed)} or their Chinese names"
        )
    return table[raw]
