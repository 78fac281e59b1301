"""Statistics tables read in place: the layouts a bureau's own workbooks come in.

``reportkit.inputs.tables`` reads cells as Excel shows them; a sheet whose header names none of the long
table's columns keeps its grid, and this module recognises it as

- a *city table*: one row per county-level unit (平阳县, 平阳, "平 阳"; a 全市/合计/全省 row is
  recognised as a total, not a county: a city's total is kept as that city's row, see
  :func:`_total_city`), one column group per indicator under one- or two-row
  headers with merged cells, sub-columns 本年/数值, 上年(同期), 增速/同比增长(%), 增减(百分点),
  目标, 完成率(%), 排名/全市排名;
- a *county table*: one row per indicator (its Chinese name as printed), the same kinds of
  columns, with 序号/单位/备注 columns; the county is named in the title (or sheet or file name).

Year and period come from the title rows, the sheet name, the file name or a header cell
("2024年1-11月", "1-10月累计", "1至11月", "前三季度", "2023年"); units from the header text
("(亿元)", "（家）") or a "单位：亿元、%" line; a "注：" line ends the table (notes below are
notes). "—", "/", "-" and empty cells hold no value; ranks may read "并列3" or "3（并列）".

Indicators are matched by name through the catalog (``name`` and the ``aliases`` column of
indicators.csv), counties through the registry (full and short names). Nothing is guessed: a
header, name, unit, year or period that matches nothing or more than one thing is a LayoutError
at its cell, naming the text, the candidates and the fix; every refusal of a table is collected
(``make check`` lists them all). What is read becomes long rows (county, year, indicator, period,
value, unit, reported growth, completion, rank, target) that the loader validates like any other
row, each carrying the cells it came from ("第1张表 D7") for figures.csv, 资料来源 and the audit.
"""
from __future__ import annotations

import difflib
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

from ..exceptions import LayoutError
from ..numbering import strip_any_number
from .registry import CityPeers
from .tables import FILE, PROBLEMS, ROW, SHEET, Table, coordinate, visible

#: Extra keys of a record read from a statistics table: the cell of each column
#: ({"value": "D7", ...}), and whether the row was derived from a 上年 column.
CELLS, DERIVED = "_cells", "_derived"
LONG_HEADER = ["county", "year", "indicator", "period", "value", "unit", "target", "reported_growth",
               "reported_completion", "city_rank", "province_rank", "source"]

CITY, COUNTY = "city", "county"
LAYOUT_NAMES = {CITY: "市表(县区为行、指标为列)", COUNTY: "县表(指标为行)"}

#: The header of the name column: city tables (units as rows), county tables (indicators as rows).
_CITY_LABEL = re.compile(r"(各)?(县|区|县区|区县|县市区|市县|县\(市、?区\)|县\(市,区\)|县\(区、?市\)|县市\(区\)|"
                         r"区\(县、?市\)|县\(市\)|地区|区域|地方|单位名称|县级单位)(名称)?")
_COUNTY_LABEL = re.compile(r"(主要)?(科技)?(指标|指标名称|项目|项目名称|名称)")
_TOTALS = {"全市", "合计", "总计", "全省", "小计", "全市合计", "全省合计", "全市总计", "全国", "市区", "全市平均"}
#: Total rows that are the city's own figure (the table's units all of one city). 合计/总计 only
#: when the table lists every registered unit of that city (else they sum the units listed).
_CITY_TOTALS = {"全市", "全市合计", "全市总计"}
_SUM_TOTALS = {"合计", "总计"}
_NOTE = re.compile(r"^(注|备注|说明|资料来源|数据来源|填报说明|制表|审核)[:：\s]|^注\d|^\*")
_UNIT_LINE = re.compile(r"^单位[:：]\s*(.+)$")
#: What a sub-column is, by its header text (units and years taken off first).
_ROLES = [
    (re.compile(r"(目标)?完成(率|进度|比例)|完成目标(比例|进度)"), "completion"),
    (re.compile(r"全省(排名|位次|名次|排位)"), "province_rank"),
    (re.compile(r"(全市)?(排名|位次|名次|排位)"), "rank"),
    (re.compile(r"(年度|全年)?(目标|目标值|任务|任务数)"), "target"),
    (re.compile(r"(同比|比上年|较上年)?(增减|提高|提升|增加|变化|增减量)"), "change"),
    (re.compile(r"(累计)?(同比)?(增速|增幅|增长|增长率)|同比|比上年增长|较上年增长|比上年(增速|增幅)"), "growth"),
    (re.compile(r"上年(同期|同期数|数|数值|累计)?|去年(同期)?|同期"), "prev"),
    (re.compile(r"(本年|本期|当年|今年)?(累计|数值|数|实绩|完成|完成值|完成数|总量|总数|数量|金额|绝对值|规模|值)?|本年|本期|当年"), "value"),
]
_SKIP = re.compile(r"序号|编号|备注|说明|单位|计量单位")
_UNITS = ("亿元", "万元", "元", "万平方米", "平方米", "万人", "人年", "人", "家", "个", "项", "件", "位", "%", "百分点")
_PAREN = re.compile(r"[(（]([^()（）]*)[)）]")
_YEAR = re.compile(r"((?:19|20)\d\d)\s*年")
_PERIODS = [
    (re.compile(r"1\s*[-—–~～至到]\s*(\d{1,2})\s*月"), None),
    (re.compile(r"前三季度"), "1-9月"), (re.compile(r"上半年"), "1-6月"),
    (re.compile(r"(第)?一季度"), "1-3月"), (re.compile(r"(?:全年|年度)(?!目标|任务|计划)"), "全年"),
]
_NO_VALUE = {"", "—", "－", "-", "--", "——", "/", "／", "\\", "无", "暂无", "…", "...", "×", "x", "X"}
_RANK = re.compile(r"^(?:并列)?第?\s*(\d+)\s*(?:位|名)?\s*(?:[(（]并列[)）]|并列)?$")
_HINT_ROLES = "本年、上年同期、同比增长(%)、增减(百分点)、目标、完成率(%)、全市排名"


