"""The city's view: every county-level unit of a city side by side, for one year.

For each key indicator: each unit's value (of one period, the most complete any unit has), its
change in the county reports' own words, and its computed city rank by the one rule county
reports use (:meth:`FigureEngine.city_ranks`: every unit must have a value of that period; ties
share the place, 并列第2); a 全市 row: the city's own figure when the data gives one (a 全市 row of a
statistics table, a long row whose county is the city: ``Dataset.city_values``), else the sum of
the units when the indicator can be summed (amounts and counts, every unit present), a rate or
rank left empty; a data total and a complete sum that differ beyond rounding are warned of, the
data's printed; and a coverage grid (units × indicators: present, missing, illustrative, worked
back, an earlier period only) so the city office sees what to chase. Units are never dropped:
a unit without a value is shown as missing.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

import pandas as pd

from ..exceptions import NoDataError, ParameterError
from ..inputs.city import CitySettings, read_settings
from ..inputs.data import Dataset, County, Indicator, period_months
from ..numbers import HUNDRED, fmt, round_half_up
from .figures import RATE_DECIMALS, CityRanks, Figure, FigureEngine, SourceRow, rank_text
from .report import table_row

RATIO_UNIT = "个百分点"

TOTAL = "全市"
#: the first column of every table of a city view: the unit (县、市、区) a row is about
UNIT_COLUMN = "县(市、区)"
MISSING = "缺"
#: Coverage grid states: key -> what the grid prints.
COVERAGE = {"present": "有", "missing": "缺", "illustrative": "示例", "worked_back": "推算", "partial": "早期"}
COVERAGE_LEGEND = ("有\uff1a有本年数据\uff1b缺\uff1a没有数据\uff1b示例\uff1a数据来源注明“示例”\uff0c不得引用\uff1b"
                   "推算\uff1a增减所依据的上年数是由增速倒推的\uff1b早期\uff1a只有较早的累计时期\uff08如1-10月\uff09的数据")
#: Kinds a 全市 total is the sum of the units' values.
SUMMABLE = ("amount", "count")


@dataclass
class CityCell:
    """One unit × one indicator of the city table."""
    county: County
    figure: Figure | None           # of the column's period; None when the unit has none
    rank: int | None = None
    rank_text: str = ""
    rank_source: str = ""           # "computed" | "given" | ""
    status: str = "missing"         # a COVERAGE key
    other_period: str = ""          # the unit's own most complete period when it is not the column's

    @property
    def value_text(self) -> str:
        if self.figure is None:
            return MISSING + (f"\uff08仅{self.other_period}\uff09" if self.other_period else "")
        return value_in_unit(self.figure.indicator, self.figure.value) + ("*" if self.figure.qualifier else "")

    @property
    def change_text(self) -> str:
        return table_row(self.figure)["增减"] if self.figure is not None else ""


@dataclass
class CityColumn:
    """One key indicator across the units of the city."""
    indicator: Indicator
    period: str
    cells: list[CityCell]
    ranks: CityRanks
    total: Decimal | None = None
    total_prev: Decimal | None = None
    total_note: str = ""
    total_basis: str = ""                   # "given" (the data's 全市 figure) | "sum" (of every unit) | ""
    total_sources: list[SourceRow] = field(default_factory=list)     # the rows of a given total
    total_growth: Decimal | None = None     # a given total's reported growth (a share's: 百分点)
    total_qualifier: str = ""

    @property
    def id(self) -> str:
        return self.indicator.id

    @property
    def unit_label(self) -> str:
        ind = self.indicator
        return "名次" if ind.kind == "rank" else ("%" if ind.kind == "ratio" else ind.unit)

    @property
    def title(self) -> str:
        return self.indicator.name + ("" if self.period == "全年" else f"\uff08{self.period}\uff09")

    @property
    def total_text(self) -> str:
        if self.total is None:
            return ""
        return value_in_unit(self.indicator, self.total) + ("*" if self.total_qualifier else "")

    @property
    def total_change_text(self) -> str:
        """The 全市 row's change in the county reports' words: 增长8.28% (a reported growth first),
        提高0.22个百分点 (a share), 提升2位 (a rank)."""
        kind = self.indicator.kind
        if self.total is None:
            return ""
        if self.total_growth is not None:
            change = self.total_growth
        elif self.total_prev is None or (kind not in ("ratio", "rank") and self.total_prev == 0):
            return ""
        elif kind == "ratio":
            change = self.total - self.total_prev
        elif kind == "rank":
            change = self.total_prev - self.total
        else:
            change = (self.total - self.total_prev) / self.total_prev * HUNDRED
        text = fmt(abs(change), 0 if kind == "rank" else RATE_DECIMALS)
        if text == "0":
            return "持平"
        if kind == "ratio":
            return ("提高" if change > 0 else "降低") + text + RATIO_UNIT
        if kind == "rank":
            return ("提升" if change > 0 else "下降") + text + "位"
        return ("增长" if change > 0 else "下降") + text + "%"

    @property
    def total_basis_text(self) -> str:
        """Where the 全市 figure comes from, as figures.csv and the notes say it."""
        return {"given": "数据中的全市数", "sum": "各县（市、区）之和"}.get(self.total_basis, self.total_note)

    @property
    def complete(self) -> bool:
        return all(c.figure is not None for c in self.cells)

    @property
    def missing(self) -> list[CityCell]:
        return [c for c in self.cells if c.figure is None]

    def cell(self, slug: str) -> CityCell:
        return next(c for c in self.cells if c.county.slug == slug)


def value_in_unit(ind: Indicator, value: Decimal) -> str:
    """A value in the catalog's unit and decimals (one unit for the whole column; ranks as 第n位)."""
    if ind.kind == "rank":
        return f"第{fmt(value, 0)}位"
    return f"{round_half_up(value, ind.decimals):.{ind.decimals}f}"


