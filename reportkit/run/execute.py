"""Run the report notebook for a county-year with papermill; validate first, keep failures readable."""
from __future__ import annotations

import functools
import datetime as dt
import json
import os
import re
import shutil
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from .. import __version__, config
from . import environment
from ..inputs import parameters
from ..exceptions import PipelineError
from ..iorw import write_text

REPORT_NOTEBOOK = config.NOTEBOOKS_DIR / "report.ipynb"


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


def _highlighter(exporter):
    """nbconvert's code highlighter, taking the ipython3 lexer from pygments' registry, where the
    ipython-pygments-lexers package registers it: the same lexer class nbconvert gets from
    IPython.lib.lexers (which re-exports that package), without loading all of IPython into the
    process that writes the HTML (9 MB of a batch worker). Same HTML; nbconvert's own filter if its
    internals are not as expected."""
    try:
        from html import escape

        from nbconvert.filters.highlight import Highlight2HTML, _pygments_highlight
        from pygments.formatters import HtmlFormatter
        from pygments.lexers import get_lexer_by_name
        from pygments.util import ClassNotFound
        if type(get_lexer_by_name("ipython")).__name__ != "IPython3Lexer":
            return None
    except (ImportError, ClassNotFound):
        return None

    class Highlight(Highlight2HTML):
        def __call__(self, source, language=None, metadata=None):
            language = language or self.pygments_lexer
            formatter = HtmlFormatter(cssclass=escape(f" highlight hl-{language}"), **self.extra_formatter_options)
            return _pygments_highlight(source if len(source) > 0 else " ", formatter,
                                       "ipython" if language == "ipython3" else language, metadata)

    return Highlight(pygments_lexer="ipython3", parent=exporter)


@functools.cache
def _html_exporter():
    """One HTML exporter per process (a batch worker reuses it), that has converted a small notebook
    once: its templates loaded and the markdown and code highlighters' patterns compiled (half of a
    first export's time). The compiled templates are kept in the user's cache folder."""
    import jinja2
    import nbformat
    from nbconvert import HTMLExporter
    v4 = nbformat.v4
    exporter = HTMLExporter()
    highlight = _highlighter(exporter)
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
    body, _ = (exporter or _html_exporter()).from_notebook_node(nb)
    return write_text(html, body)


def execute_notebook(input_nb: Path, output_nb: Path, parameters: dict, kernel, *, verbose: bool = False):
    """papermill, on ``kernel`` (a started :class:`~reportkit.run.warm.KeptKernel`: made ready for this
    notebook, a new one if needed, once papermill has the notebook parameterized)."""
    import papermill as pm
    from . import warm
    warm.register_engine()
    # the output notebook is written at the start and at the end (also when a cell fails);
    # saving it after every cell as well would only cost time
    return pm.execute_notebook(str(input_nb), str(output_nb), parameters=parameters, engine_name=warm.ENGINE,
                               kernel=kernel, kernel_name=warm.KERNEL_NAME, progress_bar=verbose,
                               log_output=verbose, request_save_on_cell_execute=False)