def _norm(text: str) -> str:
    """A name as compared: full-width letters and brackets made ASCII, spaces and line breaks
    gone, letters lower-case ("Ｒ＆Ｄ经费" = "r&d经费")."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text or "")).lower()


def _strip_units(text: str) -> tuple[str, list[str]]:
    """("研发经费", ["亿元"]) of "研发经费（亿元）": parentheses holding a unit are taken off."""
    units = []

    def take(m):
        inner = _norm(m.group(1)).replace("％", "%")
        inner = re.sub(r"^单位[:：]", "", inner)
        if inner in _UNITS:
            units.append(inner)
            return ""
        return m.group(0)
    return _PAREN.sub(take, text), units


def _year_period(text: str):
    """(years, periods) named in a text."""
    years = [int(y) for y in _YEAR.findall(text)]
    periods = []
    for rx, fixed in _PERIODS:
        for m in rx.finditer(text):
            if fixed is None:
                n = int(m.group(1))
                periods.append("全年" if n == 12 else f"1-{n}月" if 1 <= n <= 11 else f"?{m.group(0)}")
            else:
                periods.append(fixed)
    return years, periods


def _without_dates(text: str) -> str:
    text = _YEAR.sub("", text)
    for rx, _ in _PERIODS:
        text = rx.sub("", text)
    return text


# ------------------------------------------------------------------ the catalog and registry


@dataclass
class Catalog:
    """Names that statistics tables print, for the indicators and county-level units."""
    indicators: dict            # id -> data.Indicator
    counties: dict              # slug -> data.County
    names: dict = field(default_factory=dict)        # normalised name -> [indicator ids]
    places: dict = field(default_factory=dict)       # normalised name -> [slugs]

    def __post_init__(self):
        for ind in self.indicators.values():
            for name in (ind.name, ind.id, *ind.aliases):
                ids = self.names.setdefault(_norm(_strip_units(name)[0]), [])
                if ind.id not in ids:
                    ids.append(ind.id)
        for c in self.counties.values():
            short = c.name[:-1] if len(c.name) > 2 and c.name[-1] in "县区市" else ""
            for name in (c.name, c.slug, short):
                if name:
                    slugs = self.places.setdefault(_norm(name), [])
                    if c.slug not in slugs:
                        slugs.append(c.slug)

    @property
    def cities(self) -> CityPeers:
        if getattr(self, "_cities", None) is None:
            self._cities = CityPeers((c.slug, c.city) for c in self.counties.values())
        return self._cities

    @classmethod
    def of(cls, ds) -> "Catalog":
        return cls({i: ds.indicator(i) for i in ds.indicator_ids}, {c: ds.county(c) for c in ds.county_slugs})

    def indicator(self, text: str) -> list[str]:
        return list(self.names.get(_norm(_strip_units(text)[0]), []))

    def near_indicators(self, text: str) -> list[str]:
        key = _norm(_strip_units(text)[0])
        named = {_norm(i.name): i for i in self.indicators.values()}
        close = difflib.get_close_matches(key, list(named), n=3, cutoff=0.4)
        if not close:       # names sharing most characters ("高企数" ~ "高新技术企业总数")
            scored = sorted(named, key=lambda n: -len(set(n) & set(key)) / max(len(set(key)), 1))
            close = [n for n in scored[:3] if set(n) & set(key)]
        return [f"{named[n].name}({named[n].id})" for n in close]

    def county(self, text: str) -> list[str]:
        return list(self.places.get(_norm(text), []))

    def near_counties(self, text: str) -> list[str]:
        key = _norm(text)
        named = {_norm(c.name): c for c in self.counties.values()}
        close = difflib.get_close_matches(key, list(named), n=3, cutoff=0.5)
        return [f"{named[n].name}({named[n].slug})" for n in close]


# ------------------------------------------------------------------ one table read


@dataclass
class Reading:
    """How one sheet was read, and what came of it."""
    path: Path
    sheet: str
    index: int
    layout: str = ""
    year: int | None = None
    period: str = ""
    title: str = ""
    indicators: list = field(default_factory=list)      # ids, in column/row order
    counties: list = field(default_factory=list)        # slugs, in row order
    totals: list = field(default_factory=list)          # total rows as printed
    city_totals: list = field(default_factory=list)     # (name as printed, city) of the totals kept as the city's
    cells: int = 0
    unused: list = field(default_factory=list)          # columns read but not used, with why
    errors: list = field(default_factory=list)
    table: Table | None = None                           # the long rows read
    period_stated: bool = False

    @property
    def where(self) -> str:
        return f"{self.path.name} 第{self.index}张表" + (f"“{self.sheet}”" if self.sheet else "")

    def cell(self, row: int, col: int) -> str:
        """How a cell is cited: "第1张表 D7" (a workbook) or "D7" (a CSV)."""
        ref = coordinate(row, col)
        return f"第{self.index}张表 {ref}" if self.path.suffix.lower() != ".csv" else ref

    def summary(self, catalog: Catalog) -> str:
        names = "、".join(catalog.indicators[i].name for i in self.indicators) or "无"
        places = "、".join(catalog.counties[c].name for c in self.counties) or "无"
        when = f"{self.year}年{'' if self.period == '全年' else self.period}" if self.year else "年份不明"
        text = (f"{self.where}:按{LAYOUT_NAMES[self.layout]}读取,{when};指标 {len(self.indicators)} 个({names});"
                f"县区 {len(self.counties)} 个({places})")
        kept = [name for name, _ in self.city_totals]
        for name, city in self.city_totals:
            text += f";合计行 {name} 读作{city}的全市数"
        others = [t for t in self.totals if t not in kept]
        if others:
            text += f";合计行 {'、'.join(others)} 不作县区"
        text += f";用到 {self.cells} 个单元格"
        if self.unused:
            text += ";没有用的列:" + "、".join(self.unused)
        if self.errors:
            text += f";{len(self.errors)} 处无法识别(见上面的错误)"
        return text


class _Refusals:
    def __init__(self, reading: Reading):
        self.reading = reading

    def __call__(self, message: str, row: int | None, col: int | None, hint: str, **kw) -> None:
        r = self.reading
        self.reading.errors.append(LayoutError(
            message, file=r.path, sheet=r.sheet or None, row=row,
            cell=coordinate(row, col) if row and col else None, hint=hint, **kw))


def read_table(table: Table, catalog: Catalog) -> Reading | None:
    """The statistics-table reading of a sheet, or None when it is not one (no name column
    headed 县（市、区）/地区/指标名称… in its first rows)."""
    if table.grid is None or len(set(table.header) & {"county", "year", "indicator", "value"}) >= 2:
        return None         # a long table (its missing columns are refused as such)
    rows = [(n, cells) for n, cells, _ in table.grid]
    problems = {n: p for n, _, p in table.grid if p}
    found = _label(rows)
    if found is None:
        return None
    start, label_col, layout = found
    reading = Reading(table.path, table.sheet, table.index, layout)
    refuse = _Refusals(reading)
    text_at = {}
    for n, cells in rows:
        for c, t in enumerate(cells, 1):
            if t:
                text_at[(n, c)] = t
    # across (and two-way) merges in the title and header rows fill every cell they cover; one in
    # the data holding a figure cannot say which column it belongs to (refused below)
    across_data = []
    for r1, c1, r2, c2 in table.merges:
        top = text_at.get((r1, c1), "")
        if top and (c1 != c2):
            if r1 > start + 2:
                across_data.append((r1, c1, r2, c2, top))
                continue
            for r in range(r1, r2 + 1):
                for c in range(c1, c2 + 1):
                    text_at.setdefault((r, c), top)
    numbers = [n for n, _ in rows]
    cols_of: dict = {}
    for (r, c) in text_at:
        cols_of.setdefault(r, []).append(c)
    for r in cols_of:
        cols_of[r].sort()
    label_text = text_at.get((start, label_col), "")
    header = [start]
    for n in numbers[numbers.index(start) + 1:]:
        here = text_at.get((n, label_col), "")
        if len(header) < 3 and (here == label_text or (here == "" and not _looks_like_data(text_at, n, label_col))):
            header.append(n)
        else:
            break
    above = [n for n in numbers if n < start]
    # group headers written in the row above an unmerged name-column header belong to the header
    while above and len(header) < 3:
        texts = {text_at[(above[-1], c)] for c in cols_of.get(above[-1], [])}
        if len(texts) < 2 or any(_UNIT_LINE.match(_norm(t)) for t in texts):
            break
        header.insert(0, above.pop())
    titles, unit_line = [], None
    for n in above:
        for c in cols_of.get(n, []):
            t = text_at[(n, c)]
            m = _UNIT_LINE.match(_norm(t))
            if m:
                unit_line = (n, c, t, [u for u in re.split(r"[、,，;；/]", m.group(1)) if u])
            elif t not in titles:
                titles.append(t)
    reading.title = titles[0] if titles else ""
    data_rows = []
    for n in numbers[numbers.index(header[-1]) + 1:]:
        first = next((text_at[(n, c)] for c in cols_of.get(n, [])), "")
        if _NOTE.match(first.strip()):
            break
        um = _UNIT_LINE.match(_norm(first))
        if um and unit_line is None:
            unit_line = (n, 1, first, [u for u in re.split(r"[、,，;；/]", um.group(1)) if u])
            continue
        data_rows.append(n)
    for r1, c1, r2, c2, top in across_data:
        if r1 in data_rows and _value(top) is not None and re.search(r"\d", top) and c1 != label_col:
            refuse(f"单元格 {coordinate(r1, c1)}:{coordinate(r2, c2)} 是跨列合并的,看不出“{visible(top)}”属于哪一列",
                   r1, c1, "取消合并单元格(再点一次“合并后居中”),把数填在它所属的一列")
            for r in range(r1, r2 + 1):
                for c in range(c1, c2 + 1):
                    text_at.pop((r, c), None)
    _when(reading, table, titles, header, text_at, refuse)
    columns = sorted({c for (r, c) in text_at if r in header and c != label_col})
    if layout == CITY:
        records = _city(reading, catalog, refuse, header, label_col, columns, data_rows, text_at, unit_line,
                        problems)
    else:
        records = _county(reading, catalog, refuse, header, label_col, columns, data_rows, text_at, unit_line,
                          problems, titles, table)
    source = reading.title or table.path.stem
    long = Table(table.path, table.sheet, list(LONG_HEADER), list(LONG_HEADER), header[0], index=table.index)
    for rec in records:
        rec["source"] = source
        rec[FILE], rec[SHEET] = str(table.path), table.sheet
        long.records.append(rec)
    reading.table = long
    return reading


def _looks_like_data(text_at, n, label_col) -> bool:
    """A row under the header whose name cell is empty but which holds numbers (a data row)."""
    texts = [t for (r, c), t in text_at.items() if r == n and c != label_col]
    return any(re.fullmatch(r"[-+]?\d[\d,.]*%?", t.strip()) for t in texts)


def _label(rows) -> tuple[int, int, str] | None:
    """(header row, name column, layout) of the first of the first rows naming the name column."""
    for n, cells in rows[:12]:
        for c, t in enumerate(cells, 1):
            key = _norm(_strip_units(t)[0]) if t else ""
            if not key:
                continue
            if _CITY_LABEL.fullmatch(key):
                return n, c, CITY
            if _COUNTY_LABEL.fullmatch(key):
                return n, c, COUNTY
    return None


def _when(reading: Reading, table: Table, titles, header, text_at, refuse) -> None:
    """The table's year and period from its title rows, sheet name or file name (one of each,
    or a refusal naming the disagreement)."""
    found = []      # (year or None, period or None, where)
    for text, where in [(t, f"标题“{t}”") for t in titles] + [(table.sheet, f"工作表名“{table.sheet}”")]:
        years, periods = _year_period(text or "")
        bare = re.fullmatch(r"\s*((?:19|20)\d\d)\s*", text or "")
        if bare and where.startswith("工作表名"):       # a sheet named "2024"
            years = [int(bare.group(1))]
        if years or periods:
            found.append((years, periods, where))
    if reading.layout == CITY:     # "1-11月累计" over a column: the period of the table
        texts = sorted({t for (r, c), t in text_at.items() if r in header})
        years, periods = _year_period(" ".join(texts))
        if periods:
            found.append(([], sorted(set(periods)), "表头"))
        if years and not any(ys for ys, _, _ in found):
            found.append(([max(years)], [], "表头"))     # "2023年 | 2024年" columns: the later is this year's
    if not any(ys for ys, _, _ in found):
        years, periods = _year_period(table.path.stem)
        if years or periods:
            found.append((years, periods, f"文件名“{table.path.name}”"))
    years = sorted({y for ys, _, _ in found for y in ys})
    periods = sorted({p for _, ps, _ in found for p in ps})
    row = header[0]
    if len(years) > 1:
        refuse(f"看不出这张表是哪一年的:{';'.join(w for ys, _, w in found if ys)}写的年份不一致"
               f"({'、'.join(map(str, years))})", row, None,
               "让标题、工作表名写同一个年份(每年的数据放在各自的工作表或文件里)")
        return
    bad = [p for p in periods if p.startswith("?")]
    if bad:
        refuse(f"时期“{bad[0][1:]}”无效(月份应为 1~12)", row, None, "改正标题中的时期,如“1-11月”")
        return
    if len(periods) > 1:
        refuse(f"看不出这张表是哪个时期的:{';'.join(w for _, ps, w in found if ps)}写的时期不一致"
               f"({'、'.join(periods)})", row, None, "让标题、工作表名写同一个时期,如“1-11月”")
        return
    reading.year = years[0] if years else None
    reading.period = periods[0] if periods else "全年"
    reading.period_stated = bool(periods)


def _header_parts(header, col, text_at) -> list[tuple[int, str]]:
    """(row, text) of a column's header cells, top to bottom, a text repeated by a merge once."""
    parts = []
    for n in header:
        t = text_at.get((n, col), "")
        if t and (not parts or parts[-1][1] != t):
            parts.append((n, t))
    return parts


