"""Every county of a year at once: plan, skip what is up to date, build the rest in parallel."""
from __future__ import annotations

import os
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass
from pathlib import Path

from . import config, state
from .exceptions import ParameterError
from .fingerprint import DataIndex, code_hash

STATUS = {"built": "已生成", "skipped": "未变跳过", "kept": "编辑稿未动", "failed": "失败"}


@dataclass
class Job:
    county: str
    year: int
    status: str = "pending"
    seconds: float = 0.0
    output: str = ""
    message: str = ""
    peak_mb: float = 0.0


def report_command(county: str, year: int, *, data_dir=None, build_root=None, strict=False,
                   clean=False) -> list[str]:
    """The command that builds one report in its own process (with its own kernel). ``--force``:
    the batch has decided already; an edited document is still kept and carried over there."""
    cmd = [sys.executable, "-m", "reportkit", "report", "--county", county, "--year", str(year), "--force",
           "--quiet"]
    if data_dir:
        cmd += ["--data", str(data_dir)]
    if build_root:
        cmd += ["--build", str(build_root)]
    if strict:
        cmd.append("--strict")
    if clean:
        cmd.append("--clean")
    return cmd


class _MeasuredPopen(subprocess.Popen):
    """Popen that reaps its child with wait4, to learn the peak memory of the child's tree
    (ru_maxrss covers the waited-for descendants: the kernel too). Overrides the private
    ``_try_wait`` hook, which every CPython 3 Popen.wait goes through."""

    peak_mb = 0.0

    def _try_wait(self, wait_flags):
        try:
            pid, sts, usage = os.wait4(self.pid, wait_flags)
        except ChildProcessError:
            return self.pid, 0
        if pid == self.pid:
            self.peak_mb = usage.ru_maxrss / 1024
        return pid, sts


def build_in_subprocess(county: str, year: int, data_dir=None, build_root=None, strict=False,
                        clean=False) -> Job:
    """Build one report in a child process; never raises for a failed report.

    Subprocesses, not a multiprocessing pool: papermill inside a pool can hang
    (papermill #239, #583). This is also what a Dask worker runs.
    """
    t0 = time.perf_counter()
    env = dict(os.environ, PYTHONUNBUFFERED="1")
    proc = _MeasuredPopen(report_command(county, year, data_dir=data_dir, build_root=build_root, strict=strict,
                                         clean=clean),
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env, cwd=config.WORK)
    _, err = proc.communicate()
    job = Job(county, int(year), seconds=time.perf_counter() - t0, peak_mb=proc.peak_mb)
    paths = config.report_paths(county, int(year), build_root)
    if proc.returncode == 0:
        job.status, job.output = "built", str(paths.docx)
        job.message = _build_note((state.load(paths) or {}).get("outcome", {}))
    else:
        job.status = "failed"
        lines = [ln for ln in err.decode("utf-8", "replace").splitlines() if ln.strip()]
        errors = [ln for ln in lines if ln.startswith("错误")]
        job.message = (errors or lines or [f"退出码 {proc.returncode}"])[-1]
    return job


def _build_note(outcome: dict) -> str:
    """What the summary adds to a built report: the editor's work kept and carried over, revisions."""
    notes = []
    if outcome.get("kept"):
        notes.append(f"原文档已保留为 versions/{outcome['kept']}")
    edits = outcome.get("edits") or {}
    if edits.get("total"):
        notes.append(f"写回编辑 {edits['total']} 处")
    if outcome.get("changes"):
        notes.append(f"数据更新 {outcome['changes']} 处(已标为修订)")
    return ";".join(notes)


def plan(pairs: list[tuple[str, int]], *, data_dir=None, build_root=None, force=False, strict=False,
         index: DataIndex | None = None) -> tuple[list[Job], list[tuple[Job, dict]]]:
    """(jobs not to build: up to date or edited-and-unchanged, jobs to build with their
    fingerprints) for these county-years, by the same rule as `make report` (state.decide)."""
    idx = index or DataIndex.read(data_dir)
    unknown = sorted({c for c, _ in pairs if c not in idx.slugs})
    if unknown:
        raise ParameterError(f"未知的县区:{'、'.join(unknown)}", column="COUNTY",
                             hint="检查拼写,或先在 counties.csv 中登记")
    code = code_hash()
    skipped, todo = [], []
    for county, year in pairs:
        fp = idx.fingerprint(county, year, code, strict=strict)
        paths = config.report_paths(county, year, build_root)
        decision = state.decide(paths, fp, force=force)
        job = Job(county, year)
        if decision.action == "build":
            todo.append((job, fp))
        else:
            job.status, job.output = ("skipped" if decision.action == "skip" else "kept"), str(paths.docx)
            if decision.action == "keep":
                job.message = f"{decision.reason};写回编辑:make harvest COUNTY={county} YEAR={year}"
            skipped.append(job)
    return skipped, todo


