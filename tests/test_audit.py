"""reportkit.editing.audit: every number of a report traced, listed or flagged (no kernel)."""
import csv
import shutil
import subprocess
import sys

import pytest
from docx import Document

import editing as ed
from helpers import SEEDED, copy_real_data, generate
from reportkit import config
from reportkit.editing.audit import COLUMNS, audit


@pytest.fixture(scope="module")
def seeded(tmp_path_factory):
    root = tmp_path_factory.mktemp("audit")
    data = copy_real_data(root / "data")
    for county, year in SEEDED:
        generate(county, year, data, root / "build")
    return root


@pytest.mark.parametrize("county,year", SEEDED)
def test_a_fresh_report_audits_clean(seeded, county, year):
    a = audit(county, year, data_dir=seeded / "data", build_root=seeded / "build", write=False)
    assert a.ok, [f.row() for f in a.of("mismatch")]
    refs = a.of("ref")
    assert len(refs) >= 30
    # every cell of table 1 with a number is traced to its row, naming the source
    cells = [f for f in refs if f.cell is not None]
    assert cells and all(f.source for f in cells)


def test_hand_typed_wrong_figures_are_flagged(seeded, tmp_path):
    paths = config.report_paths("xinchang", 2024, seeded / "build")
    doc = Document(paths.docx)
    p = ed.find(doc, tag="enterprises")
    ed.set_text(p, ed.text(p).replace("科技型中小企业894家", "科技型中小企业849家"))
    row = next(r for r in doc.tables[0].rows if r.cells[0].text == "高新技术企业总数")
    row.cells[2].paragraphs[0].runs[0].text = "372"
    typed = tmp_path / "编辑稿.docx"
    doc.save(typed)
    build = tmp_path / "build"
    shutil.copytree(seeded / "build", build)
    a = audit("xinchang", 2024, file=typed, data_dir=seeded / "data", build_root=build, comments=True)
    flagged = [(f.where, f.number, f.indicator, f.data.split("(")[0]) for f in a.of("mismatch")]
    assert flagged == [("表 第4行“高新技术企业总数”·本年", "372", "高新技术企业总数", "327"),
                       ("一、2024年工作总结›（四）企业科技创新主体›第1段", "849家", "科技型中小企业", "894家")]
    with open(a.csv_path, encoding="utf-8-sig") as fh:
        rows = list(csv.reader(fh))
    assert rows[0] == COLUMNS and sum(r[2] == "不一致" for r in rows) == 2
    commented = Document(a.commented)
    notes = [c.text for c in commented.comments]
    assert any(n.startswith("科技型中小企业:文中为 849家,数据为 894家") for n in notes) and len(notes) == 2
    assert Document(typed).comments is not None and not list(Document(typed).comments)   # the original untouched


def test_cli_audit_exit_codes(seeded, tmp_path):
    build = tmp_path / "build"
    shutil.copytree(seeded / "build", build)
    args = [sys.executable, "-m", "reportkit", "audit", "--county", "jiangbei", "--year", "2020",
            "--data", str(seeded / "data"), "--build", str(build)]
    ok = subprocess.run(args, capture_output=True, text=True, cwd=config.ROOT)
    assert ok.returncode == 0 and "没有与数据不一致的数字" in ok.stdout and "不一致 0 个" in ok.stdout
    docx = config.report_paths("jiangbei", 2020, build).docx
    doc = Document(docx)
    p = ed.find(doc, contains="高新技术企业达到151家")
    ed.set_text(p, ed.text(p).replace("高新技术企业达到151家", "高新技术企业达到115家"))
    doc.save(docx)
    bad = subprocess.run(args, capture_output=True, text=True, cwd=config.ROOT)
    assert bad.returncode == 1 and "115家" in bad.stdout and "Traceback" not in bad.stderr


def test_audit_of_another_countys_report_says_whose_it_is(seeded, tmp_path):
    """Issue 20: it used to say only 有 2 个数字与数据不一致."""
    from reportkit.exceptions import ForeignDocumentError
    other = tmp_path / "p.docx"
    doc = Document(config.report_paths("pingyang", 2024, seeded / "build").docx)
    doc.core_properties.identifier = ""
    doc.save(other)
    with pytest.raises(ForeignDocumentError) as ei:
        audit("xinchang", 2024, file=other, data_dir=seeded / "data", build_root=seeded / "build")
    assert str(ei.value).startswith(f"文件 {other}:这份文档是平阳县2024年的报告,不是新昌县2024年的(依据:标题“平阳县科学技术局")
    assert str(ei.value).endswith(f"请检查 COUNTY、YEAR 和 FILE 是否对应(这份文档对应 make audit COUNTY=pingyang YEAR=2024 FILE={other})")
    assert not config.report_paths("xinchang", 2024, seeded / "build").audit_csv.exists()
