"""Figure references: what ``{hte_total}``, ``{hte_total.growth}`` … print, for one county-year.

The one table of printed values that the narrative, the harvest of edited documents (numbers
back to references), the numbers audit and the tracked revisions all read.
"""
from __future__ import annotations

from .figures import RATE_DECIMALS, Figure, NextTarget
from ..narrative.source import ref_key as key
from ..numbers import fmt, is_zero_when_rounded
from .phrasing import RATIO_UNIT, change_phrase, figure_sentence, target_phrase

#: attribute -> how a message names it ("" for the value itself)
ATTRS = {
    "value": "", "prev": "上年值", "growth": "增速", "growth_phrase": "增速", "change": "变化",
    "delta": "变化量", "delta_phrase": "变化量", "completion": "完成率", "target": "目标",
    "city_rank": "全市排名", "province_rank": "全省排名", "sentence": "语句",
    "next_target": "下一年目标", "next_phrase": "下一年目标",
}
#: Built-in references that are not figures.
BUILTINS = ("year", "next_year", "county_name", "bureau", "city", "we")
#: Attributes whose text is a whole clause (compared as text, never matched as a number).
CLAUSES = ("sentence", "change", "next_phrase")


def delta_text(fig: Figure) -> str | None:
    """The absolute change with its unit: 25家, 0.22个百分点, 2位."""
    if fig.change is None:
        return None
    if fig.kind == "ratio":
        return fmt(abs(fig.change), RATE_DECIMALS) + RATIO_UNIT
    if fig.kind == "rank":
        return fmt(abs(fig.change), 0) + "位"
    return fig.change_text


def delta_phrase(fig: Figure) -> str | None:
    """The change with its direction: 增加25家, 提升0.22个百分点, 下降2位."""
    text = delta_text(fig)
    if text is None:
        return None
    if fig.change == 0 or (fig.kind == "ratio" and is_zero_when_rounded(fig.change, RATE_DECIMALS)):
        return "持平"
    up = fig.change > 0
    if fig.kind == "ratio":
        return ("提升" if up else "降低") + text
    if fig.kind == "rank":
        return ("提升" if up else "下降") + text
    return ("增加" if up else "减少") + text


def growth_phrase(fig: Figure) -> str | None:
    """增长8.28% / 下降3.2% / 持平."""
    if fig.growth is None:
        return None
    if is_zero_when_rounded(fig.growth, RATE_DECIMALS):
        return "持平"
    return ("增长" if fig.growth > 0 else "下降") + fmt(abs(fig.growth), RATE_DECIMALS) + "%"


def figure_values(fig: Figure) -> dict[str, str]:
    """Every attribute of one figure as printed (attributes without data are left out)."""
    values = {
        "value": fig.value_text,
        "prev": fig.prev_text or None,
        "growth": (fig.growth_text + "%") if fig.growth is not None else None,
        "growth_phrase": growth_phrase(fig),
        "change": change_phrase(fig) or None,
        "delta": delta_text(fig),
        "delta_phrase": delta_phrase(fig),
        "completion": (fig.completion_text + "%") if fig.completion is not None else None,
        "target": fig.target_text or None,
        "city_rank": str(fig.city_rank) if fig.city_rank is not None else None,
        "province_rank": str(fig.province_rank) if fig.province_rank is not None else None,
        "sentence": figure_sentence(fig),
    }
    return {k: v for k, v in values.items() if v is not None}


def target_values(t: NextTarget) -> dict[str, str]:
    return {"next_target": t.target_text, "next_phrase": target_phrase(t)}


def split_key(k: str) -> tuple[str, str]:
    name, _, attr = k.partition(".")
    return name, attr or "value"


class References:
    """All references of a county-year: ``values`` maps 'hte_total' / 'hte_total.growth' … to
    the printed text, ``names`` an indicator id to its name, ``sources`` to its data rows."""

    def __init__(self, rf, *, every_indicator: bool = False):
        self.values: dict[str, str] = {}
        self.names: dict[str, str] = {}
        self.sources: dict[str, list[str]] = {}
        self.units: dict[str, str] = {}
        c = rf.county
        we = "我" + {"县": "县", "区": "区", "市": "市"}.get(c.kind, "县")
        for name, value in (("year", str(rf.year)), ("next_year", str(rf.year + 1)),
                            ("county_name", c.name), ("bureau", c.bureau), ("city", c.city), ("we", we)):
            self.values[name] = value
        figures = list(rf.figures)
        if every_indicator:
            have = {f.id for f in figures}
            figures += [f for f in (rf.figure(i) for i in rf.dataset.indicator_ids if i not in have) if f]
        for f in figures:
            self.add_figure(f)
        for t in rf.targets:
            ind = t.indicator
            self.names.setdefault(ind.id, ind.name)
            self.units.setdefault(ind.id, ind.unit)
            for attr, text in target_values(t).items():
                self.values[key(ind.id, attr)] = text
            self.sources.setdefault(ind.id, [])
            self.sources[ind.id] += [s.cite() for s in t.sources]

    def add_figure(self, f: Figure) -> None:
        self.names[f.id] = f.name
        self.units[f.id] = f.indicator.unit
        self.sources[f.id] = [s.cite() for s in f.sources]
        for attr, text in figure_values(f).items():
            self.values[key(f.id, attr)] = text

    def resolve(self, name: str, attr: str | None = None) -> str | None:
        return self.values.get(key(name, attr))

    def label(self, k: str) -> str:
        """'hte_total.growth' -> '高新技术企业总数增速'."""
        name, attr = split_key(k)
        return self.names.get(name, name) + ATTRS.get(attr, attr)