def _role(text: str, reading: Reading):
    """(role, units, year) of a sub-column header, or (None, units, year) when it names none."""
    core, units = _strip_units(text)
    if "百分点" in _norm(text):
        units = [u for u in units if u != "百分点"] + ["百分点"]
    years, periods = _year_period(core)
    rest = _norm(_without_dates(core)).replace("百分点", "")
    rest = re.sub(r"[()（）:：]", "", rest)
    year = years[0] if years else None
    if rest == "":
        if years or periods or units:
            return "value", units, year
        return None, units, year
    for rx, role in _ROLES:
        if rx.fullmatch(rest):
            return role, units, year
    return None, units, year


def _unit_for(reading, ind, units, unit_line, role, refuse, row, col, text, stated_units=None):
    """The unit of a value column: stated in its header, else in the row's unit column, else the
    one unit of the "单位：" line that fits the indicator, else the catalog's."""
    from ..numbers import convertible
    for u in units or stated_units or []:
        if u in ("%", "百分点") and role == "value" and ind.unit != "%":
            refuse(f"表头“{visible(text)}”的单位“{u}”与指标目录中“{ind.name}”的单位“{ind.unit}”不一致", row, col,
                   f"核对这一列是不是“{ind.name}”;是的话把表头的单位改为“{ind.unit}”", indicator=ind.id)
            return None
        if u not in ("%", "百分点"):
            if not convertible(u, ind.unit):
                refuse(f"表头“{visible(text)}”的单位“{u}”与指标目录中“{ind.name}”的单位“{ind.unit}”不能换算", row, col,
                       f"核对这一列是不是“{ind.name}”;是的话把表头的单位改为“{ind.unit}”", indicator=ind.id)
                return None
            return u
        return ind.unit
    if unit_line is not None:
        lr, lc, ltext, listed = unit_line
        fits = [u for u in listed if u == ind.unit or convertible(u, ind.unit)]
        if len(fits) > 1:
            refuse(f"“{visible(ltext)}”列出的单位中,{'、'.join(fits)} 都可能是“{ind.name}”的单位", lr, lc,
                   f"在“{ind.name}”的表头写明单位,如“{ind.name}（{ind.unit}）”", indicator=ind.id)
            return None
        if fits:
            return fits[0]
    return ""


