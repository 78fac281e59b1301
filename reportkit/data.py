"""Load and validate data/ into typed tables: counties, the indicator catalog, values, targets."""
from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import pandas as pd

from . import config
from .exceptions import (DataError, DuplicateRowError, FileReadError, NegativeValueError,
                         NoDataError, UnitMismatchError, UnknownCountyError,
                         UnknownIndicatorError, ValueFormatError)
from .numbers import convert, convertible, parse_decimal
from .tables import FILE, ROW, find_table, list_tables, read_table

from .schema import (ALIASES, COUNTY_COLS, ESTIMATE, FULL_YEAR, ILLUSTRATIVE_MARK, ID_RE, INDICATOR_COLS,
                     INDICATOR_OPT, KINDS, NO, PERIOD_RE, QUALIFIERS_AFTER, QUALIFIERS_BEFORE,
                     SLUG_RE, TARGET_COLS, TARGET_OPT, TARGET_TYPES, VALUE_COLS, VALUE_OPT, YES)


def _read(path: Path, required, optional=()) -> pd.DataFrame:
    return read_table(path, required, optional, ALIASES)


def _number(row, col, *, indicator=None, county=None, year=None, allow_negative=True,
            integer=False, required=False) -> Decimal | None:
    text = row[col]
    try:
        value = parse_decimal(text)
    except ValueError:
        raise ValueFormatError(f"“{text}”不是数字", file=row[FILE], row=row[ROW], column=col,
                               indicator=indicator, county=county, year=year,
                               hint="只填数字(不带单位、百分号或文字),如 15.44;单位写在“unit”列") from None
    if value is None:
        if required:
            raise ValueFormatError("不能为空", file=row[FILE], row=row[ROW], column=col,
                                   indicator=indicator, county=county, year=year,
                                   hint="填写数值,或删除这一行")
        return None
    if not allow_negative and value < 0:
        raise NegativeValueError(f"数值 {text} 为负数,这一指标不可能为负", file=row[FILE],
                                 row=row[ROW], column=col, indicator=indicator, county=county,
                                 year=year, hint="检查正负号(增速写在“reported_growth”列)")
    if integer and value != value.to_integral_value():
        raise ValueFormatError(f"“{text}”应为整数", file=row[FILE], row=row[ROW], column=col,
                               indicator=indicator, county=county, year=year, hint="填写整数")
    return value


def _year(row, col="year") -> int:
    text = row[col]
    if not re.fullmatch(r"\d{4}", text) or not 1949 <= int(text) <= 2100:
        raise ValueFormatError(f"年份“{text}”无效", file=row[FILE], row=row[ROW], column=col,
                               hint="填写四位年份,如 2024")
    return int(text)


def normalize_period(text: str) -> str:
    s = (text or "").strip()
    for dash in ("—", "–", "－", "~", "至", "—"):
        s = s.replace(dash, "-")
    s = s.replace(" ", "")
    if s in ("", FULL_YEAR, "1-12月", "年度"):
        return FULL_YEAR
    m = PERIOD_RE.match(s)
    if not m or not 1 <= int(m.group(1)) <= 11:
        raise ValueError(text)
    return s


def period_months(period: str) -> int:
    """How many months a period covers (全年 = 12); used to pick the most complete one."""
    return 12 if period == FULL_YEAR else int(PERIOD_RE.match(period).group(1))


def is_illustrative(source: str) -> bool:
    return ILLUSTRATIVE_MARK in (source or "")


@dataclass(frozen=True)
class County:
    slug: str
    name: str
    kind: str
    city: str
    province: str
    bureau: str


@dataclass(frozen=True)
class Indicator:
    id: str
    name: str
    unit: str
    kind: str
    decimals: int
    higher_is_better: bool
    verb: str = ""
    numerator: str = ""
    denominator: str = ""
    note: str = ""

    @property
    def exact(self) -> bool:
        """Counts and ranks are exact integers; other values carry rounding."""
        return self.kind in ("count", "rank")


