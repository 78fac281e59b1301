"""The report model of one county-year: figures, sentences, table rows and narrative, resolved."""
from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

import pandas as pd

from .. import config
from ..inputs import data as data_mod
from ..narrative import source as narrative_mod
from ..inputs.data import County, Dataset
from ..exceptions import NarrativeError
from .figures import (RATE_DECIMALS, Figure, FigureEngine, NextTarget, figures_table, quantity_parts,
                      uses_illustrative)
from ..numbers import HUNDRED, convert, fmt, parse_decimal, unit as unit_of
from .phrasing import BASIS_WORDS, figure_sentence, indicator_paragraph, split_qualifier, targets_sentence

TABLE_COLUMNS = ["指标", "单位", "本年", "上年", "增减", "目标", "完成率", "排名"]
#: The 附注 (GB/T 9704: after the 成文日期, in full-width parentheses).
ROUNDING_NOTE = "\uff08部分数据因四舍五入的原因\uff0c存在与按所列数据直接计算结果不等的情况。\uff09"
BASIS_MARK = "\u2020"   # † on a change computed from 示例 or 推算 last-year data
ILLUSTRATIVE_NOTICE = "示例数据\uff0c不得引用\uff1a本报告部分数据为示例数据\uff08来源注明“示例”\uff09\uff0c仅供演示。"


@dataclass
class ReportFigures:
    """Everything computed for a county-year, before any document exists."""
    dataset: Dataset
    county: County
    year: int
    figures: list[Figure]
    targets: list[NextTarget]
    narrative: narrative_mod.Narrative | None = None
    engine: FigureEngine | None = None
    _extra: dict = field(default_factory=dict)      # figures the narrative names beyond the table
    _refs: object = None

    # -- sentences ------------------------------------------------------
    @property
    def paragraph(self) -> str:
        return indicator_paragraph(self.figures)

    @property
    def targets_sentence(self) -> str:
        return targets_sentence(self.targets)

    @property
    def illustrative(self) -> bool:
        """Whether a figure, target or referenced figure rests on an illustrative (示例) row."""
        return uses_illustrative(self.figures + [f for f in self._extra.values() if f], self.targets)

    def shows_illustrative(self, charts=()) -> bool:
        """The one rule for the document's 示例 notice: figures, targets or drawn charts."""
        return self.illustrative or any(c.illustrative for c in charts)

    @property
    def sample_narrative(self) -> bool:
        return bool(self.narrative and self.narrative.sample)

    @property
    def rounding_differs(self) -> bool:
        """Would a reader recomputing a rate from the printed figures get another result?"""
        return any(printed_rate_differs(f) for f in self.figures)

    def figure(self, ind_id: str) -> Figure | None:
        for f in self.figures:
            if f.id == ind_id:
                return f
        if ind_id not in self._extra and self.engine is not None and ind_id in self.dataset.indicator_ids:
            self._extra[ind_id] = self.engine.figure(self.county.slug, self.year, ind_id)
        return self._extra.get(ind_id)

    # -- tables -----------------------------------------------------------
    def table_rows(self) -> list[dict]:
        return [table_row(f) for f in self.figures]

    def table(self) -> pd.DataFrame:
        """表1 as the document prints it: columns that would be empty in every row are left out."""
        rows = self.table_rows()
        return pd.DataFrame(rows, columns=table_columns(rows))

    def figures_frame(self) -> pd.DataFrame:
        df = figures_table(self.figures)
        df["sentence"] = [figure_sentence(f) for f in self.figures]
        return df

    # -- narrative --------------------------------------------------------
    @property
    def references(self):
        """The printed value of every reference of the report's figures and targets."""
        if self._refs is None:
            from .references import References
            self._refs = References(self)
        return self._refs

    def resolve_reference(self, name: str, attr: str | None) -> str | None:
        refs = self.references
        value = refs.resolve(name, attr)
        if value is None and name not in refs.figured and name in self.dataset.indicator_ids:
            # a figure the narrative names but the table does not list (a next-year target alone
            # does not load it)
            fig = self.figure(name)
            if fig is not None:
                refs.add_figure(fig)
                value = refs.resolve(name, attr)
        return value

    def render_text(self, text: str, *, line: int | None = None) -> str:
        """Narrative source as plain text (references resolved, markup removed)."""
        path = self.narrative.path if self.narrative else None
        return narrative_mod.substitute(text, self.resolve_reference, path=path, line=line)

    def render_spans(self, text: str, *, line: int | None = None) -> list:
        path = self.narrative.path if self.narrative else None
        return narrative_mod.render(text, self.resolve_reference, path=path, line=line)

    def check_narrative(self) -> None:
        """Resolve every reference once, so a bad one fails before any output is written."""
        if not self.narrative:
            return
        for slot in self.narrative.slots():
            self.render_text(slot.title, line=slot.line)
            for b in slot.blocks:
                if b.kind != "block":
                    self.render_text(b.text, line=b.line)


