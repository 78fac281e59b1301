"""reportkit.run.warm: a kept kernel gives the same report as a kernel of its own, and no report sees
what the one before it left."""
import hashlib
import json
import subprocess
import sys

import nbformat
import pytest

from helpers import copy_real_data
from reportkit.run import batch, execute
from reportkit import config
from reportkit.run.build import build_report
from reportkit.exceptions import PipelineError
from reportkit.run.warm import KeptKernel

STABLE = ("figures.csv", "figures.json", "changes.csv")


def outputs(build, county, year):
    """sha256 of the byte-stable outputs of a report: the .docx, figures, changes and charts."""
    out = config.report_paths(county, year, build).out_dir
    files = [out / f"{county}_{year}.docx"] + [out / n for n in STABLE] + sorted((out / "charts").glob("*.png"))
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in files}


@pytest.fixture(scope="module")
def data(tmp_path_factory):
    return copy_real_data(tmp_path_factory.mktemp("warm") / "data")


def test_a_report_built_warm_is_byte_identical_to_one_built_cold(data, tmp_path):
    cold = tmp_path / "cold"
    build_report("xinchang", 2024, data_dir=data, build_root=cold)             # a kernel of its own
    warm = tmp_path / "warm"
    with KeptKernel() as kernel:
        for county, year in (("pingyang", 2024), ("jiangbei", 2020), ("xinchang", 2024)):
            build_report(county, year, data_dir=data, build_root=warm, kernel=kernel)
        assert kernel.reports == 3
    assert outputs(warm, "xinchang", 2024) == outputs(cold, "xinchang", 2024)
    # the executed notebook too, but for the timings papermill records
    a, b = (nbformat.read(config.report_paths("xinchang", 2024, root).notebook, as_version=4) for root in (cold, warm))
    assert [c.get("execution_count") for c in a.cells] == [c.get("execution_count") for c in b.cells]
    assert [c.get("outputs") for c in a.cells] == [c.get("outputs") for c in b.cells]


def notebook(path, *sources):
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(s) for s in sources])
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(nb, path)
    return path


def run(kernel, nb, out):
    try:
        execute.execute_notebook(nb, out, {}, kernel)
        kernel.finished(True)
    except Exception:
        kernel.finished(False)
        raise
    return nbformat.read(out, as_version=4)


def texts(nb):
    return ["".join(o.get("text", "") for o in c.outputs) for c in nb.cells]


def test_a_report_cannot_see_the_previous_ones_variables(tmp_path):
    # a library function that warns: shown once per process, so in every report of new kernels
    (tmp_path / "warner.py").write_text("import warnings\n\ndef f():\n    warnings.warn('shown in every report')\n",
                                        encoding="utf-8")
    cells = (f"import sys\nsys.path.insert(0, {str(tmp_path)!r})\nimport warner", "warner.f()")
    first = notebook(tmp_path / "a.ipynb", "leak = 'from the first report'", *cells)
    second = notebook(tmp_path / "b.ipynb", "print(sorted(n for n in ('leak', 'warner', 'run', 'pandas') if n in globals()))",
                      *cells)
    with KeptKernel() as kernel:
        pid = kernel.start().pid()
        a = run(kernel, first, tmp_path / "a.out.ipynb")
        b = run(kernel, second, tmp_path / "b.out.ipynb")
        assert kernel.pid() == pid                                  # the same kernel, kept
    assert texts(b)[0] == "[]\n"                                    # nothing of the first, nor of the preload
    assert [c.execution_count for c in b.cells] == [1, 2, 3]       # numbered as in a new kernel
    # the warning shows again, as it would in a new process
    assert "shown in every report" in json.dumps(a.cells[2].outputs)
    assert "shown in every report" in json.dumps(b.cells[2].outputs)


def test_a_new_kernels_first_report_sees_what_any_new_kernel_shows(tmp_path):
    """A new kept kernel is not reset before its first report: its preload must leave nothing
    behind, so that report sees exactly what a notebook in a stock Jupyter kernel sees."""
    import papermill as pm
    names = notebook(tmp_path / "n.ipynb", "print(sorted(globals()))", "print(get_ipython().execution_count)")
    stock = pm.execute_notebook(str(names), str(tmp_path / "stock.ipynb"), kernel_name="python3",
                                progress_bar=False)
    with KeptKernel() as kernel:
        first = run(kernel, names, tmp_path / "first.ipynb")
        second = run(kernel, names, tmp_path / "second.ipynb")       # after reset(new_session=True)
    assert texts(first) == texts(stock)
    seen = json.loads(texts(second)[0].replace("'", '"'))
    assert set(seen) <= set(json.loads(texts(first)[0].replace("'", '"'))) and texts(second)[1] == "3\n"


