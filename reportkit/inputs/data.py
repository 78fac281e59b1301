"""Load and validate data/ into typed tables: counties, the indicator catalog, values, targets.

Each table is validated against one declarative column spec (``Col``: how a cell is parsed,
whether the column and the cell are required, how to fix it). A figure is right or refused:
every row of every file a report reads is used or refused with its file, sheet, row and column,
the offending value made visible, and the fix. ``check`` runs the same rules over the whole data
folder and collects every problem instead of stopping at the first (``make check``).
"""
from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Callable

import pandas as pd

from .. import config
from ..exceptions import (CellProblem, DataError, DuplicateRowError, FileReadError, NegativeValueError, NoDataError,
                          NumberTextError, PlausibilityError, ReportkitError, UnitMismatchError,
                          UnknownCountyError, UnknownIndicatorError, ValueFormatError)
from ..numbers import convert, convertible, parse_decimal
from .registry import CityPeers
from .schema import (ALIASES, COUNTY_COLS, ESTIMATE, FULL_YEAR, ID_RE, ILLUSTRATIVE_MARK, INDICATOR_COLS,
                     INDICATOR_OPT, KINDS, NO, PERIOD_RE, QUALIFIERS_AFTER, QUALIFIERS_BEFORE, SLUG_RE,
                     TARGET_COLS, TARGET_OPT, TARGET_TYPES, VALUE_COLS, VALUE_OPT, YES)
from .tables import (FILE, PROBLEMS, ROW, SHEET, Table, control_chars, find_table, list_tables,
                     read_tables, visible)

#: keys a record read from a statistics table carries (reportkit.inputs.layouts): its cells, and
#: whether it repeats a 上年 column
CELLS, DERIVED = "_cells", "_derived"

#: What staff write in an optional number cell for "no value" (read as an empty cell).
NO_VALUE = ("—", "－", "-", "--", "——", "/", "／", "无", "暂无", "不适用", "N/A", "n/a")
KNOWN_COLUMNS = set(COUNTY_COLS + INDICATOR_COLS + INDICATOR_OPT + VALUE_COLS + VALUE_OPT + TARGET_COLS
                    + TARGET_OPT + ("min", "max"))


# ------------------------------------------------------------------ the column spec

@dataclass(frozen=True)
class Col:
    name: str
    parse: Callable | None = None      # (text, row so far) -> value; raises CellProblem
    required: bool = False             # the column must be in the header
    filled: bool = False               # the cell must not be empty
    hint: str = ""                     # how to fill an empty required cell
    empty: str = "不能为空"             # what an empty required cell is called
    default: object = ""               # the value of an empty cell (None for numbers)


@dataclass
class Problems:
    """Errors collected instead of raised (``make check``), with notes that are not errors."""
    errors: list[ReportkitError] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    #: what was read of each value/target file: {path: (tables, counties named)} (so that
    #: `make check` does not read a file twice), and how each statistics table was read
    files: dict = field(default_factory=dict)
    readings: list = field(default_factory=list)

    def add(self, err: ReportkitError) -> None:
        self.errors.append(err)


def _fail(problems: Problems | None, err: ReportkitError) -> None:
    if problems is None:
        raise err
    problems.add(err)


def parse_rows(table: Table, spec: list[Col], problems: Problems | None = None,
               ctx: Callable[[dict], dict] | None = None) -> list[tuple[dict, dict]]:
    """(parsed row, record) for every row of ``table`` that passes ``spec``; a row that does not
    is refused (raised, or collected into ``problems`` and left out)."""
    table.require([c.name for c in spec if c.required])
    return list(_parse_iter(table.records, spec, problems, ctx))


def _consumed(records: list):
    """The records of a table, each let go once handed out (a table of 200,000 rows is not kept
    beside its parsed rows)."""
    records.reverse()
    while records:
        yield records.pop()


