"""The figure engine: from validated data rows to every number of a county-year, with its inputs."""
from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

import pandas as pd

from ..inputs.data import FULL_YEAR, Dataset, Indicator, is_worked_back, period_months
from ..exceptions import MissingIndicatorError, PlausibilityError
from ..numbers import HUNDRED, fmt, format_quantity, half_unit

#: Decimals of computed rates: growth %, 百分点 changes, completion %.
RATE_DECIMALS = 2


def quantity_parts(ind: Indicator, value: Decimal, decimals: int | None = None) -> tuple[str, str]:
    """(number, unit) of a value of this indicator as printed: rounded once, half up,
    to the catalog's decimals, and amounts scaled as people write them (9368万元)."""
    d = ind.decimals if decimals is None else decimals
    if ind.kind == "ratio":
        return fmt(value, d), "%"
    if ind.kind == "rank":
        return fmt(value, 0), ""
    return format_quantity(value, ind.unit, d, scale=ind.kind == "amount" or ind.unit in ("人", "平方米"))


def quantity_text(ind: Indicator, value: Decimal | None) -> str:
    if value is None:
        return ""
    num, unit = quantity_parts(ind, value)
    return num + unit


@dataclass(frozen=True)
class SourceRow:
    """One data row a figure was computed from."""
    file: str
    row: int
    source: str
    illustrative: bool
    county: str
    year: int
    indicator: str
    period: str

    sheet: str = ""
    cell: str = ""          # "第1张表 D7": a statistics table read in place

    def cite(self) -> str:
        if self.cell:
            return f"{self.source}({Path(self.file).name} {self.cell})"
        where = Path(self.file).name + (f" 工作表“{self.sheet}”" if self.sheet else "")
        return f"{self.source}({where} 第 {self.row} 行)"


@dataclass
class Figure:
    """Every number of one indicator for one county-year, and where each came from."""
    county: str
    year: int
    indicator: Indicator
    period: str
    value: Decimal
    qualifier: str = ""
    computed_from: str = ""  # "numerator/denominator" when the value itself is computed
    prev_value: Decimal | None = None
    change: Decimal | None = None          # absolute change (catalog unit; 百分点 for ratios; places for ranks)
    growth: Decimal | None = None          # % change; for ratios None
    growth_source: str = ""                # "reported" | "computed" | ""
    target: Decimal | None = None
    completion: Decimal | None = None      # % of target
    completion_source: str = ""
    city_rank: int | None = None
    province_rank: int | None = None
    rank_source: str = ""                  # "given" | "computed"
    sources: list[SourceRow] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    # -- identity -------------------------------------------------------
    @property
    def id(self) -> str:
        return self.indicator.id

    @property
    def name(self) -> str:
        return self.indicator.name

    @property
    def kind(self) -> str:
        return self.indicator.kind

    @property
    def cumulative(self) -> bool:
        return self.period != FULL_YEAR

    @property
    def illustrative(self) -> bool:
        return any(s.illustrative for s in self.sources)

    @property
    def change_basis(self) -> str:
        """'示例' or '推算' when a change computed here (not reported) rests on a last-year row that
        was invented for illustration or worked back from a rate; '' otherwise."""
        if self.prev_value is None or self.change is None or self.growth_source == "reported":
            return ""
        prev = [s for s in self.sources if s.year == self.year - 1]
        if any(s.illustrative for s in prev):
            return "示例"
        if any(is_worked_back(s.source) for s in prev):
            return "推算"
        return ""

    # -- printed forms (the one place each number is rounded) ----------
    @property
    def value_parts(self) -> tuple[str, str]:
        """(number, unit) as printed: scaled and rounded half up to the catalog's decimals."""
        return quantity_parts(self.indicator, self.value)

    @property
    def value_text(self) -> str:
        return "".join(self.value_parts)

    @property
    def prev_text(self) -> str:
        return quantity_text(self.indicator, self.prev_value)

    @property
    def growth_text(self) -> str:
        return "" if self.growth is None else fmt(self.growth, RATE_DECIMALS)

    @property
    def change_text(self) -> str:
        """Absolute change as printed (百分点 for ratios, places for ranks, units otherwise)."""
        if self.change is None:
            return ""
        if self.kind == "ratio":
            return fmt(abs(self.change), RATE_DECIMALS)
        return quantity_text(self.indicator, abs(self.change))

    @property
    def completion_text(self) -> str:
        return "" if self.completion is None else fmt(self.completion, RATE_DECIMALS)

    @property
    def target_text(self) -> str:
        return quantity_text(self.indicator, self.target)

    def as_record(self) -> dict:
        return {
            "county": self.county, "year": self.year, "indicator": self.id, "name": self.name,
            "kind": self.kind, "unit": self.indicator.unit, "period": self.period,
            "value": self.value, "value_text": self.value_text, "qualifier": self.qualifier,
            "prev_value": self.prev_value, "prev_text": self.prev_text,
            "change": self.change, "change_text": self.change_text,
            "growth": self.growth, "growth_text": self.growth_text, "growth_source": self.growth_source,
            "target": self.target, "target_text": self.target_text,
            "completion": self.completion, "completion_text": self.completion_text,
            "completion_source": self.completion_source,
            "city_rank": self.city_rank, "province_rank": self.province_rank,
            "rank_source": self.rank_source, "computed_from": self.computed_from,
            "illustrative": self.illustrative,
            "sources": "; ".join(s.cite() for s in self.sources),
            "warnings": "; ".join(self.warnings),
        }


