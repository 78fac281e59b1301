"""Every county of a year at once: plan, skip what is up to date, build the rest in parallel."""
from __future__ import annotations

import os
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from .. import config
from ..document.layout import columns
from ..outputs import state
from ..exceptions import ParameterError
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
    error: dict | None = None       # a failure as plain data: ReportkitError.to_dict() (code, message, context)


def build_job(county: str, year: int, data_dir=None, build_root=None, strict=False, clean=False, *,
              kernel=None, index: DataIndex | None = None, release: bool = True) -> Job:
    """Build one report in this process, on ``kernel`` (a kept kernel); never raises for a failed
    report. ``force``: the batch has decided already; an edited document is still kept and
    carried over there. ``index``: data/ as this worker read it for the batch. ``release``: give
    the memory the report freed back to the system before returning (a batch worker does it
    before its next report instead, so that its last answer is not held up by it)."""
    from .build import build_report
    from ..exceptions import ReportkitError
    from .warm import memory_mb, release_memory
    t0 = time.perf_counter()
    job = Job(county, int(year))
    try:
        out = build_report(county, year, data_dir=data_dir, build_root=build_root, strict=strict, clean=clean,
                           force=True, kernel=kernel, index=index)
        job.status, job.output, job.message = "built", str(out.paths.docx), _build_note(out.as_record())
    except ReportkitError as exc:
        job.status, job.message, job.error = "failed", f"错误:{exc}", exc.to_dict()
    except OSError as exc:
        from ..exceptions import os_error_message
        text = os_error_message(exc)
        job.status, job.message = "failed", f"错误:{text}"
        job.error = {"code": "os-error", "message": text, "text": text, "exit_code": 1, "file": exc.filename}
    except Exception as exc:        # a bug must not stop the other reports: say what it was
        job.status, job.message = "failed", f"错误:{type(exc).__name__}:{exc}"
        job.error = {"code": "internal-error", "message": f"{type(exc).__name__}:{exc}", "exit_code": 1,
                     "text": f"{type(exc).__name__}:{exc}"}
    job.seconds = time.perf_counter() - t0
    if release:
        release_memory()
    job.peak_mb = memory_mb(kernel)       # Linux: the high-water mark, the same before or after the release
    return job


def build_city_job(city: str, year: int, data_dir=None, build_root=None, *, kernel=None,
                   index: DataIndex | None = None) -> Job:
    """Build one city view in this process (a batch worker's kept kernel); never raises for a failure."""
    from .city import build_city
    from ..exceptions import ReportkitError
    t0 = time.perf_counter()
    job = Job(city, int(year))
    try:
        out = build_city(city, year, data_dir=data_dir, build_root=build_root, force=True, kernel=kernel,
                         index=index)
        job.status, job.output = "built", str(out.paths.docx)
    except ReportkitError as exc:
        job.status, job.message, job.error = "failed", f"错误:{exc}", exc.to_dict()
    except Exception as exc:        # a bug must not stop the other cities: say what it was
        job.status, job.message = "failed", f"错误:{type(exc).__name__}:{exc}"
        job.error = {"code": "internal-error", "message": job.message, "exit_code": 1, "text": job.message}
    job.seconds = time.perf_counter() - t0
    return job


def run_cities(year: int, *, cities: list[str] | None = None, data_dir=None, build_root=None, force=False,
               jobs: int | None = None, progress=True) -> list[Job]:
    """``make city CITY=all``: the city view of every city of the registry with data for ``year``,
    those whose inputs are unchanged skipped, the rest built by the batch's worker processes."""
    from ..inputs import data as data_mod
    from ..model.city import cities_with_data
    from .city import fingerprint
    idx = DataIndex.read(data_dir)
    ds = data_mod.load(data_dir)
    names = cities or cities_with_data(ds, int(year))
    if not names:
        from ..exceptions import NoDataError
        raise NoDataError(f"没有哪个市的县(市、区)有 {year} 年的数据", year=year, file=idx.root / config.VALUES_DIRNAME,
                          hint="在 values 文件夹的表格中加入数据,或换一个年份")
    done, args = [], []
    for city in names:
        fp, _ = fingerprint(city, int(year), data_dir=data_dir, build_root=build_root, index=idx, dataset=ds)
        paths = config.city_paths(city, int(year), build_root)
        decision = state.decide(paths, fp, force=force)
        if decision.action == "build":
            args.append((city, int(year), data_dir, build_root, False, False, True))
        else:
            done.append(Job(city, int(year), status="skipped" if decision.action == "skip" else "kept",
                            output=str(paths.docx), message="" if decision.action == "skip" else decision.reason))
    if args:
        done += _run_local(args, jobs=jobs, progress=progress)
    order = {c: i for i, c in enumerate(names)}
    return sorted(done, key=lambda j: order.get(j.county, 0))