def table_columns(rows: list[dict]) -> list[str]:
    """The columns of 表1 that have something to say (a column empty in every row is left out)."""
    return [c for c in TABLE_COLUMNS if c == "指标" or any(r[c] for r in rows)]


def printed_rate_differs(f: Figure) -> bool:
    """True when growth/completion recomputed from the printed numbers differs from the printed rate."""
    if f.kind not in ("amount", "count", "index"):
        return False
    num, unit = f.value_parts
    shown = parse_decimal(num)
    if f.completion is not None and f.target:
        t = parse_decimal(_same_unit(f, f.target, unit))     # the target as the table prints it
        if t and fmt(shown / t * HUNDRED, RATE_DECIMALS) != f.completion_text:
            return True
    if f.growth is not None and f.prev_value is not None:
        p = parse_decimal(_same_unit(f, f.prev_value, unit))  # last year as the table prints it
        if p and fmt((shown - p) / p * HUNDRED, RATE_DECIMALS) != f.growth_text:
            return True
    return False


def _same_unit(f: Figure, value: Decimal | None, shown_unit: str) -> str:
    """A value of f's indicator written in the unit of the current value (for table columns)."""
    if value is None:
        return ""
    ind = f.indicator
    if ind.kind in ("ratio", "rank") or not unit_of(shown_unit).family:
        num, _ = quantity_parts(ind, value)
        return num
    return fmt(convert(value, ind.unit, shown_unit), max(ind.decimals, 2 if shown_unit != ind.unit else 0))


QUALIFIED = "*"   # marks a number that is a bound or an estimate (超过23亿元): explained under the table


def _decimals(text: str) -> int:
    return len(text.split(".")[1]) if "." in text else 0


def _fixed(text: str, decimals: int) -> str:
    """'3.3' -> '3.30' (one decimals rule across a table row)."""
    if not text:
        return text
    whole, _, frac = text.partition(".")
    return whole + ("." + frac.ljust(decimals, "0") if decimals else "")


def table_row(f: Figure) -> dict:
    """One row of 表1, every cell as printed: changes in the words the text uses (增长8.28%,
    提高0.22个百分点, 提升2位), this year, last year and the target with the same decimals, a rank
    as 第4位, a bound or estimate marked * (explained in the note under the table)."""
    num, shown_unit = f.value_parts
    rank = f.kind == "rank"
    prev = _same_unit(f, f.prev_value, shown_unit)
    target = _same_unit(f, f.target, shown_unit)
    if not rank:
        d = max(_decimals(x) for x in (num, prev, target))
        num, prev, target = (_fixed(x, d) for x in (num, prev, target))
    from .references import delta_phrase, growth_phrase
    if f.kind in ("ratio", "rank"):
        change = delta_phrase(f) or ""
        if f.kind == "ratio" and change.startswith("提升"):
            change = "提高" + change[2:]
    else:
        change = growth_phrase(f) or ""
    ranks = []
    if f.city_rank is not None:
        ranks.append(f"全市第{f.city_rank}")
    if f.province_rank is not None:
        ranks.append(f"全省第{f.province_rank}")
    name = f.name + (f"\uff08{f.period}\uff09" if f.cumulative else "")
    if change and f.change_basis:
        change += BASIS_MARK
    return {
        "指标": name,
        "单位": "" if rank else shown_unit,
        "本年": (f"第{num}位" if rank else num) + (QUALIFIED if f.qualifier else ""),
        "上年": f"第{prev}位" if rank and prev else prev,
        "增减": change,
        "目标": target,
        "完成率": (f.completion_text + "%") if f.completion is not None else "",
        "排名": "、".join(ranks),
    }


