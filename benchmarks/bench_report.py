"""Benchmark one report against the floor of a bare papermill run; writes benchmarks/RESULTS.md.

All three are measured in one run on the same machine, interleaved, as wall time of the whole
command (process start, imports, kernel start, execution, output):

- cold:   `make report COUNTY=… YEAR=…` into an empty build folder;
- rerun:  the same command again with nothing changed;
- floor:  `papermill one_cell.ipynb out.ipynb`, a notebook whose single cell is `1 + 1`.

Peak memory is the largest resident set of any process of the command (the kernel included).
Usage: python benchmarks/bench_report.py [--county xinchang --year 2024 --repeat 5]
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
BIN = Path(sys.executable).parent
TARGET = 1.3


def timed(cmd: list[str], env: dict) -> tuple[float, float]:
    """(seconds, peak MB) of one command; peak over its descendants via a fresh wait4."""
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(proc.pid, 0)
    seconds = time.perf_counter() - t0
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        raise SystemExit(f"failed: {' '.join(cmd)}\n{proc.stderr.read().decode()}")
    # wait4's ru_maxrss: the largest resident set in the command's process tree (kernel included)
    return seconds, usage.ru_maxrss / 1024


def one_cell_notebook(path: Path) -> Path:
    import nbformat
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell("1 + 1")]
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(nb, path)
    return path


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--county", default="xinchang")
    ap.add_argument("--year", default="2024")
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--output", default=str(ROOT / "benchmarks" / "RESULTS.md"))
    args = ap.parse_args()

    tmp = Path(tempfile.mkdtemp(prefix="reportkit-bench-"))
    nb = one_cell_notebook(tmp / "one_cell.ipynb")
    env = dict(os.environ, PATH=f"{BIN}:{os.environ.get('PATH', '')}")
    report = ["make", "-s", "report", f"COUNTY={args.county}", f"YEAR={args.year}"]
    floor_cmd = [str(BIN / "papermill"), "--no-progress-bar", str(nb), str(tmp / "out.ipynb")]

    timed(floor_cmd, env)  # warm the file cache once; not recorded
    cold, rerun, floor, peaks = [], [], [], []
    for i in range(args.repeat):
        build = tmp / f"build{i}"
        run_env = dict(env, REPORTKIT_BUILD=str(build))
        floor.append(timed(floor_cmd, env)[0])
        for bucket in (cold, rerun):
            seconds, peak = timed(report, run_env)
            bucket.append(seconds)
            peaks.append(peak)
    peak_mb = max(peaks)
    shutil.rmtree(tmp, ignore_errors=True)

    med = {k: statistics.median(v) for k, v in (("cold", cold), ("rerun", rerun), ("floor", floor))}
    ratio = med["cold"] / med["floor"]
    rows = [
        ("cold `make report` (empty build folder)", cold, med["cold"]),
        ("re-run, nothing changed", rerun, med["rerun"]),
        ("floor: bare papermill, one-cell notebook", floor, med["floor"]),
    ]
    lines = [
        "# Benchmark: one report against a bare papermill run",
        "",
        f"Recorded {dt.datetime.now().strftime('%Y-%m-%d %H:%M')} by `make benchmark` "
        f"(`benchmarks/bench_report.py --county {args.county} --year {args.year} --repeat {args.repeat}`).",
        "",
        f"- machine: {os.cpu_count()} cores ({cpu_model()}), Python {platform.python_version()}, "
        f"{platform.system()} {platform.release()}",
        f"- county-year: {args.county} {args.year}; each command timed as a whole, wall clock, "
        f"{args.repeat} interleaved rounds; the median counts",
        f"- peak resident memory of one report (largest process of its tree, the kernel included): {peak_mb:.0f} MB",
        "",
        "| what | median s | all runs s |",
        "|---|---:|---|",
    ]
    for name, values, m in rows:
        lines.append(f"| {name} | {m:.2f} | {', '.join(f'{v:.2f}' for v in values)} |")
    verdict = "meets" if ratio <= TARGET else "misses"
    lines += ["", f"**cold report / floor = {ratio:.2f}** (target ≤ {TARGET}: {verdict} it).", ""]
    Path(args.output).write_text("\n".join(lines), encoding="utf-8")
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    sys.exit(main())