@dataclass
class NextTarget:
    """A next-year target stated in the 工作思路 part, with this year's value beside it."""
    county: str
    year: int                 # the year the target is for
    indicator: Indicator
    type: str                 # "level" | "growth"
    target: Decimal
    prefix: str = ""
    suffix: str = ""
    current: Figure | None = None
    sources: list[SourceRow] = field(default_factory=list)

    @property
    def target_parts(self) -> tuple[str, str]:
        if self.type == "growth":
            return fmt(self.target, RATE_DECIMALS), "%"
        return quantity_parts(self.indicator, self.target)

    @property
    def target_text(self) -> str:
        return "".join(self.target_parts)

    @property
    def required_growth(self) -> Decimal | None:
        """Growth over this year's full-year value needed to reach a level target (%)."""
        if self.type != "level" or self.current is None or self.indicator.kind in ("ratio", "rank"):
            return None
        if self.current.cumulative or self.current.value == 0:
            return None
        return (self.target - self.current.value) / self.current.value * HUNDRED

    @property
    def illustrative(self) -> bool:
        return any(s.illustrative for s in self.sources)

    def as_record(self) -> dict:
        rg = self.required_growth
        return {"county": self.county, "year": self.year, "indicator": self.indicator.id,
                "name": self.indicator.name, "type": self.type, "target": self.target,
                "target_text": self.target_text, "prefix": self.prefix, "suffix": self.suffix,
                "current_text": self.current.value_text if self.current else "",
                "required_growth_text": "" if rg is None else fmt(rg, RATE_DECIMALS),
                "sources": "; ".join(s.cite() for s in self.sources)}


def competition_ranks(values: dict[str, Decimal], higher_is_better: bool = True) -> dict[str, int]:
    """Places as statistics bureaus give them: one more than the number of strictly better values,
    so equal values share a place and the next place is skipped (1, 2, 2, 4)."""
    others = list(values.values())
    return {key: 1 + sum(1 for o in others if (o > v if higher_is_better else o < v))
            for key, v in values.items()}


def rank_text(rank: int | None, tied: bool = False) -> str:
    """'第2', or '并列第2' when another unit has the same place; '' without a rank."""
    if rank is None:
        return ""
    return f"{'并列' if tied else ''}第{rank}"


@dataclass
class CityRanks:
    """The computed city ranks of one indicator-period: ``ranks`` None when not every unit has a value."""
    ranks: dict[str, int] | None
    units: int
    with_value: int
    reason: str = ""

    def tied(self, slug: str) -> bool:
        if not self.ranks or slug not in self.ranks:
            return False
        return sum(1 for r in self.ranks.values() if r == self.ranks[slug]) > 1

    def text(self, slug: str) -> str:
        return rank_text((self.ranks or {}).get(slug), self.tied(slug))


# ------------------------------------------------------------------ engine

@dataclass
class Resolved:
    """An indicator's value for a county-year, with the rows it comes from."""
    value: Decimal
    period: str
    row: object                    # the data row (None when computed from numerator/denominator)
    sources: list[SourceRow]
    computed_from: str = ""        # "numerator/denominator" when computed