def _rank_text(text: str) -> str:
    m = _RANK.match(_norm(text).replace("(", "(").replace(")", ")"))
    return m.group(1) if m else text


def _value(text: str) -> str | None:
    t = text.strip()
    return None if _norm(t) in _NO_VALUE else t


_ROLE_COLUMN = {"growth": "reported_growth", "change": "reported_growth", "completion": "reported_completion",
                "rank": "city_rank", "province_rank": "province_rank", "target": "target"}


def _fill(rec: dict, cells: dict, role: str, text: str, at: str, problems_here: dict, col: int) -> bool:
    """Put one cell of a figure into its long row; False when it holds no value."""
    v = _value(text)
    if v is None and col - 1 not in problems_here:
        return False
    key = "value" if role in ("value", "prev") else _ROLE_COLUMN[role]
    if role in ("rank", "province_rank") and v is not None:
        v = _rank_text(v)
    rec[key] = v or ""
    cells[key] = at
    if col - 1 in problems_here:
        rec[PROBLEMS][key] = problems_here[col - 1]
    return True


def _new_record(reading: Reading, county: str, year, ind: str, row: int, unit: str) -> dict:
    return {"county": county, "year": str(year), "indicator": ind, "period": reading.period, "value": "",
            "unit": unit, "target": "", "reported_growth": "", "reported_completion": "", "city_rank": "",
            "province_rank": "", ROW: row, PROBLEMS: {}, CELLS: {}, DERIVED: False}


