"""Benchmark batch builds: serial vs parallel, no-op re-run, peak memory per worker.

The data: a copy of data/ (the seeded county-years) plus a SYNTHETIC set of counties generated
from the indicator catalog into a temporary folder (never into data/), five years each so that
trends and growth rates exist; every synthetic row's source says 合成…示例, so each synthetic
report carries the illustrative-data notice. Results go to benchmarks/RESULTS_BATCH.md.

Usage: python benchmarks/bench_batch.py [--synthetic 30] [--jobs N]
"""
from __future__ import annotations

import argparse
import csv
import datetime as dt
import os
import platform
import random
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from reportkit import batch, config  # noqa: E402
from reportkit.schema import ALIASES  # noqa: E402
from reportkit.tables import read_records  # noqa: E402

SYNTHETIC_SOURCE = "合成数据:基准测试自动生成的示例数据,不得引用"
YEARS = range(2020, 2025)
TARGETS = {"speedup": 1.8, "noop": 0.5, "peak": 250}


def synthesize(data: Path, n: int, seed: int = 20241122) -> list[str]:
    """Add ``n`` synthetic counties (city 合成市) with five years of values for a set of catalog
    indicators; returns their slugs."""
    rng = random.Random(seed)
    _, catalog = read_records(data / "indicators.csv", ALIASES)
    # no ratio computed from two random amounts (it would fail the plausibility check): leave out
    # the indicators that are a share's numerator or denominator
    parts = {r.get(k) for r in catalog for k in ("numerator", "denominator") if r.get(k)}
    usable = [r for r in catalog if r["kind"] in ("amount", "count", "ratio") and not r.get("numerator")
              and r["id"] not in parts][:12]
    slugs = [f"syn{i:02d}" for i in range(1, n + 1)]
    with open(data / "counties.csv", "a", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        for i, slug in enumerate(slugs, start=1):
            w.writerow([slug, f"合成{i:02d}县", "县", "合成市", "浙江省", f"合成{i:02d}县科学技术局"])
    header = ["county", "year", "indicator", "period", "value", "target", "source"]
    for slug in slugs:
        with open(data / "values" / f"{slug}.csv", "w", newline="", encoding="utf-8") as fh:
            w = csv.writer(fh)
            w.writerow(header)
            for ind in usable:
                base = {"amount": rng.uniform(5, 80), "count": rng.randint(20, 400),
                        "ratio": rng.uniform(1, 60)}[ind["kind"]]
                for year in YEARS:
                    growth = 1 + rng.uniform(-0.05, 0.2)
                    base = base * growth if ind["kind"] != "ratio" else min(99, base + rng.uniform(-1, 2))
                    value = round(base) if ind["kind"] == "count" else round(base, int(ind["decimals"]))
                    target = round(value * rng.uniform(0.8, 1.1)) if (year == 2024 and ind["kind"] == "count") else ""
                    w.writerow([slug, year, ind["id"], "全年", value, target, SYNTHETIC_SOURCE])
    return slugs


def timed_batch(**kw):
    t0 = time.perf_counter()
    jobs = batch.run_batch(progress=False, **kw)
    return time.perf_counter() - t0, jobs


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--synthetic", type=int, default=30)
    ap.add_argument("--jobs", type=int, default=batch.default_jobs())
    ap.add_argument("--rounds", type=int, default=2)
    ap.add_argument("--output", default=str(ROOT / "benchmarks" / "RESULTS_BATCH.md"))
    args = ap.parse_args()

    tmp = Path(tempfile.mkdtemp(prefix="reportkit-batch-"))
    data = tmp / "data"
    shutil.copytree(config.DATA_DIR, data)
    pairs = [("pingyang", 2024), ("xinchang", 2024), ("jiangbei", 2020)] + [(slug, 2024) for slug in synthesize(data, args.synthetic)]
    # warm-up (file caches, matplotlib's font cache), not recorded
    timed_batch(pairs=pairs[:1], data_dir=data, build_root=tmp / "warmup", jobs=1, force=True)
    runs: dict[str, tuple] = {}
    for round_no in range(args.rounds):          # alternate, keep each mode's best round
        for label, jobs in (("serial", 1), ("parallel", args.jobs)):
            build = tmp / f"build-{label}"
            total, all_jobs = timed_batch(pairs=pairs, data_dir=data, build_root=build, jobs=jobs, force=True)
            failed = [j for j in all_jobs if j.status != "built"]
            if failed:
                raise SystemExit(f"{label}: {len(failed)} failed: {failed[0].county} {failed[0].message}")
            print(f"round {round_no + 1} {label}: {total:.1f} s", file=sys.stderr)
            if label not in runs or total < runs[label][0]:
                runs[label] = (total, all_jobs, build)
    build = runs["parallel"][2]
    noop = []
    for _ in range(3):
        seconds, jobs_done = timed_batch(pairs=pairs, data_dir=data, build_root=build, jobs=args.jobs)
        assert all(j.status == "skipped" for j in jobs_done)
        noop.append(seconds)
    # a whole no-op command, process start included, as a user runs it
    t0 = time.perf_counter()
    os.system(f'"{sys.executable}" -m reportkit all --year 2024 --no-progress --data "{data}" --build "{build}" > /dev/null')
    noop_cli = time.perf_counter() - t0
    shutil.rmtree(tmp, ignore_errors=True)

    serial, parallel = runs["serial"][0], runs["parallel"][0]
    count = len(runs["parallel"][1])
    speedup = serial / parallel
    peak = max(j.peak_mb for j in runs["parallel"][1])
    peak_serial = max(j.peak_mb for j in runs["serial"][1])
    noop_best = min(noop)

    def mark(ok):
        return "meets" if ok else "misses"

    lines = [
        "# Benchmark: batch builds",
        "",
        f"Recorded {dt.datetime.now().strftime('%Y-%m-%d %H:%M')} by `benchmarks/bench_batch.py "
        f"--synthetic {args.synthetic} --jobs {args.jobs} --rounds {args.rounds}`.",
        "",
        f"- machine: {os.cpu_count()} cores, Python {platform.python_version()}, {platform.system()} {platform.release()}",
        f"- reports: {count} county-years = the seeded ones (pingyang 2024, xinchang 2024, jiangbei 2020) "
        f"+ {args.synthetic} synthetic counties × 2024, generated from the catalog into a temporary folder",
        "- each report is its own process with its own kernel; times are wall clock of the whole batch,",
        f"  after one warm-up report; serial and parallel alternate for {args.rounds} rounds and each keeps its best",
        "",
        "| measure | value | target |",
        "|---|---:|---|",
        f"| serial (1 worker) | {serial:.1f} s ({serial / count:.2f} s a report) | |",
        f"| parallel ({args.jobs} workers) | {parallel:.1f} s ({parallel / count:.2f} s a report) | |",
        f"| speedup | {speedup:.2f}× | ≥ {TARGETS['speedup']}× on 2 cores: {mark(speedup >= TARGETS['speedup'])} |",
        f"| no-op re-run, nothing changed (in process, best of 3) | {noop_best:.3f} s | ≤ {TARGETS['noop']} s: {mark(noop_best <= TARGETS['noop'])} |",
        f"| no-op re-run as a command (`reportkit all --year 2024`, process start included) | {noop_cli:.3f} s | |",
        f"| peak memory per worker (largest report process tree, kernel included) | {peak:.0f} MB (serial run: {peak_serial:.0f} MB) | ≤ {TARGETS['peak']} MB: {mark(peak <= TARGETS['peak'])} |",
        "",
    ]
    Path(args.output).write_text("\n".join(lines), encoding="utf-8")
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    sys.exit(main())
