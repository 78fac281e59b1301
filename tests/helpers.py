"""Builders of small data folders for tests."""
from __future__ import annotations

import csv
import shutil
from pathlib import Path

from reportkit import config

#: The county-years seeded from published reports (their data, narratives and reference notebooks).
SEEDED = (("pingyang", 2024), ("xinchang", 2024), ("jiangbei", 2020))

COUNTIES = [
    {"slug": "alpha", "name": "甲县", "kind": "县", "city": "测试市", "province": "浙江省", "bureau": "甲县科学技术局"},
    {"slug": "beta", "name": "乙区", "kind": "区", "city": "测试市", "province": "浙江省", "bureau": "乙区科学技术局"},
    {"slug": "gamma", "name": "丙县", "kind": "县", "city": "别的市", "province": "浙江省", "bureau": "丙县科学技术局"},
]
INDICATORS = [
    {"id": "rd", "name": "研发经费", "unit": "亿元", "kind": "amount", "decimals": "2", "higher_is_better": "是", "verb": ""},
    {"id": "inv", "name": "固定资产投资", "unit": "亿元", "kind": "amount", "decimals": "2", "higher_is_better": "是", "verb": ""},
    {"id": "ht_inv", "name": "高新技术产业投资", "unit": "亿元", "kind": "amount", "decimals": "2", "higher_is_better": "是", "verb": "完成"},
    {"id": "share", "name": "高新投资占比", "unit": "%", "kind": "ratio", "decimals": "2", "higher_is_better": "是", "verb": "",
     "numerator": "ht_inv", "denominator": "inv"},
    {"id": "intensity", "name": "研发强度", "unit": "%", "kind": "ratio", "decimals": "2", "higher_is_better": "是", "verb": ""},
    {"id": "hte", "name": "高新技术企业", "unit": "家", "kind": "count", "decimals": "0", "higher_is_better": "是", "verb": "达到"},
    {"id": "area", "name": "新增孵化面积", "unit": "万平方米", "kind": "amount", "decimals": "2", "higher_is_better": "是", "verb": ""},
    {"id": "people", "name": "新引进人才", "unit": "人", "kind": "count", "decimals": "0", "higher_is_better": "是", "verb": ""},
    {"id": "idx_rank", "name": "科技创新指数全省排名", "unit": "位", "kind": "rank", "decimals": "0", "higher_is_better": "否", "verb": ""},
]
VALUE_HEADER = ["county", "year", "indicator", "period", "value", "unit", "qualifier", "target",
                "reported_growth", "reported_completion", "city_rank", "province_rank", "source"]
TARGET_HEADER = ["county", "year", "indicator", "type", "target", "unit", "prefix", "suffix", "source"]


def write_csv(path: Path, header, rows, encoding="utf-8"):
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", newline="", encoding=encoding) as fh:
        w = csv.DictWriter(fh, fieldnames=header)
        w.writeheader()
        for r in rows:
            w.writerow({k: r.get(k, "") for k in header})
    return path


def v(county, year, indicator, value, **kw):
    """A values row; source defaults to a test source."""
    row = {"county": county, "year": str(year), "indicator": indicator, "value": str(value),
           "source": kw.pop("source", "测试来源")}
    row.update({k: str(x) for k, x in kw.items()})
    return row


def make_data(root: Path, values, *, targets=(), counties=COUNTIES, indicators=INDICATORS) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    write_csv(root / "counties.csv", ["slug", "name", "kind", "city", "province", "bureau"], counties)
    write_csv(root / "indicators.csv", ["id", "name", "unit", "kind", "decimals", "higher_is_better",
                                        "verb", "numerator", "denominator", "note"], indicators)
    write_csv(root / "values" / "test.csv", VALUE_HEADER, values)
    if targets:
        write_csv(root / "targets" / "test.csv", TARGET_HEADER, targets)
    return root


def copy_real_data(dest: Path) -> Path:
    shutil.copytree(config.ROOT / "data", dest)
    return dest


def generate(county, year, data_dir, build_root, run_id="run-1", *, clean=False):
    """Build a report as `make report` does, in this process (no kernel): the ReportRun steps the
    notebook calls, then the record of what was written. Returns the ReportRun."""
    from reportkit.outputs import state
    from reportkit.run.fingerprint import DataIndex, code_hash
    from reportkit.run.pipeline import ReportRun
    run = ReportRun(county, year, data_dir=data_dir, build_root=build_root, run_id=f"{county}-{year}-{run_id}",
                    clean=clean)
    run.load()
    run.compute()
    run.draw()
    run.write_outputs()
    fp = DataIndex.read(data_dir).fingerprint(county, year, code_hash())
    state.record(run.paths, fp, run.run_id)
    return run


def set_value(data_dir: Path, county: str, year: int, indicator: str, value) -> None:
    """Change one value in data/values/<county>.csv (as a clerk would in Excel)."""
    path = Path(data_dir) / "values" / f"{county}.csv"
    rows = list(csv.reader(path.read_text(encoding="utf-8-sig").splitlines()))
    head = rows[0]
    for r in rows[1:]:
        if r[head.index("county")] == county and r[head.index("year")] == str(year) \
                and r[head.index("indicator")] == indicator and r[head.index("period")] in ("", "全年"):
            r[head.index("value")] = str(value)
    with open(path, "w", newline="", encoding="utf-8") as fh:
        csv.writer(fh, lineterminator="\n").writerows(rows)


#: Wenzhou's twelve county-level units as counties.csv names them, in its order
WENZHOU = ["鹿城区", "龙湾区", "瓯海区", "洞头区", "永嘉县", "平阳县", "苍南县", "文成县", "泰顺县", "瑞安市", "乐清市", "龙港市"]


def stats_folder(tmp_path: Path) -> Path:
    """A data folder with the real registry and catalog and no values yet (for statistics tables)."""
    root = tmp_path / "data"
    (root / "values").mkdir(parents=True)
    for name in ("counties.csv", "indicators.csv"):
        shutil.copy(config.ROOT / "data" / name, root / name)
    return root


def workbook(path: Path, rows: list[list], merges=(), sheet="Sheet1", formats=None) -> Path:
    """A one-sheet .xlsx as a clerk typed it: rows, merged ranges, number formats by cell."""
    from openpyxl import Workbook
    wb = Workbook()
    ws = wb.active
    ws.title = sheet
    for r in rows:
        ws.append(r)
    for rng in merges:
        ws.merge_cells(rng)
    for cell, fmt in (formats or {}).items():
        ws[cell].number_format = fmt
    path.parent.mkdir(parents=True, exist_ok=True)
    wb.save(path)
    return path


def seed_report(root: Path, county: str, year: int) -> Path:
    """``county`` ``year`` generated once into root/data and root/build (for a module's tests)."""
    generate(county, year, copy_real_data(root / "data"), root / "build")
    return root


def private_copy(seed: Path, dest: Path, county: str, year: int):
    """A test's own copy of a seeded data/ and build/: (dest, ReportPaths of the county-year)."""
    shutil.copytree(seed / "data", dest / "data")
    shutil.copytree(seed / "build", dest / "build")
    return dest, config.report_paths(county, year, dest / "build")
