"""`make check`: validate the whole data folder at once and list every problem.

A clerk fixes ten problems in one pass, not one per run: each table row is checked by the same
rules a report uses (data.load collecting instead of raising), each narrative file is parsed and
its references resolved against the data, and what is not an error but worth knowing is noted
(files with only a header, files that are not tables, counties nobody registered, data without
a narrative).
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from .. import config
from ..inputs import data as data_mod
from ..narrative import source as nm
from ..exceptions import ReportkitError
from ..inputs.tables import list_tables, read_tables, unread_notes


@dataclass
class CheckResult:
    root: Path
    errors: list[ReportkitError] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    narratives: int = 0

    @property
    def ok(self) -> bool:
        return not self.errors

    def lines(self) -> list[str]:
        def key(e):
            return (e.file or "", e.sheet or "", e.row or 0, e.column or "")
        out = [f"错误:{e}" for e in sorted(self.errors, key=key)]
        out += [f"提示:{n}" for n in self.notes]
        return out


def check(data_dir: Path | None = None) -> CheckResult:
    root = Path(data_dir or config.DATA_DIR)
    result = CheckResult(root)
    problems = data_mod.Problems()
    try:
        ds = data_mod.load(root, problems=problems)
    except ReportkitError as exc:       # the registry or catalog cannot be read at all
        result.errors.append(exc)
        return result
    result.errors += problems.errors
    if problems.readings:           # how each statistics table was read (reportkit.inputs.layouts)
        from ..inputs.layouts import Catalog
        catalog = Catalog.of(ds)
        result.notes += [f"读取了 {config.VALUES_DIRNAME}/{r.summary(catalog)}" for r in problems.readings]
    stats = {str(r.path) for r in problems.readings}
    for path, (_, n_records, counties) in problems.files.items():     # and each long table
        if path in stats or not n_records:
            continue
        names = [ds.county(c).name for c in sorted(counties) if c in ds.county_slugs]
        shown = "、".join(names[:12]) + (f" 等 {len(names)} 个" if len(names) > 12 else "")
        result.notes.append(f"读取了 {Path(path).parent.name}/{Path(path).name}:按长表(每行一个县区、年份、指标)读取,"
                            f"{n_records} 行;县区 {len(names)} 个({shown or '无'})")
    _notes(result, root, ds, problems)
    _city_settings(result, root, ds)
    for md in sorted((root / config.NARRATIVE_DIRNAME).glob("*/*.md")):
        _narrative(result, ds, md)
    return result


def _notes(result: CheckResult, root: Path, ds, problems=None) -> None:
    for folder in (config.VALUES_DIRNAME, config.TARGETS_DIRNAME):
        for path in list_tables(root / folder):
            if problems is not None and str(path) in problems.files:   # read once, by data.load
                n_tables, n_records, counties = problems.files[str(path)]
            else:
                try:
                    tables = read_tables(path, data_mod.ALIASES, data_mod.KNOWN_COLUMNS)
                except ReportkitError:
                    continue          # already an error
                n_tables, n_records = len(tables), sum(len(t.records) for t in tables)
                counties = {r.get("county", "") for t in tables for r in t.records}
            if n_tables and not n_records:
                result.notes.append(f"{path.relative_to(root).as_posix()} 只有表头,没有数据行")
            cities = {ds.county(s).city for s in ds.county_slugs}     # a city's own rows (全市) are no county's
            unknown = sorted(c for c in counties if c and c not in ds.county_slugs and c not in cities)
            if unknown:
                result.notes.append(f"{path.relative_to(root).as_posix()} 中有未登记的县区:{'、'.join(unknown)}"
                                    "(在 counties.csv 中登记后才会生成它们的报告)")
    result.notes += unread_notes(root)
    lacking: dict[int, list[str]] = {}
    for c in ds.county_slugs:           # the latest year of a county is the report to write
        years = ds.years(c)
        if years and not config.narrative_path(c, years[-1], root).exists():
            lacking.setdefault(years[-1], []).append(c)
    for year, counties in sorted(lacking.items()):
        result.notes.append(f"{year} 年有数据但没有叙述文件的县区:{'、'.join(counties)}"
                            f"(make all YEAR={year} 不会生成;复制 narrative/TEMPLATE.md 开始写)")


def _city_settings(result: CheckResult, root: Path, ds) -> None:
    """data/city.yaml (the city view's settings), checked for every registered city."""
    from ..inputs.city import read_settings, settings_path
    if not settings_path(root).exists():
        return
    seen = set()
    for slug in ds.county_slugs:
        city = ds.county(slug).city
        if city in seen:
            continue
        seen.add(city)
        try:
            read_settings(city, ds.indicator_ids, root)
        except ReportkitError as exc:
            result.errors.append(exc)
            return


def _narrative(result: CheckResult, ds, md: Path) -> None:
    from ..model.report import compute_report_figures
    county, stem = md.parent.name, md.stem
    if not re.fullmatch(r"\d{4}", stem) or county in ("versions",):
        return
    year = int(stem)
    result.narratives += 1
    try:
        if county not in ds.county_slugs:
            raise data_mod.UnknownCountyError(f"叙述文件所在的文件夹“{county}”不是已登记的县区代码", file=md,
                                              hint="把文件夹改成 counties.csv 中的县区代码")
        nm.load(md)
        if year not in ds.years(county):
            raise data_mod.NoDataError(f"有 {year} 年的叙述文件,但没有 {county} {year} 年的指标数据", file=md,
                                       county=county, year=year, hint=f"在 values 中加入 {year} 年的数据")
        compute_report_figures(county, year, dataset=ds, narrative_path=md)
    except ReportkitError as exc:
        result.errors.append(exc)