@dataclass
class CityView:
    """The city's view for one year."""
    dataset: Dataset
    engine: FigureEngine
    city: str
    year: int
    units: list[County]
    columns: list[CityColumn]
    chart_ids: list[str]
    settings: CitySettings
    warnings: list[str] = field(default_factory=list)

    def column(self, ind_id: str) -> CityColumn:
        return next(c for c in self.columns if c.id == ind_id)

    @property
    def illustrative(self) -> bool:
        return any(c.figure is not None and c.figure.illustrative for col in self.columns for c in col.cells)

    def table(self, ind_id: str) -> pd.DataFrame:
        """One indicator's table as the document prints it: every unit, then 全市."""
        col = self.column(ind_id)
        rows = [{UNIT_COLUMN: c.county.name, "本年": c.value_text, "增减": c.change_text, "全市排名": c.rank_text}
                for c in col.cells]
        rows.append({UNIT_COLUMN: TOTAL, "本年": col.total_text or "—", "增减": col.total_change_text,
                     "全市排名": ""})
        return pd.DataFrame(rows)

    def coverage(self) -> pd.DataFrame:
        """Units × indicators: 有 / 缺 / 示例 / 推算 / 早期."""
        data = {col.indicator.name: [COVERAGE[c.status] for c in col.cells] for col in self.columns}
        return pd.DataFrame(data, index=[u.name for u in self.units])

    def published(self) -> dict:
        """Every printed cell of the view as records: each indicator's table and the coverage grid
        (what figures.json keeps and the guard compares)."""
        return {"tables": {col.id: self.table(col.id).to_dict("records") for col in self.columns},
                "coverage": self.coverage().reset_index(names=UNIT_COLUMN).to_dict("records")}

    def coverage_counts(self) -> dict[str, int]:
        counts = {k: 0 for k in COVERAGE}
        for col in self.columns:
            for c in col.cells:
                counts[c.status] += 1
        return counts

    def figures_frame(self) -> pd.DataFrame:
        """Every figure of the view with its sources down to file, sheet and row (figures.csv)."""
        records = []
        for col in self.columns:
            ind = col.indicator
            for c in col.cells:
                f = c.figure
                records.append({
                    "city": self.city, "year": self.year, "county": c.county.slug, "county_name": c.county.name,
                    "indicator": ind.id, "name": ind.name, "unit": col.unit_label, "period": col.period,
                    "value": "" if f is None else str(f.value), "value_text": c.value_text,
                    "prev_value": "" if f is None or f.prev_value is None else str(f.prev_value),
                    "change_text": c.change_text,
                    "growth": "" if f is None or f.growth is None else str(f.growth),
                    "growth_source": "" if f is None else f.growth_source,
                    "city_rank": "" if c.rank is None else c.rank, "rank_text": c.rank_text,
                    "rank_source": c.rank_source, "coverage": COVERAGE[c.status],
                    "illustrative": bool(f and f.illustrative),
                    "sources": "" if f is None else "; ".join(s.cite() for s in f.sources),
                })
            if col.total_basis == "given":
                total_sources = "; ".join(s.cite() for s in col.total_sources)
            elif col.total_basis == "sum":
                total_sources = (f"{'、'.join(c.county.name for c in col.cells)}之和:" + "; ".join(
                    s.cite() for c in col.cells for s in c.figure.sources if s.year == self.year))
            else:
                total_sources = ""
            records.append({
                "city": self.city, "year": self.year, "county": "", "county_name": TOTAL,
                "indicator": ind.id, "name": ind.name, "unit": col.unit_label, "period": col.period,
                "value": "" if col.total is None else str(col.total), "value_text": col.total_text,
                "prev_value": "" if col.total_prev is None else str(col.total_prev),
                "change_text": col.total_change_text, "growth": "", "growth_source": "",
                "city_rank": "", "rank_text": "", "rank_source": "", "coverage": col.total_basis_text,
                "illustrative": (any(s.illustrative for s in col.total_sources) if col.total_basis == "given" else
                                 any(c.figure is not None and c.figure.illustrative for c in col.cells)),
                "sources": total_sources,
            })
        return pd.DataFrame(records)

    def notes(self) -> list[str]:
        """What a reader of the tables must know: unranked columns, totals left out, published ranks."""
        out = []
        for col in self.columns:
            if col.ranks.ranks is None and col.indicator.kind != "rank" and col.ranks.with_value:
                have = [c.county.name for c in col.cells if c.figure is not None]
                if len(have) < len(col.missing):       # name the fewer: 只有平阳县有…
                    out.append(f"{col.title}\uff1a只有{'、'.join(have)}有{col.period}数据\uff0c未计算全市排名")
                else:
                    out.append(f"{col.title}\uff1a{len(col.missing)}个县\uff08市、区\uff09没有{col.period}数据"
                               f"\uff08{'、'.join(c.county.name for c in col.missing)}\uff09\uff0c未计算全市排名")
        same: dict[str, list[str]] = {}      # columns without a 全市 figure, grouped by why
        for col in self.columns:
            if col.total is None and col.total_note:
                same.setdefault(col.total_note, []).append(col.title)
        out += [f"{'、'.join(titles)}\uff1a{note}" for note, titles in same.items()]
        given = [col.title for col in self.columns if col.total_basis == "given"]
        summed = [col.title for col in self.columns if col.total_basis == "sum"]
        if given and summed:
            out.append(f"全市一行\uff1a{'、'.join(given)}为数据中的全市数\uff0c{'、'.join(summed)}为各县\uff08市、区\uff09之和")
        elif given:
            out.append("全市一行为数据中的全市数")
        return out + self.warnings