class Dataset:
    """All of data/, validated. Tables are pandas DataFrames with Decimal value columns."""

    def __init__(self, root: Path, counties: pd.DataFrame, indicators: pd.DataFrame,
                 values: pd.DataFrame, targets: pd.DataFrame):
        self.root = Path(root)
        self.counties = counties
        self.indicators = indicators
        self.values = values
        self.targets = targets
        self._county = {r.slug: County(**{k: getattr(r, k) for k in COUNTY_COLS})
                        for r in counties.itertuples()}
        self._indicator = {r.id: Indicator(**{k: getattr(r, k) for k in INDICATOR_COLS + INDICATOR_OPT})
                           for r in indicators.itertuples()}
        # (county, year, indicator) -> row positions: the engine looks rows up thousands of times
        self._rows = {} if values.empty else values.groupby(["county", "year", "indicator"]).indices

    # -- lookups -------------------------------------------------------
    def county(self, slug: str) -> County:
        if slug not in self._county:
            known = "、".join(f"{c.slug}({c.name})" for c in self._county.values())
            raise UnknownCountyError(f"未知的县区“{slug}”。已登记的县区:{known}", county=slug,
                                     file=self.root / f"{config.COUNTIES_STEM}.csv",
                                     hint="检查拼写,或在 counties.csv 中登记这个县区")
        return self._county[slug]

    def indicator(self, ind_id: str) -> Indicator:
        if ind_id not in self._indicator:
            raise UnknownIndicatorError(f"未知的指标代码“{ind_id}”", indicator=ind_id,
                                        file=self.root / f"{config.INDICATORS_STEM}.csv",
                                        hint="使用 indicators.csv 中的指标代码,或先在目录中新增该指标")
        return self._indicator[ind_id]

    @property
    def county_slugs(self) -> list[str]:
        return list(self._county)

    @property
    def indicator_ids(self) -> list[str]:
        return list(self._indicator)

    def years(self, county: str) -> list[int]:
        return sorted(set(self.values.loc[self.values.county == county, "year"]))

    def require_year(self, county: str, year: int) -> None:
        c = self.county(county)
        years = self.years(county)
        if year not in years:
            have = "、".join(map(str, years)) or "无"
            raise NoDataError(f"{c.name}({county})没有 {year} 年的指标数据(已有年份:{have})",
                              county=county, year=year, file=self.root / config.VALUES_DIRNAME,
                              hint=f"在 values 文件夹的表格中加入 {year} 年的数据,或换一个年份")

    def rows(self, county: str, year: int, indicator: str | None = None) -> pd.DataFrame:
        if indicator is None:
            v = self.values
            return v[(v.county == county) & (v.year == year)]
        positions = self._rows.get((county, year, indicator))
        return self.values.iloc[positions if positions is not None else []]

    def counties_in_city(self, city: str) -> list[str]:
        return [c.slug for c in self._county.values() if c.city == city]


def _load_counties(path: Path) -> pd.DataFrame:
    df = _read(path, COUNTY_COLS)
    seen: dict[str, int] = {}
    for _, row in df.iterrows():
        slug = row["slug"]
        if not SLUG_RE.match(slug):
            raise ValueFormatError(f"县区代码“{slug}”无效", file=path, row=row[ROW], column="slug",
                                   hint="用小写拼音字母、数字或连字符,如 xinchang")
        if slug in seen:
            raise DuplicateRowError(f"县区代码“{slug}”重复(第 {seen[slug]} 行已有)", file=path,
                                    row=row[ROW], column="slug", county=slug, hint="删除重复的一行")
        seen[slug] = row[ROW]
        if row["kind"] not in ("县", "区", "市"):
            raise ValueFormatError(f"类型“{row['kind']}”无效", file=path, row=row[ROW], column="kind",
                                   county=slug, hint="填写 县、区 或 市")
        for col in ("name", "city", "bureau"):
            if not row[col]:
                raise ValueFormatError("不能为空", file=path, row=row[ROW], column=col, county=slug,
                                       hint=f"填写{col}")
    return df


