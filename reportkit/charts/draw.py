"""Drawing the planned charts (:mod:`reportkit.charts.plan`) with matplotlib: plain data in, PNG files out.

Only the Agg canvas (no pyplot: no global figure list, a quicker import) and only the CJK font
shipped in reportkit/charts/fonts, registered by file path.
"""
from __future__ import annotations

import gc
import warnings
from pathlib import Path

import matplotlib

from ..thirdparty import matplotlib_without_setter_docstrings

with matplotlib_without_setter_docstrings():     # 0.1 s of every kernel start (see thirdparty)
    from matplotlib import font_manager
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure as MplFigure
    from matplotlib.patches import Patch

from .. import config
from ..iorw import atomic_path

DPI = 250
HATCH = "////"                         # illustrative bars: hatched as well as grey (survives greyscale print)
COLOR, COLOR_ILLUSTRATIVE, COLOR_TARGET = "#1F4E79", "#A6A6A6", "#C00000"
COLOR_WORKED_BACK, HATCH_WORKED_BACK = "#9DC3E6", "...."   # worked back (推算): light, dotted
HATCH_QUALIFIED = "xx"       # a bound, an approximation or an estimate (超过23, 约, 预计): crossed
#: The legend's words for each kind of bar (half-width brackets, as every legend of the charts).
LEGEND = {"reported": "报告数据", "illustrative": "示例数据(不得引用)", "worked_back": "推算数据(据增幅倒推)",
          "qualified": "非确数(见数值标注)"}

_font_name: str | None = None
_covered: frozenset | None = None


def cjk_font_path() -> Path:
    """The CJK font shipped inside reportkit (no system font is needed, none is used)."""
    if not config.CHART_FONT.exists():  # pragma: no cover - broken install
        raise FileNotFoundError(config.CHART_FONT)
    return config.CHART_FONT


def missing_glyphs(text: str) -> str:
    """The characters of ``text`` that neither the shipped CJK font nor DejaVu Sans (matplotlib's
    own) can draw: they would print as empty boxes."""
    global _covered
    if _covered is None:
        from matplotlib.ft2font import FT2Font
        dejavu = font_manager.findfont("DejaVu Sans", fallback_to_default=True)
        _covered = frozenset(FT2Font(str(cjk_font_path())).get_charmap()) | frozenset(FT2Font(dejavu).get_charmap())
    return "".join(dict.fromkeys(c for c in text if not c.isspace() and ord(c) not in _covered))


def glyph_warnings(*texts: str) -> list[str]:
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


def _pixels(fig):
    """Render once on the Agg canvas (savefig would render twice); the pixels as an RGB image."""
    from PIL import Image
    canvas = fig.canvas
    canvas.draw()
    return Image.frombuffer("RGBA", canvas.get_width_height(physical=True),
                            canvas.buffer_rgba(), "raw", "RGBA", 0, 1).convert("RGB")


def _write_png(image, path: Path) -> None:
    with atomic_path(path) as tmp:
        image.save(tmp, format="PNG", dpi=(DPI, DPI), compress_level=1)


def _subplots(size):
    """A figure and its axes, drawn on their own Agg canvas."""
    fig = MplFigure(figsize=tuple(size))
    FigureCanvasAgg(fig)
    return fig, fig.subplots()


def _unit_label(ax, unit: str) -> None:
    """The unit written horizontally above the value axis (a rotated label is hard to read)."""
    ax.annotate(f"单位\uff1a{unit}", xy=(0, 1), xycoords="axes fraction", xytext=(-4, 6),
                textcoords="offset points", ha="right", va="bottom", fontsize=9)


def _legend_above(ax, handles) -> None:
    """A legend above the plot, clear of every bar and label."""
    ax.legend(handles=handles, loc="lower right", bbox_to_anchor=(1, 1.02), ncol=len(handles), frameon=False,
              borderaxespad=0)


def _bar_style(plan, i: int) -> tuple[str, str]:
    """(colour, hatch) of bar ``i``: 示例 grey and hatched; 推算 light and dotted; a bound or
    estimate crossed (over either colour); reported data plain."""
    color, hatch = COLOR, ""
    if plan["illustrative"][i]:
        color, hatch = COLOR_ILLUSTRATIVE, HATCH
    elif plan.get("worked_back", [False] * (i + 1))[i]:
        color, hatch = COLOR_WORKED_BACK, HATCH_WORKED_BACK
    if plan.get("qualified", [False] * (i + 1))[i]:
        hatch = HATCH_QUALIFIED
    return color, hatch


def legend_entries(plan) -> list[tuple[str, str, str]]:
    """(label, colour, hatch) of a trend chart's legend: reported data, then each kind of marked
    bar the chart shows."""
    plain = [not any(marks) for marks in zip(plan["illustrative"], plan.get("worked_back", plan["illustrative"]),
                                              plan.get("qualified", plan["illustrative"]))]
    out = [(LEGEND["reported"], COLOR, "")] if any(plain) or "worked_back" not in plan else []
    if any(plan["illustrative"]):
        out.append((LEGEND["illustrative"], COLOR_ILLUSTRATIVE, HATCH))
    if any(plan.get("worked_back", [])):
        out.append((LEGEND["worked_back"], COLOR_WORKED_BACK, HATCH_WORKED_BACK))
    if any(plan.get("qualified", [])):
        out.append((LEGEND["qualified"], COLOR, HATCH_QUALIFIED))
    return out


