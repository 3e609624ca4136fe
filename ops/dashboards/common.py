"""Building blocks shared by the dashboards: the data source, the variables and the panel kinds."""

from __future__ import annotations

import itertools
from collections.abc import Iterator, Sequence

from grafana_foundation_sdk.builders import bargauge, stat, table, timeseries
from grafana_foundation_sdk.builders.common import (
    ReduceDataOptions,
    TableSortByFieldState,
    VizLegendOptions,
    VizTooltipOptions,
)
from grafana_foundation_sdk.builders.dashboard import Dashboard, DatasourceVariable, QueryVariable
from grafana_foundation_sdk.builders.dashboard import ThresholdsConfig as Thresholds
from grafana_foundation_sdk.builders.prometheus import Dataquery
from grafana_foundation_sdk.models.common import (
    BarGaugeDisplayMode,
    BigValueColorMode,
    BigValueGraphMode,
    LegendDisplayMode,
    LegendPlacement,
    SortOrder,
    TooltipDisplayMode,
    VizOrientation,
)
from grafana_foundation_sdk.models.dashboard import (
    DashboardCursorSync,
    DataSourceRef,
    DataTransformerConfig,
    Threshold,
    ThresholdsMode,
    VariableRefresh,
)
from grafana_foundation_sdk.models.prometheus import PromQueryFormat

from diaodu_platform.topology import SERVICES

DATASOURCE = DataSourceRef(type_val="prometheus", uid="${datasource}")
# Every scrape target carries `service` (compose: a static label; Kubernetes: the Service's name).
SERVICE_REGEX = "|".join(SERVICES)


def dashboard(uid: str, title: str, description: str, *, service_variable: bool = False) -> Dashboard:
    board = (
        Dashboard(title)
        .uid(uid)
        .description(description)
        .tags(["diaodu"])
        .timezone("browser")
        .time("now-6h", "now")
        .refresh("30s")
        .tooltip(DashboardCursorSync.CROSSHAIR)
        .readonly()
        .with_variable(DatasourceVariable("datasource").label("Data source").type("prometheus"))
    )
    if service_variable:
        board = board.with_variable(
            QueryVariable("service")
            .label("Service")
            .datasource(DATASOURCE)
            .query(f'label_values(diaodu_service_info{{service=~"{SERVICE_REGEX}"}}, service)')
            .refresh(VariableRefresh.ON_DASHBOARD_LOAD)
            .multi(True)
            .include_all(True)
        )
    return board


def queries(
    exprs: Sequence[tuple[str, str]], *, instant: bool = False, table_format: bool = False
) -> list[Dataquery]:
    """(expr, legend) pairs as Prometheus queries with refIds A, B, C..."""
    out = []
    for ref, (expr, legend) in zip(_ref_ids(), exprs, strict=False):
        q = Dataquery().expr(expr).legend_format(legend).ref_id(ref)
        if instant:
            q = q.instant()
        if table_format:
            q = q.format(PromQueryFormat.TABLE)
        out.append(q)
    return out


def graph(
    title: str, description: str, exprs: Sequence[tuple[str, str]], *, unit: str = "short", width: int = 12
) -> timeseries.Panel:
    panel = (
        timeseries.Panel()
        .title(title)
        .description(description)
        .datasource(DATASOURCE)
        .unit(unit)
        .span(width)
        .height(8)
        .line_width(1)
        .fill_opacity(10)
        .legend(
            VizLegendOptions()
            .display_mode(LegendDisplayMode.LIST)
            .placement(LegendPlacement.BOTTOM)
            .show_legend(True)
        )
        .tooltip(VizTooltipOptions().mode(TooltipDisplayMode.MULTI).sort(SortOrder.DESCENDING))
    )
    for q in queries(exprs):
        panel = panel.with_target(q)
    return panel


def single(
    title: str,
    description: str,
    expr: str,
    *,
    unit: str = "short",
    width: int = 6,
    red_above: float | None = None,
    red_below: float | None = None,
) -> stat.Panel:
    """A one-number panel; red from `red_above` up, or below `red_below`, when given."""
    steps = [Threshold(value=None, color="green")]
    if red_above is not None:
        steps.append(Threshold(value=red_above, color="red"))
    if red_below is not None:
        steps = [Threshold(value=None, color="red"), Threshold(value=red_below, color="green")]
    panel = (
        stat.Panel()
        .title(title)
        .description(description)
        .datasource(DATASOURCE)
        .unit(unit)
        .span(width)
        .height(5)
        .thresholds(Thresholds().mode(ThresholdsMode.ABSOLUTE).steps(steps))
        .reduce_options(ReduceDataOptions().calcs(["lastNotNull"]).values(False))
        .color_mode(BigValueColorMode.VALUE)
        .graph_mode(BigValueGraphMode.NONE)
        .orientation(VizOrientation.AUTO)
    )
    for q in queries([(expr, "")], instant=True):
        panel = panel.with_target(q)
    return panel


def bars(title: str, description: str, expr: str, legend: str, *, width: int = 12) -> bargauge.Panel:
    panel = (
        bargauge.Panel()
        .title(title)
        .description(description)
        .datasource(DATASOURCE)
        .span(width)
        .height(8)
        .reduce_options(ReduceDataOptions().calcs(["lastNotNull"]).values(False))
        .display_mode(BarGaugeDisplayMode.GRADIENT)
        .orientation(VizOrientation.HORIZONTAL)
    )
    for q in queries([(expr, legend)], instant=True):
        panel = panel.with_target(q)
    return panel


def grid(title: str, description: str, exprs: Sequence[tuple[str, str]], *, width: int = 24) -> table.Panel:
    """Instant queries joined on their labels, one row per label set, a column per legend."""
    renames = {f"Value #{ref}": legend for ref, (_, legend) in zip(_ref_ids(), exprs, strict=False)}
    panel = (
        table.Panel()
        .title(title)
        .description(description)
        .datasource(DATASOURCE)
        .span(width)
        .height(10)
        .with_transformation(DataTransformerConfig(id_val="merge", options={}))
        .with_transformation(
            DataTransformerConfig(
                id_val="organize", options={"excludeByName": {"Time": True}, "renameByName": renames}
            )
        )
        .show_header(True)
        .sort_by([TableSortByFieldState().display_name(exprs[0][1]).desc(False)])
    )
    for q in queries(exprs, instant=True, table_format=True):
        panel = panel.with_target(q)
    return panel


def number_panels(board: dict[str, object]) -> dict[str, object]:
    """Give every panel (rows included) a unique id in layout order; Grafana needs them distinct."""
    counter = itertools.count(1)

    def walk(panels: object) -> None:
        for panel in panels if isinstance(panels, list) else []:
            panel["id"] = next(counter)
            walk(panel.get("panels"))

    walk(board.get("panels"))
    return board


def _ref_ids() -> Iterator[str]:
    return (chr(ord("A") + i) for i in range(26))
