"""Run the report notebook for a county-year with papermill; validate first, keep failures readable."""
from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import json
import os
import re
import shutil
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from .. import __version__, config
from . import environment, warm
from ..inputs import parameters
from ..exceptions import KernelError, OutputFolderError, PipelineError, TemplateError, os_error_message
from ..iorw import write_text
from ..thirdparty import nbconvert_highlighter

REPORT_NOTEBOOK = config.REPORT_NOTEBOOK


@dataclass
class RunResult:
    county: str
    year: int
    run_id: str
    out_dir: Path
    notebook: Path
    html: Path
    docx: Path
    seconds: float
    changes: list[dict] = field(default_factory=list)   # figures revised since the previous version
    timings: list[tuple[str, float]] = field(default_factory=list)   # seconds per notebook step


def validate_params(county: str, year, data_dir: Path | None = None, *, index=None) -> tuple[str, int]:
    """Check the parameters before any kernel starts: a plain slug, a known county, a year with data."""
    return parameters.validate(county, year, data_dir, index=index)


def run_id_of(county: str, year: int, fingerprint: dict) -> str:
    """A run's id: the county-year and a hash of everything the report depends on (data, narrative,
    template, code, installed versions) — the same inputs give the same id, and the same bytes."""
    return f"{county}-{year}-{fingerprint['hash'][:12]}"


def _heading(cell) -> str | None:
    """A markdown cell's heading ('## 1. 载入并校验数据' -> '1. 载入并校验数据'): the step it opens."""
    if cell.cell_type != "markdown":
        return None
    return next((ln.lstrip("#").strip() for ln in cell.source.splitlines() if ln.startswith("#")), None)


def _step_of(nb, cell_index: int) -> str:
    """The step a code cell belongs to: the heading above it."""
    return next((h for cell in reversed(nb.cells[:cell_index + 1]) if (h := _heading(cell))),
                f"第 {cell_index} 个单元格")


class _Prepared:
    """Something slow to set up, made in a background thread while the kernel works.

    The parent process only waits on the kernel during execution, so the second core is
    free: importing nbconvert and loading its HTML templates there takes it off the path.
    """

    def __init__(self, factory):
        self._value = self._error = None
        self._thread = threading.Thread(target=self._run, args=(factory,), daemon=True)
        self._thread.start()

    def _run(self, factory):
        try:
            self._value = factory()
        except BaseException as exc:  # pragma: no cover - re-raised in get()
            self._error = exc

    def get(self):
        self._thread.join()
        if self._error is not None:
            raise self._error
        return self._value


@functools.cache
def html_exporter():
    """One HTML exporter per process (a batch worker reuses it), that has converted a small notebook
    once: its templates loaded and the markdown and code highlighters' patterns compiled (half of a
    first export's time). The compiled templates are kept in the user's cache folder."""
    import jinja2
    import nbformat
    from nbconvert import HTMLExporter
    v4 = nbformat.v4
    exporter = HTMLExporter()
    highlight = nbconvert_highlighter(exporter)
    if highlight is not None:
        exporter.filters = {**exporter.filters, "highlight_code": highlight}
    try:        # nbconvert's templates compiled once per machine, not per run (keyed by their source)
        templates = config.cache_dir() / "html-templates"
        templates.mkdir(parents=True, exist_ok=True)
        exporter.environment.bytecode_cache = jinja2.FileSystemBytecodeCache(str(templates))
    except OSError:
        pass
    sample = v4.new_notebook(cells=[
        v4.new_markdown_cell("## 1. 标题\n\n正文 **粗体** `代码`"),
        v4.new_code_cell("import pandas as pd\nfor w in run.warnings():\n    print(\"提示:\", w)", outputs=[
            v4.new_output("stream", name="stdout", text="提示: 文字\n"),
            v4.new_output("execute_result", data={"text/plain": "x", "text/html": "<table><tr><td>1</td></tr></table>"},
                          execution_count=1)])])
    sample.metadata["language_info"] = {"name": "python", "pygments_lexer": "ipython3"}
    exporter.from_notebook_node(sample)
    return exporter


def to_html(notebook, html: Path, exporter=None) -> Path:
    """The executed notebook (a path, or the notebook itself) as one HTML page."""
    import nbformat
    nb = notebook if isinstance(notebook, nbformat.NotebookNode) else nbformat.read(notebook, as_version=4)
    body, _ = (exporter or html_exporter()).from_notebook_node(nb)
    return write_text(html, body)


