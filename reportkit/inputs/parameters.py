"""Validate run parameters (county, year) before any kernel starts; standard library only."""
from __future__ import annotations

from pathlib import Path

from .. import config
from ..exceptions import NoDataError, ParameterError, UnknownCountyError
from .schema import SLUG_RE
from .tables import find_table, visible


#: An unknown COUNTY lists every registered county up to this many, else the likely ones.
LIST_AT_MOST = 12


def check_slug(county) -> str:
    """A plain slug, the whole of it: ``$`` in SLUG_RE would let a trailing newline through."""
    if not isinstance(county, str) or not SLUG_RE.fullmatch(county):
        text = visible(county) if isinstance(county, str) else str(county)
        stripped = county.strip() if isinstance(county, str) else ""
        fix = (f"去掉多余的空白或换行,写成 COUNTY={stripped}" if stripped != county and SLUG_RE.fullmatch(stripped)
               else "只用小写拼音字母、数字和连字符,如 COUNTY=xinchang")
        raise ParameterError(f"县区代码 COUNTY=“{text}”不合法", hint=fix)
    return county


def check_year(year) -> int:
    try:
        return int(str(year).strip())
    except ValueError:
        raise ParameterError(f"年份 YEAR=“{year}”不是整数", hint="如 YEAR=2024") from None


def validate(county, year, data_dir: Path | None = None, *, index=None) -> tuple[str, int]:
    """A plain slug, a registered county, a year with data; the full validation of data/
    happens in the notebook's first step. ``index`` (an :class:`~reportkit.inputs.index.DataIndex`) avoids reading
    data/ again when the caller has read it already."""
    from .index import DataIndex
    county, year = check_slug(county), check_year(year)
    idx = index or DataIndex.read(data_dir)
    names = {r["slug"]: r.get("name", "") for r in idx.registry if r.get("slug")}
    if county not in names:
        import difflib
        if len(names) <= LIST_AT_MOST:
            listed = "已登记的县区:" + "、".join(f"{s}({n})" for s, n in names.items())
        else:
            near = difflib.get_close_matches(county, list(names), n=3, cutoff=0.6)
            listed = (f"是不是:{'、'.join(f'{s}({names[s]})' for s in near)}?" if near else "") + \
                f"(共登记 {len(names)} 个县区,见 counties.csv 的 slug 列)"
        raise UnknownCountyError(f"未知的县区“{county}”。{listed}", county=county, exit_code=2,
                                 file=find_table(idx.root, config.COUNTIES_STEM),
                                 hint="检查拼写,或在 counties.csv 中登记这个县区")
    years = sorted(idx.years.get(county, ()))
    if year not in years and idx.broken_for(county):
        raise idx.broken_for(county)[0][2]          # the unreadable file is the reason, not missing data
    if year not in years and idx.bad_years.get(county):
        bad = idx.bad_years[county]
        path, sheet, row, text = bad[0]
        raise NoDataError(f"{names[county]}({county})没有 {year} 年的指标数据:有 {len(bad)} 行的年份不是四位年份,"
                          f"如“{visible(text)}”(设成了日期格式的单元格?)", county=county, year=year, file=path,
                          sheet=sheet, row=row, column="year",
                          hint="在 year 列填四位年份,如 2024;在 Excel/WPS 中把这一列的单元格格式改为“常规”后重新输入年份")
    if year not in years:
        have = "、".join(map(str, years)) or "无"
        empty = [f.name for f in idx.empty if f.stem == county]
        if empty and not years:
            raise NoDataError(f"{names[county]}({county})没有任何指标数据:{'、'.join(empty)} 只有表头,没有数据行",
                              county=county, year=year, file=idx.root / config.VALUES_DIRNAME / empty[0],
                              hint="在表头下面逐行填写数据(见 data/README.md)")
        raise NoDataError(f"{names[county]}({county})没有 {year} 年的指标数据(已有年份:{have})", exit_code=2,
                          county=county, year=year, file=idx.root / config.VALUES_DIRNAME,
                          hint=f"在 values 文件夹的表格中加入 {year} 年的数据,或换一个年份")
    return county, year
