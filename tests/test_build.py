"""make report with an editor's document in build/: kept, carried over, revised figures tracked (kernel runs)."""
import csv
import os
import shutil
import subprocess
import sys
import zipfile

import pytest

import editing as ed
from helpers import copy_real_data, generate, set_value
from reportkit.run import batch, state
from reportkit import config
from reportkit.document.reader import read_docx

SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")
W = ed.W


def editor_at_work(path):
    """Edit two narrative paragraphs, delete one, add a paragraph outside the controls, reword
    the computed indicator sentence."""
    doc = ed.open_doc(path)
    p = ed.find(doc, tag="policy")
    ed.set_text(p, "出台加快科技创新推动高质量发展的若干政策及实施细则，打响“新昌科技日”品牌。")
    p = ed.find(doc, tag="enterprises")
    ed.set_text(p, "全县现有国家高新技术企业327家、科技型中小企业894家，组建轴承创新联合体。")
    ed.delete(ed.find(doc, tag="governance"))
    ed.insert_after(ed.find(doc, tag="talent"), "新引进博士和高级专家一批，人才总量稳步增长。",
                    style_of=ed.find(doc, tag="talent"))
    ed.set_text(ed.find(doc, tag="rk:block:indicator_paragraph"),
                "2024年，全县高新技术企业总数达到327家，科技型中小企业894家，规上工业企业研发强度3.45%。")
    doc.save(path)


EDITED_TEXTS = [
    "出台加快科技创新推动高质量发展的若干政策及实施细则，打响“新昌科技日”品牌。",
    "全县现有国家高新技术企业330家、科技型中小企业894家，组建轴承创新联合体。",
    "新引进博士和高级专家一批，人才总量稳步增长。",
    "2024年，全县高新技术企业总数达到330家，科技型中小企业894家，规上工业企业研发强度3.45%。",
]


def make_report(root, *extra):
    env = dict(os.environ, REPORTKIT_DATA=str(root / "data"), REPORTKIT_BUILD=str(root / "build"))
    return subprocess.run(["make", "-s", "report", "COUNTY=xinchang", "YEAR=2024", *extra], capture_output=True,
                          text=True, cwd=config.ROOT, env=env, timeout=600)


def revisions(docx) -> list[tuple[str, str, str]]:
    """(kind, text, author) of every tracked change in the body, table cells included."""
    xml = zipfile.ZipFile(docx).read("word/document.xml").decode()
    from lxml import etree
    root = etree.fromstring(xml.encode())
    out = []
    for el in root.iter(W + "ins", W + "del"):
        text = "".join(t.text or "" for t in el.iter(W + "t", W + "delText"))
        out.append((el.tag[len(W):], text, el.get(W + "author")))
        assert el.get(W + "date", "").endswith("Z")
    return out


def assert_carried_and_revised(root, paths, edited_bytes, out):
    items = read_docx(paths.docx).items
    texts = [it.text for it in items]
    for t in EDITED_TEXTS:
        assert t in texts, t
    assert not any("探索设立创新服务“云局”" in t for t in texts)          # the deleted paragraph stays deleted
    revs = revisions(paths.docx)
    assert ("del", "327", "数据更新") in revs and ("ins", "330", "数据更新") in revs
    pairs = sum(1 for i in range(len(revs) - 1) if revs[i][:2] == ("del", "327") and revs[i + 1][:2] == ("ins", "330"))
    assert pairs >= 3        # the reworded indicator sentence, the edited narrative paragraph, table 1
    table = next(it for it in items if it.kind == "table")
    assert ["高新技术企业总数", "家", "330", "302"] == next(r for r in table.cells if r[0] == "高新技术企业总数")[:4]
    kept = sorted(paths.versions_dir.glob("xinchang_2024.edited-*.docx"))
    assert len(kept) == 1 and kept[0].read_bytes() == edited_bytes
    with open(paths.changes_csv, encoding="utf-8-sig") as fh:
        rows = list(csv.DictReader(fh))
    value = next(r for r in rows if r["指标"] == "高新技术企业总数")
    assert (value["原值"], value["新值"]) == ("327家", "330家") and "表1" in value["位置"]
    assert "高新技术企业总数 327家 → 330家" in out
    assert state.docx_status(paths) == "generated"


