"""What a PromQL expression reads: the metric names and the label matchers on each.

Just enough of PromQL for the checks in tests/deploy (every metric a dashboard or alert queries is
one the services export): strings, ranges and `by (...)` lists are skipped, and an identifier is a
metric unless it calls a function or is a keyword. Grafana's `label_values(selector, label)` and
`$variables` are understood.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

KEYWORDS = {"and", "or", "unless", "offset", "bool", "by", "without", "on", "ignoring", "group_left",
            "group_right", "inf", "nan", "atan2", "start", "end"}  # fmt: skip
# Keywords followed by a parenthesised list of label names, not an expression.
LABEL_LISTS = {"by", "without", "on", "ignoring", "group_left", "group_right"}
AGGREGATIONS = {"sum", "min", "max", "avg", "group", "stddev", "stdvar", "count", "count_values",
                "bottomk", "topk", "quantile", "limitk", "limit_ratio"}  # fmt: skip

_IDENT = re.compile(r"[a-zA-Z_:][a-zA-Z0-9_:]*")
_NUMBER = re.compile(r"(0x[0-9a-fA-F]+|[0-9]*\.?[0-9]+([eE][+-]?[0-9]+)?)([a-z]+[0-9]*)*")
_MATCHER = re.compile(
    r'\s*([a-zA-Z_][a-zA-Z0-9_]*)\s*(=~|!~|!=|=)\s*("(?:[^"\\]|\\.)*"|\'(?:[^\'\\]|\\.)*\')\s*,?'
)
_LABEL_VALUES = re.compile(
    r"^\s*label_values\(\s*(?:(?P<selector>.+?)\s*,\s*)?(?P<label>[a-zA-Z_]\w*)\s*\)\s*$"
)


@dataclass
class Selector:
    metric: str
    labels: dict[str, str] = field(default_factory=dict)  # label name → operator


class PromQLError(ValueError):
    pass


def selectors(expr: str) -> list[Selector]:
    """The metric selectors in `expr` (a PromQL expression or a Grafana label_values() query)."""
    m = _LABEL_VALUES.match(expr)
    if m:
        return selectors(m["selector"]) if m["selector"] else []
    out: list[Selector] = []
    i, n = 0, len(expr)
    depth = 0
    while i < n:
        c = expr[i]
        if c.isspace():
            i += 1
        elif c in "\"'`":
            i = _skip_string(expr, i)
        elif c == "[":
            end = expr.find("]", i)
            if end < 0:
                raise PromQLError(f"unclosed [ in {expr!r}")
            i = end + 1
        elif c == "{":
            # A selector with no metric name before it, e.g. {__name__="x"}: not used in diaodu.
            raise PromQLError(f"selector without a metric name in {expr!r}")
        elif c in "()":
            depth += 1 if c == "(" else -1
            if depth < 0:
                raise PromQLError(f"unbalanced ) in {expr!r}")
            i += 1
        elif c == "$":
            i = _skip_variable(expr, i)
        elif c.isdigit() or (c == "." and i + 1 < n and expr[i + 1].isdigit()):
            m = _NUMBER.match(expr, i)
            assert m is not None
            i = m.end()
        elif _IDENT.match(expr, i):
            m = _IDENT.match(expr, i)
            assert m is not None
            name, i = m.group(), m.end()
            j = _skip_space(expr, i)
            nxt = expr[j] if j < n else ""
            if name in LABEL_LISTS:
                i = _skip_parens(expr, j) if nxt == "(" else i
            elif name in KEYWORDS:
                continue
            elif nxt == "(" or (name in AGGREGATIONS and _IDENT.match(expr, j)):
                continue  # a function call or `sum by (...) (...)`
            else:
                sel = Selector(name)
                if nxt == "{":
                    sel.labels, i = _matchers(expr, j)
                out.append(sel)
        else:
            i += 1  # operators, commas
    if depth != 0:
        raise PromQLError(f"unbalanced parentheses in {expr!r}")
    return out


def metric_names(expr: str) -> set[str]:
    return {s.metric for s in selectors(expr)}


def _matchers(expr: str, i: int) -> tuple[dict[str, str], int]:
    end = expr.find("}", i)
    if end < 0:
        raise PromQLError(f"unclosed {{ in {expr!r}")
    body, labels, pos = expr[i + 1 : end], {}, 0
    while pos < len(body) and body[pos:].strip():
        m = _MATCHER.match(body, pos)
        if m is None:
            raise PromQLError(f"cannot read label matchers {body!r} in {expr!r}")
        labels[m.group(1)] = m.group(2)
        pos = m.end()
    return labels, end + 1


def _skip_string(expr: str, i: int) -> int:
    quote, j = expr[i], i + 1
    while j < len(expr) and expr[j] != quote:
        j += 2 if expr[j] == "\\" and quote != "`" else 1
    if j >= len(expr):
        raise PromQLError(f"unclosed string in {expr!r}")
    return j + 1


def _skip_variable(expr: str, i: int) -> int:
    if expr.startswith("${", i):
        return expr.index("}", i) + 1
    m = re.compile(r"\$\w+").match(expr, i)
    return m.end() if m else i + 1


def _skip_space(expr: str, i: int) -> int:
    while i < len(expr) and expr[i].isspace():
        i += 1
    return i


def _skip_parens(expr: str, i: int) -> int:
    end = expr.find(")", i)
    if end < 0:
        raise PromQLError(f"unclosed ( in {expr!r}")
    return end + 1