def _source(row) -> SourceRow:
    return SourceRow(file=row["file"], row=int(row["row"]), source=row["source"],
                     illustrative=bool(row["illustrative"]), county=row["county"],
                     year=int(row["year"]), indicator=row["indicator"], period=row["period"],
                     sheet=row.get("sheet", "") or "", cell=row.get("cell", "") or "")


def _none(v):
    return None if v is None or (isinstance(v, float) and pd.isna(v)) else v


class FigureEngine:
    """Computes figures for county-years of one Dataset."""

    def __init__(self, ds: Dataset):
        self.ds = ds
        # a Dataset does not change: each value resolved and each city's ranks computed once
        # (a city's ranks are asked for by every one of its units)
        self._resolved: dict[tuple, Resolved | None] = {}
        self._city_ranks: dict[tuple, CityRanks] = {}

    # -- raw value resolution --------------------------------------------
    def _row(self, county: str, year: int, ind: str, period: str | None = None):
        rows = self.ds.rows(county, year, ind)
        if period is not None:
            rows = rows[rows.period == period]
        if rows.empty:
            return None
        # the most complete period: 全年 over 1-11月 over 1-10月 …
        return rows.loc[rows.period.map(period_months).idxmax()]

    def resolve(self, county: str, year: int, ind_id: str, period: str | None = None) -> "Resolved | None":
        """The value of an indicator for a county-year (None when there is no data).

        A ratio with numerator/denominator in the catalog is computed from them when its own
        row is missing (a share: 占比 = 分子 ÷ 分母 × 100)."""
        key = (county, year, ind_id, period)
        if key not in self._resolved:
            self._resolved[key] = self._resolve(county, year, ind_id, period)
        return self._resolved[key]

    def _resolve(self, county: str, year: int, ind_id: str, period: str | None) -> "Resolved | None":
        ind = self.ds.indicator(ind_id)
        row = self._row(county, year, ind_id, period)
        if row is not None:
            return Resolved(_none(row["value"]), row["period"], row, [_source(row)])
        if ind.numerator:
            num = self._row(county, year, ind.numerator, period)
            if num is not None:
                den = self._row(county, year, ind.denominator, num["period"])
                if den is not None and _none(den["value"]) and den["value"] != 0:
                    share = num["value"] / den["value"] * HUNDRED
                    _check_share(ind, share, num, den, self.ds)
                    return Resolved(share, num["period"], None,
                                    [_source(num), _source(den)], f"{ind.numerator}/{ind.denominator}")
        return None

    # -- one figure --------------------------------------------------------
    def figure(self, county: str, year: int, ind_id: str, period: str | None = None) -> Figure | None:
        """The figure of an indicator for a county-year: of its most complete period, or of
        ``period`` (None when there is no value of it)."""
        ind = self.ds.indicator(ind_id)
        got = self.resolve(county, year, ind_id, period)
        if got is None:
            return None
        row = got.row
        fig = Figure(county=county, year=year, indicator=ind, period=got.period, value=got.value,
                     computed_from=got.computed_from, sources=list(got.sources))
        if row is not None:
            fig.qualifier = row["qualifier"]
        prev = self.resolve(county, year - 1, ind_id, got.period)
        if prev is not None:
            fig.prev_value = prev.value
            fig.sources.extend(prev.sources)
        self._changes(fig, row)
        if row is not None:
            self._completion(fig, row)
            self._ranks(fig, row)
        if fig.city_rank is None:
            self._computed_city_rank(fig)
        return fig

    def _changes(self, fig: Figure, row) -> None:
        ind, v, p = fig.indicator, fig.value, fig.prev_value
        reported = _none(row["reported_growth"]) if row is not None else None
        if p is not None:
            fig.change = (p - v) if ind.kind == "rank" else (v - p)
        if ind.kind in ("ratio", "rank"):
            # a change of a rate is in 百分点 (ratios) or places (ranks), never a % of a %
            interval = (lambda: _interval_diff(v, p, ind)) if ind.kind == "ratio" else None
            fig.change, fig.growth_source = _settle(fig, reported, fig.change, interval, "报送的变化", " 个百分点")
            return
        if fig.qualifier and reported is None:
            # "超过23亿元" is a bound, not a value: no change can be computed from it
            fig.change = None
            return
        computed = (v - p) / p * HUNDRED if p is not None and p != 0 else None
        fig.growth, fig.growth_source = _settle(fig, reported, computed, lambda: _interval_growth(v, p, ind),
                                                "报送增速", "% ", "(可比口径)")

    def _completion(self, fig: Figure, row) -> None:
        target = _none(row["target"])
        fig.target = target
        computed = None
        if target is not None and target != 0 and fig.kind != "rank":
            computed = fig.value / target * HUNDRED

        def interval():
            h = Decimal(0) if fig.indicator.exact else half_unit(fig.value)
            return (fig.value - h) / target * HUNDRED, (fig.value + h) / target * HUNDRED
        fig.completion, fig.completion_source = _settle(fig, _none(row["reported_completion"]), computed, interval,
                                                        "报送的完成率", "% ")

    def _ranks(self, fig: Figure, row) -> None:
        for col in ("city_rank", "province_rank"):
            v = _none(row[col])
            if v is not None:
                setattr(fig, col, int(v))
                fig.rank_source = "given"

    def _computed_city_rank(self, fig: Figure) -> None:
        """Rank among every county-level unit of the city, computed only when all of them have a
        value of the same period; when only some have one, no rank — and a warning says why."""
        if fig.kind == "rank":
            return
        city = self.ds.county(fig.county).city
        got = self.city_ranks(city, fig.year, fig.id, fig.period)
        if got.ranks is None:
            if got.reason:
                fig.warnings.append(got.reason)
            return
        fig.city_rank = got.ranks[fig.county]
        fig.rank_source = "computed"

    def city_values(self, city: str, year: int, ind_id: str, period: str) -> dict[str, Resolved]:
        """Each unit of the city that has a value of exactly this period: {slug: Resolved}."""
        out = {}
        for slug in self.ds.counties_in_city(city):
            got = self.resolve(slug, year, ind_id, period)
            if got is not None and got.period == period:
                out[slug] = got
        return out

    def city_ranks(self, city: str, year: int, ind_id: str, period: str) -> "CityRanks":
        """The one rule for a computed 全市排名 (county reports and the city view both use it):
        every unit of the city must have a value of the same period; ties share the better place
        and the next place is skipped (1, 2, 2, 4: 并列第2), as statistics bureaus rank."""
        key = (city, year, ind_id, period)
        if key not in self._city_ranks:
            self._city_ranks[key] = self._rank_city(city, year, ind_id, period)
        return self._city_ranks[key]

    def _rank_city(self, city: str, year: int, ind_id: str, period: str) -> "CityRanks":
        ind = self.ds.indicator(ind_id)
        peers = self.ds.counties_in_city(city)
        if ind.kind == "rank" or len(peers) < 2:
            return CityRanks(None, len(peers), 0)
        values = {slug: got.value for slug, got in self.city_values(city, year, ind_id, period).items()}
        if len(values) < len(peers):
            reason = ""
            if len(values) >= 2:
                reason = (f"未计算全市排名:{city} {len(peers)} 个县(市、区)中只有 {len(values)} 个有"
                          f"{period}的数据(排名须与全市比较;可在 city_rank 列填写公布的排名)")
            return CityRanks(None, len(peers), len(values), reason)
        return CityRanks(competition_ranks(values, ind.higher_is_better), len(peers), len(values))

    # -- a county-year ------------------------------------------------------
    def figures(self, county: str, year: int, indicators: list[str] | None = None,
                *, required_file=None) -> list[Figure]:
        """Figures of a county-year: the listed indicators (all required, in that order), or
        every indicator that has data, in catalog order."""
        self.ds.require_year(county, year)
        if indicators is None:
            have = set(self.ds.rows(county, year).indicator)
            indicators = [i for i in self.ds.indicator_ids
                          if i in have or (self.ds.indicator(i).numerator
                                           and self.resolve(county, year, i) is not None)]
        out = []
        for ind_id in indicators:
            fig = self.figure(county, year, ind_id)
            if fig is None:
                ind = self.ds.indicator(ind_id)
                c = self.ds.county(county)
                raise MissingIndicatorError(
                    f"{c.name} {year} 年缺少报告必需的指标“{ind.name}”({ind_id})",
                    county=county, year=year, indicator=ind_id, file=required_file,
                    column="indicators",
                    hint=f"在 values 表中补上 {county},{year},{ind_id} 这一行,或从报告的指标清单中删去它")
            out.append(fig)
        return out

    def trend(self, county: str, ind_id: str, years: list[int] | None = None,
              period: str = FULL_YEAR) -> list[tuple[int, Decimal, bool]]:
        """(year, value, illustrative) for the years that have a value of that period."""
        out = []
        all_years = years or self.ds.years(county)
        for y in all_years:
            got = self.resolve(county, y, ind_id, period)
            if got is not None:
                out.append((y, got.value, any(s.illustrative for s in got.sources)))
        return out

    def next_targets(self, county: str, year: int, current: list[Figure] | None = None) -> list[NextTarget]:
        """Targets stated for year+1, beside this year's figures."""
        t = self.ds.targets
        rows = t[(t.county == county) & (t.year == year + 1)]
        by_id = {f.id: f for f in (current or [])}
        out = []
        for _, row in rows.iterrows():
            ind = self.ds.indicator(row["indicator"])
            cur = by_id.get(ind.id) or self.figure(county, year, ind.id)
            src = SourceRow(file=row["file"], row=int(row["row"]), source=row["source"], sheet=row.get("sheet", "") or "",
                            illustrative=bool(row["illustrative"]), county=county,
                            year=int(row["year"]), indicator=ind.id, period=FULL_YEAR)
            out.append(NextTarget(county=county, year=year + 1, indicator=ind, type=row["type"],
                                  target=row["target"], prefix=row["prefix"], suffix=row["suffix"],
                                  current=cur, sources=[src]))
        return out


