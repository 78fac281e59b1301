"""Benchmark batch builds: cold (a process and a kernel per report, serial and parallel) against
warm (`make all`: worker processes that keep their kernels), the no-op re-run, peak memory per
worker, and Zhejiang's 90 county-level units.

The data: a copy of data/ (the seeded county-years) plus a SYNTHETIC set of counties generated
from the indicator catalog into a temporary folder (never into data/), five years each so that
trends and growth rates exist; every synthetic row's source says 合成…示例, so each synthetic
report carries the illustrative-data notice. Results go to benchmarks/RESULTS_BATCH.md.

- cold serial / cold parallel: `python -m reportkit report --force` per report, one at a time /
  N at a time (what `make all` did before kept kernels);
- warm parallel: `reportkit.run.batch.run_batch` (N workers, each keeping one kernel);
- baseline: `reportkit all --force` of the code as it was when the issue asking for kept kernels
  was filed (--baseline, a git revision checked out into a temporary worktree and run with this
  environment): "today's parallel batch" of the issue's goal, measured on the same machine;
- the modes alternate for --rounds rounds, each keeps its best;
- then, with --units (default 90) synthetic counties, one warm parallel batch of that size.

Usage: python benchmarks/bench_batch.py [--synthetic 30] [--jobs N] [--rounds 2] [--units 90]
                                        [--baseline 7dc9788]
"""
from __future__ import annotations

import argparse
import csv
import datetime as dt
import os
import platform
import random
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench_report import timed  # noqa: E402  (this folder is the script's own)
from reportkit.run import batch
from reportkit import config  # noqa: E402
from reportkit.inputs.schema import ALIASES  # noqa: E402
from reportkit.inputs.tables import read_records  # noqa: E402

SYNTHETIC_SOURCE = "合成数据:基准测试自动生成的示例数据,不得引用"
YEARS = range(2020, 2025)
PER_CITY = 8
TARGETS = {"warm_vs_today": 2.5, "units_seconds": 90, "noop": 0.2, "peak": 250}


def synthesize(data: Path, n: int, seed: int = 20241122) -> list[str]:
    """Add ``n`` synthetic counties with five years of values for a set of catalog indicators;
    returns their slugs. They are grouped eight to a synthetic city (合成01市, 合成02市, ...), as
    Zhejiang's 90 county-level units are spread over 11 cities; a report reads its whole city
    (computed ranks, plausibility), so one city of 120 would make every report pay for all."""
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
            w.writerow([slug, f"合成{i:02d}县", "县", f"合成{(i - 1) // PER_CITY + 1:02d}市", "浙江省", f"合成{i:02d}县科学技术局"])
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


def cold_one(county, year, data, build) -> tuple[float, float]:
    """One report as its own process tree: (seconds, largest process of the tree in MB)."""
    cmd = [sys.executable, "-m", "reportkit", "report", "--county", county, "--year", str(year), "--force",
           "--quiet", "--data", str(data), "--build", str(build)]
    return timed(cmd, dict(os.environ))


def cold_batch(pairs, data, build, jobs) -> tuple[float, float]:
    """Every report cold, ``jobs`` at a time: (seconds, largest process in MB)."""
    from concurrent.futures import ThreadPoolExecutor
    t0 = time.perf_counter()
    with ThreadPoolExecutor(max_workers=jobs) as pool:
        results = list(pool.map(lambda p: cold_one(p[0], p[1], data, build), pairs))
    return time.perf_counter() - t0, max(mb for _, mb in results)


BASELINE = "7dc9788"   # main when issue 12 (kept kernels) was filed: each report its own process


