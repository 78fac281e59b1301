"""Charts for the report: what each chart shows, planned here as plain data (bars, labels, sizes,
the file: no matplotlib needed), then drawn by :mod:`reportkit.charts.draw` (matplotlib, with the CJK
font shipped in reportkit/charts/fonts — never a system font, so a chart is the same on every machine).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from typing import TYPE_CHECKING

from ..narrative.source import chart_choice
from ..numbers import convert, fmt, scale_for_display

if TYPE_CHECKING:
    from ..model.figures import Figure

WIDTH_CM, HEIGHT_CM = 15.6, 6.6        # text width of the 公文 page; two charts and their captions fit a page
TREND_YEARS = 5


@dataclass
class Chart:
    """A chart: its file, its caption title, whether it shows illustrative data, and its plan (what
    :mod:`reportkit.charts.draw` draws into ``path``); ``warnings`` are known once it is drawn."""
    id: str
    title: str
    path: Path
    illustrative: bool = False
    data: list = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    plan: dict = field(default_factory=dict, repr=False)


def _figsize(height_in: float | None = None) -> list[float]:
    return [WIDTH_CM / 2.54, HEIGHT_CM / 2.54 if height_in is None else height_in]


def trend_chart(engine, fig: Figure, out_dir: Path, years: int = TREND_YEARS,
                report_year: int | None = None) -> Chart | None:
    """Bars of the last ``years`` values of one indicator (same period); illustrative bars grey and
    hatched; the caption (not the image) names it, and says when the report year has no value."""
    series = engine.trend(fig.county, fig.id, period=fig.period)
    series = [s for s in series if s[0] <= fig.year][-years:]
    if len(series) < 2:
        return None
    ind = fig.indicator
    # one display unit for the whole series: the unit of the largest value
    unit = "%" if ind.kind == "ratio" else scale_for_display(max(v for _, v, _ in series), ind.unit)[1]
    factor = Decimal(1)
    if ind.kind != "ratio" and unit != ind.unit:
        factor = convert(Decimal(1), ind.unit, unit)
    decimals = ind.decimals if ind.kind != "count" else 0
    illustrative = any(ill for _, _, ill in series)
    path = Path(out_dir) / f"trend_{ind.id}.png"
    plan = {"kind": "trend", "size": _figsize(), "unit": unit,
            "x": [str(y) for y, _, _ in series], "y": [float(v * factor) for _, v, _ in series],
            "labels": [fmt(v * factor, decimals) for _, v, _ in series],
            "illustrative": [bool(ill) for _, _, ill in series], "legend": illustrative}
    first, last = series[0][0], series[-1][0]
    report_year = report_year or fig.year
    period = "" if not fig.cumulative else f"\uff08{fig.period}\uff09"
    missing = f"\uff08{report_year}年数据暂缺\uff09" if last < report_year else ""
    title = f"{first}—{last}年{ind.name}{period}{missing}"
    return Chart(id=f"trend_{ind.id}", title=title, path=path, illustrative=illustrative,
                 data=[(y, str(v), ill) for y, v, ill in series], plan=plan)


def completion_chart(figs: list[Figure], out_dir: Path) -> Chart | None:
    from ..model.figures import RATE_DECIMALS
    done = [f for f in figs if f.completion is not None]
    if not done:
        return None
    plan = {"kind": "completion",
            "size": _figsize(min(HEIGHT_CM / 2.54 * 1.3, max(2.2, 0.6 * len(done) + 1.0))),
            "names": [d.name for d in done][::-1], "values": [float(d.completion) for d in done][::-1],
            "labels": [fmt(d.completion, RATE_DECIMALS) + "%" for d in done][::-1]}
    return Chart(id="completion", title=f"{done[0].year}年主要指标年度目标完成情况",
                 path=Path(out_dir) / "completion.png", illustrative=any(d.illustrative for d in done),
                 data=[(d.id, d.completion_text) for d in done], plan=plan)


def rank_chart(figs: list[Figure], out_dir: Path) -> Chart | None:
    ranked = [f for f in figs if f.city_rank is not None or f.province_rank is not None]
    if len(ranked) < 2:
        return None
    names, vals, labels = [], [], []
    for r in ranked[::-1]:
        scope, rank = ("全市", r.city_rank) if r.city_rank is not None else ("全省", r.province_rank)
        names.append(r.name)
        vals.append(int(rank))
        labels.append(f"{scope}第{rank}")
    plan = {"kind": "ranks", "size": _figsize(max(2.2, 0.6 * len(ranked) + 1.0)),
            "names": names, "values": vals, "labels": labels}
    return Chart(id="ranks", title=f"{ranked[0].year}年主要指标排名", path=Path(out_dir) / "ranks.png",
                 illustrative=any(r.illustrative for r in ranked),
                 data=[(r.id, r.city_rank, r.province_rank) for r in ranked], plan=plan)


def _latest_figure(rf, ind_id: str) -> Figure | None:
    """The indicator's figure in the latest year before the report year that has a value."""
    for y in sorted((y for y in rf.dataset.years(rf.county.slug) if y < rf.year), reverse=True):
        fig = rf.engine.figure(rf.county.slug, y, ind_id)
        if fig is not None:
            return fig
    return None


def plan_charts(rf, out_dir: Path) -> list[Chart]:
    """The charts of a county-year, planned. The narrative's front matter chooses: ``charts: none``;
    a list of chart ids (``[trend_hte_total, completion, ranks]``); or ``charts: {trend: [...]}``.
    By default: trends of the first amounts, counts and shares, and completion against targets —
    no rank chart, as 表1 states the ranks already."""
    out_dir = Path(out_dir)
    charts: list[Chart] = []
    choice = chart_choice(rf.narrative.meta.get("charts") if rf.narrative else None)
    if choice is None:
        return []
    wanted, extra = choice
    if wanted is None:
        wanted = [f.id for f in rf.figures if f.kind in ("amount", "count", "ratio")][:3]
    for ind_id in wanted:
        fig = rf.figure(ind_id) or _latest_figure(rf, ind_id)
        if fig is None:
            continue
        chart = trend_chart(rf.engine, fig, out_dir, report_year=rf.year)
        if chart:
            charts.append(chart)
    for name, maker in (("completion", completion_chart), ("ranks", rank_chart)):
        if name in extra:
            chart = maker(rf.figures, out_dir)
            if chart:
                charts.append(chart)
    return charts


def draw_charts(rf, out_dir: Path) -> list[Chart]:
    """Plan the county-year's charts and draw them."""
    return render(plan_charts(rf, out_dir))


def render(charts: list[Chart]) -> list[Chart]:
    """Draw planned charts into their files (and set their warnings: characters the font lacks)."""
    from . import draw as drawing               # matplotlib: loaded when the first chart is drawn
    charts = [c for c in charts if c is not None]
    for chart, found in zip(charts, drawing.draw_all([dict(c.plan, path=str(c.path)) for c in charts])):
        chart.warnings = found
    return charts