def _labelled(rows, text_at: dict, col: int):
    """(row, label) of the data rows with a label in ``col``."""
    return ((n, text_at[(n, col)]) for n in rows if text_at.get((n, col)))


def _refuse_name(refuse, text: str, matches: list[str], near, n: int, col: int, what: str, many: str,
                 unknown_fix: str, ambiguous_fix: str) -> None:
    """A row's name that is none of ``what`` (with the near ones), or more than one of them."""
    if not matches:
        close = near(text)
        refuse(f"“{visible(text)}”不是{what}" + (f"(相近的有:{'、'.join(close)})" if close else ""), n, col, unknown_fix)
    else:
        refuse(f"“{visible(text)}”同时是{many.format(n=len(matches))}:" + "、".join(matches), n, col, ambiguous_fix)


def _usable(role: str, ind, text, refuse, row, col, units) -> bool:
    """A growth in % of a share, or a 百分点 change of an amount, is not what it says: refused."""
    pp = "百分点" in units
    if ind.kind == "ratio" and role == "growth" and not pp:
        refuse(f"“{ind.name}”是比重类指标,变化按百分点计;表头“{visible(text)}”看不出是百分点", row, col,
               "这一列是百分点变化时把表头写成“增减（百分点）”;是相对增速时删去这一列", indicator=ind.id)
        return False
    if role == "change" and ind.kind != "ratio":
        return False          # an absolute 增减 of an amount: computed from the two years instead
    if role == "change" and not pp:
        refuse(f"表头“{visible(text)}”看不出单位(比重的变化应为百分点)", row, col,
               "把表头写成“增减（百分点）”", indicator=ind.id)
        return False
    return True