def _status(fig: Figure | None, other: str) -> str:
    if fig is None:
        return "partial" if other else "missing"
    if fig.illustrative:
        return "illustrative"
    if fig.change_basis == "推算":
        return "worked_back"
    return "present"


def cities(ds: Dataset) -> list[str]:
    """The registry's cities in registry order."""
    return list(dict.fromkeys(ds.county(s).city for s in ds.county_slugs))


def cities_with_data(ds: Dataset, year: int) -> list[str]:
    """Cities of which at least one unit has data for ``year`` (what ``CITY=all`` builds)."""
    have = set(ds.values.loc[ds.values.year == year, "county"]) if not ds.values.empty else set()
    return [c for c in cities(ds) if any(s in have for s in ds.counties_in_city(c))]


def check_city(ds: Dataset, city: str) -> str:
    """The city as registered, or ParameterError naming the registered cities."""
    known = cities(ds)
    if city not in known:
        near = [k for k in known if city and (city.rstrip("市") in k)]
        raise ParameterError(f"counties.csv 中没有登记“{city}”的县(市、区)"
                             + (f"(是不是:{'、'.join(near)})" if near else "")
                             + f"。已登记的市:{'、'.join(known)}", value=city,
                             hint="用 counties.csv 的 city 列中的写法,如 CITY=温州市")
    return city