def baseline_batch(tree: Path, pairs, data, build, jobs) -> float:
    """The baseline revision's own parallel batch, as its `make all` ran it."""
    cmd = [sys.executable, "-m", "reportkit", "all", "--year", "2024", "--force", "--no-progress",
           "--jobs", str(jobs), "--data", str(data), "--build", str(build)]
    for county, year in pairs:
        assert year == 2024, "the baseline batch builds one year"
        cmd += ["--county", county]
    env = dict(os.environ, PYTHONPATH=str(tree))       # the kernels import the baseline too
    t0 = time.perf_counter()
    proc = subprocess.run(cmd, cwd=tree, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    if proc.returncode != 0:
        raise SystemExit(f"baseline batch failed: {proc.stderr.decode()[-800:]}")
    return time.perf_counter() - t0


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--synthetic", type=int, default=30)
    ap.add_argument("--jobs", type=int, default=batch.default_jobs())
    ap.add_argument("--rounds", type=int, default=2)
    ap.add_argument("--units", type=int, default=90)
    ap.add_argument("--baseline", default=BASELINE, help="git revision of today's batch ('' to leave it out)")
    ap.add_argument("--output", default=str(ROOT / "benchmarks" / "RESULTS_BATCH.md"))
    args = ap.parse_args()
    # as on a user's machine: Python keeps the compiled modules it imports (a sandbox or CI may
    # turn that off, making every process compile reportkit's changed modules again)
    os.environ.pop("PYTHONDONTWRITEBYTECODE", None)

    tmp = Path(tempfile.mkdtemp(prefix="reportkit-batch-"))
    data = tmp / "data"
    shutil.copytree(config.DATA_DIR, data)
    seeded = [("pingyang", 2024), ("xinchang", 2024), ("jiangbei", 2020)]
    synthetic = synthesize(data, max(args.synthetic, args.units))
    pairs = seeded + [(slug, 2024) for slug in synthetic[:args.synthetic]]
    modes = ["cold serial", "cold parallel", "warm parallel"]
    tree = None
    if args.baseline:
        tree = tmp / "baseline"
        try:
            subprocess.run(["git", "-C", str(ROOT), "worktree", "add", "--detach", "-q", str(tree), args.baseline],
                           check=True)
            modes.append("baseline")
        except (OSError, subprocess.CalledProcessError):     # no git, or not a clone with that history
            print(f"cannot check out {args.baseline}: the issue-time batch is left out", file=sys.stderr)
            tree, args.baseline = None, ""
    count = len(pairs)
    # warm-up (file caches, matplotlib's font cache), not recorded
    timed_batch(pairs=pairs[:1], data_dir=data, build_root=tmp / "warmup", jobs=1, force=True)
    best: dict[str, float] = {}
    peaks = {"cold": 0.0, "warm": 0.0, "warm_kernel": 0.0}
    for round_no in range(args.rounds):          # interleaved; each mode keeps its best round
        for label in modes:
            build = tmp / f"build-{label.replace(' ', '-')}-{round_no}"
            if label == "baseline":
                # the seeded reports in a year other than 2024 are left to the others' count
                total = baseline_batch(tree, [p for p in pairs if p[1] == 2024], data, build, args.jobs)
                total *= count / sum(1 for p in pairs if p[1] == 2024)
            elif label.startswith("cold"):
                total, peak = cold_batch(pairs, data, build, 1 if label == "cold serial" else args.jobs)
                peaks["cold"] = max(peaks["cold"], peak)
            else:
                total, jobs_done = timed_batch(pairs=pairs, data_dir=data, build_root=build, jobs=args.jobs, force=True)
                failed = [j for j in jobs_done if j.status != "built"]
                if failed:
                    raise SystemExit(f"{label}: {len(failed)} failed: {failed[0].county} {failed[0].message}")
                peaks["warm"] = max(peaks["warm"], max(j.peak_mb for j in jobs_done))
                warm_build = build
            print(f"round {round_no + 1} {label}: {total:.1f} s", file=sys.stderr)
            best[label] = min(best.get(label, total), total)
    noop = []
    for _ in range(3):
        seconds, jobs_done = timed_batch(pairs=pairs, data_dir=data, build_root=warm_build, jobs=args.jobs)
        assert all(j.status == "skipped" for j in jobs_done)
        noop.append(seconds)
    # a whole no-op command, process start included, as a user runs it
    t0 = time.perf_counter()
    os.system(f'"{sys.executable}" -m reportkit all --year 2024 --no-progress --data "{data}" --build "{warm_build}" > /dev/null')
    noop_cli = time.perf_counter() - t0
    units_pairs = [(slug, 2024) for slug in synthetic[:args.units]]
    units_total, units_jobs = timed_batch(pairs=units_pairs, data_dir=data, build_root=tmp / "units", jobs=args.jobs,
                                          force=True)
    assert all(j.status == "built" for j in units_jobs), [j.message for j in units_jobs if j.status != "built"][:1]
    peaks["warm"] = max(peaks["warm"], max(j.peak_mb for j in units_jobs))
    if tree:
        subprocess.run(["git", "-C", str(ROOT), "worktree", "remove", "--force", str(tree)], check=False)
    shutil.rmtree(tmp, ignore_errors=True)

    per = {k: v / count for k, v in best.items()}
    gain = best["cold parallel"] / best["warm parallel"]
    noop_best = min(noop)
    projection = per["warm parallel"] * 90

    def mark(ok):
        return "meets" if ok else "misses"

    lines = [
        "# Benchmark: batch builds",
        "",
        f"Recorded {dt.datetime.now().strftime('%Y-%m-%d %H:%M')} by `benchmarks/bench_batch.py "
        f"--synthetic {args.synthetic} --jobs {args.jobs} --rounds {args.rounds} --units {args.units}`.",
        "",
        f"- machine: {os.cpu_count()} cores, Python {platform.python_version()}, {platform.system()} {platform.release()}",
        f"- reports: {count} county-years = the seeded ones (pingyang 2024, xinchang 2024, jiangbei 2020) "
        f"+ {args.synthetic} synthetic counties × 2024, generated from the catalog into a temporary folder",
        f"- synthetic counties are grouped {PER_CITY} to a city, like Zhejiang's 90 units in 11 cities",
        "- cold: `python -m reportkit report --force` per report (its own process and kernel); warm: `make all`'s "
        "workers, each keeping one kernel for all its reports",
        *([f"- issue-time `make all`: revision {args.baseline} (when issue 12 was filed) checked out into a temporary "
           "worktree, run with this environment as `reportkit all --force`; it builds the 2024 reports only, and its "
           "time is scaled to the same number of reports"] if args.baseline else []),
        f"- wall clock of the whole batch after one warm-up report; the {len(modes)} modes alternate for {args.rounds} "
        "rounds and each keeps its best",
        "- peak memory per warm worker: the largest, over every report of both batches, of the worker's peak "
        "resident set plus its kernel's (Linux VmHWM of each; pages the two share are counted twice)",
        "",
        "| measure | value | target |",
        "|---|---:|---|",
        f"| cold, serial (1 at a time) | {best['cold serial']:.1f} s ({per['cold serial']:.2f} s a report) | |",
        f"| cold, parallel ({args.jobs} at a time) | {best['cold parallel']:.1f} s ({per['cold parallel']:.2f} s a report) | |",
        f"| warm, parallel ({args.jobs} workers) | {best['warm parallel']:.1f} s ({per['warm parallel']:.2f} s a report) | |",
        *([f"| issue-time `make all` ({args.baseline}, {args.jobs} at a time) | {best['baseline']:.1f} s "
           f"({per['baseline']:.2f} s a report) | |",
           f"| warm parallel throughput / issue-time `make all` (the goal's \"today's parallel batch\") | "
           f"{best['baseline'] / best['warm parallel']:.2f}× | ≥ {TARGETS['warm_vs_today']}×: "
           f"{mark(best['baseline'] / best['warm parallel'] >= TARGETS['warm_vs_today'])} |"]
          if "baseline" in best else []),
        f"| warm parallel throughput / cold parallel of this code | {gain:.2f}× | |",
        f"| {args.units} synthetic counties, warm parallel (measured) | {units_total:.1f} s | ≤ {TARGETS['units_seconds']} s on "
        f"2 cores: {mark(units_total <= TARGETS['units_seconds'])} |",
        f"| Zhejiang's 90 county-level units, projected from the {count}-report batch | {projection:.0f} s | |",
        f"| no-op re-run, nothing changed (in process, best of 3) | {noop_best:.3f} s | ≤ {TARGETS['noop']} s: {mark(noop_best <= TARGETS['noop'])} |",
        f"| no-op re-run as a command (`reportkit all --year 2024`, process start included) | {noop_cli:.3f} s | |",
        f"| peak memory per warm worker (worker process + its kernel, together) | {peaks['warm']:.0f} MB | ≤ {TARGETS['peak']} MB: {mark(peaks['warm'] <= TARGETS['peak'])} |",
        f"| peak memory of a cold report (largest process of its tree: the kernel) | {peaks['cold']:.0f} MB | |",
        "",
    ]
    Path(args.output).write_text("\n".join(lines), encoding="utf-8")
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    sys.exit(main())
