"""A bureau's published reports under guard: bless, the readable guard, unbless (kernel runs)."""
import os
import shutil
import subprocess
import sys

import nbformat
import pytest

from helpers import copy_real_data, set_value
from reportkit import config
from reportkit.run import guard


@pytest.mark.parametrize("county,year", guard.guarded())
def test_every_guarded_report_prints_what_was_blessed(county, year):
    """The readable half of the guard (nbval, run by make test, compares every text output)."""
    nb = nbformat.read(guard.reference(county, year), as_version=4)
    moved = guard.differences(county, year, nb.metadata["reportkit_guard"])
    assert not moved, guard.moved_message(county, year, moved)


def test_reference_notebooks_are_small():
    for county, year in guard.guarded():
        nb = guard.reference(county, year)
        assert nb.stat().st_size < 100_000, nb
        assert "image/png" not in nb.read_text(encoding="utf-8")


RUIAN = [  # a county a bureau adds from its own published report (synthetic figures)
    ("ruian", 2024, "hte_total", "全年", "812", "瑞安市科技局2024年工作总结"),
    ("ruian", 2023, "hte_total", "全年", "760", "瑞安市科技局2023年工作总结"),
    ("ruian", 2024, "tech_sme_total", "全年", "1530", "瑞安市科技局2024年工作总结"),
]


def test_a_bureaus_own_report_is_guarded_until_unblessed(tmp_path):
    data = copy_real_data(tmp_path / "data")
    with open(data / "values" / "ruian.csv", "w", encoding="utf-8") as fh:
        fh.write("county,year,indicator,period,value,source\n")
        for r in RUIAN:
            fh.write(",".join(map(str, r)) + "\n")
    md = config.narrative_path("ruian", 2024, data)
    md.parent.mkdir(parents=True)
    md.write_text("---\nindicators: [hte_total, tech_sme_total]\n---\n\n# 导语\n\n{year}年，{we}科技工作稳步推进。\n\n"
                  "# 工作总结\n\n## 企业培育\n\n高新技术企业达到{hte_total}。\n\n# 工作思路\n\n## 下一步\n\n继续推进。\n",
                  encoding="utf-8")
    dest = tmp_path / "notebooks"
    (ref,) = guard.bless([("ruian", 2024)], dest=dest, data_dir=data)
    assert guard.guarded(dest) == [("ruian", 2024)]
    before = ref.read_bytes()
    guard.bless(dest=dest, data_dir=data)                       # make bless: every guarded one
    assert ref.read_bytes() == before                            # nothing changed: byte-identical
    recorded = nbformat.read(ref, as_version=4).metadata["reportkit_guard"]
    assert recorded["figures"]["hte_total"]["value_text"] == "812家"
    # a later change moves a published figure: the guard says which, in words
    set_value(data, "ruian", 2024, "hte_total", 821)
    moved = guard.differences("ruian", 2024, recorded, data_dir=data)
    assert "瑞安市 2024 年 高新技术企业总数 本年:812家 → 821家" in moved
    assert "瑞安市 2024 年 高新技术企业总数 增速:6.84 → 8.03" in moved
    # a figure the published report had and this one lacks, and one it did not have
    changed = dict(recorded, figures={k: v for k, v in recorded["figures"].items() if k != "tech_sme_total"})
    changed["figures"]["gone_one"] = dict(recorded["figures"]["hte_total"], name="已删的指标")
    moved = guard.differences("ruian", 2024, changed, data_dir=data)
    assert "瑞安市 2024 年 已删的指标:已不在报告中" in moved
    assert any(m.startswith("瑞安市 2024 年 科技型中小企业") and ":新加入报告(" in m for m in moved), moved
    # what make test runs, with this county's reference in the guard: it fails, naming the figure
    env = dict(os.environ, REPORTKIT_DATA=str(data), REPORTKIT_BUILD=str(tmp_path / "b"), REPORTKIT_GUARD=str(dest))
    r = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "--nbval", "--nbval-current-env",
                        "--nbval-sanitize-with", str(config.ROOT / "tests" / "nbval_sanitize.cfg"),
                        str(config.ROOT / "tests" / "test_guard.py") + "::test_every_guarded_report_prints_what_was_blessed",
                        str(ref)], capture_output=True, text=True, cwd=config.ROOT, env=env, timeout=600)
    assert r.returncode != 0
    assert "已发布报告中的数字变了" in r.stdout and "瑞安市 2024 年 高新技术企业总数 本年:812家 → 821家" in r.stdout
    # nbval fails on it too, and says the same in words: no raw HTML of a table row
    assert "::Cell" in r.stdout and "<td>" not in r.stdout and "Cell outputs differ" not in r.stdout
    cells = r.stdout[r.stdout.index("::Cell"):r.stdout.index("short test summary")]
    assert cells.count("瑞安市 2024 年 高新技术企业总数 本年:812家 → 821家") == 1    # listed once, at the first cell
    assert cells.count("瑞安市 2024 年已发布报告中的数字变了,这一格的输出随之不同(变化的数字见 Cell ") == 3
    set_value(data, "ruian", 2024, "hte_total", 812)
    assert guard.differences("ruian", 2024, recorded, data_dir=data) == []
    guard.unbless("ruian", 2024, dest=dest)
    assert guard.guarded(dest) == [] and not ref.exists()


def test_a_print_split_by_the_kernels_flush_gives_the_same_reference(tmp_path):
    """The kernel may send one cell's prints as two stream outputs cut mid-line (its flush timer
    fired between print's text and its newline): the reference must not depend on when it did."""
    county, year = guard.guarded()[0]
    whole, split = tmp_path / "whole.ipynb", tmp_path / "split.ipynb"
    shutil.copyfile(guard.reference(county, year), whole)
    nb = nbformat.read(whole, as_version=4)
    cell = next(c for c in nb.cells if c.get("id") == "outputs")
    (out,) = [o for o in cell.outputs if o.output_type == "stream"]
    cut = out.text.index("\n")                     # '文档: …docx' | '\n指标表: …'
    second = nbformat.v4.new_output("stream", name="stdout", text=out.text[cut:])
    out.text = out.text[:cut]
    cell.outputs.insert(cell.outputs.index(out) + 1, second)
    nbformat.write(nb, split)
    guard.normalize(whole)
    guard.normalize(split)
    assert split.read_bytes() == whole.read_bytes()