def _city(reading, catalog, refuse, header, label_col, columns, data_rows, text_at, unit_line, problems):
    """Units as rows, indicators as column groups."""
    plan = []           # (col, indicator, role, unit)
    seen: dict = {}
    share_growth = []   # growth (%) columns of a share: refused unless its 百分点 column is there
    for col in columns:
        parts = _header_parts(header, col, text_at)
        if not parts:
            continue
        texts = [t for _, t in parts]
        if any(_SKIP.fullmatch(_norm(_strip_units(t)[0])) for t in texts[-1:]):
            continue
        names, roled, units = [], [], []
        for n, t in parts:
            rl, us, yr = _role(t, reading)
            units += us
            if rl == "value" and yr is not None and reading.year is not None and yr != reading.year:
                if yr != reading.year - 1:
                    refuse(f"表头“{visible(t)}”的年份 {yr} 既不是本表的 {reading.year} 年,也不是上一年", n, col,
                           "核对表头的年份")
                    names, roled = [], [(n, t, None)]
                    break
                rl = "prev"
            (names if rl is None else roled).append((n, t, rl))
        if roled and roled[-1][2] is None:
            continue
        role = roled[-1][2] if roled else "value"
        unknown_sub = len(parts) > 1 and _role(parts[-1][1], reading)[0] is None
        if unknown_sub:
            names = [(parts[0][0], parts[0][1], None)]
        if not names:
            if plan and len(parts) == 1 and role != "value":
                ids = [plan[-1][1].id]      # "研发经费(亿元) | 增速(%) | 排名": the column group on its left
                n, name = parts[0]
            else:
                n, t = parts[0]
                refuse(f"表头“{visible(t)}”上方没有指标名称", n, col, "在这一列上方写明指标名称(可合并单元格)")
                continue
        else:
            n, name = names[0][0], names[0][1]
            ids = catalog.indicator(name)
        if not ids:
            near = catalog.near_indicators(name)
            refuse(f"表头“{visible(name)}”不是指标目录中的指标名称或别名" + (f"(相近的有:{'、'.join(near)})" if near else ""),
                   n, col, f"在 indicators.csv 中给对应的指标的 aliases 列加上“{_strip_units(name)[0].strip()}”,"
                   "或把表头改为目录中的名称;不是指标的列请删去")
            continue
        if len(ids) > 1:
            refuse(f"表头“{visible(name)}”同时是指标目录中 {len(ids)} 个指标的名称或别名:"
                   + "、".join(f"{catalog.indicators[i].name}({i})" for i in ids), n, col,
                   "把表头改为其中一个指标的全称,或在 indicators.csv 中去掉重复的别名")
            continue
        ind = catalog.indicators[ids[0]]
        if role is None or unknown_sub:
            t = parts[-1][1]
            refuse(f"看不懂“{ind.name}”下的表头“{visible(t)}”是哪一项", parts[-1][0], col,
                   f"把表头改为 {_HINT_ROLES} 之一,或删去这一列", indicator=ind.id)
            continue
        if (ind.id, role) in seen:
            refuse(f"“{ind.name}”的{_ROLE_WORD[role]}有两列({coordinate(header[0], seen[(ind.id, role)])} 和本列)",
                   parts[-1][0], col, "删去其中一列,或把表头改为不同的指标", indicator=ind.id)
            continue
        holds = any(_value(text_at.get((r, col), "")) for r in data_rows)
        if role == "growth" and ind.kind == "ratio" and "百分点" not in units and holds:
            share_growth.append((col, ind, parts[-1]))   # decided once every column is seen
            continue
        if role not in ("value", "prev") and holds and not _usable(role, ind, parts[-1][1], refuse, parts[-1][0],
                                                                    col, units):
            if role == "change":
                reading.unused.append(f"{coordinate(parts[-1][0], col)}(“{ind.name}”的增减量由两年数值算出)")
            continue
        unit = ""
        if role in ("value", "prev", "target"):
            unit = _unit_for(reading, ind, [u for u in units if role != "target" or u != "%"], unit_line, "value",
                             refuse, parts[-1][0], col, " ".join(texts))
            if unit is None:
                continue
            if role == "target":
                unit = ""       # a target is in the unit of its value
        seen[(ind.id, role)] = col
        plan.append((col, ind, role, unit, parts[-1]))
    for col, ind, (hn, text) in share_growth:
        if (ind.id, "change") in seen:        # the share's change is read from its 百分点 column
            reading.unused.append(f"{coordinate(hn, col)}(“{ind.name}”的变化取百分点一列)")
        else:
            _usable("growth", ind, text, refuse, hn, col, [])
    if reading.year is None and plan:
        refuse("看不出这张表是哪一年的数据(标题、工作表名和文件名都没有写年份)", header[0], None,
               "在标题行写明年份和时期,如“2024年1-11月各县（市、区）主要科技指标”")
        return []
    records, rows_of, total_rows = {}, {}, []
    for n, name in _labelled(data_rows, text_at, label_col):
        key = _norm(name)
        slugs = catalog.county(name)
        if not slugs and (key in _TOTALS or any(key in (_norm(c.city), _norm(c.city)[:-1], _norm(c.province))
                                                for c in catalog.counties.values())):
            reading.totals.append(name)     # 全市 / 合计 / 温州市: no county of its own
            total_rows.append((n, name, key))
            continue
        if len(slugs) != 1:
            if not any(_value(text_at.get((n, col), "")) for col, *_ in plan):
                continue        # a sub-heading row without figures (如“其中:”)
            _refuse_name(refuse, name, [f"{catalog.counties[s].name}({s})" for s in slugs], catalog.near_counties,
                         n, label_col, "登记的县区", " {n} 个登记县区的名称",
                         "把名称改为 counties.csv 中的名称(如“平阳县”或“平阳”),或先在 counties.csv 中登记;"
                         "合计行请写“全市”或“合计”", "写县区全称,以便区分")
            continue
        slug = slugs[0]
        if slug in rows_of:
            first_row, first_name = rows_of[slug]
            refuse(f"“{visible(name)}”与第 {first_row} 行的“{visible(first_name)}”是同一个县区"
                   f"({catalog.counties[slug].name})", n, label_col, "删去重复的一行")
            continue
        rows_of[slug] = (n, name)
        reading.counties.append(slug)
        here = problems.get(n, {})
        for col, ind, role, unit, _ in plan:
            year = reading.year - 1 if role == "prev" else reading.year
            rkey = (slug, ind.id, role == "prev")
            rec = records.get(rkey)
            fresh = rec is None
            if fresh:
                rec = _new_record(reading, slug, year, ind.id, n, unit if role != "target" else "")
                rec[DERIVED] = role == "prev"
            if role in ("value", "prev"):
                rec["unit"] = unit
            text = text_at.get((n, col), "")
            if _fill(rec, rec[CELLS], role, text, reading.cell(n, col), here, col):
                reading.cells += 1
                if fresh:
                    records[rkey] = rec
            elif fresh:
                continue
    cities = {catalog.counties[c].city for c in reading.counties}
    totals_of: dict = {}
    for n, name, key in total_rows:      # the city's own figures, kept under the city's name
        city = _total_city(key, catalog, reading.counties)
        if city is None:
            continue        # 全省 / 小计 / 市区, or 合计 of some units only: not the city's figure
        if city in totals_of:
            first_row, first_name = totals_of[city]
            refuse(f"“{visible(name)}”与第 {first_row} 行的“{visible(first_name)}”都是{city}的合计行", n, label_col,
                   "只留一行全市合计,删去另一行")
            continue
        totals_of[city] = (n, name)
        reading.city_totals.append((name, city))
        here = problems.get(n, {})
        for col, ind, role, unit, _ in plan:
            if role in ("rank", "province_rank"):
                continue        # a city has no place among its own units
            prev = role == "prev"
            rkey = (city, ind.id, prev)
            rec = records.get(rkey)
            fresh = rec is None
            if fresh:
                rec = _new_record(reading, city, reading.year - 1 if prev else reading.year, ind.id, n,
                                  unit if role != "target" else "")
                rec[DERIVED] = prev
            if role in ("value", "prev"):
                rec["unit"] = unit
            if _fill(rec, rec[CELLS], role, text_at.get((n, col), ""), reading.cell(n, col), here, col):
                reading.cells += 1
                if fresh:
                    records[rkey] = rec
    if len(cities) > 1:     # a bare 排名 of a table across cities is no 全市排名
        for col, ind, role, unit, (hn, text) in plan:
            if role == "rank" and "全市" not in _norm(text):
                refuse(f"表头“{visible(text)}”看不出是全市排名还是全省排名(表中的县区属于 {len(cities)} 个市)", hn, col,
                       "把表头写成“全市排名”或“全省排名”", indicator=ind.id)
                for rec in records.values():
                    if rec["indicator"] == ind.id and rec[CELLS].pop("city_rank", None):
                        rec["city_rank"] = ""
                        reading.cells -= 1
    out = []
    for (slug, ind_id, prev), rec in records.items():
        if "value" not in rec[CELLS]:
            continue            # a rank or growth without the value it belongs to
        if slug not in catalog.counties:
            out.append(rec)     # the city's row: its indicators are those of the units
            continue
        if ind_id not in reading.indicators:
            reading.indicators.append(ind_id)
        out.append(rec)
    return out


