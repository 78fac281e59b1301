"""Benchmark the city view for Zhejiang's 11 cities (synthetic data: the real registry of 90
units and catalog, five indicators per unit for two years, from tests/citydata.py); writes
benchmarks/RESULTS_CITY.md.

Measured as wall time of the whole command (process start, imports, kernels, execution, output):

- view:     computing the 11 city views in one process (no notebook: the model only);
- one:      `reportkit city --city 杭州市 --year 2024` into an empty build folder (one kernel);
- all cold: `reportkit city --city all --year 2024` into an empty build folder (the batch's
            worker processes, each with its kept kernel; --jobs as given, default cores + 1);
- all warm: the same command again, nothing changed (every city skipped by its fingerprint);
- one edit: one county report's state changes (its build record is touched), `--city all` again:
            only that county's city is rebuilt.

Peak memory is the largest resident set of any process of the command (kernels included).
Usage: python benchmarks/bench_city.py [--repeat 2] [--jobs N]
"""
from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_report import timed  # noqa: E402
from citydata import make_city_data  # noqa: E402

BIN = Path(sys.executable).parent


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeat", type=int, default=2)
    ap.add_argument("--jobs", type=int, default=None)
    args = ap.parse_args()
    rows: dict[str, list[tuple[float, float]]] = {}
    with tempfile.TemporaryDirectory(prefix="bench-city-") as tmp:
        tmp = Path(tmp)
        data = make_city_data(tmp / "data")
        env = dict(os.environ, REPORTKIT_DATA=str(data), MPLBACKEND="Agg")
        env.pop("REPORTKIT_BUILD", None)
        reportkit = str(BIN / "reportkit")
        jobs = ["--jobs", str(args.jobs)] if args.jobs else []
        for i in range(args.repeat):
            build = tmp / f"build{i}"
            script = ("import time; t=time.perf_counter()\n"
                      "from reportkit.inputs import data as d\nfrom reportkit.model.city import compute_city_view, cities_with_data\n"
                      f"ds=d.load({str(data)!r})\n"
                      "views=[compute_city_view(c, 2024, dataset=ds) for c in cities_with_data(ds, 2024)]\n"
                      "assert len(views) == 11, len(views)")
            rows.setdefault("view", []).append(timed([sys.executable, "-c", script], env))
            rows.setdefault("one", []).append(timed([reportkit, "city", "--city", "杭州市", "--year", "2024",
                                                     "--build", str(tmp / f"one{i}")], env))
            rows.setdefault("all cold", []).append(timed([reportkit, "city", "--city", "all", "--year", "2024",
                                                          "--no-progress", "--build", str(build)] + jobs, env))
            rows.setdefault("all warm", []).append(timed([reportkit, "city", "--city", "all", "--year", "2024",
                                                          "--no-progress", "--build", str(build)] + jobs, env))
            # one county report's state changes: a failed run left behind for 平阳县
            failed = build / "pingyang" / "2024" / "report.failed.ipynb"
            failed.parent.mkdir(parents=True, exist_ok=True)
            failed.write_text('{"cells": [], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}', encoding="utf-8")
            before = {p: p.stat().st_mtime_ns for p in (build / "_city").glob("*/2024/*.docx")}
            rows.setdefault("one edit", []).append(timed([reportkit, "city", "--city", "all", "--year", "2024",
                                                          "--no-progress", "--build", str(build)] + jobs, env))
            built = sorted(p.name for p in (build / "_city").iterdir())
            assert len(built) == 11, built
            rebuilt = sorted(p.parent.parent.name for p, t in before.items() if p.stat().st_mtime_ns != t)
            assert rebuilt == ["温州市"], rebuilt
    lines = [f"# City view benchmark ({dt.date.today().isoformat()})", "",
             f"Machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, "
             f"{platform.system()}; repeat {args.repeat}; jobs {args.jobs or 'default (cores + 1)'}. "
             "Synthetic data: 90 units in 11 cities, 5 indicators × 2 years each (tests/citydata.py).", "",
             "| run | median s | min s | max s | peak MB |", "|---|---:|---:|---:|---:|"]
    for name, vals in rows.items():
        secs = [s for s, _ in vals]
        lines.append(f"| {name} | {statistics.median(secs):.1f} | {min(secs):.1f} | {max(secs):.1f} | "
                     f"{max(m for _, m in vals):.0f} |")
    lines += ["", "`view`: the 11 city views computed in one process (load + model, no notebook). `one`: one city, "
              "cold, one kernel. `all cold`: every city with data, in the batch's worker processes. `all warm`: "
              "the same, nothing changed (all skipped). `one edit`: one county report's state changed; only its "
              "city (温州市) rebuilt (checked: the other 10 documents are untouched).", ""]
    out = Path(__file__).resolve().parent / "RESULTS_CITY.md"
    out.write_text("\n".join(lines), encoding="utf-8")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