def _parse_iter(records, spec: list[Col], problems: Problems | None, ctx):
    for rec in records:
        parsed: dict = {}
        try:
            for col in spec:
                text = rec.get(col.name, "")
                # the location is built only for a refusal (a table may have 200,000 rows)
                where = functools.partial(_where, rec, col.name, ctx, parsed)
                if rec[PROBLEMS] and col.name in rec[PROBLEMS]:
                    raise ValueFormatError(rec[PROBLEMS][col.name], hint="在 Excel/WPS 中打开文件,按 F9 重算后保存",
                                           **where())
                if not text.isprintable():
                    bad = control_chars(text)
                    if bad:
                        raise ValueFormatError(f"“{visible(text)}”含有控制字符 {'、'.join(bad)}", **where(),
                                               hint="删掉这些看不见的字符(重新输入这一格)")
                if col.default is None and text in NO_VALUE:
                    if col.filled:
                        raise ValueFormatError(f"“{text}”表示没有数据,这一格必须填写数值", **where(),
                                               hint="填写数值;没有数据的行请整行删除")
                    text = ""                  # 无 / — in an optional number column: no value
                if text == "":
                    if col.filled:
                        raise ValueFormatError(col.empty, hint=col.hint or f"填写“{col.name}”", **where())
                    parsed[col.name] = col.default
                    continue
                try:
                    parsed[col.name] = col.parse(text, parsed) if col.parse else text
                except CellProblem as p:
                    loc = where()
                    loc.update(ctx({**parsed, col.name: text}) if ctx else {})
                    raise p.cls(p.reason, hint=p.hint or None, **loc) from None
        except DataError as err:
            _fail(problems, err)
            continue
        yield parsed, rec


def _where(rec, column, ctx, parsed) -> dict:
    return _located(rec, column, **(ctx(parsed) if ctx else {}))


def _located(rec, column, **ctx) -> dict:
    cell = rec.get(CELLS, {}).get(column) or rec.get(CELLS, {}).get("value")   # a statistics table's cell
    return dict(file=rec[FILE], sheet=rec[SHEET] or None, row=rec[ROW], column=column, **ctx,
                **({"cell": cell.split(" ")[-1]} if cell else {}))


# -- cell parsers ---------------------------------------------------------------

def number(*, nonneg=False, integer=False, percent=False, what="数值"):
    def parse(text, row):
        pct = percent(row) if callable(percent) else percent
        try:
            value = parse_decimal(text, percent=pct)
        except NumberTextError as e:
            raise CellProblem(f"“{visible(text)}”{e.reason}", e.hint) from None
        if nonneg and value < 0:
            raise CellProblem(f"{what} {text} 为负数,这一项不可能为负", "检查正负号(增速写在“reported_growth”列)",
                              NegativeValueError)
        if integer and value != value.to_integral_value():
            raise CellProblem(f"“{text}”应为整数", "填写整数")
        return value
    return parse


def year(text, row):
    if not re.fullmatch(r"\d{4}", text) or not 1949 <= int(text) <= 2100:
        raise CellProblem(f"年份“{visible(text)}”无效", "填写四位年份,如 2024")
    return int(text)


def slug(text, row):
    if not SLUG_RE.match(text):
        raise CellProblem(f"县区代码“{visible(text)}”无效", "用小写拼音字母、数字或连字符,如 xinchang")
    return text


def one_of(options: dict | set, hint: str, what: str):
    def parse(text, row):
        key = text.lower() if isinstance(options, set) else text
        if key not in options:
            raise CellProblem(f"{what}“{visible(text)}”无效", hint)
        return options[key] if isinstance(options, dict) else key
    return parse


def period(text, row):
    try:
        return normalize_period(text)
    except ValueError:
        raise CellProblem(f"时期“{visible(text)}”无效", "填写“全年”,或累计时期如“1-10月”") from None


def qualifier(text, row):
    core = text[len(ESTIMATE):] if text.startswith(ESTIMATE) else text
    if core and core not in QUALIFIERS_BEFORE + QUALIFIERS_AFTER:
        allowed = "、".join(QUALIFIERS_BEFORE + QUALIFIERS_AFTER)
        raise CellProblem(f"限定词“{visible(text)}”无效", f"留空,或填写 {allowed}(前面可加“预计”)")
    return text


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