def test_make_report_keeps_edits_and_tracks_the_revised_figure(work):
    root, paths = work
    editor_at_work(paths.docx)
    edited = paths.docx.read_bytes()
    set_value(root / "data", "xinchang", 2024, "hte_total", 330)
    r = make_report(root)
    assert r.returncode == 0, r.stdout + r.stderr
    assert "已保留编辑过的 Word 文档" in r.stderr and "中的修改已写回" in r.stdout
    assert_carried_and_revised(root, paths, edited, r.stdout)
    # nothing changed since: up to date, the document untouched
    again = make_report(root)
    assert "已是最新" in again.stdout


@pytest.mark.skipif(not SOFFICE, reason="LibreOffice not installed")
def test_libreoffice_resaved_edited_report_is_carried_over_too(work, tmp_path):
    root, paths = work
    editor_at_work(paths.docx)
    resaved = ed.libreoffice_resave(paths.docx, tmp_path / "lo")
    shutil.copyfile(resaved, paths.docx)       # the editor saved it from LibreOffice
    edited = paths.docx.read_bytes()
    set_value(root / "data", "xinchang", 2024, "hte_total", 330)
    r = subprocess.run([sys.executable, "-m", "reportkit", "report", "--county", "xinchang", "--year", "2024",
                        "--data", str(root / "data"), "--build", str(root / "build")],
                       capture_output=True, text=True, cwd=config.ROOT, timeout=600)
    assert r.returncode == 0, r.stdout + r.stderr
    assert_carried_and_revised(root, paths, edited, r.stdout)


def test_clean_writes_new_figures_without_revisions_but_lists_them(work):
    root, paths = work
    set_value(root / "data", "xinchang", 2024, "hte_total", 330)
    r = make_report(root, "CLEAN=1")
    assert r.returncode == 0, r.stdout + r.stderr
    assert revisions(paths.docx) == []
    assert "330家" in " ".join(it.text for it in read_docx(paths.docx).items)
    assert "高新技术企业总数 327家 → 330家" in r.stdout and "文档中直接写新值" in r.stdout
    assert "327家,330家" in paths.changes_csv.read_text(encoding="utf-8-sig")


def test_edited_document_with_unchanged_data_is_left_alone(work):
    root, paths = work
    editor_at_work(paths.docx)
    edited = paths.docx.read_bytes()
    r = make_report(root)
    assert r.returncode == 0, r.stderr
    assert "生成后被编辑过,数据没有变化" in r.stdout and "make harvest COUNTY=xinchang YEAR=2024" in r.stdout
    assert paths.docx.read_bytes() == edited and not paths.versions_dir.exists()


def test_make_all_keeps_and_carries_an_edited_report(work):
    root, paths = work
    editor_at_work(paths.docx)
    edited = paths.docx.read_bytes()
    set_value(root / "data", "xinchang", 2024, "hte_total", 330)
    jobs = batch.run_batch(2024, data_dir=root / "data", build_root=root / "build", counties=["xinchang"],
                           progress=False)
    assert [j.status for j in jobs] == ["built"]
    assert "原文档已保留为 versions/xinchang_2024.edited-" in jobs[0].message
    assert "写回编辑" in jobs[0].message and "数据更新 2 处" in jobs[0].message
    assert "已生成" in batch.summary(jobs, root / "build")
    assert_carried_and_revised(root, paths, edited, "高新技术企业总数 327家 → 330家")


def test_make_clean_keeps_the_editors_document_and_versions(work):
    root, paths = work
    generate("xinchang", 2024, root / "data", root / "build")
    editor_at_work(paths.docx)
    state.keep_docx(paths, "edited")
    edited = paths.docx.read_bytes()
    kept = state.clean(root / "build")
    assert paths.docx.read_bytes() == edited and paths.versions_dir.exists()
    assert not paths.notebook.exists() and not paths.figures_json.exists()
    assert {p for p, _ in kept} == {paths.docx, paths.versions_dir}
    assert state.docx_status(paths) == "edited"        # still known as an editor's document