def _check_share(ind, share: Decimal, num, den, ds) -> None:
    """A share computed from two rows must be plausible (a numerator in 万元 over a denominator in
    亿元 gives 1203%): refused at the numerator's row, naming both."""
    lo, hi = ind.bounds
    if (lo is not None and share < lo) or (hi is not None and share > hi):
        n, d = ds.indicator(ind.numerator), ds.indicator(ind.denominator)
        raise PlausibilityError(
            f"“{ind.name}”按 {n.name}({num['value']}{n.unit})÷ {d.name}({den['value']}{d.unit})算得 "
            f"{fmt(share, 2)}%,超出合理范围 {lo}~{hi}%", file=num["file"], sheet=num.get("sheet") or None,
            row=int(num["row"]), column="value", indicator=ind.id, county=num["county"], year=int(num["year"]),
            hint=f"核对这一行和 {Path(den['file']).name} 第 {int(den['row'])} 行的数值与单位")


def _interval_growth(v: Decimal, p: Decimal, ind: Indicator) -> tuple[Decimal, Decimal]:
    """Range of growth % consistent with v and p as rounded figures."""
    hv = Decimal(0) if ind.exact else half_unit(v)
    hp = Decimal(0) if ind.exact else half_unit(p)
    lo = ((v - hv) / (p + hp) - 1) * HUNDRED
    hi = ((v + hv) / (p - hp) - 1) * HUNDRED if p - hp > 0 else Decimal("Infinity")
    return lo, hi