def check_highlight(ds: Dataset, city: str, county: str) -> str:
    """The county to highlight: registered and of this city, or ParameterError naming the city's units."""
    if not county:
        return ""
    units = ds.counties_in_city(city)
    if county not in units:
        listed = "、".join(f"{s}({ds.county(s).name})" for s in units)
        where = f"属于{ds.county(county).city}," if county in ds.county_slugs else "未登记,"
        raise ParameterError(f"COUNTY=“{county}”{where}不是{city}的县(市、区)。{city}的县区代码:{listed}",
                             value=county, hint=f"COUNTY 写{city}的县区代码,或去掉 COUNTY")
    return county


def column_period(engine: FigureEngine, year: int, ind: Indicator, slugs: list[str]) -> str:
    """The period a column compares: the one most units have a value of (so that, when every unit
    has it, the column is ranked as the county reports rank), the most complete among equals."""
    ds = engine.ds
    ids = [ind.id] + [i for i in (ind.numerator, ind.denominator) if i]
    candidates = {p for s in slugs for i in ids for p in ds.rows(s, year, i).period}
    if not candidates:
        return "全年"

    def have(p):
        return sum(1 for s in slugs if (g := engine.resolve(s, year, ind.id, p)) is not None and g.period == p)
    return max(sorted(candidates), key=lambda p: (have(p), period_months(p)))


def _column(engine: FigureEngine, city: str, year: int, ind: Indicator, units: list[County]) -> CityColumn:
    own = {u.slug: engine.resolve(u.slug, year, ind.id) for u in units}
    period = column_period(engine, year, ind, [u.slug for u in units])
    ranks = engine.city_ranks(city, year, ind.id, period)
    cells = []
    for u in units:
        fig = engine.figure(u.slug, year, ind.id, period)
        other = own[u.slug].period if fig is None and own[u.slug] is not None else ""
        cell = CityCell(u, fig, status=_status(fig, other), other_period=other)
        if ranks.ranks is not None and u.slug in ranks.ranks:
            cell.rank, cell.rank_text, cell.rank_source = ranks.ranks[u.slug], ranks.text(u.slug), "computed"
        elif fig is not None and fig.rank_source == "given" and fig.city_rank is not None:
            cell.rank, cell.rank_source = fig.city_rank, "given"
            cell.rank_text = rank_text(fig.city_rank) + "\uff08公布\uff09"
        cells.append(cell)
    col = CityColumn(ind, period, cells, ranks)
    summed = None
    if ind.kind not in SUMMABLE:
        col.total_note = "数据中没有全市数\uff0c比重、指数和排名类指标不加总"
    elif not col.complete:
        col.total_note = f"数据中没有全市数\uff0c有{len(col.missing)}个县\uff08市、区\uff09缺数据\uff0c不计算全市合计"
    elif any(c.figure.qualifier for c in cells):
        col.total_note = "数据中没有全市数\uff0c有县\uff08市、区\uff09的数是约数或下限\uff0c不计算全市合计"
    else:
        summed = sum((c.figure.value for c in cells), Decimal(0))
    given = _given_total(engine.ds, city, year, ind.id, period)
    if given is not None:
        col.total, col.total_basis, col.total_qualifier = given["value"], "given", given["qualifier"]
        growth = given["reported_growth"]
        col.total_growth = growth if isinstance(growth, Decimal) else None
        col.total_sources = [_source_row(given)]
        prev = _given_total(engine.ds, city, year - 1, ind.id, period)
        if prev is not None:
            col.total_prev = prev["value"]
            if col.total_growth is None:
                col.total_sources.append(_source_row(prev))
        col.total_note = ""
    elif summed is not None:
        col.total, col.total_basis = summed, "sum"
        if all(c.figure.prev_value is not None for c in cells):
            col.total_prev = sum((c.figure.prev_value for c in cells), Decimal(0))
    return col


