"""Benchmark reading the clerk's tables; writes benchmarks/RESULTS_TABLES.md.

Cases (each a data folder built in a temporary directory from the real counties.csv and
indicators.csv, run as `reportkit check` in a fresh process; wall time and peak resident memory
of that process):

- long .xlsx of N rows (one row per county × year × indicator, 13 columns, percent-formatted
  cells, one formula, a stale <dimension> record) — 2,000, 8,000 and 200,000 rows;
- long CSV of 200,000 rows;
- a city table (.xlsx): 90 county-level units as rows × 20 indicators as merged two-row column
  groups (本年 / 增速 / 排名), read by reportkit.inputs.layouts (timed in-process: read + layout).

New (this checkout) and old (--baseline, a git revision checked out into a temporary worktree
and run with this environment) are run interleaved, case by case, --repeat times; the old code
is skipped where it cannot finish in --old-timeout seconds (its 200,000-row .xlsx did not finish
in 30 minutes when issue 20 was filed).

Usage: python benchmarks/bench_tables.py [--baseline 8aa062f] [--repeat 2] [--old-timeout 120]
"""
from __future__ import annotations

import argparse
import csv
import datetime as dt
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PY = sys.executable
HEAD = ["county", "year", "indicator", "period", "value", "unit", "qualifier", "target", "reported_growth",
        "reported_completion", "city_rank", "province_rank", "source"]
TARGET_XLSX_S, TARGET_MB = 30.0, 500.0


def _catalog():
    with open(ROOT / "data" / "indicators.csv", encoding="utf-8") as fh:
        return [r for r in csv.DictReader(fh)]


def _counties():
    with open(ROOT / "data" / "counties.csv", encoding="utf-8") as fh:
        return [r for r in csv.DictReader(fh)]


def long_rows(n: int):
    """n distinct, valid long rows: counties × years × plain amount/count indicators."""
    inds = [r for r in _catalog() if r["kind"] in ("amount", "count") and not r["numerator"]]
    counties = [c["slug"] for c in _counties()]
    i = 0
    for year in range(1950, 2101):
        for c in counties:
            for ind in inds:
                if i >= n:
                    return
                value = f"{(i % 9000) + 10}" if ind["kind"] == "count" else f"{(i % 9000) / 100 + 1:.2f}"
                yield [c, str(year), ind["id"], "", value, "", "", "", f"{i % 50 / 10:.1f}", "", "", "", "基准测试数据"]
                i += 1


def data_folder(base: Path) -> Path:
    root = base / "data"
    (root / "values").mkdir(parents=True)
    shutil.copy(ROOT / "data" / "counties.csv", root / "counties.csv")
    shutil.copy(ROOT / "data" / "indicators.csv", root / "indicators.csv")
    return root


def write_long_xlsx(path: Path, n: int) -> None:
    from openpyxl import Workbook
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("数据")
    ws.append(HEAD)
    from openpyxl.cell import WriteOnlyCell
    for r in long_rows(n):
        cells = [r[0], int(r[1]), r[2], r[3], float(r[4]), "", "", "", None, "", "", "", r[12]]
        g = WriteOnlyCell(ws, value=round(float(r[8]) / 100, 6))
        g.number_format = "0.0%"
        cells[8] = g
        ws.append(cells)
    wb.save(path)
    # a writer that left a stale <dimension>
    with zipfile.ZipFile(path) as z:
        parts = {name: z.read(name) for name in z.namelist()}
    for name in parts:
        if name.startswith("xl/worksheets/sheet"):
            parts[name] = re.sub(rb'<dimension ref="[^"]*"/>', b'<dimension ref="A1:M2"/>', parts[name])
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for name, b in parts.items():
            z.writestr(name, b)


