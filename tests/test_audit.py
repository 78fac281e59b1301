"""reportkit.editing.audit: every number of a report traced, listed or flagged (no kernel)."""
import csv
import shutil
import subprocess
import sys

import pytest
from docx import Document

import editing as ed
from helpers import SEEDED, copy_real_data, generate, set_value
from reportkit.editing import audit as audit_mod
from reportkit import config
from reportkit.editing.audit import COLUMNS, audit
from reportkit.document.reader import read_docx


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


def retyped(docx, dest, old: str, new: str, **where):
    """A copy of ``docx`` in which an editor retyped ``old`` as ``new`` in the paragraph ``where``
    names (editing.find: tag= or contains=)."""
    doc = Document(docx)
    p = ed.find(doc, **where)
    ed.set_text(p, ed.text(p).replace(old, new))
    doc.save(dest)
    return dest


def test_a_rank_that_lost_its_unit_is_flagged(seeded, tmp_path):
    """第4位 printed as 第4 (a lost 位) does not pass as the figure."""
    paths = config.report_paths("xinchang", 2024, seeded / "build")
    typed = retyped(paths.docx, tmp_path / "编辑稿.docx", "科技创新指数全省排名第4位", "科技创新指数全省排名第4",
                    tag="rk:block:indicator_paragraph")
    a = audit("xinchang", 2024, file=typed, data_dir=seeded / "data", build_root=seeded / "build", write=False)
    (f,) = a.of("mismatch")
    assert (f.number, f.indicator, f.data) == ("4", "科技创新指数全省排名", "第4位")
    assert "缺少单位“位”" in f.note and not a.ok


def test_numbers_printed_by_the_narratives_references_are_traced_by_construction(seeded, tmp_path):
    """重新认定{hte_renewed} prints 76家 with no indicator name before it: the build wrote it, so it
    is traced; only what people typed (市级立项2项) is a 叙述数字."""
    a = audit("pingyang", 2024, data_dir=seeded / "data", build_root=seeded / "build", write=False)
    f = next(f for f in a.findings if f.number == "76家")
    assert (f.kind, f.indicator, f.data) == ("ref", "重新认定高新技术企业", "76家")
    assert "{hte_renewed}" in f.note and "平阳县科技局" in f.source
    loans = next(f for f in a.findings if f.number == "19.28%" and "{tech_loans_new.change}" in f.note)
    assert (loans.kind, loans.indicator, loans.attr) == ("ref", "新增科技贷款", "增速")
    literal = {f.number for f in a.of("literal")}
    assert {"2项", "31个", "86家次"} <= literal and "76家" not in literal
    paths = config.report_paths("pingyang", 2024, seeded / "build")
    made = audit_mod.built_references(paths, read_docx(paths.docx))
    for f in a.of("literal"):       # no literal lies inside a reference's printed text
        assert not any(s <= f.span[0] < e for s, e, _ in made.get(f.item, [])), f.row()


def test_a_number_printed_by_a_reference_is_a_mismatch_once_the_data_moved(seeded, tmp_path):
    data = copy_real_data(tmp_path / "data")
    set_value(data, "pingyang", 2024, "hte_renewed", 80)
    a = audit("pingyang", 2024, data_dir=data, build_root=seeded / "build", write=False)
    f = next(f for f in a.findings if f.number == "76家")
    assert (f.kind, f.indicator, f.data) == ("mismatch", "重新认定高新技术企业", "80家")
    assert "重新生成" in f.note and not a.ok


def test_an_edited_number_is_not_taken_for_the_references(seeded, tmp_path):
    """The editor retyped 重新认定76家 as 67家: no longer the reference's text, it is what people typed."""
    paths = config.report_paths("pingyang", 2024, seeded / "build")
    typed = retyped(paths.docx, tmp_path / "改稿.docx", "重新认定76家", "重新认定67家", contains="重新认定76家")
    a = audit("pingyang", 2024, file=typed, data_dir=seeded / "data", build_root=seeded / "build", write=False)
    assert not any(f.number == "76家" for f in a.findings)
    f = next(f for f in a.findings if f.number == "67家")
    assert f.kind != "ref" and "引用" not in f.note
    assert next(f for f in a.findings if f.number == "55家").kind == "ref"     # the rest of it still traced


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