def _given_total(ds: Dataset, city: str, year: int, ind_id: str, period: str) -> dict | None:
    """The city's own figure (the data's 全市) of one indicator, year and period, or None."""
    rows = ds.city_rows(city, year, ind_id)
    rows = rows[rows.period == period]
    return None if rows.empty else rows.iloc[0].to_dict()


def _source_row(rec: dict) -> SourceRow:
    return SourceRow(rec["file"], int(rec["row"]), rec["source"], bool(rec["illustrative"]), rec["city"],
                     int(rec["year"]), rec["indicator"], rec["period"], rec["sheet"] or "", rec["cell"] or "")


def _total_warnings(col: CityColumn) -> list[str]:
    """A data total and the complete sum of the units that differ beyond rounding (the data's is printed)."""
    if col.total_basis != "given" or not col.complete or col.indicator.kind not in SUMMABLE:
        return []
    if any(c.figure.qualifier for c in col.cells) or col.total_qualifier:
        return []
    summed = sum((c.figure.value for c in col.cells), Decimal(0))
    values = [c.figure.value for c in col.cells] + [col.total]
    slack = Decimal(0) if col.indicator.exact else sum(
        (Decimal(1).scaleb(v.as_tuple().exponent) / 2 for v in values), Decimal(0))
    if abs(summed - col.total) <= slack:
        return []
    ind = col.indicator
    return [f"{col.title}\uff1a数据中的全市数{value_in_unit(ind, col.total)}{ind.unit}"
            f"\uff08{col.total_sources[0].cite()}\uff09与各县\uff08市、区\uff09之和{value_in_unit(ind, summed)}{ind.unit}"
            f"相差{value_in_unit(ind, abs(summed - col.total))}{ind.unit}\uff0c超出四舍五入误差\uff1b汇总中印数据中的全市数\uff0c请核对"]


def _given_rank_warnings(col: CityColumn) -> list[str]:
    out = []
    for c in col.cells:
        f = c.figure
        if f is not None and c.rank_source == "computed" and f.rank_source == "given" and f.city_rank != c.rank:
            out.append(f"{c.county.name}{col.title}\uff1a数据中填写的全市排名第{f.city_rank}与按全市数据计算的"
                       f"{c.rank_text}不一致\uff08县区报告用填写的排名\uff09\uff0c请核对")
    return out


def compute_city_view(city: str, year: int, *, data_dir: Path | None = None,
                      dataset: Dataset | None = None, settings: CitySettings | None = None) -> CityView:
    """Load data/ (unless given) and compute the city's view for ``year``."""
    from ..inputs import data as data_mod
    ds = dataset or data_mod.load(data_dir)
    check_city(ds, city)
    year = int(year)
    units = [ds.county(s) for s in ds.counties_in_city(city)]
    settings = settings or read_settings(city, ds.indicator_ids, ds.root)
    engine = FigureEngine(ds)
    slugs = [u.slug for u in units]
    if settings.indicators is not None:
        wanted = list(settings.indicators)
    else:
        wanted = [i for i in ds.indicator_ids if any(engine.resolve(s, year, i) is not None for s in slugs)]
    if not any(year in ds.years(s) for s in slugs):
        raise NoDataError(f"{city}的县(市、区)都没有 {year} 年的指标数据", year=year,
                          file=ds.root / "values", hint="在 values 文件夹的表格中加入数据,或换一个年份")
    columns = [_column(engine, city, year, ds.indicator(i), units) for i in wanted]
    if settings.charts is not None:
        chart_ids = [i for i in settings.charts]
        missing = [i for i in chart_ids if i not in wanted]
        columns += [_column(engine, city, year, ds.indicator(i), units) for i in missing]
    else:
        chart_ids = [c.id for c in columns if c.complete and c.indicator.kind != "rank"]
    view = CityView(ds, engine, city, year, units, columns, chart_ids, settings)
    for col in columns:
        view.warnings += _given_rank_warnings(col) + _total_warnings(col)
    return view


__all__ = ["CityView", "CityColumn", "CityCell", "compute_city_view", "cities", "cities_with_data", "COVERAGE",
           "SourceRow"]