def _trend(ax, plan) -> list[str]:
    styles = [_bar_style(plan, i) for i in range(len(plan["y"]))]
    bars = ax.bar(plan["x"], plan["y"], color=[c for c, _ in styles], width=0.6,
                  hatch=[h for _, h in styles], edgecolor="white", linewidth=0)
    for b, label in zip(bars, plan["labels"]):
        ax.annotate(label, (b.get_x() + b.get_width() / 2, b.get_height()),
                    ha="center", va="bottom", fontsize=9, xytext=(0, 2), textcoords="offset points")
    _unit_label(ax, plan["unit"])
    ax.margins(y=0.18)
    if plan["legend"]:
        _legend_above(ax, [Patch(facecolor=c, hatch=h or None, edgecolor="white" if h else None, label=label)
                           for label, c, h in legend_entries(plan)])
    return [plan["unit"], *(label for label, _, _ in legend_entries(plan))]


def _completion(ax, plan) -> list[str]:
    names, vals = plan["names"], plan["values"]
    qualified = plan.get("qualified")
    if qualified:
        bars = ax.barh(names, vals, color=COLOR, height=0.55, hatch=[HATCH_QUALIFIED if q else "" for q in qualified],
                       edgecolor="white", linewidth=0)
    else:
        bars = ax.barh(names, vals, color=COLOR, height=0.55)
    line = ax.axvline(100, color=COLOR_TARGET, linestyle="--", linewidth=1, label="年度目标(100%)")
    _legend_above(ax, [line] + ([Patch(facecolor=COLOR, hatch=HATCH_QUALIFIED, edgecolor="white",
                                       label=LEGEND["qualified"])] if qualified and any(qualified) else []))
    for b, label in zip(bars, plan["labels"]):
        ax.annotate(label, (b.get_width(), b.get_y() + b.get_height() / 2),
                    va="center", fontsize=9, xytext=(3, 0), textcoords="offset points")
    ax.set_xlim(0, max(vals + [100]) * 1.18)
    ax.annotate("完成率\uff08%\uff09", xy=(1, 0), xycoords="axes fraction", xytext=(0, -18),
                textcoords="offset points", ha="right", va="top", fontsize=9)
    return names


def _ranks(ax, plan) -> list[str]:
    names, vals = plan["names"], plan["values"]
    ax.hlines(names, 0, vals, color=COLOR_ILLUSTRATIVE, linewidth=2)
    ax.plot(vals, names, "o", color=COLOR, markersize=8)
    for y, (v, label) in enumerate(zip(vals, plan["labels"])):
        ax.annotate(label, (v, y), va="center", fontsize=9, xytext=(8, 0), textcoords="offset points")
    ax.set_xlim(0, max(vals) + 3)
    ax.set_xlabel("名次(越小越好)")
    return names


def _compare(ax, plan) -> list[str]:
    names, vals = plan["names"], plan["values"]
    colors = [COLOR_TARGET if h else (COLOR_ILLUSTRATIVE if i else COLOR)
              for h, i in zip(plan["highlight"], plan["illustrative"])]
    bars = ax.barh(names, vals, color=colors, height=0.6, hatch=[HATCH if i else "" for i in plan["illustrative"]],
                   edgecolor="white", linewidth=0)
    for b, label in zip(bars, plan["labels"]):
        ax.annotate(label, (b.get_width(), b.get_y() + b.get_height() / 2),
                    va="center", fontsize=8, xytext=(3, 0), textcoords="offset points")
    for tick, h in zip(ax.get_yticklabels(), plan["highlight"]):
        if h:
            tick.set_color(COLOR_TARGET)
    ax.set_xlim(min(0, min(vals)), max(vals + [0]) * 1.3 or 1)
    ax.tick_params(axis="y", labelsize=9)
    _unit_label(ax, plan["unit"])
    if plan["legend"]:
        _legend_above(ax, [Patch(facecolor=COLOR, label="报告数据"),
                           Patch(facecolor=COLOR_ILLUSTRATIVE, hatch=HATCH, edgecolor="white", label="示例数据(不得引用)")])
    return names + plan["labels"] + [plan["unit"]]


KINDS = {"trend": _trend, "completion": _completion, "ranks": _ranks, "compare": _compare}


def _draw(plan: dict):
    """One planned chart drawn: (its pixels, its warnings: characters the font lacks).
    matplotlib's own warning for those is not shown: the Chinese one says it."""
    setup_style()
    fig, ax = _subplots(plan["size"])
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=r"Glyph \d+ .* missing from font", category=UserWarning)
        texts = KINDS[plan["kind"]](ax, plan)
        image = _pixels(fig)
    # a figure is a web of reference cycles holding its canvas's pixels (4 MB at 250 dpi): freed
    # now (the young generations only: 2 ms), not at some later collection, so that the next chart
    # reuses that memory and a batch worker's kernel stays smaller
    del fig, ax
    gc.collect(1)
    return image, glyph_warnings(*texts)


def draw_all(plans: list[dict]) -> list[list[str]]:
    """Draw planned charts into their ``path`` files; returns each one's warnings. A chart's PNG
    is compressed and written in a second thread (zlib lets go of the GIL) while the next chart
    is drawn; every file is written when this returns, or the first error is raised."""
    from concurrent.futures import ThreadPoolExecutor
    out = []
    with ThreadPoolExecutor(max_workers=1) as writer:
        written = []
        for plan in plans:
            image, found = _draw(plan)
            written.append(writer.submit(_write_png, image, Path(plan["path"])))
            del image                  # the writer's reference only: its pixels go once written
            out.append(found)
        for w in written:
            w.result()
    return out
