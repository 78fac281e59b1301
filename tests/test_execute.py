"""reportkit.run.execute: the papermill run of one county-year, end to end (a kernel per run)."""
import hashlib
import json
import re
from decimal import Decimal
import subprocess
import sys

import nbformat
import pytest
from docx import Document

from helpers import copy_real_data
from reportkit import config
from reportkit.run import execute
from reportkit.document.reader import read_docx
from reportkit.exceptions import NoDataError, ParameterError, PipelineError, UnknownCountyError


@pytest.fixture
def no_kernel(monkeypatch):
    def boom(*a, **k):
        raise AssertionError("a kernel was started")
    monkeypatch.setattr(execute, "execute_notebook", boom)


@pytest.mark.parametrize("county,year,exc,message", [
    ("../x", 2024, ParameterError, "县区代码 COUNTY=“../x”不合法"),
    ("Xinchang", 2024, ParameterError, "不合法"),
    ("nowhere", 2024, UnknownCountyError, "未知的县区“nowhere”"),
    ("xinchang", 1990, NoDataError, "没有 1990 年"),
    ("xinchang", "二〇二四", ParameterError, "不是整数"),
])
def test_parameters_validated_before_any_kernel(no_kernel, tmp_path, county, year, exc, message):
    with pytest.raises(exc) as ei:
        execute.run_report(county, year, build_root=tmp_path)
    assert message in str(ei.value)
    assert not any(tmp_path.iterdir())


@pytest.fixture(scope="module")
def good_run(tmp_path_factory):
    root = tmp_path_factory.mktemp("build")
    return execute.run_report("jiangbei", 2020, build_root=root), root


def test_run_writes_every_output(good_run):
    r, root = good_run
    assert r.out_dir == root / "jiangbei" / "2020"
    for name in ("report.ipynb", "report.html", "figures.csv", "figures.json", "jiangbei_2020.docx"):
        assert (r.out_dir / name).stat().st_size > 0, name
    assert len(list((r.out_dir / "charts").glob("*.png"))) >= 3
    html = (r.out_dir / "report.html").read_text(encoding="utf-8")
    assert "载入并校验数据" in html and "高新技术企业总数达到151家" in html


def test_parameters_and_run_id_recorded_in_metadata(good_run):
    r, _ = good_run
    nb = nbformat.read(r.notebook, as_version=4)
    assert nb.metadata["reportkit"]["run_id"] == r.run_id
    assert nb.metadata["papermill"]["parameters"]["county"] == "jiangbei"
    assert nb.metadata["papermill"]["parameters"]["run_id"] == r.run_id
    assert any("injected-parameters" in c.metadata.get("tags", []) for c in nb.cells)


def test_docx_figures_equal_the_notebook_run(good_run):
    """nbval never looks inside the .docx: check every figure of this run's notebook against it."""
    r, _ = good_run
    nb = nbformat.read(r.notebook, as_version=4)
    printed = "".join(o.get("text", "") for c in nb.cells if c.get("id") == "sentences" for o in c.outputs)
    payload = json.loads((r.out_dir / "figures.json").read_text(encoding="utf-8"))
    doc = Document(r.docx)
    assert payload["run_id"] == r.run_id == doc.core_properties.identifier
    assert payload["paragraph"] in printed
    body = [it.text for it in read_docx(r.docx).items]
    assert payload["paragraph"] in body
    assert any(payload["targets_sentence"] in t for t in body)
    table = next(it for it in read_docx(r.docx).items if it.kind == "table")
    head = table.cells[0]
    rows = {row[0]: dict(zip(head, row)) for row in table.cells[1:]}
    for f in payload["figures"]:
        name = f["name"] + (f"\uff08{f['period']}\uff09" if f["period"] != "全年" else "")
        cells = rows[name]
        number = re.sub(r"[第位*]", "", cells["本年"])
        printed = re.match(r"[\d.]+", f["value_text"]).group(0)
        assert Decimal(number) == Decimal(printed), (name, cells)     # same number, same decimals rule
        assert f["value_text"].endswith(cells["单位"] if cells.get("单位", "—") != "—" else "")
        if f["growth_text"]:
            assert f["growth_text"].lstrip("-") in cells["增减"]
        if f["completion_text"]:
            assert cells["完成率"] == f["completion_text"] + "%"
        assert f["sentence"] in payload["paragraph"]