def _load_indicators(path: Path) -> pd.DataFrame:
    df = _read(path, INDICATOR_COLS, INDICATOR_OPT)
    seen: dict[str, int] = {}
    kinds, decimals, hib = [], [], []
    for _, row in df.iterrows():
        ind = row["id"]
        if not ID_RE.match(ind):
            raise ValueFormatError(f"指标代码“{ind}”无效", file=path, row=row[ROW], column="id",
                                   hint="用小写英文字母、数字和下划线,如 rd_expense")
        if ind in seen:
            raise DuplicateRowError(f"指标代码“{ind}”重复(第 {seen[ind]} 行已有)", file=path,
                                    row=row[ROW], column="id", indicator=ind, hint="删除重复的一行")
        seen[ind] = row[ROW]
        kind = KINDS.get(row["kind"])
        if kind is None:
            raise ValueFormatError(f"指标类型“{row['kind']}”无效", file=path, row=row[ROW],
                                   column="kind", indicator=ind,
                                   hint="填写 amount(总量)、count(数量)、ratio(比重)、index(指数) 或 rank(排名)")
        kinds.append(kind)
        if not re.fullmatch(r"[0-4]", row["decimals"]):
            raise ValueFormatError(f"小数位数“{row['decimals']}”无效", file=path, row=row[ROW],
                                   column="decimals", indicator=ind, hint="填写 0 到 4 的整数")
        decimals.append(int(row["decimals"]))
        flag = row["higher_is_better"].lower()
        if flag not in YES | NO:
            raise ValueFormatError(f"“{row['higher_is_better']}”无效", file=path, row=row[ROW],
                                   column="higher_is_better", indicator=ind, hint="填写 是 或 否")
        hib.append(flag in YES)
        if not row["name"]:
            raise ValueFormatError("指标名称不能为空", file=path, row=row[ROW], column="name",
                                   indicator=ind, hint="填写指标的中文名称")
    df["kind"], df["decimals"], df["higher_is_better"] = kinds, decimals, hib
    ids = set(df["id"])
    for _, row in df.iterrows():
        for col in ("numerator", "denominator"):
            if row[col] and row[col] not in ids:
                raise UnknownIndicatorError(f"“{row[col]}”不是目录中的指标代码", file=path,
                                            row=row[ROW], column=col, indicator=row["id"],
                                            hint="填写目录中已有的指标代码,或留空")
        if bool(row["numerator"]) != bool(row["denominator"]):
            raise ValueFormatError("分子和分母指标须同时填写或同时留空", file=path, row=row[ROW],
                                   column="numerator", indicator=row["id"], hint="补全或清空")
    return df


