"""Benchmark one report against the floor of a bare papermill run and a Quarto-style pipeline;
writes benchmarks/RESULTS.md.

All are measured in one run on the same machine, interleaved, as wall time of the whole command
(process start, imports, kernel start, execution, output):

- cold:     `make report COUNTY=… YEAR=…` into an empty build folder;
- rerun:    the same command again with nothing changed;
- floor:    `papermill one_cell.ipynb out.ipynb`, a notebook whose single cell is `1 + 1`;
- stand-in: what a Quarto-style pipeline does for the same figures and charts: papermill runs a
            notebook that computes them with reportkit and shows the paragraph, the table (as
            markdown) and the charts; `jupyter nbconvert --to markdown` and `pandoc -o .docx`
            turn it into Word (no 公文 layout, no tags, no tracked changes: less than reportkit
            does). Needs pandoc; left out without it.

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
TARGET_FLOOR = 2.0        # cold report / floor, at most
TARGET_STANDIN = 1.8      # stand-in / cold report, at least
STANDIN_CELLS = [
    "county = 'xinchang'\nyear = 2024",
    "from pathlib import Path\nfrom IPython.display import Image, Markdown, display\n"
    "from reportkit.charts import plan as charts\nfrom reportkit.model.report import compute_report_figures",
    "rf = compute_report_figures(county, year)\ndisplay(Markdown(rf.paragraph))",
    "table = rf.table()\nrows = [list(table.columns)] + table.astype(str).values.tolist()\n"
    "md = ['| ' + ' | '.join(r) + ' |' for r in rows]\nmd.insert(1, '|' + '---|' * len(rows[0]))\n"
    "display(Markdown('\\n'.join(md)))",
    "for c in charts.draw_charts(rf, Path('standin_charts')):\n"
    "    display(Markdown(c.title))\n    display(Image(filename=str(c.path)))",
    "display(Markdown(rf.targets_sentence or ''))",
]


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


def standin_notebook(path: Path) -> Path:
    import nbformat
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(src) for src in STANDIN_CELLS]
    nb.cells[0].metadata["tags"] = ["parameters"]
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(nb, path)
    return path


def standin(nb: Path, work: Path, county: str, year: str, env: dict) -> tuple[float, float]:
    """The Quarto-style chain, timed as a whole: papermill, nbconvert to markdown, pandoc to .docx."""
    work.mkdir(parents=True, exist_ok=True)
    steps = [
        [str(BIN / "papermill"), "--no-progress-bar", "--cwd", str(work), str(nb), str(work / "out.ipynb"),
         "-p", "county", county, "-p", "year", year],
        [str(BIN / "jupyter"), "nbconvert", "--to", "markdown", "--no-input", str(work / "out.ipynb")],
        ["pandoc", str(work / "out.md"), "--resource-path", str(work), "-o", str(work / "out.docx")],
    ]
    seconds, peak = 0.0, 0.0
    for cmd in steps:
        s, p = timed(cmd, env)
        seconds, peak = seconds + s, max(peak, p)
    return seconds, peak


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
    # as on a user's machine: Python keeps the compiled modules it imports (a sandbox or CI may
    # turn that off, making every command compile reportkit's changed modules again)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    report = ["make", "-s", "report", f"COUNTY={args.county}", f"YEAR={args.year}"]
    floor_cmd = [str(BIN / "papermill"), "--no-progress-bar", str(nb), str(tmp / "out.ipynb")]
    quarto = shutil.which("pandoc") is not None
    standin_nb = standin_notebook(tmp / "standin.ipynb")

    timed(floor_cmd, env)  # warm the file cache once; not recorded
    if quarto:
        standin(standin_nb, tmp / "standin-warmup", args.county, args.year, env)
    cold, rerun, floor, stand, peaks = [], [], [], [], []
    for i in range(args.repeat):
        build = tmp / f"build{i}"
        run_env = dict(env, REPORTKIT_BUILD=str(build))
        floor.append(timed(floor_cmd, env)[0])
        for bucket in (cold, rerun):
            seconds, peak = timed(report, run_env)
            bucket.append(seconds)
            peaks.append(peak)
        if quarto:
            stand.append(standin(standin_nb, tmp / f"standin{i}", args.county, args.year, env)[0])
    peak_mb = max(peaks)
    shutil.rmtree(tmp, ignore_errors=True)

    series = (("cold", cold), ("rerun", rerun), ("floor", floor)) + ((("standin", stand),) if quarto else ())
    med = {k: statistics.median(v) for k, v in series}
    ratio = med["cold"] / med["floor"]
    rows = [
        ("cold `make report` (empty build folder)", cold, med["cold"]),
        ("re-run, nothing changed", rerun, med["rerun"]),
        ("floor: bare papermill, one-cell notebook", floor, med["floor"]),
    ]
    if quarto:
        rows.append(("Quarto-style stand-in: papermill → nbconvert markdown → pandoc docx", stand, med["standin"]))
    lines = [
        "# Benchmark: one report against a bare papermill run and a Quarto-style pipeline",
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
    verdict = "meets" if ratio <= TARGET_FLOOR else "misses"
    lines += ["", f"**cold report / floor = {ratio:.2f}** (target ≤ {TARGET_FLOOR}: {verdict} it)."]
    if quarto:
        ahead = med["standin"] / med["cold"]
        lines.append(f"**stand-in / cold report = {ahead:.2f}**: reportkit is {ahead:.2f}× faster "
                     f"(target ≥ {TARGET_STANDIN}: {'meets' if ahead >= TARGET_STANDIN else 'misses'} it).")
    else:
        lines.append("(pandoc is not installed: the Quarto-style stand-in was not measured.)")
    lines.append("")
    Path(args.output).write_text("\n".join(lines), encoding="utf-8")
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    sys.exit(main())
