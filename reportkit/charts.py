"""Charts for the report (matplotlib): trends, completion against targets, ranks; CJK from the font shipped
in reportkit/fonts (never a system font, so a chart is the same on every machine)."""
from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

import matplotlib
from matplotlib import font_manager
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure as MplFigure

from . import config
from .figures import RATE_DECIMALS, Figure
from .iorw import atomic_path
from .numbers import convert, fmt, scale_for_display

DPI = 250
WIDTH_CM, HEIGHT_CM = 15.6, 6.6        # text width of the 公文 page; two charts and their captions fit a page
HATCH = "////"                         # illustrative bars: hatched as well as grey (survives greyscale print)
TREND_YEARS = 5
COLOR, COLOR_ILLUSTRATIVE, COLOR_TARGET = "#1F4E79", "#A6A6A6", "#C00000"

_font_name: str | None = None


def cjk_font_path() -> Path:
    """The CJK font shipped inside reportkit (no system font is needed, none is used)."""
    if not config.CHART_FONT.exists():  # pragma: no cover - broken install
        raise FileNotFoundError(config.CHART_FONT)
    return config.CHART_FONT


_covered: frozenset | None = None


def missing_glyphs(text: str) -> str:
    """The characters of ``text`` that neither the shipped CJK font nor DejaVu Sans (matplotlib's
    own) can draw: they would print as empty boxes."""
    global _covered
    if _covered is None:
        from matplotlib.ft2font import FT2Font
        dejavu = font_manager.findfont("DejaVu Sans", fallback_to_default=True)
        _covered = frozenset(FT2Font(str(cjk_font_path())).get_charmap()) | frozenset(FT2Font(dejavu).get_charmap())
    return "".join(dict.fromkeys(c for c in text if not c.isspace() and ord(c) not in _covered))


def _glyph_warnings(*texts: str) -> list[str]:
    """A warning for text a chart cannot draw (shown with the chart and in figures.json)."""
    missing = missing_glyphs("".join(texts))
    if not missing:
        return []
    return [f"图表中的“{missing}”不在内置字体(GB 2312 字符集)中,图上会显示为方框;"
            f"请在 data/indicators.csv 里把名称或单位改用常用字,或在叙述文件里用 charts: 去掉这张图"]


def setup_style() -> str:
    """Register the CJK font by file path and set one consistent style; returns the font name."""
    global _font_name
    if _font_name is None:
        path = cjk_font_path()
        font_manager.fontManager.addfont(str(path))
        _font_name = font_manager.FontProperties(fname=str(path)).get_name()
    matplotlib.rcParams.update({
        "font.family": "sans-serif",
        "font.sans-serif": [_font_name, "DejaVu Sans"],
        "axes.unicode_minus": False,
        "axes.spines.top": False,
        "axes.spines.right": False,
        "axes.titlesize": 12,
        "axes.labelsize": 10,
        "xtick.labelsize": 10,
        "ytick.labelsize": 10,
        "legend.fontsize": 9,
        "figure.dpi": DPI,
        "savefig.dpi": DPI,
        "svg.hashsalt": "reportkit",
        "figure.constrained_layout.use": True,
    })
    return _font_name


@dataclass
class Chart:
    """A drawn chart: its file, its caption title, and whether it shows illustrative data."""
    id: str
    title: str
    path: Path
    illustrative: bool = False
    data: list = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def _save(fig, path: Path) -> None:
    """Render once on the Agg canvas and write its pixels (savefig would render twice)."""
    from PIL import Image
    path.parent.mkdir(parents=True, exist_ok=True)
    canvas = fig.canvas
    canvas.draw()
    image = Image.frombuffer("RGBA", canvas.get_width_height(physical=True),
                             bytes(canvas.buffer_rgba()), "raw", "RGBA", 0, 1).convert("RGB")
    with atomic_path(path) as tmp:
        image.save(tmp, format="PNG", dpi=(DPI, DPI), compress_level=1)