def execute_notebook(input_nb: Path, output_nb: Path, parameters: dict, kernel, *, verbose: bool = False):
    """papermill, on ``kernel`` (a started :class:`~reportkit.run.warm.KeptKernel`: made ready for this
    notebook, a new one if needed, once papermill has the notebook parameterized)."""
    import papermill as pm

    from .engine import ENGINE
    # the output notebook is written at the start and at the end (also when a cell fails);
    # saving it after every cell as well would only cost time
    return pm.execute_notebook(str(input_nb), str(output_nb), parameters=parameters, engine_name=ENGINE,
                               kernel=kernel, kernel_name=warm.KERNEL_NAME, progress_bar=verbose,
                               log_output=verbose, request_save_on_cell_execute=False)


def run_report(county: str, year, *, data_dir: Path | None = None, build_root: Path | None = None,
               strict: bool = False, clean: bool = False, notebook: Path = REPORT_NOTEBOOK,
               html: bool = True, index=None, verbose: bool = False, kernel=None,
               fingerprint: dict | None = None, record=None) -> RunResult:
    """Execute the report notebook and export it to HTML; all or nothing.

    One run of a county-year at a time (state.report_lock; build_report holds it already). The
    run writes into a staging folder of its own (build/.staging/<run id>-<unique>/); only when
    every step succeeded are its outputs moved into build/<county>/<year>/ by state.promote,
    together with the record of what was written (a killed promotion is completed by the next
    run). On failure the previous outputs stay exactly as they were; the executed notebook with
    the error marked and its HTML are kept beside them as report.failed.ipynb/.html, and
    PipelineError names the step. ``record(changes)``: the outcome the state file keeps.
    """
    from ..outputs import state
    county, year = validate_params(county, year, data_dir, index=index)
    root = Path(build_root or config.BUILD_DIR)
    paths = config.report_paths(county, year, root)
    with state.report_lock(paths):
        state.recover(paths)
        try:
            return _run_locked(county, year, root, paths, data_dir=data_dir, build_root=build_root, strict=strict,
                               clean=clean, notebook=notebook, html=html, index=index, verbose=verbose,
                               kernel=kernel, fingerprint=fingerprint, record=record)
        except OSError as exc:
            if exc.filename is None and exc.errno:     # papermill writing the notebook: the disk full, …
                raise OSError(exc.errno, exc.strerror, str(root)) from exc
            raise


def _run_locked(county, year, root, paths, *, data_dir, build_root, strict, clean, notebook, html, index, verbose,
                kernel, fingerprint, record) -> RunResult:
    t0 = time.perf_counter()
    check_template()
    paths.out_dir.mkdir(parents=True, exist_ok=True)
    _clear_leftovers(paths, root)
    if fingerprint is None:            # the caller (build_report) has it already, as a rule
        from .fingerprint import DataIndex, code_hash
        fingerprint = (index or DataIndex.read(data_dir)).fingerprint(county, year, code_hash(), strict=strict)
    run_id = run_id_of(county, year, fingerprint)
    staging_root, stage = new_staging(paths, run_id)
    params = {"county": county, "year": year, "strict": bool(strict), "run_id": run_id,
              "staging_root": str(staging_root.resolve())}
    if clean:
        params["clean"] = True
    if data_dir is not None:
        params["data_dir"] = str(Path(data_dir).resolve())
    if build_root is not None:
        params["build_root"] = str(Path(build_root).resolve())
    timings, changes = run_staged(notebook, params, paths=paths, stage=stage, staging_root=staging_root,
                                  run_id=run_id, county=county, year=year, strict=strict, html=html,
                                  verbose=verbose, kernel=kernel, fingerprint=fingerprint, record=record)
    return RunResult(county=county, year=year, run_id=run_id, out_dir=paths.out_dir, notebook=paths.notebook,
                     html=paths.html, docx=paths.docx, seconds=time.perf_counter() - t0, changes=changes,
                     timings=timings)