def _load_values(files: list[Path], counties: dict, catalog: pd.DataFrame,
                 only: set[str] | None = None) -> pd.DataFrame:
    cat = catalog.set_index("id")
    records = []
    seen: dict[tuple, tuple] = {}
    for path in files:
        df = _read(path, VALUE_COLS, VALUE_OPT)
        for _, row in df.iterrows():
            county = row["county"]
            if only is not None and county not in only:
                continue
            if county not in counties:
                known = "、".join(counties)
                raise UnknownCountyError(f"未知的县区“{county}”(已登记:{known})", file=path,
                                         row=row[ROW], column="county", county=county,
                                         hint="检查拼写,或先在 counties.csv 中登记")
            year = _year(row)
            ind = row["indicator"]
            if ind not in cat.index:
                raise UnknownIndicatorError(f"未知的指标代码“{ind}”", file=path, row=row[ROW],
                                            column="indicator", indicator=ind, county=county, year=year,
                                            hint="使用 indicators.csv 中已有的指标代码,或先在目录中新增")
            meta = cat.loc[ind]
            ctx = dict(indicator=ind, county=county, year=year)
            try:
                period = normalize_period(row["period"])
            except ValueError:
                raise ValueFormatError(f"时期“{row['period']}”无效", file=path, row=row[ROW],
                                       column="period", hint="填写“全年”,或累计时期如“1-10月”",
                                       **ctx) from None
            kind = meta["kind"]
            nonneg = kind in ("amount", "count", "rank", "ratio")
            value = _number(row, "value", allow_negative=not nonneg, required=True, **ctx)
            unit = row["unit"] or meta["unit"]
            if unit != meta["unit"]:
                if not convertible(unit, meta["unit"]):
                    raise UnitMismatchError(
                        f"单位“{unit}”与指标目录中“{meta['name']}”的单位“{meta['unit']}”不一致",
                        file=path, row=row[ROW], column="unit",
                        hint=f"按“{meta['unit']}”填写数值,或把单位改为“{meta['unit']}”", **ctx)
                value = convert(value, unit, meta["unit"])
            if kind in ("count", "rank") and value != value.to_integral_value():
                raise ValueFormatError(f"“{row['value']}”应为整数({meta['name']}是计数指标)",
                                       file=path, row=row[ROW], column="value",
                                       hint=f"填写整数个{meta['unit']}", **ctx)
            target = _number(row, "target", allow_negative=False, **ctx)
            if target is not None and unit != meta["unit"]:
                target = convert(target, unit, meta["unit"])
            qualifier = row["qualifier"]
            core = qualifier[len(ESTIMATE):] if qualifier.startswith(ESTIMATE) else qualifier
            if core and core not in QUALIFIERS_BEFORE + QUALIFIERS_AFTER:
                allowed = "、".join(QUALIFIERS_BEFORE + QUALIFIERS_AFTER)
                raise ValueFormatError(f"限定词“{qualifier}”无效", file=path, row=row[ROW],
                                       column="qualifier", hint=f"留空,或填写 {allowed}(前面可加“预计”)",
                                       **ctx)
            source = row["source"]
            if not source:
                raise ValueFormatError("缺少数据来源", file=path, row=row[ROW], column="source",
                                       hint="写明出处(如“平阳县科技局2024年工作总结”);编造的示意数据须注明“示例”",
                                       **ctx)
            key = (county, year, ind, period)
            if key in seen:
                pfile, prow = seen[key]
                raise DuplicateRowError(
                    f"{county} {year} 年“{meta['name']}”({period})重复:{pfile} 第 {prow} 行已有同一数据",
                    file=path, row=row[ROW], column="indicator",
                    hint="删除其中一行(修订数据请直接改原行)", **ctx)
            seen[key] = (path, row[ROW])
            records.append({
                "county": county, "year": year, "indicator": ind, "period": period,
                "value": value, "qualifier": qualifier, "target": target,
                "reported_growth": _number(row, "reported_growth", **ctx),
                "reported_completion": _number(row, "reported_completion", allow_negative=False, **ctx),
                "city_rank": _number(row, "city_rank", allow_negative=False, integer=True, **ctx),
                "province_rank": _number(row, "province_rank", allow_negative=False, integer=True, **ctx),
                "source": source, "illustrative": is_illustrative(source),
                "file": str(path), "row": int(row[ROW]),
            })
    cols = ["county", "year", "indicator", "period", "value", "qualifier", "target",
            "reported_growth", "reported_completion", "city_rank", "province_rank", "source",
            "illustrative", "file", "row"]
    return pd.DataFrame.from_records(records, columns=cols)