def table_note(figures: list[Figure]) -> str:
    """What the * in 表1 means: the numbers as the text states them (超过23亿元, 突破1600家)."""
    marked = []
    for f in figures:
        if f.qualifier:
            lead, before, after = split_qualifier(f.qualifier)
            num, unit = f.value_parts
            marked.append(f"{f.name}{lead}{before}{num}{'余' if after == '余' else ''}{unit}"
                          f"{after if after != '余' else ''}")
    notes = []
    if marked:
        notes.append("带“*”的数为约数或下限\uff1a" + "\uff1b".join(marked) + "。")
    bases = sorted({f.change_basis for f in figures if f.change_basis})
    if bases:
        notes.append(f"带“{BASIS_MARK}”的增减按" + "或".join(BASIS_WORDS[b] for b in bases)
                     + "计算" + ("\uff0c不得引用" if "示例" in bases else "") + "。")
    return "".join(notes)


def compute_report_figures(county: str, year: int, *, data_dir: Path | None = None,
                           dataset: Dataset | None = None, narrative_path: Path | None = None,
                           require_narrative: bool = False) -> ReportFigures:
    """Load data/ (unless given), validate the county-year and compute all its figures.

    The narrative file (if present) lists the indicators the report needs, in order;
    every one of them must have data.
    """
    ds = dataset or data_mod.load(data_dir, for_county=county)
    c = ds.county(county)
    ds.require_year(county, year)
    npath = narrative_path or config.narrative_path(county, year, ds.root)
    narrative = None
    if npath.exists():
        narrative = narrative_mod.load(npath)
    elif require_narrative:
        raise NarrativeError(f"{c.name} {year} 年的叙述文件不存在", file=npath, county=county,
                             year=year, hint="复制 data/narrative/TEMPLATE.md 到该位置并填写")
    engine = FigureEngine(ds)
    plan = narrative.indicators if narrative else None
    if plan:
        for ind in plan:
            if ind not in ds.indicator_ids:
                raise NarrativeError(f"indicators 中的“{ind}”不是指标目录中的代码", file=npath,
                                     column="indicators", indicator=ind, county=county, year=year,
                                     hint="改为 indicators.csv 中的指标代码")
    choice = narrative_mod.chart_choice(narrative.meta.get("charts")) if narrative else None
    for ind in (choice[0] or []) if choice else []:
        if ind not in ds.indicator_ids:
            raise NarrativeError(f"charts 中的趋势图“{ind}”不是指标目录中的代码", file=npath, column="charts",
                                 indicator=ind, county=county, year=year, hint="改为 indicators.csv 中的指标代码")
    for name in sorted(narrative.omit) if narrative else ():
        ind = name[len("chart.trend_"):] if name.startswith("chart.trend_") else None
        if ind is not None and ind not in ds.indicator_ids:
            near = narrative_mod._did_you_mean(ind, ds.indicator_ids)
            raise NarrativeError(f"omit 中的趋势图“{name}”不是指标目录中的指标" + (f"(是不是“chart.trend_{near}”?)" if near else ""),
                                 file=npath, row=narrative_mod._front_line(narrative.front, "omit", name) + 1,
                                 column="omit", indicator=ind, county=county, year=year,
                                 hint="改为 chart.trend_<indicators.csv 中的指标代码>")
    figs = engine.figures(county, year, plan, required_file=npath if plan else None)
    targets = engine.next_targets(county, year, figs)
    rf = ReportFigures(dataset=ds, county=c, year=year, figures=figs, targets=targets,
                       narrative=narrative, engine=engine)
    rf.check_narrative()
    return rf