def run_report(county: str, year, *, data_dir: Path | None = None, build_root: Path | None = None,
               strict: bool = False, clean: bool = False, notebook: Path = REPORT_NOTEBOOK,
               html: bool = True, index=None, verbose: bool = False, kernel=None,
               fingerprint: dict | None = None) -> RunResult:
    """Execute the report notebook and export it to HTML; all or nothing.

    The run writes into a staging folder (build/.staging/<run id>/); only when every step
    succeeded are its outputs moved into build/<county>/<year>/, the .docx last. On failure the
    previous outputs stay exactly as they were; the executed notebook with the error marked and
    its HTML are kept beside them as report.failed.ipynb/.html, and PipelineError names the step.
    """
    import nbformat
    from papermill.exceptions import PapermillExecutionError

    county, year = validate_params(county, year, data_dir, index=index)
    t0 = time.perf_counter()
    root = Path(build_root or config.BUILD_DIR)
    paths = config.report_paths(county, year, root)
    paths.out_dir.mkdir(parents=True, exist_ok=True)
    _clear_leftovers(paths, root)
    if fingerprint is None:            # the caller (build_report) has it already, as a rule
        from .fingerprint import DataIndex, code_hash
        fingerprint = (index or DataIndex.read(data_dir)).fingerprint(county, year, code_hash(), strict=strict)
    run_id = run_id_of(county, year, fingerprint)
    staging_root = root / STAGING / run_id
    stage = config.report_paths(county, year, staging_root)
    stage.out_dir.mkdir(parents=True, exist_ok=True)
    params = {"county": county, "year": year, "strict": bool(strict), "run_id": run_id,
              "staging_root": str(staging_root.resolve())}
    if clean:
        params["clean"] = True
    if data_dir is not None:
        params["data_dir"] = str(Path(data_dir).resolve())
    if build_root is not None:
        params["build_root"] = str(Path(build_root).resolve())
    started = dt.datetime.now().isoformat(timespec="seconds")
    exporter = _Prepared(_html_exporter) if html else None
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
            except Exception as exc:   # the kernel died, could not start, or timed out
                if not stage.notebook.exists() or type(exc).__name__ not in ("DeadKernelError", "RuntimeError",
                                                                           "CellTimeoutError", "TimeoutError"):
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
            except Exception as exc:        # nbconvert missing its templates, …: outputs stay as they were
                raise PipelineError(f"无法把笔记本导出为 HTML({type(exc).__name__}:{str(exc).splitlines()[0][:120]})",
                                    county=county, year=year,
                                    hint="检查 nbconvert 的安装(重新运行 make setup);上一次生成的文档和其他输出都未被改动") from exc
        if failure is not None:
            failed_nb = _keep_failed(stage, paths)
            if isinstance(failure, PapermillExecutionError):
                step = _step_of(nb, failure.cell_index)
                evalue = re.sub(r"\x1b\[[0-9;]*m", "", str(failure.evalue))
                raise PipelineError(f"“{step}”这一步出错({failure.ename}):{evalue}",
                                    step=step, cell_index=failure.cell_index, error_name=failure.ename,
                                    notebook=failed_nb, county=county, year=year,
                                    hint=f"查看 {failed_nb.with_suffix('.html')} 中标红的单元格;上一次生成的文档和其他输出都未被改动")
            raise _kernel_error(failure, county, year, failed_nb)
        try:
            changes = json.loads(stage.figures_json.read_text(encoding="utf-8")).get("changes", [])
        except (OSError, ValueError):
            changes = []
        _promote(stage, paths, run_id)
    finally:
        shutil.rmtree(staging_root, ignore_errors=True)
    return RunResult(county=county, year=year, run_id=run_id, out_dir=paths.out_dir, notebook=paths.notebook,
                     html=paths.html, docx=paths.docx, seconds=time.perf_counter() - t0, changes=changes,
                     timings=timings)


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
#: What a run writes, moved into place in this order once every step succeeded (the .docx last).
OUTPUTS = ("report.ipynb", "report.html", "figures.csv", "figures.json", "changes.csv", "charts")


def _promote(stage: config.ReportPaths, paths: config.ReportPaths, run_id: str) -> None:
    for name in OUTPUTS:
        src, dest = stage.out_dir / name, paths.out_dir / name
        if not src.exists():
            continue
        if src.is_dir():
            old = stage.out_dir / f".old-{name}"
            if dest.exists():
                os.replace(dest, old)
            os.replace(src, dest)
        else:
            os.replace(src, dest)
    manifest = stage.manifest(run_id)
    if manifest.exists():
        paths.manifest(run_id).parent.mkdir(parents=True, exist_ok=True)
        os.replace(manifest, paths.manifest(run_id))
    os.replace(stage.docx, paths.docx)
    for name in ("report.failed.ipynb", "report.failed.html"):
        (paths.out_dir / name).unlink(missing_ok=True)


def _keep_failed(stage: config.ReportPaths, paths: config.ReportPaths) -> Path:
    """The failed run's notebook and HTML, beside the untouched outputs of the last good run."""
    failed = paths.out_dir / "report.failed.ipynb"
    os.replace(stage.notebook, failed)
    if stage.html.exists():
        os.replace(stage.html, failed.with_suffix(".html"))
    return failed


def _clear_leftovers(paths: config.ReportPaths, root: Path) -> None:
    """Temporary files a killed run left behind (one run of a county-year at a time)."""
    for folder in (paths.out_dir, paths.state_dir, paths.state_dir / "runs"):
        for tmp in folder.glob(".*.tmp") if folder.exists() else []:
            tmp.unlink(missing_ok=True)
    for stale in (root / STAGING).glob(f"{paths.county}-{paths.year}-*") if (root / STAGING).exists() else []:
        shutil.rmtree(stale, ignore_errors=True)


def _kernel_error(exc: Exception, county: str, year: int, notebook: Path | None = None) -> PipelineError:
    name = type(exc).__name__
    if name == "DeadKernelError" or "died" in str(exc).lower():
        what = "运行笔记本的 Python 内核意外退出(可能是内存不足,或进程被终止)"
    elif "timeout" in name.lower() or "timed out" in str(exc).lower():
        what = "运行笔记本超时"
    else:
        what = f"无法运行笔记本({name})"
    hint = (f"查看 {notebook.with_suffix('.html')};" if notebook else "") + "上一次生成的文档和其他输出都未被改动;重试一次,仍失败请检查内存和磁盘空间"
    return PipelineError(what, error_name=name, notebook=notebook, county=county, year=year, hint=hint)