def _subplots(size):
    """A figure and its axes, drawn on their own Agg canvas: no pyplot, so no global figure list
    to close (and a quicker import)."""
    fig = MplFigure(figsize=size)
    FigureCanvasAgg(fig)
    return fig, fig.subplots()


def _figsize():
    return WIDTH_CM / 2.54, HEIGHT_CM / 2.54


def _unit_label(ax, unit: str) -> None:
    """The unit written horizontally above the value axis (a rotated label is hard to read)."""
    ax.annotate(f"单位\uff1a{unit}", xy=(0, 1), xycoords="axes fraction", xytext=(-4, 6),
                textcoords="offset points", ha="right", va="bottom", fontsize=9)


def _legend_above(ax, handles) -> None:
    """A legend above the plot, clear of every bar and label."""
    ax.legend(handles=handles, loc="lower right", bbox_to_anchor=(1, 1.02), ncol=len(handles), frameon=False,
              borderaxespad=0)


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
    setup_style()
    f, ax = _subplots(_figsize())
    xs = [str(y) for y, _, _ in series]
    ys = [float(v * factor) for _, v, _ in series]
    colors = [COLOR_ILLUSTRATIVE if ill else COLOR for _, _, ill in series]
    bars = ax.bar(xs, ys, color=colors, width=0.6, hatch=[HATCH if ill else "" for _, _, ill in series],
                  edgecolor="white", linewidth=0)
    decimals = ind.decimals if ind.kind != "count" else 0
    for b, (_, v, _) in zip(bars, series):
        ax.annotate(fmt(v * factor, decimals), (b.get_x() + b.get_width() / 2, b.get_height()),
                    ha="center", va="bottom", fontsize=9, xytext=(0, 2), textcoords="offset points")
    period = "" if not fig.cumulative else f"\uff08{fig.period}\uff09"
    _unit_label(ax, unit)
    ax.margins(y=0.18)
    illustrative = any(ill for _, _, ill in series)
    if illustrative:
        from matplotlib.patches import Patch
        _legend_above(ax, [Patch(facecolor=COLOR, label="报告数据"),
                           Patch(facecolor=COLOR_ILLUSTRATIVE, hatch=HATCH, edgecolor="white", label="示例数据(不得引用)")])
    path = out_dir / f"trend_{ind.id}.png"
    _save(f, path)
    first, last = series[0][0], series[-1][0]
    report_year = report_year or fig.year
    missing = f"\uff08{report_year}年数据暂缺\uff09" if last < report_year else ""
    title = f"{first}—{last}年{ind.name}{period}{missing}"
    return Chart(id=f"trend_{ind.id}", title=title, path=path, illustrative=illustrative,
                 data=[(y, str(v), ill) for y, v, ill in series], warnings=_glyph_warnings(unit))


def completion_chart(figs: list[Figure], out_dir: Path) -> Chart | None:
    done = [f for f in figs if f.completion is not None]
    if not done:
        return None
    setup_style()
    f, ax = _subplots((WIDTH_CM / 2.54, min(HEIGHT_CM / 2.54 * 1.3, max(2.2, 0.6 * len(done) + 1.0))))
    names = [d.name for d in done][::-1]
    vals = [float(d.completion) for d in done][::-1]
    bars = ax.barh(names, vals, color=COLOR, height=0.55)
    line = ax.axvline(100, color=COLOR_TARGET, linestyle="--", linewidth=1, label="年度目标(100%)")
    _legend_above(ax, [line])
    for b, d in zip(bars, done[::-1]):
        ax.annotate(fmt(d.completion, RATE_DECIMALS) + "%", (b.get_width(), b.get_y() + b.get_height() / 2),
                    va="center", fontsize=9, xytext=(3, 0), textcoords="offset points")
    ax.set_xlim(0, max(vals + [100]) * 1.18)
    ax.annotate("完成率\uff08%\uff09", xy=(1, 0), xycoords="axes fraction", xytext=(0, -18),
                textcoords="offset points", ha="right", va="top", fontsize=9)
    path = out_dir / "completion.png"
    _save(f, path)
    return Chart(id="completion", title=f"{done[0].year}年主要指标年度目标完成情况", path=path,
                 illustrative=any(d.illustrative for d in done),
                 data=[(d.id, d.completion_text) for d in done], warnings=_glyph_warnings(*names))