class WorkerProcess:
    """A batch worker (``python -m reportkit worker``): one process with one kept kernel, building
    the reports it is sent one after another. It answers each request (a JSON line) with its Job
    (a JSON line); if it dies, the report it was building fails with what it printed last and the
    next report gets a new worker."""

    def __init__(self):
        self.proc = None
        self._stderr: list[str] = []

    def _start(self) -> None:
        import threading
        # the requests and answers are UTF-8 both ways, whatever the console's encoding (cp936 on
        # Chinese Windows would garble a data folder with Chinese letters in its path)
        env = dict(os.environ, PYTHONUNBUFFERED="1", PYTHONIOENCODING="utf-8")
        self.proc = subprocess.Popen([sys.executable, "-m", "reportkit", "worker"], stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env, cwd=config.WORK,
                                     text=True, encoding="utf-8", bufsize=1)
        self._stderr = []
        threading.Thread(target=self._drain, args=(self.proc.stderr, self._stderr), daemon=True).start()

    @staticmethod
    def _drain(stream, lines: list[str]) -> None:
        for line in stream:                 # read it all: a full pipe would stall the worker
            if line.strip():
                lines.append(line.rstrip())
                del lines[:-20]

    def build(self, county, year, data_dir=None, build_root=None, strict=False, clean=False, city=False) -> Job:
        """Build one county's report (or, ``city``: the city view of the city named ``county``)."""
        import json
        if self.proc is None or self.proc.poll() is not None:
            self._start()
        t0 = time.perf_counter()
        request = {"county": county, "year": int(year), "data_dir": str(data_dir) if data_dir else None,
                   "build_root": str(build_root) if build_root else None, "strict": bool(strict),
                   "clean": bool(clean), "city": bool(city)}
        try:
            self.proc.stdin.write(json.dumps(request, ensure_ascii=False) + "\n")
            self.proc.stdin.flush()
            line = self.proc.stdout.readline()
        except OSError:
            line = ""
        if line:
            return Job(**json.loads(line))
        code = self.proc.wait()
        last = self._stderr[-1] if self._stderr else ""
        self.proc = None
        how = f"被信号 {-code} 终止(可能是内存不足)" if code < 0 else f"退出码 {code}"
        text = f"批量生成的工作进程意外退出({how})" + (f";它最后输出的是:{last}" if last else "")
        return Job(county, int(year), status="failed", seconds=time.perf_counter() - t0, message=f"错误:{text}",
                   error={"code": "worker-died", "message": text, "text": text, "exit_code": 1})

    def close(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.stdin.close()          # the worker stops its kernel and exits
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:  # pragma: no cover
                self.proc.kill()
        self.proc = None

    def __enter__(self) -> "WorkerProcess":
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def serve() -> int:
    """The worker's loop (``python -m reportkit worker``): a kept kernel, started at once, and one
    report per request line on stdin, its Job as a line on stdout, until stdin closes."""
    import dataclasses
    import json
    from .warm import KeptKernel, release_memory
    answer = os.fdopen(os.dup(1), "w", encoding="utf-8", buffering=1)
    os.dup2(2, 1)                   # whatever else prints (papermill, the kernel) goes to stderr
    sys.stdout = sys.stderr
    with answer, KeptKernel() as kernel:
        # while the kernel boots: the HTML exporter made ready, then the garbage of all that loading
        # handed back, so that it does not add to the memory of the first report
        from .execute import html_exporter
        html_exporter()
        release_memory()
        # what is alive now (the modules, the exporter) lives as long as the worker: left out of
        # every later full collection, so the release between reports scans only what a report
        # made (a twentieth of a second less each); the garbage is collected just above
        import gc
        gc.freeze()
        indexes: dict[str | None, DataIndex | None] = {}
        built = False
        for line in sys.stdin:
            if not line.strip():
                continue
            if built:                         # what the previous report freed, handed back before the next
                release_memory()
                built = False
            request = json.loads(line)
            data_dir = request.get("data_dir")
            if data_dir not in indexes:       # data/ read once for the batch (harvest changes only narratives,
                try:                          # which a fingerprint reads afresh)
                    indexes[data_dir] = DataIndex.read(data_dir)
                except Exception:             # build_job says what is wrong with it, for this report
                    indexes[data_dir] = None
            if request.get("city"):
                job = build_city_job(request["county"], request["year"], data_dir, request.get("build_root"),
                                     kernel=kernel, index=indexes[data_dir])
            else:
                job = build_job(request["county"], request["year"], data_dir, request.get("build_root"),
                                request.get("strict", False), request.get("clean", False), kernel=kernel,
                                index=indexes[data_dir], release=False)
                built = True
            answer.write(json.dumps(dataclasses.asdict(job), ensure_ascii=False) + "\n")
    return 0


_kept = None


def build_on_dask(county, year, data_dir=None, build_root=None, strict=False, clean=False) -> Job:
    """What a Dask worker runs: the same in-process build, on a kernel kept by that worker process
    (run the workers with one thread each)."""
    global _kept
    if _kept is None:
        import atexit
        from .warm import KeptKernel
        _kept = KeptKernel().start()
        atexit.register(_kept.shutdown)
    return build_job(county, year, data_dir, build_root, strict, clean, kernel=_kept)


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
              progress=True, index: DataIndex | None = None) -> list[Job]:
    """Build every county with data in ``year`` (or only ``counties``, or exactly the county-year
    ``pairs``); reports whose inputs are unchanged are skipped; one failure does not stop the others.
    ``index``: data/ as already read (:meth:`DataIndex.read`)."""
    idx = index or DataIndex.read(data_dir)
    if pairs is None:
        year = int(year)
        pairs = [(c, year) for c in (counties or idx.counties_with(year))]
        if not pairs:
            from ..exceptions import NoDataError
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
    """One worker more than cores: a worker and its kernel take turns (the kernel computes, the
    worker writes the HTML and moves the outputs into place), and a spare worker fills those gaps."""
    return (os.cpu_count() or 1) + 1