def write_long_csv(path: Path, n: int) -> None:
    with open(path, "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(HEAD)
        w.writerows(long_rows(n))


CITY_SUBS = ("本年", "增速(%)", "全省排名")


def write_city_table(path: Path, units: int = 90, indicators: int = 20):
    """A province-wide table: 全省 row, units as rows, indicators as merged column groups."""
    from openpyxl import Workbook
    cat = [r for r in _catalog() if r["kind"] in ("amount", "count")][:indicators]
    counties = _counties()[:units]
    wb = Workbook()
    ws = wb.active
    ws.title = "2024年"
    width = 1 + 3 * len(cat)
    ws.append(["2024年1-11月全省各县（市、区）主要科技指标"] + [None] * (width - 1))
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=width)
    top, sub = ["县（市、区）"], [None]
    for ind in cat:
        unit = f"（{ind['unit']}）" if ind["unit"] else ""
        top += [ind["name"] + unit, None, None]
        sub += list(CITY_SUBS)
    ws.append(top)
    ws.append(sub)
    ws.merge_cells("A2:A3")
    for k in range(len(cat)):
        ws.merge_cells(start_row=2, start_column=2 + 3 * k, end_row=2, end_column=4 + 3 * k)
    ws.append(["全省"] + [1000, 5.0, None] * len(cat))
    for i, c in enumerate(counties):
        row = [" ".join(c["name"][:-1]) if i % 3 == 0 else c["name"]]
        for k, ind in enumerate(cat):
            row += [(i * 7 + k) % 500 + 1, round((i % 40) / 3, 1), (i % 11) + 1]
        ws.append(row)
    ws.append(["注：部分数据因四舍五入的原因，存在总计与分项合计不等的情况。"])
    wb.save(path)
    return cat


def run(cmd, env, timeout) -> tuple[float | None, float | None, str]:
    """(wall seconds, peak RSS MB, tail of output) of one process; None when it timed out.
    The process prints its own peak RSS and CPU seconds (appended to the output's tail)."""
    t0 = time.perf_counter()
    p = subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        out, _ = p.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        p.kill()
        p.communicate()
        return None, None, "timeout"
    wall = time.perf_counter() - t0
    # peak RSS of that child (Linux: ru_maxrss in KB), read through wait4 is not possible after
    # communicate, so the child reports it itself (see CHECK below)
    text = out.decode("utf-8", "replace")
    m = re.search(r"PEAK_RSS_KB=(\d+) CPU_S=([\d.]+)", text)
    return wall, (int(m.group(1)) / 1024 if m else None), text[-400:]



CHECK = ("import resource, sys; sys.path.insert(0, {src!r}); from reportkit.run.check import check;"
         "r = check({data!r}); print(len(r.errors), 'errors'); print('\\n'.join(r.lines()[:3]));"
         "u = resource.getrusage(resource.RUSAGE_SELF);"
         "print('PEAK_RSS_KB=%d CPU_S=%.2f' % (u.ru_maxrss, u.ru_utime + u.ru_stime))")


def check_cmd(src: Path, data: Path):
    return [PY, "-c", CHECK.format(src=str(src), data=str(data))]