def _total_city(key: str, catalog: Catalog, units: list[str]) -> str | None:
    """The city a total row of a city table is the figure of, or None (not a city's total).

    A row named after a registered city (温州市, 温州) is that city's; 全市/全市合计 is the city of
    the table's units when they are all of one city; 合计/总计 only when, besides, the table lists
    every registered unit of that city (otherwise it is the sum of the units listed, not the city's
    figure). 全省, 小计, 市区, 全市平均 are never a city's total."""
    named = {c.city for c in catalog.counties.values() if key in (_norm(c.city), _norm(c.city)[:-1])}
    if len(named) == 1:
        return named.pop()
    cities = {catalog.counties[u].city for u in units}
    if len(cities) != 1 or key not in _CITY_TOTALS | _SUM_TOTALS:
        return None
    city = cities.pop()
    if key in _SUM_TOTALS and set(units) != set(catalog.cities.units(city)):
        return None
    return city


_ROLE_WORD = {"value": "本年数值", "prev": "上年数值", "growth": "增速", "change": "增减", "completion": "完成率",
              "rank": "排名", "province_rank": "全省排名", "target": "目标"}


def _county_of(catalog, titles, table, refuse, row):
    """The one county a county table belongs to, named in its title, sheet or file name."""
    for texts, where in ((titles, "标题"), ([table.sheet], "工作表名"), ([table.path.stem], "文件名")):
        found = set()
        for text in texts:
            key = _norm(text or "")
            full = {c.slug for c in catalog.counties.values() if _norm(c.name) in key}
            if not full:
                full = {c.slug for c in catalog.counties.values()
                        if len(c.name) > 2 and _norm(c.name[:-1]) in key and c.name[-1] in "县区市"}
            found |= full
        if len(found) == 1:
            return found.pop()
        if len(found) > 1:
            refuse(f"{where}中同时出现了 {len(found)} 个县区:"
                   + "、".join(f"{catalog.counties[s].name}({s})" for s in sorted(found)), row, None,
                   "一张县表只放一个县区的指标;标题写明县区全称")
            return None
    refuse("看不出这张表是哪个县区的(标题、工作表名和文件名都没有县区名称)", row, None,
           "在标题中写明县区全称,如“2024年1-11月平阳县主要科技指标”")
    return None


