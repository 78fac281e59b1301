"""Drawing the planned charts (:mod:`reportkit.charts.plan`) with matplotlib: plain data in, PNG files out.

Only the Agg canvas (no pyplot: no global figure list, a quicker import) and only the CJK font
shipped in reportkit/charts/fonts, registered by file path.
"""
from __future__ import annotations

import contextlib
import gc
import warnings
from pathlib import Path

import matplotlib
import matplotlib.artist


@contextlib.contextmanager
def _without_setter_docstrings():
    """matplotlib writes a docstring for the set() method of every artist class as the class is
    defined, listing all its properties: a fifth of its import time (a tenth of a second on every
    report's kernel), for text nobody reads there. Left out while the classes drawing needs are
    defined; the function is put back after, so classes defined later are documented as usual."""
    kwdoc = getattr(matplotlib.artist, "kwdoc", None)
    if kwdoc is None:                  # pragma: no cover - another matplotlib: nothing to leave out
        yield
        return
    matplotlib.artist.kwdoc = lambda artist: ""
    try:
        yield
    finally:
        matplotlib.artist.kwdoc = kwdoc


with _without_setter_docstrings():
    from matplotlib import font_manager
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure as MplFigure
    from matplotlib.patches import Patch

from .. import config
from ..iorw import atomic_path

DPI = 250
HATCH = "////"                         # illustrative bars: hatched as well as grey (survives greyscale print)
COLOR, COLOR_ILLUSTRATIVE, COLOR_TARGET = "#1F4E79", "#A6A6A6", "#C00000"

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


def _trend(ax, plan) -> list[str]:
    ill = plan["illustrative"]
    bars = ax.bar(plan["x"], plan["y"], color=[COLOR_ILLUSTRATIVE if i else COLOR for i in ill], width=0.6,
                  hatch=[HATCH if i else "" for i in ill], edgecolor="white", linewidth=0)
    for b, label in zip(bars, plan["labels"]):
        ax.annotate(label, (b.get_x() + b.get_width() / 2, b.get_height()),
                    ha="center", va="bottom", fontsize=9, xytext=(0, 2), textcoords="offset points")
    _unit_label(ax, plan["unit"])
    ax.margins(y=0.18)
    if plan["legend"]:
        _legend_above(ax, [Patch(facecolor=COLOR, label="报告数据"),
                           Patch(facecolor=COLOR_ILLUSTRATIVE, hatch=HATCH, edgecolor="white", label="示例数据(不得引用)")])
    return [plan["unit"]]


def _completion(ax, plan) -> list[str]:
    names, vals = plan["names"], plan["values"]
    bars = ax.barh(names, vals, color=COLOR, height=0.55)
    line = ax.axvline(100, color=COLOR_TARGET, linestyle="--", linewidth=1, label="年度目标(100%)")
    _legend_above(ax, [line])
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


KINDS = {"trend": _trend, "completion": _completion, "ranks": _ranks}


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
