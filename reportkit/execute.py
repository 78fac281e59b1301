"""Run the report notebook for a county-year with papermill; validate first, keep failures readable."""
from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import re
import threading
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

from . import __version__, config, parameters
from .exceptions import PipelineError
from .iorw import write_text

REPORT_NOTEBOOK = config.NOTEBOOKS_DIR / "report.ipynb"
KERNEL = "python3"


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


def validate_params(county: str, year, data_dir: Path | None = None, *, index=None) -> tuple[str, int]:
    """Check the parameters before any kernel starts: a plain slug, a known county, a year with data."""
    return parameters.validate(county, year, data_dir, index=index)


def new_run_id(county: str, year: int) -> str:
    stamp = dt.datetime.now().strftime("%Y%m%dT%H%M%S")
    return f"{county}-{year}-{stamp}-{uuid.uuid4().hex[:6]}"


def _step_of(nb, cell_index: int) -> str:
    """The markdown heading ('## 1. 载入并校验数据') above a code cell: the step it belongs to."""
    for cell in reversed(nb.cells[:cell_index + 1]):
        if cell.cell_type == "markdown":
            for line in cell.source.splitlines():
                if line.startswith("#"):
                    return line.lstrip("#").strip()
    return f"第 {cell_index} 个单元格"


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


def _html_exporter():
    from nbconvert import HTMLExporter
    exporter = HTMLExporter()
    exporter.environment  # noqa: B018 - loads the templates now
    return exporter


def to_html(notebook: Path, html: Path, exporter=None) -> Path:
    import nbformat
    nb = nbformat.read(notebook, as_version=4)
    body, _ = (exporter or _html_exporter()).from_notebook_node(nb)
    return write_text(html, body)


def execute_notebook(input_nb: Path, output_nb: Path, parameters: dict, *, cwd: Path | None = None):
    import papermill as pm
    # the output notebook is written at the start and at the end (also when a cell fails);
    # saving it after every cell as well would only cost time. Every cell writes its files
    # synchronously, so the kernel has nothing left to do at the end: stop it at once.
    return pm.execute_notebook(str(input_nb), str(output_nb), parameters=parameters,
                               kernel_name=KERNEL, progress_bar=False, log_output=False,
                               request_save_on_cell_execute=False, shutdown_kernel="immediate",
                               # the kernel's own warnings (e.g. "running over TCP without
                               # encryption" on loopback) are noise to staff; errors still show
                               extra_arguments=["--IPKernelApp.log_level=ERROR"],
                               cwd=str(cwd or config.ROOT))


def run_report(county: str, year, *, data_dir: Path | None = None, build_root: Path | None = None,
               strict: bool = False, clean: bool = False, notebook: Path = REPORT_NOTEBOOK,
               html: bool = True, index=None) -> RunResult:
    """Execute the report notebook into build/<county>/<year>/ and export it to HTML.

    On failure the executed notebook (error marked by papermill) and its HTML stay in the
    output folder, the previous .docx is untouched, and PipelineError names the step.
    """
    import nbformat
    from papermill.exceptions import PapermillExecutionError

    county, year = validate_params(county, year, data_dir, index=index)
    t0 = time.perf_counter()
    paths = config.report_paths(county, year, build_root)
    out_dir = paths.out_dir
    out_dir.mkdir(parents=True, exist_ok=True)
    run_id = new_run_id(county, year)
    params = {"county": county, "year": year, "strict": bool(strict), "run_id": run_id}
    if clean:
        params["clean"] = True
    if data_dir is not None:
        params["data_dir"] = str(Path(data_dir).resolve())
    if build_root is not None:
        params["build_root"] = str(Path(build_root).resolve())
    output_nb = paths.notebook
    html_path = paths.html
    started = dt.datetime.now().isoformat(timespec="seconds")
    exporter = _Prepared(_html_exporter) if html else None
    failure = None
    try:
        execute_notebook(notebook, output_nb, params)
    except PapermillExecutionError as exc:
        failure = exc
    nb = nbformat.read(output_nb, as_version=4)
    nb.metadata["reportkit"] = {"run_id": run_id, "county": county, "year": year, "strict": bool(strict),
                                "started": started, "version": __version__,
                                "status": "failed" if failure else "ok"}
    nbformat.write(nb, output_nb)
    if html:
        to_html(output_nb, html_path, exporter.get())
    if failure is not None:
        step = _step_of(nb, failure.cell_index)
        evalue = re.sub(r"\x1b\[[0-9;]*m", "", str(failure.evalue))
        raise PipelineError(f"“{step}”这一步出错({failure.ename}):{evalue}",
                            step=step, cell_index=failure.cell_index, error_name=failure.ename,
                            notebook=output_nb, county=county, year=year,
                            hint=f"查看 {output_nb.with_suffix('.html')} 中标红的单元格;上一次生成的文档未被改动")
    try:
        changes = json.loads(paths.figures_json.read_text(encoding="utf-8")).get("changes", [])
    except (OSError, ValueError):
        changes = []
    return RunResult(county=county, year=year, run_id=run_id, out_dir=out_dir, notebook=output_nb,
                     html=html_path, docx=paths.docx, seconds=time.perf_counter() - t0, changes=changes)


def _normalize_reference(path: Path) -> None:
    """Keep a reference notebook's diff to real changes: a fixed id for papermill's injected cell
    (random otherwise) and no execution timestamps (nbval compares outputs, not metadata)."""
    import nbformat
    nb = nbformat.read(path, as_version=4)
    for cell in nb.cells:
        if "injected-parameters" in cell.metadata.get("tags", []):
            cell["id"] = "injected-parameters"
        cell.metadata.pop("execution", None)
        cell.metadata.pop("papermill", None)
    for key in ("start_time", "end_time", "duration", "exception"):
        nb.metadata.get("papermill", {}).pop(key, None)
    nbformat.write(nb, path)


def bless(targets=None, dest: Path | None = None) -> list[Path]:
    """Regenerate the executed reference notebooks that nbval compares against (make bless).

    The runs write their documents into a temporary folder: blessing never touches build/,
    where an editor may be working on a report."""
    import tempfile
    dest = Path(dest or config.ROOT / "tests" / "notebooks")
    dest.mkdir(parents=True, exist_ok=True)
    written = []
    with tempfile.TemporaryDirectory(prefix="reportkit-bless-") as tmp, _environ(REPORTKIT_BUILD=tmp):
        for county, year in targets or config.SEEDED:
            validate_params(county, year)
            out = dest / f"{county}_{year}.ipynb"
            # the kernel inherits this environment (a parameter would be recorded in the notebook)
            execute_notebook(REPORT_NOTEBOOK, out, {"county": county, "year": year})
            _normalize_reference(out)
            written.append(out)
    return written


@contextlib.contextmanager
def _environ(**values):
    saved = {k: os.environ.get(k) for k in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v
