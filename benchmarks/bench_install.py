"""Benchmark the first set-up a new user pays: the time of `make report` on a fresh clone (creating
the venv, installing, building one report) and the size of the venv it leaves; writes
benchmarks/RESULTS_INSTALL.md.

Two versions of the project are measured in one run, interleaved, each from its own fresh clone:

- before: the commit named by --before (default: the last one that installed the test extra and
  mplfonts for every user, from `>=` floors);
- after:  the working tree's HEAD (the runtime lock alone, the shipped font).

Both use the same pip download cache (warm after the first round: the numbers compare installing,
not the network). The venv size is `du` of .venv after the report; "test tools" says whether
pytest, nbval or dask were installed in it.
Usage: python benchmarks/bench_install.py [--before fdf0a5f --repeat 2]
"""
from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import shutil
import statistics
import subprocess
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BEFORE = "fdf0a5f"
LIMIT_MB = 400


def du_mb(path: Path) -> float:
    """What the folder takes on disk, in MiB (`du -sm`)."""
    return float(subprocess.run(["du", "-sm", str(path)], capture_output=True, text=True, check=True).stdout.split()[0])


def clone(commit: str, where: Path) -> Path:
    subprocess.run(["git", "clone", "-q", str(ROOT), str(where)], check=True)
    subprocess.run(["git", "-C", str(where), "checkout", "-q", commit], check=True)
    shared = ROOT.parent / "shared"
    if shared.exists() and not (where.parent / "shared").exists():
        (where.parent / "shared").symlink_to(shared)
    return where


def first_report(project: Path) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith("REPORTKIT_")}
    t0 = time.perf_counter()
    r = subprocess.run(["make", "report", "COUNTY=xinchang", "YEAR=2024"], cwd=project, env=env,
                       capture_output=True, text=True)
    seconds = time.perf_counter() - t0
    if r.returncode != 0:
        raise SystemExit(f"make report failed in {project}:\n{r.stdout[-2000:]}\n{r.stderr[-2000:]}")
    listed = subprocess.run([str(project / ".venv" / "bin" / "python"), "-m", "pip", "list", "--format=freeze",
                             "--disable-pip-version-check"], capture_output=True, text=True).stdout.lower()
    tools = sorted(n for n in ("pytest", "nbval", "dask", "mplfonts") if f"\n{n}==" in "\n" + listed)
    return {"seconds": seconds, "mb": du_mb(project / ".venv"), "packages": len(listed.split()),
            "tools": tools}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--before", default=BEFORE)
    ap.add_argument("--repeat", type=int, default=2)
    args = ap.parse_args()
    after = subprocess.run(["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"], capture_output=True,
                           text=True, check=True).stdout.strip()
    runs: dict[str, list[dict]] = {"before": [], "after": []}
    for i in range(args.repeat):
        for label, commit in (("before", args.before), ("after", after)):
            with tempfile.TemporaryDirectory() as tmp:
                project = clone(commit, Path(tmp) / "reportkit")
                runs[label].append(first_report(project))
                print(f"round {i + 1} {label}: {runs[label][-1]['seconds']:.1f} s, {runs[label][-1]['mb']:.0f} MB",
                      flush=True)
    med = {k: statistics.median(r["seconds"] for r in v) for k, v in runs.items()}
    size = {k: v[-1]["mb"] for k, v in runs.items()}
    lines = [
        "# Benchmark: first set-up and venv size",
        "",
        f"Recorded {dt.datetime.now():%Y-%m-%d %H:%M} by `python benchmarks/bench_install.py --before "
        f"{args.before} --repeat {args.repeat}`.",
        "",
        f"- machine: {os.cpu_count()} cores, Python {platform.python_version()}, {platform.system()} {platform.release()}",
        "- each round: a fresh clone, then `make report COUNTY=xinchang YEAR=2024` (creates .venv, installs, "
        "builds one report); wall clock of the whole command; rounds interleaved, same warm pip cache",
        f"- before = {args.before} (`pip install -e '.[test]'` from `>=` floors, mplfonts); "
        f"after = {after} (requirements/runtime.txt with hashes, the shipped font subset, byte-compiled "
        "without the packages' own tests)",
        "",
        "| version | first `make report` median s | all runs s | venv MiB (`du -sm`) | packages | test tools in the venv |",
        "|---|---:|---|---:|---:|---|",
    ]
    for label in ("before", "after"):
        r = runs[label]
        every = ", ".join(f"{x['seconds']:.1f}" for x in r)
        lines.append(f"| {label} | {med[label]:.1f} | {every} | "
                     f"{size[label]:.0f} | {r[-1]['packages']} | {', '.join(r[-1]['tools']) or 'none'} |")
    ok = size["after"] <= LIMIT_MB and not runs["after"][-1]["tools"]
    lines += ["", f"**venv {size['before']:.0f} MB → {size['after']:.0f} MB; first set-up "
              f"{med['before']:.0f} s → {med['after']:.0f} s.** Goal: runtime venv ≤ {LIMIT_MB} MB without "
              f"pytest or dask — {'met' if ok else 'missed'}.", ""]
    (ROOT / "benchmarks" / "RESULTS_INSTALL.md").write_text("\n".join(lines), encoding="utf-8")
    print("\n".join(lines))


if __name__ == "__main__":
    if not shutil.which("make"):
        raise SystemExit("make is needed")
    main()