def _county(reading, catalog, refuse, header, label_col, columns, data_rows, text_at, unit_line, problems, titles,
            table):
    """Indicators as rows; columns 本年 / 上年同期 / 增速 / 目标 / 完成率 / 排名 (with 序号/单位/备注)."""
    plan = []
    unit_col = None
    seen = {}
    if reading.year is None:        # "2023年 | 2024年" columns, in either order: the later is this year's
        years = [_role(" ".join(t for _, t in _header_parts(header, col, text_at)), reading)[2] for col in columns]
        years = [y for y in years if y]
        if years:
            reading.year = max(years)
    for col in columns:
        parts = _header_parts(header, col, text_at)
        if not parts:
            continue
        n, text = parts[-1]
        whole = " ".join(t for _, t in parts)
        key = _norm(_strip_units(text)[0])
        if re.fullmatch(r"(计量)?单位", key):
            unit_col = col
            continue
        if _SKIP.fullmatch(key):
            continue
        role, units, year = _role(whole, reading)
        if role is None:
            refuse(f"看不懂表头“{visible(whole)}”是哪一项", n, col, f"把表头改为 {_HINT_ROLES} 之一,或删去这一列")
            continue
        col_periods = _year_period(whole)[1]
        if role == "value" and col_periods:
            if not reading.period_stated:
                reading.period, reading.period_stated = col_periods[0], True
            elif col_periods[0] != reading.period:
                refuse(f"表头“{visible(whole)}”的时期“{col_periods[0]}”与标题的“{reading.period}”不一致", n, col,
                       "核对表头和标题的时期")
                continue
        if year is not None and role == "value":
            if reading.year is None:
                reading.year = year
            if year == reading.year - 1:
                role = "prev"
            elif year != reading.year:
                refuse(f"表头“{visible(whole)}”的年份 {year} 既不是本表的 {reading.year} 年,也不是上一年", n, col,
                       "核对表头的年份")
                continue
        if role in seen:
            refuse(f"有两列都是{_ROLE_WORD[role]}({coordinate(n, seen[role])} 和本列)", n, col,
                   "删去其中一列,或把表头写清楚(如“本年”和“上年同期”)")
            continue
        seen[role] = col
        plan.append((col, role, units, whole, n))
    if reading.year is None:
        refuse("看不出这张表是哪一年的数据(标题、工作表名、文件名和表头都没有写年份)", header[0], None,
               "在标题行写明年份和时期,如“2024年1-11月平阳县主要科技指标”")
        return []
    slug = _county_of(catalog, titles, table, refuse, header[0])
    if slug is None:
        return []
    reading.counties.append(slug)
    out = []
    for n, name in _labelled(data_rows, text_at, label_col):
        label = strip_any_number(name)
        ids = catalog.indicator(label)
        has_values = any(_value(text_at.get((n, col), "")) for col, *_ in plan)
        if len(ids) != 1:
            if not has_values:
                continue        # a heading row such as "一、创新投入"
            _refuse_name(refuse, label, [f"{catalog.indicators[i].name}({i})" for i in ids], catalog.near_indicators,
                         n, label_col, "指标目录中的指标名称或别名", "指标目录中 {n} 个指标的名称或别名",
                         f"在 indicators.csv 中给对应的指标的 aliases 列加上“{_strip_units(label)[0].strip()}”,"
                         "或把名称改为目录中的名称", "把名称改为其中一个指标的全称,或在 indicators.csv 中去掉重复的别名")
            continue
        ind = catalog.indicators[ids[0]]
        _, name_units = _strip_units(label)
        row_units = list(name_units)
        if unit_col is not None and text_at.get((n, unit_col)):
            u = _norm(text_at[(n, unit_col)]).replace("％", "%")
            row_units.append(u)
        here = problems.get(n, {})
        recs = {}
        has_change = any(r == "change" for _, r, *_ in plan)
        for col, role, units, whole, hn in plan:
            if role not in ("value", "prev"):
                if _value(text_at.get((n, col), "")) is None:
                    continue
                if ind.kind == "ratio" and role == "growth" and has_change:
                    reading.unused.append(f"{coordinate(n, col)}(“{ind.name}”的变化取百分点一列)")
                    continue
                if ind.kind != "ratio" and role == "change":
                    reading.unused.append(f"{coordinate(n, col)}(“{ind.name}”的增减量由两年数值算出)")
                    continue
                if not _usable(role, ind, whole, refuse, hn, col, units + row_units):
                    continue
            prev = role == "prev"
            rec = recs.get(prev)
            if rec is None:
                unit = ""
                if role in ("value", "prev", "target"):
                    unit = _unit_for(reading, ind, [u for u in units if u not in ("%", "百分点")] or row_units,
                                     unit_line, "value", refuse, n, unit_col or label_col, whole + " " + label)
                    if unit is None:
                        continue
                rec = recs[prev] = _new_record(reading, slug, reading.year - 1 if prev else reading.year, ind.id, n,
                                               unit or "")
                rec[DERIVED] = prev
            if _fill(rec, rec[CELLS], role, text_at.get((n, col), ""), reading.cell(n, col), here, col):
                reading.cells += 1
        for prev, rec in sorted(recs.items()):
            if "value" in rec[CELLS]:
                out.append(rec)
                if ind.id not in reading.indicators:
                    reading.indicators.append(ind.id)
    return out