def rank_chart(figs: list[Figure], out_dir: Path) -> Chart | None:
    ranked = [f for f in figs if f.city_rank is not None or f.province_rank is not None]
    if len(ranked) < 2:
        return None
    setup_style()
    f, ax = _subplots((WIDTH_CM / 2.54, max(2.2, 0.6 * len(ranked) + 1.0)))
    names, vals, labels = [], [], []
    for r in ranked[::-1]:
        scope, rank = ("全市", r.city_rank) if r.city_rank is not None else ("全省", r.province_rank)
        names.append(r.name)
        vals.append(rank)
        labels.append(f"{scope}第{rank}")
    ax.hlines(names, 0, vals, color=COLOR_ILLUSTRATIVE, linewidth=2)
    ax.plot(vals, names, "o", color=COLOR, markersize=8)
    for y, (v, lab) in enumerate(zip(vals, labels)):
        ax.annotate(lab, (v, y), va="center", fontsize=9, xytext=(8, 0), textcoords="offset points")
    ax.set_xlim(0, max(vals) + 3)
    ax.set_xlabel("名次(越小越好)")
    path = out_dir / "ranks.png"
    _save(f, path)
    return Chart(id="ranks", title=f"{ranked[0].year}年主要指标排名", path=path,
                 illustrative=any(r.illustrative for r in ranked),
                 data=[(r.id, r.city_rank, r.province_rank) for r in ranked], warnings=_glyph_warnings(*names))


def _latest_figure(rf, ind_id: str) -> Figure | None:
    """The indicator's figure in the latest year before the report year that has a value."""
    for y in sorted((y for y in rf.dataset.years(rf.county.slug) if y < rf.year), reverse=True):
        fig = rf.engine.figure(rf.county.slug, y, ind_id)
        if fig is not None:
            return fig
    return None


def draw_charts(rf, out_dir: Path) -> list[Chart]:
    """The charts of a county-year. The narrative's front matter chooses: ``charts: none``; a list
    of chart ids (``[trend_hte_total, completion, ranks]``); or ``charts: {trend: [...]}``. By
    default: trends of the first amounts, counts and shares, and completion against targets — no
    rank chart, as 表1 states the ranks already."""
    out_dir = Path(out_dir)
    charts: list[Chart] = []
    engine = rf.engine
    setting = rf.narrative.meta.get("charts") if rf.narrative else None
    if isinstance(setting, str) and setting.strip().lower() in ("none", "无", "不要"):
        return []
    wanted, extra = None, ("completion",)
    if isinstance(setting, dict):
        wanted = setting.get("trend")
    elif isinstance(setting, list):
        wanted = [c[len("trend_"):] for c in setting if str(c).startswith("trend_")]
        extra = tuple(c for c in setting if c in ("completion", "ranks"))
    if wanted is None:
        wanted = [f.id for f in rf.figures if f.kind in ("amount", "count", "ratio")][:3]
    for ind_id in wanted:
        fig = rf.figure(ind_id) or _latest_figure(rf, ind_id)
        if fig is None:
            continue
        chart = trend_chart(engine, fig, out_dir, report_year=rf.year)
        if chart:
            charts.append(chart)
    for name, maker in (("completion", completion_chart), ("ranks", rank_chart)):
        if name in extra:
            chart = maker(rf.figures, out_dir)
            if chart:
                charts.append(chart)
    return charts