def digest_outputs(out_dir):
    """sha256 of every file of a report folder (what a failed run must leave as it was)."""
    return {str(p.relative_to(out_dir)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(out_dir.rglob("*")) if p.is_file() and "failed" not in p.name}


def test_failed_run_leaves_every_output_as_it_was(tmp_path):
    data = copy_real_data(tmp_path / "data")
    build = tmp_path / "build"
    good = execute.run_report("jiangbei", 2020, data_dir=data, build_root=build)
    before = digest_outputs(good.out_dir)
    md = data / "narrative" / "jiangbei" / "2020.md"
    md.write_text(md.read_text(encoding="utf-8").replace("{hte_total.value}", "{hte_totl}"), encoding="utf-8")
    with pytest.raises(PipelineError) as ei:
        execute.run_report("jiangbei", 2020, data_dir=data, build_root=build)
    e = ei.value
    assert e.step == "2. 计算指标" and e.error_name == "NarrativeError"
    assert "{hte_totl}" in str(e) and "“2. 计算指标”这一步出错" in str(e) and "report.failed.html" in str(e)
    failed = nbformat.read(e.notebook, as_version=4)
    assert e.notebook.endswith("report.failed.ipynb") and failed.metadata["reportkit"]["status"] == "failed"
    assert any(o.get("output_type") == "error" for c in failed.cells for o in c.get("outputs", []))
    assert "NarrativeError" in (good.out_dir / "report.failed.html").read_text(encoding="utf-8")
    assert digest_outputs(good.out_dir) == before          # notebook, figures, charts, .docx: all as they were
    assert not list((build / ".staging").iterdir())         # no half-written run left behind
    # the next good run replaces the failure record
    md.write_text(md.read_text(encoding="utf-8").replace("{hte_totl}", "{hte_total.value}"), encoding="utf-8")
    execute.run_report("jiangbei", 2020, data_dir=data, build_root=build)
    assert not (good.out_dir / "report.failed.ipynb").exists()


def test_failure_at_the_document_step_rewrites_nothing(tmp_path, monkeypatch):
    """A run that fails after figures and charts were computed: figures.json, charts and the
    notebook stay those of the last good run (they are written to a staging folder first)."""
    data = copy_real_data(tmp_path / "data")
    build = tmp_path / "build"
    good = execute.run_report("jiangbei", 2020, data_dir=data, build_root=build)
    before = digest_outputs(good.out_dir)
    (data / "values" / "jiangbei.csv").write_text(
        (data / "values" / "jiangbei.csv").read_text(encoding="utf-8").replace(",hte_total,全年,151,", ",hte_total,全年,400,"),
        encoding="utf-8")
    bad_template = tmp_path / "t.docx"
    bad_template.write_bytes(b"not a docx")
    monkeypatch.setattr(config, "DEFAULT_TEMPLATE", bad_template)   # the kernel reads the env below
    monkeypatch.setenv("REPORTKIT_TEMPLATE", str(bad_template))
    with pytest.raises(PipelineError) as ei:
        execute.run_report("jiangbei", 2020, data_dir=data, build_root=build)
    assert ei.value.step == "5. 生成 Word 文档" and "无法打开模板" in str(ei.value)
    assert digest_outputs(good.out_dir) == before
    assert "151家" in (good.out_dir / "figures.csv").read_text(encoding="utf-8-sig")


def test_cli_report_rejects_a_path_as_county(tmp_path):
    r = subprocess.run([sys.executable, "-m", "reportkit", "report", "--county", "../x", "--year", "2024",
                        "--build", str(tmp_path)], capture_output=True, text=True, cwd=config.ROOT)
    assert r.returncode == 2 and "Traceback" not in r.stderr
    assert "县区代码 COUNTY=“../x”不合法" in r.stderr


def test_html_is_nbconverts_own_without_loading_ipython(tmp_path):
    """The HTML page is what nbconvert's HTMLExporter writes, byte for byte, and the process that
    writes it (a batch worker) does not load IPython for the code highlighter."""
    code = f"""
import sys, nbformat
from reportkit.run import execute
v4 = nbformat.v4
nb = v4.new_notebook(cells=[v4.new_markdown_cell("## 1. 载入数据"),
    v4.new_code_cell("run = ReportRun(county, year)\\n%time x = 1  # a magic\\nprint(f'{{x:.1f}}')",
                     outputs=[v4.new_output("stream", name="stdout", text="1.0\\n")], execution_count=1)])
nb.metadata["language_info"] = {{"name": "python", "pygments_lexer": "ipython3"}}
execute.to_html(nb, __import__("pathlib").Path({str(tmp_path / 'a.html')!r}))
assert "IPython" not in sys.modules, "IPython loaded"
from nbconvert import HTMLExporter
open({str(tmp_path / 'b.html')!r}, "w", encoding="utf-8").write(HTMLExporter().from_notebook_node(nb)[0])
"""
    subprocess.run([sys.executable, "-c", code], check=True)
    a, b = ((tmp_path / n).read_text(encoding="utf-8") for n in ("a.html", "b.html"))
    assert a == b
    assert "hl-ipython3" in a and "ReportRun" in a