def run_staged(notebook: Path, params: dict, *, paths, stage, staging_root: Path, run_id: str, county: str,
               year: int, fingerprint: dict, strict: bool = False, html: bool = True, verbose: bool = False,
               kernel=None, record=None) -> tuple[list[tuple[str, float]], list[dict]]:
    """Execute ``notebook`` writing into ``stage`` (paths inside ``staging_root``, a folder of this
    run's own), export it to HTML and, only when every step succeeded, move its outputs into
    ``paths`` with the record of the build (``fingerprint``; ``record(changes)``: the outcome it
    keeps) by :func:`reportkit.outputs.state.promote`, all or nothing; on failure the previous
    outputs stay as they were and the failed notebook is kept beside them. The caller holds the
    county-year's lock.
    ``paths``/``stage`` are :class:`config.ReportPaths` (a county report) or the like (the city view).
    Returns (seconds per step, the changes the run recorded)."""
    import nbformat
    from papermill.exceptions import PapermillExecutionError

    from ..outputs import state
    started = dt.datetime.now().isoformat(timespec="seconds")
    exporter = _Prepared(html_exporter) if html else None
    failure = None
    from .warm import kernel_for
    try:
        ran = False
        with kernel_for(kernel) as kernel:       # one of its own is stopped as soon as the notebook has run
            try:
                execute_notebook(notebook, stage.notebook, params, kernel, verbose=verbose)
                ran = True
            except PapermillExecutionError as exc:
                failure = exc
            except OSError:            # the disk full, the folder not writable: cli names the cause
                raise
            except Exception as exc:   # the kernel died, could not start, or timed out
                if not stage.notebook.exists() or not isinstance(exc, _kernel_failures()):
                    raise _kernel_error(exc, county, year) from exc
                failure = exc
            finally:
                kernel.finished(ran)     # a failure may leave something behind: the next report gets a new kernel
        nb = nbformat.read(stage.notebook, as_version=4)
        nb.metadata["reportkit"] = {"run_id": run_id, "county": county, "year": year, "strict": bool(strict),
                                    "started": started, "version": __version__,
                                    "environment": environment.versions(),
                                    "status": "failed" if failure else "ok"}
        nbformat.write(nb, stage.notebook)
        timings = step_timings(nb)
        if html:
            try:
                to_html(nb, stage.html, exporter.get())
            except OSError:                 # the disk full: the CLI names it
                raise
            except Exception as exc:        # nbconvert missing its templates, …: outputs stay as they were
                raise PipelineError(f"无法把笔记本导出为 HTML({type(exc).__name__}:{str(exc).splitlines()[0][:120]})",
                                    county=county, year=year,
                                    hint="检查 nbconvert 的安装(重新运行 make setup);上一次生成的文档和其他输出都未被改动") from exc
        if failure is not None:
            failed_nb = _keep_failed(stage, paths)
            if isinstance(failure, PapermillExecutionError):
                step = _step_of(nb, failure.cell_index)
                evalue = re.sub(r"\x1b\[[0-9;]*m", "", str(failure.evalue))
                evalue = _os_error_text(failure.ename, evalue) or evalue
                raise PipelineError(f"“{step}”这一步出错({failure.ename}):{evalue}",
                                    step=step, cell_index=failure.cell_index, error_name=failure.ename,
                                    notebook=failed_nb, county=county, year=year,
                                    hint=f"查看 {failed_nb.with_suffix('.html')} 中标红的单元格;上一次生成的文档和其他输出都未被改动")
            raise _kernel_error(failure, county, year, failed_nb)
        try:
            changes = json.loads(stage.figures_json.read_text(encoding="utf-8")).get("changes", [])
        except (OSError, ValueError):
            changes = []
        # an output this run did not make (no charts now, no HTML) leaves with the previous version
        state.promote(stage, paths, run_id, list(state.OUTPUTS), fingerprint, record(changes) if record else None)
    finally:
        shutil.rmtree(staging_root, ignore_errors=True)
    return timings, changes


def step_timings(nb) -> list[tuple[str, float]]:
    """Seconds per step of the executed notebook (the markdown headings), as papermill recorded
    each cell's duration."""
    out: list[tuple[str, float]] = []
    step = "准备"
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            step = _heading(cell) or step
            continue
        duration = cell.metadata.get("papermill", {}).get("duration") or 0.0
        if out and out[-1][0] == step:
            out[-1] = (step, out[-1][1] + duration)
        else:
            out.append((step, duration))
    return out


STAGING = ".staging"


def new_staging(paths: config.ReportPaths, run_id: str) -> tuple[Path, config.ReportPaths]:
    """A staging folder of this run's own (build/.staging/<run id>-<unique>/: the run id stays the
    inputs' hash, for figures.json and the document's identifier) and the outputs' paths in it, the
    same layout as ``paths`` (a report's or a city view's), once the report folder is known to
    take them (:func:`check_writable`)."""
    (paths.root / STAGING).mkdir(parents=True, exist_ok=True)
    paths.out_dir.mkdir(parents=True, exist_ok=True)
    staging_root = Path(tempfile.mkdtemp(prefix=f"{run_id}-", dir=paths.root / STAGING))
    stage = dataclasses.replace(paths, root=staging_root)
    try:
        stage.out_dir.mkdir(parents=True, exist_ok=True)
        check_writable(paths, staging_root)
    except BaseException:
        shutil.rmtree(staging_root, ignore_errors=True)
        raise
    return staging_root, stage