def test_the_kernel_is_replaced_after_a_failure_and_every_n_reports(tmp_path):
    ok = notebook(tmp_path / "ok.ipynb", "1 + 1")
    bad = notebook(tmp_path / "bad.ipynb", "raise ValueError('报告出错')")
    with KeptKernel(restart_every=2) as kernel:
        pids = []
        for nb in (ok, ok, ok):
            run(kernel, nb, tmp_path / "out.ipynb")
            pids.append(kernel.pid())
        assert pids[0] == pids[1] != pids[2]                          # a new kernel after 2 reports
        with pytest.raises(Exception):
            run(kernel, bad, tmp_path / "out.ipynb")
        failed_in = kernel.pid()
        run(kernel, ok, tmp_path / "out.ipynb")
        assert kernel.pid() != failed_in                             # and after a failure


def test_a_dead_kernel_fails_its_report_and_the_next_report_gets_a_new_one(data, tmp_path):
    dying = tmp_path / "dying.ipynb"
    nb = json.loads(execute.REPORT_NOTEBOOK.read_text(encoding="utf-8"))
    nb["cells"].insert(4, {"cell_type": "code", "id": "die", "metadata": {}, "execution_count": None,
                           "outputs": [], "source": ["import os\n", "os._exit(1)"]})
    dying.write_text(json.dumps(nb, ensure_ascii=False), encoding="utf-8")
    with KeptKernel() as kernel:
        with pytest.raises(PipelineError) as ei:
            execute.run_report("jiangbei", 2020, data_dir=data, build_root=tmp_path, notebook=dying, kernel=kernel)
        assert "内核意外退出" in str(ei.value)
        r = execute.run_report("jiangbei", 2020, data_dir=data, build_root=tmp_path, kernel=kernel)
        assert r.docx.exists()


def test_a_worker_process_builds_report_after_report_and_survives_a_failure(data, tmp_path):
    broken = tmp_path / "data"
    copy_real_data(broken)
    values = broken / "values" / "pingyang.csv"
    values.write_text(values.read_text(encoding="utf-8").replace("pingyang,2024,hte_renewed,全年,76",
                                                                 "pingyang,2024,hte_renewed,全年,七十六"),
                      encoding="utf-8")
    with batch.WorkerProcess() as worker:
        first = worker.build("pingyang", 2024, broken, tmp_path / "build")
        second = worker.build("xinchang", 2024, broken, tmp_path / "build")
        pid = worker.proc.pid
        third = worker.build("jiangbei", 2020, broken, tmp_path / "build")
        assert worker.proc.pid == pid
    assert first.status == "failed" and "“七十六”不是数字" in first.message and first.message.startswith("错误:")
    assert (second.status, third.status) == ("built", "built")
    assert 100 < second.peak_mb < 1000                                # the worker and its kernel


@pytest.mark.skipif(not sys.platform.startswith("linux") or __import__("platform").libc_ver()[0] != "glibc",
                    reason="resident memory read from /proc, trimmed by glibc's malloc_trim (Linux with glibc)")
def test_memory_a_report_freed_goes_back_to_the_system():
    """A long-lived worker returns the heap pages a report freed, which the C library keeps
    otherwise (what `make all`'s workers do between reports; run in a fresh interpreter)."""
    code = """
import sys
from reportkit.run.warm import release_memory
def anon():
    for line in open("/proc/self/status"):
        if line.startswith("RssAnon:"):
            return int(line.split()[1]) // 1024
blocks = [bytes(2000) for _ in range(60000)]     # 120 MB on the C heap
kept = blocks[::50]                               # a few survivors pin the heap's top
del blocks
before = anon()
if sys.argv[1] == "release":
    release_memory()
print(before - anon())
"""
    freed = {mode: int(subprocess.run([sys.executable, "-c", code, mode], capture_output=True, text=True,
                                      check=True).stdout) for mode in ("keep", "release")}
    assert freed["keep"] < 10 and freed["release"] > 80, freed


def test_the_report_kernel_is_ipykernel_without_the_debugger(data, tmp_path):
    """The kernel answers as ipykernel does (papermill's output is the same), and never loads
    the debugger nobody attaches."""
    with KeptKernel(preload=()) as kernel:
        kernel.prepare()
        kernel._execute("import sys, json, ipykernel.ipkernel as k, ipykernel.debugger as d; "
                        f"json.dump([k.IPythonKernel.__module__, 'debugpy' in sys.modules and sys.modules['debugpy'] "
                        f"is not None, d._is_debugpy_available], open({str(tmp_path / 'k.json')!r}, 'w'))")
    assert json.loads((tmp_path / "k.json").read_text()) == ["ipykernel.ipkernel", False, False]