def city_case(tmp: Path, env) -> str:
    """The results row of the city table: 90 units × 20 indicators, read + layout, best of 5."""
    d = data_folder(tmp / "city")
    write_city_table(d / "values" / "全省主要科技指标.xlsx")
    code = ("import time, sys; sys.path.insert(0, {src!r}); from reportkit import data;"
            "from reportkit.inputs import layouts; from reportkit.inputs.tables import read_tables;"
            "from pathlib import Path; p = Path({path!r}); ds = data.load({data!r});"
            "best = 9e9\n"
            "for _ in range(5):\n"
            "    t = time.perf_counter(); tabs = read_tables(p, data.ALIASES, data.KNOWN_COLUMNS);"
            " got = layouts.read_table(tabs[0], layouts.Catalog.of(ds)); best = min(best, time.perf_counter() - t)\n"
            "print('CITY', round(best, 3), len(got.table.records), len(got.errors))")
    out = subprocess.run([PY, "-c", code.format(src=str(ROOT), path=str(d / "values" / "全省主要科技指标.xlsx"),
                                                data=str(d))], capture_output=True, text=True, env=env)
    print(out.stdout, out.stderr[-2000:])
    m = re.search(r"CITY ([\d.]+) (\d+) (\d+)", out.stdout)
    return (f"| city table, 90 units × 20 indicators (.xlsx read + layout, in-process, best of 5) | — | "
            f"{m.group(1)} s ({m.group(2)} figures, {m.group(3)} refusals) |" if m else
            "| city table | — | failed: " + out.stderr[-200:].replace("\n", " ") + " |")


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--baseline", default="8aa062f")
    ap.add_argument("--repeat", type=int, default=2)
    ap.add_argument("--old-timeout", type=float, default=120)
    ap.add_argument("--out", default=str(ROOT / "benchmarks" / "RESULTS_TABLES.md"))
    args = ap.parse_args()
    env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1"}
    lines = []
    load = os.getloadavg()[0]
    with tempfile.TemporaryDirectory(prefix="bench_tables_") as tmp:
        tmp = Path(tmp)
        tree = tmp / "baseline"
        subprocess.run(["git", "-C", str(ROOT), "worktree", "add", "--detach", "-q", str(tree), args.baseline],
                       check=True)
        try:
            cases = []
            for n in (2_000, 8_000, 200_000):
                d = data_folder(tmp / f"x{n}")
                write_long_xlsx(d / "values" / "big.xlsx", n)
                cases.append((f"long .xlsx, {n:,} rows", d, n <= 8_000))
            d = data_folder(tmp / "csv")
            write_long_csv(d / "values" / "big.csv", 200_000)
            cases.append(("long CSV, 200,000 rows", d, True))
            results = {}
            for label, d, old_ok in cases:
                for k in range(args.repeat):
                    for which, src in (("old", tree), ("new", ROOT)):
                        if which == "old" and not old_ok:
                            continue
                        timeout = args.old_timeout if which == "old" else 600
                        wall, mb, tail = run(check_cmd(src, d), env, timeout)
                        m = re.search(r"CPU_S=([\d.]+)", tail)
                        results.setdefault((label, which), []).append((wall, mb, float(m.group(1)) if m else None))
                        print(f"{label:28s} {which}: {wall if wall is None else round(wall, 2)} s, "
                              f"{mb if mb is None else round(mb)} MB  [{tail.splitlines()[0] if tail else ''}]",
                              flush=True)
            city_line = city_case(tmp, env)
        finally:
            subprocess.run(["git", "-C", str(ROOT), "worktree", "remove", "--force", str(tree)], check=False)

    def cell(vals):
        got = [(w, m, c) for w, m, c in vals if w is not None]
        if not got:
            return f"did not finish in {args.old_timeout:.0f} s"
        cpu = [c for _, _, c in got if c is not None]
        return (f"{statistics.median(w for w, _, _ in got):.2f} s wall"
                + (f" ({statistics.median(cpu):.2f} s CPU)" if cpu else "")
                + f", {max(m for _, m, _ in got if m is not None):.0f} MB"
                + (f" ({len(vals) - len(got)} timed out)" if len(got) < len(vals) else ""))
    lines += ["# Reading tables: `make check` on large tables, and a statistics table read in place", "",
              f"Measured {dt.datetime.now(dt.timezone.utc):%Y-%m-%d %H:%M} UTC on {platform.machine()}, "
              f"{os.cpu_count()} cores shared with other work (load average {load:.1f} at the start), "
              f"Python {platform.python_version()}; "
              f"`python benchmarks/bench_tables.py --baseline {args.baseline} --repeat {args.repeat}`.", "",
              f"Each `make check` case is `reportkit.check.check()` on a data folder holding the real registry and "
              f"catalog and one values table, run in a fresh process (wall time: median of {args.repeat} interleaved "
              f"runs, and the CPU time of that process: the machine is shared, so wall time includes waiting for a core; "
              f"memory: peak resident set of that process). Old = {args.baseline} (two full-mode loads of every "
              f"workbook, `ws.max_column` per row), checked out into a temporary worktree.", "",
              f"Targets (issue 20 part 6, issue 21): 200,000-row .xlsx checked in < {TARGET_XLSX_S:.0f} s and "
              f"< {TARGET_MB:.0f} MB; 200,000-row CSV faster than the 12 s of issue 20; a city table of 90 units × 20 "
              "indicators read in < 1 s.", "",
              "| case | old | new |", "|---|---|---|"]
    labels = []
    for (label, _), _v in results.items():
        if label not in labels:
            labels.append(label)
    for label in labels:
        old = results.get((label, "old"))
        lines.append(f"| {label} | {cell(old) if old else 'not run (did not finish in 30 min in issue 20)'} | "
                     f"{cell(results[(label, 'new')])} |")
    lines.append(city_line)
    Path(args.out).write_text("\n".join(lines) + "\n", encoding="utf-8")
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    sys.exit(main())
