"""Benchmark this checkout against an earlier revision, interleaved in one run: a cold single
report and a warm batch, each the whole `reportkit` command as a user runs it. Writes
benchmarks/RESULTS_REVISIONS.md.

The earlier revision (default 8aa062f, main before the restructure of issue 19) is checked out
into a temporary git worktree and run with this environment (PYTHONPATH points at it, so its own
reportkit, notebook, template and data/ are used); both sides build into empty temporary build
folders. Rounds alternate old/new so that the machine's changing speed falls on both alike.

- cold report: `reportkit report --county xinchang --year 2024` into an empty build folder
  (process start, kernel start, the notebook, HTML);
- warm batch:  `reportkit all --year 2024 --jobs 2` into an empty build folder (worker
  processes that keep one kernel each; the three seeded county-years).

Usage: python benchmarks/bench_revisions.py [--baseline REV] [--rounds 3]
"""
from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BASELINE = "8aa062f"


def timed(cmd: list[str], env: dict, cwd: Path) -> float:
    t0 = time.perf_counter()
    r = subprocess.run(cmd, env=env, cwd=cwd, capture_output=True, text=True)
    seconds = time.perf_counter() - t0
    if r.returncode != 0:
        raise SystemExit(f"{' '.join(cmd)} failed in {cwd}:\n{r.stdout[-2000:]}\n{r.stderr[-2000:]}")
    return seconds


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--baseline", default=BASELINE)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--output", default=str(ROOT / "benchmarks" / "RESULTS_REVISIONS.md"))
    args = ap.parse_args()
    work = Path(tempfile.mkdtemp(prefix="rk-bench-rev-"))
    old = work / "old"
    subprocess.run(["git", "worktree", "add", "--detach", str(old), args.baseline], cwd=ROOT, check=True,
                   capture_output=True)
    try:
        sides = {"old": old, "new": ROOT}
        results: dict[tuple[str, str], list[float]] = {}
        reports = len(list((ROOT / "data" / "narrative").glob("*/2024.md")))   # what `all --year 2024` builds
        batch = f"warm batch ({reports} reports, 2 workers)"
        for r in range(args.rounds):
            for name, tree in (sides.items() if r % 2 == 0 else reversed(list(sides.items()))):
                env = {k: v for k, v in os.environ.items() if not k.startswith("REPORTKIT_")}
                env["PYTHONPATH"] = str(tree)
                env["MPLBACKEND"] = "Agg"
                env.pop("PYTHONDONTWRITEBYTECODE", None)      # as users have it
                cmd = [sys.executable, "-m", "reportkit"]
                build = work / f"build-{name}-{r}"
                env["REPORTKIT_BUILD"] = str(build / "one")
                results.setdefault((name, "cold report"), []).append(
                    timed(cmd + ["report", "--county", "xinchang", "--year", "2024"], env, tree))
                env["REPORTKIT_BUILD"] = str(build / "all")
                results.setdefault((name, batch), []).append(
                    timed(cmd + ["all", "--year", "2024", "--jobs", "2"], env, tree))
                shutil.rmtree(build, ignore_errors=True)
        head = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True,
                              text=True).stdout.strip()
        lines = [f"# Benchmark: this checkout against {args.baseline}",
                 "",
                 f"Recorded {dt.datetime.now():%Y-%m-%d %H:%M} by `python benchmarks/bench_revisions.py` on "
                 f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}; "
                 f"{args.rounds} interleaved rounds (old/new alternating); new = {head} (with uncommitted changes, "
                 "if any); wall time of the whole command, median (min–max).",
                 "",
                 f"| measure | {args.baseline} | this checkout | new / old |",
                 "|---|---|---|---|"]
        for what in ("cold report", batch):
            o, n = results[("old", what)], results[("new", what)]
            lines.append(f"| {what} | {statistics.median(o):.2f} s ({min(o):.2f}–{max(o):.2f}) | "
                         f"{statistics.median(n):.2f} s ({min(n):.2f}–{max(n):.2f}) | "
                         f"{statistics.median(n) / statistics.median(o):.2f} |")
        Path(args.output).write_text("\n".join(lines) + "\n", encoding="utf-8")
        print("\n".join(lines))
    finally:
        subprocess.run(["git", "worktree", "remove", "--force", str(old)], cwd=ROOT, capture_output=True)
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