def is_worked_back(source: str) -> bool:
    """A last-year value worked back from this year's value and rate: its source starts 推算."""
    return (source or "").lstrip().startswith("推算")


# ------------------------------------------------------------------ the typed records

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
    min: Decimal | None = None
    max: Decimal | None = None
    aliases: tuple[str, ...] = ()      # other names statistics tables print (matched by layouts)

    @property
    def exact(self) -> bool:
        """Counts and ranks are exact integers; other values carry rounding."""
        return self.kind in ("count", "rank")

    @property
    def bounds(self) -> tuple[Decimal | None, Decimal | None]:
        """Plausible values: the catalog's min/max, else 0–100 for a share or intensity (%)."""
        lo, hi = self.min, self.max
        if self.kind == "ratio" and self.unit == "%":
            lo = Decimal(0) if lo is None else lo
            hi = Decimal(100) if hi is None else hi
        return lo, hi


class Dataset:
    """All of data/, validated. Tables are pandas DataFrames with Decimal value columns."""

    def __init__(self, root: Path, counties: list[County], indicators: list[Indicator],
                 values: pd.DataFrame, targets: pd.DataFrame, city_values: pd.DataFrame | None = None):
        self.root = Path(root)
        self._county = {c.slug: c for c in counties}
        self._indicator = {i.id: i for i in indicators}
        self.counties = pd.DataFrame([c.__dict__ for c in counties], columns=list(COUNTY_COLS))
        self.values = values            # county-level units only: what county reports read
        self.targets = targets
        #: a city's own figures (a 全市 row of a statistics table, a long row whose county is the
        #: city's name): only the city view reads them
        self.city_values = city_values if city_values is not None else pd.DataFrame(columns=CITY_VALUE_COLUMNS)
        # (county, year, indicator) -> row positions: the engine looks rows up thousands of times
        self._rows = {} if values.empty else values.groupby(["county", "year", "indicator"]).indices

    # -- lookups -------------------------------------------------------
    def county(self, slug: str) -> County:
        if slug not in self._county:
            known = "、".join(f"{c.slug}({c.name})" for c in list(self._county.values())[:12])
            more = f" 等 {len(self._county)} 个" if len(self._county) > 12 else ""
            raise UnknownCountyError(f"未知的县区“{visible(slug)}”。已登记的县区:{known}{more}", county=slug,
                                     file=self.root / f"{config.COUNTIES_STEM}.csv",
                                     hint="检查拼写,或在 counties.csv 中登记这个县区")
        return self._county[slug]

    def indicator(self, ind_id: str) -> Indicator:
        if ind_id not in self._indicator:
            raise UnknownIndicatorError(f"未知的指标代码“{visible(ind_id)}”", indicator=ind_id,
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
        if getattr(self, "_years", None) is None:     # once, from the row index (not a scan per county)
            self._years: dict[str, set] = {}
            for c, y, _ in self._rows:
                self._years.setdefault(c, set()).add(int(y))
        return sorted(self._years.get(county, ()))

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
        """The registered counties of ``city``, in the registry's order (reportkit.inputs.registry)."""
        return self.cities.units(city)

    @property
    def cities(self) -> CityPeers:
        if getattr(self, "_cities", None) is None:
            self._cities = CityPeers((c.slug, c.city) for c in self._county.values())
        return self._cities

    def city_rows(self, city: str, year: int, indicator: str) -> pd.DataFrame:
        """The city's own rows (its 全市 figures) of one indicator and year."""
        v = self.city_values
        return v[(v.city == city) & (v.year == year) & (v.indicator == indicator)]


# ------------------------------------------------------------------ registry and catalog

COUNTY_SPEC = [
    Col("slug", slug, required=True, filled=True, hint="填写县区代码,如 xinchang"),
    Col("name", required=True, filled=True, hint="填写县区名称,如 新昌县"),
    Col("kind", one_of({"县": "县", "区": "区", "市": "市"}, "填写 县、区 或 市", "类型"), required=True, filled=True),
    Col("city", required=True, filled=True, hint="填写所属的市,如 绍兴市"),
    Col("province", required=True, hint="填写所属的省"),
    Col("bureau", required=True, filled=True, hint="填写科技局名称,如 新昌县科学技术局"),
]


def _unique_rows(path: Path, spec, key: str, label: str, context: str, problems: Problems | None):
    """The parsed rows of a registry file, each ``key`` once: a repeated one is refused at its row."""
    seen = {}
    for table in read_tables(path, ALIASES, KNOWN_COLUMNS):
        for row, rec in parse_rows(table, spec, problems):
            if row[key] in seen:
                _fail(problems, DuplicateRowError(f"{label}“{row[key]}”重复(第 {seen[row[key]]} 行已有)",
                                                  **_located(rec, key, **{context: row[key]}),
                                                  hint="删除重复的一行"))
                continue
            seen[row[key]] = rec[ROW]
            yield row, rec


def _load_counties(path: Path, problems: Problems | None = None) -> list[County]:
    return [County(**{k: row[k] for k in COUNTY_COLS})
            for row, _ in _unique_rows(path, COUNTY_SPEC, "slug", "县区代码", "county", problems)]


def _indicator_id(text, row):
    if not ID_RE.match(text):
        raise CellProblem(f"指标代码“{visible(text)}”无效", "用小写英文字母、数字和下划线,如 rd_expense")
    return text


INDICATOR_SPEC = [
    Col("id", _indicator_id, required=True, filled=True, hint="填写指标代码"),
    Col("name", required=True, filled=True, hint="填写指标的中文名称"),
    Col("unit", required=True),
    Col("kind", one_of(KINDS, "填写 amount(总量)、count(数量)、ratio(比重)、index(指数) 或 rank(排名)", "指标类型"),
        required=True, filled=True),
    Col("decimals", one_of({str(i): i for i in range(5)}, "填写 0 到 4 的整数", "小数位数"), required=True, filled=True),
    Col("higher_is_better", one_of(YES | NO, "填写 是 或 否", "“越高越好”的值"), required=True, filled=True),
    Col("verb"), Col("numerator"), Col("denominator"), Col("note"),
    Col("min", number(what="下限"), default=None), Col("max", number(what="上限"), default=None),
    Col("aliases", lambda text, row: tuple(a.strip() for a in re.split(r"[、|｜]", text) if a.strip()), default=()),
]


def _load_indicators(path: Path, problems: Problems | None = None) -> list[Indicator]:
    rows = list(_unique_rows(path, INDICATOR_SPEC, "id", "指标代码", "indicator", problems))
    ids = {row["id"] for row, _ in rows}
    out = []
    for row, rec in rows:
        ok = True
        for col in ("numerator", "denominator"):
            if row[col] and row[col] not in ids:
                ok = False
                _fail(problems, UnknownIndicatorError(f"“{visible(row[col])}”不是目录中的指标代码",
                                                      **_located(rec, col, indicator=row["id"]),
                                                      hint="填写目录中已有的指标代码,或留空"))
        if bool(row["numerator"]) != bool(row["denominator"]):
            ok = False
            _fail(problems, ValueFormatError("分子和分母指标须同时填写或同时留空",
                                             **_located(rec, "numerator", indicator=row["id"]), hint="补全或清空"))
        if ok:
            out.append(Indicator(id=row["id"], name=row["name"], unit=row["unit"], kind=row["kind"],
                                 decimals=row["decimals"], higher_is_better=row["higher_is_better"] in YES,
                                 verb=row["verb"], numerator=row["numerator"], denominator=row["denominator"],
                                 note=row["note"], min=row["min"], max=row["max"], aliases=row["aliases"]))
    return out


# ------------------------------------------------------------------ values and targets

class _Rows:
    """The shared parts of the value and target specs: county, year, indicator, source."""

    def __init__(self, counties: dict[str, County], catalog: dict[str, Indicator]):
        self.counties, self.catalog = counties, catalog
        self.cities = list(dict.fromkeys(c.city for c in counties.values()))

    def place(self, text, row):
        """A value row's county: a registered county-level unit, or a registered city's name (the
        city's own figure, its 全市 row); 全市/合计 alone do not say which city."""
        if text in self.cities and text not in self.counties:
            return text
        if text in TOTAL_WORDS:
            raise CellProblem(f"“{visible(text)}”看不出是哪个市的合计",
                              f"在县区一列写市的全称(counties.csv 的 city 列中的写法,如“{self.cities[0]}”)", UnknownCountyError)
        return self.county(text, row)

    def county(self, text, row):
        if text not in self.counties:
            known = "、".join(list(self.counties)[:10]) + (" 等" if len(self.counties) > 10 else "")
            raise CellProblem(f"未知的县区“{visible(text)}”(已登记:{known})", "检查拼写,或先在 counties.csv 中登记",
                              UnknownCountyError)
        return text

    def indicator(self, text, row):
        if text not in self.catalog:
            raise CellProblem(f"未知的指标代码“{visible(text)}”", "使用 indicators.csv 中已有的指标代码,或先在目录中新增",
                              UnknownIndicatorError)
        return text

    def meta(self, row) -> Indicator:
        return self.catalog[row["indicator"]]

    @staticmethod
    def ctx(row) -> dict:
        return {k: row.get(k) for k in ("county", "year", "indicator") if row.get(k) is not None}


def _source(text, row):
    return text


def _value_spec(r: _Rows) -> list[Col]:
    pct = lambda row: r.meta(row).unit == "%" or row.get("unit") == "%"  # noqa: E731
    nonneg = lambda row: r.meta(row).kind in ("amount", "count", "rank", "ratio")  # noqa: E731

    def value(text, row):
        return number(nonneg=nonneg(row), percent=pct)(text, row)
    return [
        Col("county", r.place, required=True, filled=True, hint="填写县区代码"),
        Col("year", year, required=True, filled=True, hint="填写四位年份"),
        Col("indicator", r.indicator, required=True, filled=True, hint="填写指标代码"),
        Col("period", period),
        Col("unit"),
        Col("value", value, required=True, filled=True, hint="填写数值,或删除这一行", default=None),
        Col("qualifier", qualifier),
        Col("target", number(nonneg=True, percent=pct, what="目标"), default=None),
        Col("reported_growth", number(percent=True), default=None),
        Col("reported_completion", number(nonneg=True, percent=True, what="完成率"), default=None),
        Col("city_rank", number(nonneg=True, integer=True, what="排名"), default=None),
        Col("province_rank", number(nonneg=True, integer=True, what="排名"), default=None),
        Col("source", _source, required=True, filled=True, empty="缺少数据来源",
            hint="写明出处(如“平阳县科技局2024年工作总结”);编造的示意数据须注明“示例”"),
    ]


def _target_spec(r: _Rows) -> list[Col]:
    def target(text, row):
        growth = row.get("type") == "growth"
        return number(nonneg=not growth, percent=growth or r.meta(row).unit == "%", what="目标")(text, row)
    return [
        Col("county", r.county, required=True, filled=True, hint="填写县区代码"),
        Col("year", year, required=True, filled=True, hint="填写四位年份"),
        Col("indicator", r.indicator, required=True, filled=True, hint="填写指标代码"),
        Col("type", one_of(TARGET_TYPES, "填写“达到”(总量目标)或“增长”(增速目标,单位为%)", "目标类型")),
        Col("unit"),
        Col("target", target, required=True, filled=True, hint="填写目标值", default=None),
        Col("prefix"), Col("suffix"),
        Col("source", _source, required=True, filled=True, empty="缺少数据来源", hint="写明目标出处"),
    ]


def _value_record(row, rec, r: _Rows, units: dict[tuple, int]) -> dict:
    """Cross-cell rules of a value row: units, integer counts, plausible shares and ranks."""
    meta = r.meta(row)
    ctx = r.ctx(row)
    unit = row["unit"] or meta.unit
    value, target = row["value"], row["target"]
    if unit != meta.unit:
        if not convertible(unit, meta.unit):
            raise UnitMismatchError(f"单位“{visible(unit)}”与指标目录中“{meta.name}”的单位“{meta.unit}”不一致",
                                    **_located(rec, "unit", **ctx),
                                    hint=f"按“{meta.unit}”填写数值,或把单位改为“{meta.unit}”")
        value = convert(value, unit, meta.unit)
        target = convert(target, unit, meta.unit) if target is not None else None
    if meta.kind in ("count", "rank") and value != value.to_integral_value():
        raise ValueFormatError(f"“{rec['value']}”应为整数({meta.name}是计数指标)", **_located(rec, "value", **ctx),
                               hint=f"填写整数个{meta.unit}")
    lo, hi = meta.bounds
    if (lo is not None and value < lo) or (hi is not None and value > hi):
        rng = f"{lo if lo is not None else '-∞'}~{hi if hi is not None else '∞'}"
        raise PlausibilityError(f"数值 {rec['value']} 超出“{meta.name}”的合理范围 {rng}{meta.unit}",
                               **_located(rec, "value", **ctx),
                               hint="检查小数点和单位(比重、强度按百分数填写,如 3.45);确属正常时在 indicators.csv 的 min/max 列放宽")
    if meta.kind == "rank" and value < 1:
        raise PlausibilityError(f"名次 {rec['value']} 无效:名次从 1 开始", **_located(rec, "value", **ctx),
                               hint="填写 1 或更大的整数")
    for col, scope in (("city_rank", "city"), ("province_rank", "province")):
        rank = row[col]
        if rank is None:
            continue
        if row["county"] not in r.counties:
            raise DataError(f"{row['county']}是市,它的全市数不能有{'全市' if scope == 'city' else '全省'}排名(写的是“{rec[col]}”)",
                            **_located(rec, col, **ctx), hint="删去这一格(排名写在各县区的行里)")
        n = units.get((scope, row["county"]))
        if rank < 1 or (n and scope == "city" and rank > n):
            limit = f"1~{n}" if n and scope == "city" else "1 或更大"
            raise PlausibilityError(f"{'全市' if scope == 'city' else '全省'}排名 {rec[col]} 无效(应为 {limit})",
                                   **_located(rec, col, **ctx), hint="检查名次;全市排名不能大于该市的县(市、区)数")
    return {"county": row["county"], "year": row["year"], "indicator": row["indicator"],
            "period": row["period"] or FULL_YEAR, "value": value, "qualifier": row["qualifier"], "target": target,
            "reported_growth": row["reported_growth"], "reported_completion": row["reported_completion"],
            "city_rank": row["city_rank"], "province_rank": row["province_rank"], "source": row["source"],
            "illustrative": is_illustrative(row["source"]), "file": rec[FILE], "row": int(rec[ROW]),
            "sheet": rec[SHEET], "cell": rec.get(CELLS, {}).get("value", "")}


def _target_record(row, rec, r: _Rows) -> dict:
    meta = r.meta(row)
    ctx = r.ctx(row)
    ttype = row["type"] or "level"
    value = row["target"]
    unit = row["unit"] or ("%" if ttype == "growth" else meta.unit)
    if ttype == "level" and unit != meta.unit:
        if not convertible(unit, meta.unit):
            raise UnitMismatchError(f"单位“{visible(unit)}”与指标目录中“{meta.name}”的单位“{meta.unit}”不一致",
                                    **_located(rec, "unit", **ctx), hint=f"改为“{meta.unit}”")
        value = convert(value, unit, meta.unit)
    if ttype == "growth" and unit != "%":
        raise UnitMismatchError(f"增速目标的单位应为“%”,而不是“{visible(unit)}”", **_located(rec, "unit", **ctx),
                                hint="把单位改为 %")
    return {"county": row["county"], "year": row["year"], "indicator": row["indicator"], "type": ttype,
            "target": value, "prefix": row["prefix"], "suffix": row["suffix"], "source": row["source"],
            "illustrative": is_illustrative(row["source"]), "file": rec[FILE], "row": int(rec[ROW]),
            "sheet": rec[SHEET]}


VALUE_COLUMNS = ["county", "year", "indicator", "period", "value", "qualifier", "target", "reported_growth",
                 "reported_completion", "city_rank", "province_rank", "source", "illustrative", "file", "row", "sheet",
                 "cell"]
#: A city's own figures: the value columns, the city in place of the county (no ranks).
CITY_VALUE_COLUMNS = ["city"] + [c for c in VALUE_COLUMNS[1:] if c not in ("city_rank", "province_rank")]
#: What a county cell of a value row may not say alone: which city's total it is.
TOTAL_WORDS = ("全市", "合计", "总计", "全市合计", "全市总计")
TARGET_COLUMNS = ["county", "year", "indicator", "type", "target", "prefix", "suffix", "source", "illustrative",
                  "file", "row", "sheet"]


def _file_counties(table: Table) -> set[str]:
    return {rec.get("county", "") for rec in table.records}


def _load_rows(files: list[Path], r: _Rows, spec: list[Col], make, key_of, describe, *,
               only: set[str] | None, problems: Problems | None, statistics: bool = False) -> list[dict]:
    """Rows of value (or target) files. With ``only`` (a report of one county and its city peers),
    a file is read when it holds a row of those counties — and then every row of it must be valid:
    a misspelt or blank county there is an error, never a dropped row. Files holding none of them
    are left to the reports they belong to."""
    records, seen = [], {}
    core = frozenset(c.name for c in spec if c.required) if statistics else frozenset()
    for path in files:
        try:
            tables = read_tables(path, ALIASES, KNOWN_COLUMNS, grid_unless=core)
        except DataError as err:
            # unreadable: whose rows it holds cannot be told, except by a file named after a county
            if only is not None and path.stem in r.counties and path.stem not in only:
                continue
            _fail(problems, err)
            continue
        if statistics:      # a bureau's own table (city or county layout), read in place
            tables = _statistics_tables(tables, r, problems)
        if problems is not None:
            problems.files[str(path)] = (len(tables), sum(len(t.records) for t in tables),
                                         set().union(*(_file_counties(t) for t in tables)))
        for table in tables:
            mentioned = _file_counties(table)
            refusals = getattr(table, "refusals", ())     # a statistics table's: whose, when it names counties
            if only is not None and not (mentioned & only) and path.stem not in only and not (refusals and not mentioned):
                continue
            for err in refusals:
                _fail(problems, err)
            try:
                table.require([c.name for c in spec if c.required])
            except DataError as err:
                _fail(problems, err)
                continue
            parsed = _parse_iter(_consumed(table.records), spec, problems, _Rows.ctx)
            for row, rec in parsed:
                if only is not None and row["county"] not in only:
                    continue
                try:
                    record = make(row, rec)
                except DataError as err:
                    _fail(problems, err)
                    continue
                key = key_of(record)
                if key in seen and (rec.get(DERIVED) or seen[key][3]) and records[seen[key][4]]["value"] == record["value"]:
                    # a 上年 column of a statistics table repeating last year's row: the same figure
                    if seen[key][3] and not rec.get(DERIVED):
                        records[seen[key][4]] = record
                        seen[key] = (rec[FILE], rec[SHEET], rec[ROW], False, seen[key][4], rec.get(CELLS, {}).get("value"))
                    continue
                if key in seen:
                    pfile, psheet, prow = seen[key][:3]
                    where = _shown(pfile) + (f" 工作表“{psheet}”" if psheet else "")
                    where = f"{_shown(pfile)} {seen[key][5]}" if seen[key][5] else f"{where} 第 {prow} 行"
                    _fail(problems, DuplicateRowError(f"{describe(record)}重复:{where}已有同一数据",
                                                      **_located(rec, "indicator", **_Rows.ctx(row)),
                                                      hint="删除其中一行(修订数据请直接改原行)"))
                    continue
                seen[key] = (rec[FILE], rec[SHEET], rec[ROW], bool(rec.get(DERIVED)), len(records),
                             rec.get(CELLS, {}).get("value"))
                records.append(record)
        del tables
    return records


def _statistics_tables(tables: list[Table], r: _Rows, problems: Problems | None) -> list[Table]:
    """Each sheet that is a city or county table (reportkit.inputs.layouts) replaced by the long
    rows read from it, its refusals beside them (raised, or collected all at once, by the reports
    of the counties it names — by every report when it names none)."""
    if all(table.grid is None for table in tables):
        return list(tables)         # long tables only: layouts is not even imported
    from . import layouts
    out = []
    for table in tables:
        reading = layouts.read_table(table, layouts.Catalog(r.catalog, r.counties)) if table.grid is not None else None
        if reading is None:
            out.append(table)
            continue
        if problems is not None:
            problems.readings.append(reading)
        reading.table.refusals = reading.errors     # raised (or collected) with the table's rows
        out.append(reading.table)
    return out


def _shown(file) -> str:
    """A data file as messages name it: values/历史/xinchang.csv is 历史/xinchang.csv (not to be
    taken for values/xinchang.csv)."""
    p = Path(file)
    return p.name if p.parent.name in (config.VALUES_DIRNAME, config.TARGETS_DIRNAME) else f"{p.parent.name}/{p.name}"


def load(data_dir: Path | str | None = None, *, for_county: str | None = None,
         problems: Problems | None = None) -> Dataset:
    """Read and validate every table under ``data_dir`` (default: config.DATA_DIR).

    With ``for_county``, the value and target files of other counties are not read (their own
    reports validate them): one county's bad row then fails only the reports that depend on it.
    With ``problems``, errors are collected there instead of raised (rows with errors left out).
    """
    root = Path(data_dir or config.DATA_DIR)
    if not root.is_dir():
        raise FileReadError("数据文件夹不存在", file=root, hint="检查路径(默认是项目下的 data/)")
    counties = _load_counties(find_table(root, config.COUNTIES_STEM), problems)
    catalog = _load_indicators(find_table(root, config.INDICATORS_STEM), problems)
    by_slug = {c.slug: c for c in counties}
    by_id = {i.id: i for i in catalog}
    r = _Rows(by_slug, by_id)
    cities = CityPeers((c.slug, c.city) for c in counties)
    only = set(cities.peers(for_county)) if for_county else None     # whose values its ranks need
    value_files = list_tables(root / config.VALUES_DIRNAME)
    if not value_files:
        _fail(problems, FileReadError("values 文件夹中没有任何 .csv 或 .xlsx 指标数据表",
                                      file=root / config.VALUES_DIRNAME, hint="按 data/README.md 放入指标数据表"))
    units = {}
    for c in counties:
        units[("city", c.slug)] = len(cities.peers(c.slug))
        units[("province", c.slug)] = sum(1 for o in counties if o.province == c.province)
    values = _load_rows(value_files, r, _value_spec(r), lambda row, rec: _value_record(row, rec, r, units),
                        lambda v: (v["county"], v["year"], v["indicator"], v["period"]),
                        lambda v: f"{v['county']} {v['year']} 年“{by_id[v['indicator']].name}”({v['period']})",
                        only=only, problems=problems, statistics=True)
    targets = _load_rows(list_tables(root / config.TARGETS_DIRNAME), r, _target_spec(r),
                         lambda row, rec: _target_record(row, rec, r),
                         lambda t: (t["county"], t["year"], t["indicator"], t["type"]),
                         lambda t: f"{t['county']} {t['year']} 年“{by_id[t['indicator']].name}”的目标",
                         only=only, problems=problems)
    cities = [dict(v, city=v["county"]) for v in values if v["county"] not in by_slug]
    return Dataset(root, counties, catalog,
                   pd.DataFrame.from_records([v for v in values if v["county"] in by_slug], columns=VALUE_COLUMNS),
                   pd.DataFrame.from_records(targets, columns=TARGET_COLUMNS),
                   pd.DataFrame.from_records(cities, columns=CITY_VALUE_COLUMNS))


__all__ = ["Dataset", "County", "Indicator", "load", "DataError", "FULL_YEAR", "Problems",
           "normalize_period", "period_months", "is_illustrative"]