def run_batch(year: int | None = None, *, data_dir=None, build_root=None, counties=None,
              pairs: list[tuple[str, int]] | None = None, jobs: int | None = None,
              scheduler: str | None = None, force=False, strict=False, clean=False,
              progress=True) -> list[Job]:
    """Build every county with data in ``year`` (or only ``counties``, or exactly the county-year
    ``pairs``); reports whose inputs are unchanged are skipped; one failure does not stop the others."""
    idx = DataIndex.read(data_dir)
    if pairs is None:
        year = int(year)
        pairs = [(c, year) for c in (counties or idx.counties_with(year))]
        if not pairs:
            from .exceptions import NoDataError
            lacking = idx.data_without_narrative(year)
            raise NoDataError(f"{year} 年没有要生成的报告:没有县区有叙述文件 narrative/<县区>/{year}.md",
                              year=year, file=idx.root / config.NARRATIVE_DIRNAME,
                              hint=(f"有 {year} 年数据的县区:{'、'.join(lacking)};" if lacking else "") +
                              "为要生成的县区写叙述文件(复制 narrative/TEMPLATE.md),或用 COUNTY=… 指定县区")
    skipped, todo = plan(pairs, data_dir=data_dir, build_root=build_root, force=force, strict=strict,
                         index=idx)
    results: list[Job] = list(skipped)
    if todo:
        args = [(job.county, job.year, data_dir, build_root, strict, clean) for job, _ in todo]
        runner = _run_dask if scheduler else _run_local
        results += runner(args, jobs=jobs, scheduler=scheduler, progress=progress)
    order = {pair: i for i, pair in enumerate(pairs)}
    return sorted(results, key=lambda j: order.get((j.county, j.year), 0))


def _bar(total: int, progress: bool):
    from tqdm import tqdm
    return tqdm(total=total, desc="生成报告", unit="份", disable=not progress, file=sys.stderr,
                dynamic_ncols=True)


def default_jobs() -> int:
    """One report process more than cores: each report waits briefly (process start, kernel
    handshake, file writes), and a spare process fills those gaps (measured: ~6% faster on 2 cores)."""
    return (os.cpu_count() or 1) + 1


def _collect(finished, bar) -> list[Job]:
    """Jobs from futures in the order they finish, ticking the progress bar."""
    out = []
    for fut in finished:
        job = fut.result()
        out.append(job)
        bar.set_postfix_str(f"{job.county} {STATUS[job.status]}")
        bar.update()
    return out


def _run_local(args, *, jobs=None, scheduler=None, progress=True) -> list[Job]:
    workers = max(1, jobs or default_jobs())
    with _bar(len(args), progress) as bar, ThreadPoolExecutor(max_workers=workers) as pool:
        return _collect(as_completed([pool.submit(build_in_subprocess, *a) for a in args]), bar)


def _run_dask(args, *, jobs=None, scheduler=None, progress=True) -> list[Job]:
    """Run the same per-report command on Dask workers (which need the project and data/
    on a shared file system at the same paths)."""
    try:
        from distributed import Client, as_completed as dask_completed
    except ImportError:
        raise ParameterError("未安装 Dask", hint="pip install 'reportkit[cluster]'") from None
    with Client(scheduler) as client, _bar(len(args), progress) as bar:
        futures = [client.submit(build_in_subprocess, *a, pure=False, key=f"report-{a[0]}-{a[1]}")
                   for a in args]
        return _collect(dask_completed(futures), bar)


def notes(year: int, data_dir=None, *, explicit: bool = False) -> list[str]:
    """What a batch did not build and why: unregistered counties in the data, and counties with
    data for the year but no narrative file."""
    idx = DataIndex.read(data_dir)
    out = [f"{'、'.join(files)} 中的县区“{c}”未在 counties.csv 登记,没有生成报告"
           for c, files in idx.unregistered().items() if c]
    if not explicit:
        lacking = idx.data_without_narrative(int(year))
        if lacking:
            out.append(f"有 {year} 年数据但没有叙述文件、未生成的县区:{'、'.join(lacking)}"
                       f"(写好叙述文件,或 make all YEAR={year} 时用 --county 指定)")
    for path, _, exc in sorted({(p, s, e) for c in idx.slugs for p, s, e in idx.broken_for(c)}, key=lambda x: str(x[0])):
        out.append(f"无法读取 {path.name}:{exc.message}")
    return out


def summary(jobs: list[Job], build_root: Path | None = None) -> str:
    """The summary table printed at the end: county, status, seconds, output or reason."""
    root = Path(build_root or config.BUILD_DIR)
    rows = [("县区", "状态", "秒", "输出或原因")]
    for j in jobs:
        where = j.message if j.status == "failed" else _rel(j.output, root)
        if j.status != "failed" and j.message:
            where += f"({j.message})"
        rows.append((j.county, STATUS.get(j.status, j.status),
                     "" if j.status == "skipped" else f"{j.seconds:.1f}", where))
    widths = [max(_width(r[i]) for r in rows) for i in range(3)]
    lines = ["  ".join(_pad(c, widths[i]) for i, c in enumerate(r[:3])) + "  " + r[3] for r in rows]
    count = {s: sum(j.status == s for j in jobs) for s in STATUS}
    lines.append(f"共 {len(jobs)} 份:生成 {count['built']},未变跳过 {count['skipped']},"
                 + (f"编辑稿未动 {count['kept']}," if count["kept"] else "") + f"失败 {count['failed']}。")
    return "\n".join(lines)


def _rel(path: str, root: Path) -> str:
    try:
        return str(Path(path).relative_to(root.parent if root.name == "build" else root))
    except ValueError:
        return path


def _width(s: str) -> int:
    return sum(2 if ord(ch) > 0x2E80 else 1 for ch in s)


def _pad(s: str, width: int) -> str:
    return s + " " * (width - _width(s))