def check_template(template: Path | None = None) -> Path:
    """The Word template exists and is a file, before any kernel starts (named if not)."""
    path = Path(template or config.DEFAULT_TEMPLATE)
    if path.is_file():
        return path
    setting = "REPORTKIT_TEMPLATE 指定的 " if os.environ.get("REPORTKIT_TEMPLATE") else ""
    if not setting and template is None and (config.ROOT / "notebooks" / "report.ipynb").exists():
        path = config.ROOT / "templates" / "gongwen.docx"     # a checkout whose template is gone
    what = "是一个文件夹,不是 Word 文档" if path.is_dir() else "找不到"
    raise TemplateError(f"{setting}Word 模板{what}", file=path,
                        hint=("改正 REPORTKIT_TEMPLATE 的设置(或删掉它,用项目自带的模板)" if setting else
                              "从版本库恢复模板(git checkout templates/gongwen.docx)")
                        + ";上一次生成的文档未被改动")


def check_writable(paths: config.ReportPaths, staging_root: Path) -> None:
    """Before the notebook runs: the report folder can take the outputs (it is writable, and on
    the same file system as the staging folder, so that each output is moved in at once)."""
    out = paths.out_dir
    keep = "上一次生成的文档未被改动"
    if not os.access(out, os.W_OK) or (paths.state_dir.exists() and not os.access(paths.state_dir, os.W_OK)):
        raise OutputFolderError(f"输出文件夹 {out} 不可写(只读的磁盘或共享文件夹,或没有写权限),报告无法放入",
                                county=paths.county, year=paths.year,
                                hint=f"换一个可写的输出文件夹(make report … 前设置 REPORTKIT_BUILD=…,或 --build),"
                                     f"或请管理员开放 {out} 的写权限;{keep}")
    if os.stat(out).st_dev != os.stat(staging_root).st_dev:
        raise OutputFolderError(f"输出文件夹 {out} 与临时文件夹 {staging_root.parent} 不在同一个磁盘(文件系统)上,"
                                f"报告无法一次移入(多半是 {out} 单独挂载,且是只读的)",
                                county=paths.county, year=paths.year,
                                hint=f"让整个输出文件夹 {paths.root} 在同一个可写的磁盘上(或用 REPORTKIT_BUILD 换一个);{keep}")


def _os_error_text(ename: str, evalue: str) -> str | None:
    """A file-system error raised inside the notebook ('[Errno 28] No space left on device: …'),
    as the CLI says it (the cause and the fix), or None for any other error."""
    m = re.match(r"\[Errno (\d+)\] [^:]*(?:: '(.*)')?", evalue)
    if not m or ename not in ("OSError", "IOError", "PermissionError", "FileNotFoundError", "IsADirectoryError",
                              "NotADirectoryError", "FileExistsError", "BlockingIOError"):
        return None
    return os_error_message(OSError(int(m[1]), os.strerror(int(m[1])), m[2]))


def _keep_failed(stage: config.ReportPaths, paths: config.ReportPaths) -> Path:
    """The failed run's notebook and HTML, beside the untouched outputs of the last good run."""
    failed = paths.out_dir / "report.failed.ipynb"
    os.replace(stage.notebook, failed)
    if stage.html.exists():
        os.replace(stage.html, failed.with_suffix(".html"))
    return failed


def _clear_leftovers(paths: config.ReportPaths, root: Path) -> None:
    """Temporary files and staging folders a killed run left behind (called with the county-year's
    lock held and its promotion recovered: no other run of it is under way)."""
    for folder in (paths.out_dir, paths.state_dir, paths.state_dir / "runs", paths.versions_dir):
        for tmp in folder.glob(".*.tmp") if folder.exists() else []:
            tmp.unlink(missing_ok=True)
    for stale in (root / STAGING).glob(f"{paths.county}-{paths.year}-*") if (root / STAGING).exists() else []:
        shutil.rmtree(stale, ignore_errors=True)


def _kernel_failures() -> tuple[type, ...]:
    """What a kernel that died, never started or ran out of time raises (nbclient's own classes)."""
    from nbclient.exceptions import CellTimeoutError, DeadKernelError
    return DeadKernelError, CellTimeoutError, TimeoutError, KernelError


def _kernel_error(exc: Exception, county: str, year: int, notebook: Path | None = None) -> PipelineError:
    from nbclient.exceptions import CellTimeoutError, DeadKernelError
    name = type(exc).__name__
    if isinstance(exc, KernelError):
        what = exc.message
    elif isinstance(exc, DeadKernelError):
        what = "运行笔记本的 Python 内核意外退出(可能是内存不足,或进程被终止)"
    elif isinstance(exc, (CellTimeoutError, TimeoutError)):
        what = "运行笔记本超时"
    else:
        what = f"无法运行笔记本({name})"
    hint = (f"查看 {notebook.with_suffix('.html')};" if notebook else "") + "上一次生成的文档和其他输出都未被改动;重试一次,仍失败请检查内存和磁盘空间"
    return PipelineError(what, error_name=name, notebook=notebook, county=county, year=year, hint=hint)