def _load_targets(files: list[Path], counties: dict, catalog: pd.DataFrame,
                  only: set[str] | None = None) -> pd.DataFrame:
    cat = catalog.set_index("id")
    records, seen = [], {}
    for path in files:
        df = _read(path, TARGET_COLS, TARGET_OPT)
        for _, row in df.iterrows():
            county = row["county"]
            if only is not None and county not in only:
                continue
            if county not in counties:
                raise UnknownCountyError(f"未知的县区“{county}”", file=path, row=row[ROW],
                                         column="county", county=county, hint="检查拼写")
            year = _year(row)
            ind = row["indicator"]
            if ind not in cat.index:
                raise UnknownIndicatorError(f"未知的指标代码“{ind}”", file=path, row=row[ROW],
                                            column="indicator", indicator=ind, county=county,
                                            year=year, hint="使用 indicators.csv 中已有的指标代码")
            ctx = dict(indicator=ind, county=county, year=year)
            ttype = TARGET_TYPES.get(row["type"] or "达到")
            if ttype is None:
                raise ValueFormatError(f"目标类型“{row['type']}”无效", file=path, row=row[ROW],
                                       column="type", hint="填写“达到”(总量目标)或“增长”(增速目标,单位为%)",
                                       **ctx)
            value = _number(row, "target", required=True, allow_negative=ttype == "growth", **ctx)
            meta = cat.loc[ind]
            unit = row["unit"] or ("%" if ttype == "growth" else meta["unit"])
            if ttype == "level" and unit != meta["unit"]:
                if not convertible(unit, meta["unit"]):
                    raise UnitMismatchError(
                        f"单位“{unit}”与指标目录中“{meta['name']}”的单位“{meta['unit']}”不一致",
                        file=path, row=row[ROW], column="unit", hint=f"改为“{meta['unit']}”", **ctx)
                value = convert(value, unit, meta["unit"])
            if ttype == "growth" and unit != "%":
                raise UnitMismatchError(f"增速目标的单位应为“%”,而不是“{unit}”", file=path,
                                        row=row[ROW], column="unit", hint="把单位改为 %", **ctx)
            if not row["source"]:
                raise ValueFormatError("缺少数据来源", file=path, row=row[ROW], column="source",
                                       hint="写明目标出处", **ctx)
            key = (county, year, ind, ttype)
            if key in seen:
                raise DuplicateRowError(f"{county} {year} 年“{meta['name']}”的目标重复(第 {seen[key]} 行已有)",
                                        file=path, row=row[ROW], column="indicator",
                                        hint="删除其中一行", **ctx)
            seen[key] = row[ROW]
            records.append({"county": county, "year": year, "indicator": ind, "type": ttype,
                            "target": value, "prefix": row["prefix"], "suffix": row["suffix"],
                            "source": row["source"], "illustrative": is_illustrative(row["source"]),
                            "file": str(path), "row": int(row[ROW])})
    cols = ["county", "year", "indicator", "type", "target", "prefix", "suffix", "source",
            "illustrative", "file", "row"]
    return pd.DataFrame.from_records(records, columns=cols)


def city_peers(counties: pd.DataFrame, county: str) -> set[str]:
    """The county and the other registered counties of its city (whose values its ranks need)."""
    city = counties.loc[counties.slug == county, "city"]
    if city.empty:
        return {county}
    return set(counties.loc[counties.city == city.iloc[0], "slug"])


def load(data_dir: Path | str | None = None, *, for_county: str | None = None) -> Dataset:
    """Read and validate every table under ``data_dir`` (default: config.DATA_DIR).

    With ``for_county``, value and target rows of other counties are neither read into the
    Dataset nor validated, except those of its city peers: one county's bad row then fails
    only the reports that depend on it. The registry and the catalog are always validated.
    """
    root = Path(data_dir or config.DATA_DIR)
    if not root.is_dir():
        raise FileReadError("数据文件夹不存在", file=root, hint="检查路径(默认是项目下的 data/)")
    counties = _load_counties(find_table(root, config.COUNTIES_STEM))
    catalog = _load_indicators(find_table(root, config.INDICATORS_STEM))
    county_set = {s: True for s in counties["slug"]}
    only = city_peers(counties, for_county) if for_county else None
    value_files = list_tables(root / config.VALUES_DIRNAME)
    if not value_files:
        raise FileReadError("values 文件夹中没有任何 .csv 或 .xlsx 指标数据表", file=root / config.VALUES_DIRNAME,
                            hint="按 data/README.md 放入指标数据表")
    values = _load_values(value_files, county_set, catalog, only)
    targets = _load_targets(list_tables(root / config.TARGETS_DIRNAME), county_set, catalog, only)
    return Dataset(root, counties.drop(columns=[ROW, FILE]), catalog.drop(columns=[ROW, FILE]),
                   values, targets)


__all__ = ["Dataset", "County", "Indicator", "load", "DataError", "FULL_YEAR",
           "normalize_period", "period_months", "is_illustrative"]