def _collect(finished, bar) -> list[Job]:
    """Jobs from futures in the order they finish, ticking the progress bar."""
    out = []
    for fut in finished:
        job = fut.result()
        out.append(job)
        _tick(bar, job)
    return out


def _tick(bar, job: Job) -> None:
    bar.set_postfix_str(f"{job.county} {STATUS[job.status]}")
    bar.update()


def _run_local(args, *, jobs=None, scheduler=None, progress=True) -> list[Job]:
    """``jobs`` worker processes, each with its kept kernel, take the reports one after another."""
    import queue
    import threading
    todo: queue.SimpleQueue = queue.SimpleQueue()
    for a in args:
        todo.put(a)
    lock = threading.Lock()
    done: list[Job] = []
    with _bar(len(args), progress) as bar:
        def drive():
            with WorkerProcess() as worker:
                while True:
                    try:
                        a = todo.get_nowait()
                    except queue.Empty:
                        return
                    job = worker.build(*a)
                    with lock:
                        done.append(job)
                        _tick(bar, job)
        workers = max(1, min(jobs or default_jobs(), len(args)))
        with ThreadPoolExecutor(max_workers=workers) as pool:
            for fut in [pool.submit(drive) for _ in range(workers)]:
                fut.result()
    return done


def _run_dask(args, *, jobs=None, scheduler=None, progress=True) -> list[Job]:
    """Run the same per-report command on Dask workers (which need the project and data/
    on a shared file system at the same paths)."""
    try:
        from distributed import Client, as_completed as dask_completed
    except ImportError:
        raise ParameterError("未安装 Dask", hint="pip install 'reportkit[cluster]'") from None
    with Client(scheduler) as client, _bar(len(args), progress) as bar:
        futures = [client.submit(build_on_dask, *a, pure=False, key=f"report-{a[0]}-{a[1]}")
                   for a in args]
        return _collect(dask_completed(futures), bar)


def notes(year: int, data_dir=None, *, explicit: bool = False, index: DataIndex | None = None) -> list[str]:
    """What a batch did not build and why: unregistered counties in the data, counties with
    data for the year but no narrative file, and files that cannot be read."""
    idx = index or DataIndex.read(data_dir)
    out = [f"{'、'.join(files)} 中的县区“{c}”未在 counties.csv 登记,没有生成报告"
           for c, files in idx.unregistered().items() if c]
    if not explicit:
        lacking = idx.data_without_narrative(int(year))
        if lacking:
            out.append(f"有 {year} 年数据但没有叙述文件、未生成的县区:{'、'.join(lacking)}"
                       f"(写好叙述文件;或指定县区生成,如 make all YEAR={year} COUNTY={lacking[0]},"
                       f"不用 make 时写 reportkit all --year {year} --county {lacking[0]})")
    for path, (_, exc) in sorted(idx.broken.items()):
        out.append(f"无法读取 {path.name}:{exc.message}")
    from ..inputs.tables import unread_notes
    return out + unread_notes(idx.root)


def summary(jobs: list[Job], build_root: Path | None = None, *, unit: str = "县区") -> str:
    """The summary table printed at the end: county (or city: ``unit="市"``), status, seconds,
    output or reason."""
    root = Path(build_root or config.BUILD_DIR)
    rows = [(unit, "状态", "秒", "输出或原因")]
    for j in jobs:
        where = j.message if j.status == "failed" else _rel(j.output, root)
        if j.status != "failed" and j.message:
            where += f"({j.message})"
        rows.append((j.county, STATUS.get(j.status, j.status),
                     "" if j.status == "skipped" else f"{j.seconds:.1f}", where))
    widths = [max(columns(r[i]) for r in rows) for i in range(3)]
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


def _pad(s: str, width: int) -> str:
    return s + " " * (width - columns(s))