def _interval_diff(v: Decimal, p: Decimal, ind: Indicator) -> tuple[Decimal, Decimal]:
    h = half_unit(v) + half_unit(p)
    d = v - p
    return d - h, d + h


def _settle(fig: Figure, reported: Decimal | None, computed: Decimal | None, interval, label: str, unit: str,
            basis: str = "") -> tuple[Decimal | None, str]:
    """A rate and where it came from: the reported one when there is one — with a warning when
    the one computed from the data lies outside what the reported one's rounding allows
    (``interval`` gives the computed range; None: not comparable) — else the computed one."""
    if reported is not None:
        if computed is not None and interval is not None and not _overlaps(reported, *interval()):
            fig.warnings.append(f"{label} {fmt(reported, RATE_DECIMALS)}{unit}与按数据计算的 "
                                f"{fmt(computed, RATE_DECIMALS)}{unit}不一致(超出四舍五入误差),以报送值{basis}为准")
        return reported, "reported"
    return computed, "computed" if computed is not None else ""


def _overlaps(reported: Decimal, lo: Decimal, hi: Decimal) -> bool:
    """Does the reported (rounded) rate fit the computed range [lo, hi]?"""
    h = half_unit(reported)
    return reported + h >= lo and reported - h <= hi


def figures_table(figs: list[Figure]) -> pd.DataFrame:
    """The figures table later steps consume (one row per indicator)."""
    return pd.DataFrame([f.as_record() for f in figs])


def uses_illustrative(figs: list[Figure], targets: list[NextTarget] = ()) -> bool:
    """Whether any figure (or target) of a county-year rests on an illustrative (示例) row."""
    return any(f.illustrative for f in figs) or any(t.illustrative for t in targets)
