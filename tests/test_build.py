"""make report with an editor's document in build/: kept, carried over, revised figures tracked (kernel runs)."""
import csv
import os
import shutil
import subprocess
import sys
import zipfile

import pytest

import editing as ed
from helpers import generate, set_value
from reportkit.outputs import state
from reportkit.run import batch
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


def make_report(root, *extra, env=None):
    env = env or dict(os.environ, REPORTKIT_DATA=str(root / "data"), REPORTKIT_BUILD=str(root / "build"))
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


def changes_of(paths) -> list[tuple[str, str, str]]:
    with open(paths.changes_csv, encoding="utf-8-sig") as fh:
        return [(r["指标"], r["原值"], r["新值"]) for r in csv.DictReader(fh)]


def test_revisions_not_yet_accepted_survive_a_forced_rebuild(work):
    """FORCE=1 with no data change (or a rebuild for another figure) keeps the 数据更新 revisions
    the editor has not accepted, and changes.csv; accepted ones are not brought back."""
    root, paths = work
    set_value(root / "data", "xinchang", 2024, "hte_total", 330)
    generate("xinchang", 2024, root / "data", root / "build", run_id="run-2")
    revised = revisions(paths.docx)
    assert ("del", "327", "数据更新") in revised and ("ins", "330", "数据更新") in revised
    assert ("高新技术企业总数", "327家", "330家") in changes_of(paths)
    listed = changes_of(paths)
    generate("xinchang", 2024, root / "data", root / "build", run_id="run-3")     # what FORCE=1 runs
    assert revisions(paths.docx) == revised and changes_of(paths) == listed
    # revised again before anyone accepted: marked from the text last accepted
    set_value(root / "data", "xinchang", 2024, "hte_total", 333)
    generate("xinchang", 2024, root / "data", root / "build", run_id="run-4")
    again = revisions(paths.docx)
    assert again.count(("del", "327", "数据更新")) == revised.count(("del", "327", "数据更新"))
    assert ("ins", "333", "数据更新") in again and not any(t == "330" for _, t, _ in again)
    assert ("高新技术企业总数", "327家", "333家") in changes_of(paths)
    # the editor accepts them all: the next forced build has nothing to mark
    ed.accept_all(paths.docx)
    generate("xinchang", 2024, root / "data", root / "build", run_id="run-5")
    assert revisions(paths.docx) == [] and changes_of(paths) == []


def test_make_report_force_keeps_pending_revisions(work):
    root, paths = work
    set_value(root / "data", "xinchang", 2024, "hte_total", 330)
    assert make_report(root).returncode == 0
    revised, listed = revisions(paths.docx), changes_of(paths)
    assert ("ins", "330", "数据更新") in revised
    r = make_report(root, "FORCE=1")
    assert r.returncode == 0, r.stdout + r.stderr
    assert revisions(paths.docx) == revised and changes_of(paths) == listed
    assert "高新技术企业总数 327家 → 330家" in r.stdout


# ---------------------------------------------------------------- killed runs, concurrent runs

def make_report_env(root, **env):
    return dict(os.environ, REPORTKIT_DATA=str(root / "data"), REPORTKIT_BUILD=str(root / "build"), **env)


def consistent(paths, hte: str):
    """Every output of the folder from one run, and that run's figure: the .docx, figures.json,
    figures.csv, the notebook and the record agree; nothing temporary is left in the folder."""
    import json
    s = state.load(paths)
    assert s and s["docx_sha256"] == state.sha256_file(paths.docx) == state.sha256_file(paths.generated_docx)
    fj = json.loads(paths.figures_json.read_text(encoding="utf-8"))
    nb = json.loads(paths.notebook.read_text(encoding="utf-8"))
    assert fj["run_id"] == s["run_id"] == nb["metadata"]["reportkit"]["run_id"]
    assert paths.manifest(s["run_id"]).exists()
    assert f"高新技术企业总数达到{hte}家" in " ".join(it.text for it in read_docx(paths.docx).items)
    assert next(f for f in fj["figures"] if f["indicator"] == "hte_total")["value_text"] == f"{hte}家"
    assert not state.journal_path(paths).exists()
    leftovers = [p for p in paths.out_dir.rglob("*") if p.name.endswith(".tmp") or ".previous" in p.parts
                 or p.name.startswith(".old-")]
    assert leftovers == []
    assert not any((paths.root / ".staging").iterdir()) if (paths.root / ".staging").exists() else True
    assert not state.lock_path(paths).exists()


def test_a_run_killed_after_its_document_moved_in_is_completed_not_harvested(work):
    """The issue's case: killed between moving the new .docx in and writing the record, then the
    data reverted: the next `make report` must neither keep the mix as up to date nor take
    reportkit's own document for an editor's (no versions/ copy, no harvest into the narrative)."""
    root, paths = work
    narrative = (root / "data" / "narrative" / "xinchang" / "2024.md").read_bytes()
    old_docx = paths.docx.read_bytes()
    set_value(root / "data", "xinchang", 2024, "hte_total", 330)
    # step 15: the new .docx is in, generated.docx and state.json are not (the dangerous window)
    r = make_report(root, env=make_report_env(root, **{state.DIE_AT_ENV: "15"}))
    assert r.returncode != 0
    assert paths.docx.read_bytes() != old_docx and state.journal_path(paths).exists()
    assert state.sha256_file(paths.docx) != state.load(paths)["docx_sha256"]    # without the journal: "edited"
    set_value(root / "data", "xinchang", 2024, "hte_total", 327)                # the data reverted
    again = make_report(root)
    assert again.returncode == 0, again.stdout + again.stderr
    assert "已是最新" not in again.stdout and "已保留" not in again.stderr + again.stdout
    assert "中的修改已写回" not in again.stdout and "上一次生成在移入输出时被中断" in again.stderr
    assert not paths.versions_dir.exists()
    assert (root / "data" / "narrative" / "xinchang" / "2024.md").read_bytes() == narrative
    consistent(paths, "327")


def test_a_run_killed_mid_promotion_is_completed_by_the_next(work):
    root, paths = work
    set_value(root / "data", "xinchang", 2024, "hte_total", 330)
    r = make_report(root, env=make_report_env(root, **{state.DIE_AT_ENV: "9"}))
    assert r.returncode != 0 and state.journal_path(paths).exists()
    again = make_report(root)
    assert again.returncode == 0, again.stderr
    assert "上一次生成在移入输出时被中断" in again.stderr and "已是最新" in again.stdout
    consistent(paths, "330")


def test_ten_concurrent_pairs_of_make_report_all_end_right(work):
    """Two `make report` of the same county-year at once (the second 0 to 0.45 s later): one builds,
    the other waits for it and then finds the report up to date (or builds after it); never a
    missing staging file, a failed run, or a temporary file in the published folder."""
    import time
    root, paths = work
    env = make_report_env(root)
    waited = 0
    for i in range(10):
        set_value(root / "data", "xinchang", 2024, "hte_total", 330 + i)
        cmd = ["make", "-s", "report", "COUNTY=xinchang", "YEAR=2024"]
        first = subprocess.Popen(cmd, cwd=config.ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        time.sleep(0.05 * i)
        second = subprocess.Popen(cmd, cwd=config.ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        outs = [p.communicate(timeout=600) for p in (first, second)]
        for p, (out, err) in zip((first, second), outs):
            assert p.returncode == 0, (i, out, err)
            assert "Traceback" not in err and "找不到" not in err
        said = [out for out, _ in outs]
        assert sum("完成(" in s for s in said) >= 1 and all("完成(" in s or "已是最新" in s for s in said), said
        waited += any("年的报告正由另一次运行(主机 " in err and "生成,等它结束" in err for _, err in outs)
        consistent(paths, str(330 + i))
        assert not paths.versions_dir.exists()          # neither took the other's document for an edit
    assert waited >= 5          # the runs did overlap (one waited for the other)


def test_make_all_and_make_report_together_on_one_folder(work):
    root, paths = work
    set_value(root / "data", "xinchang", 2024, "hte_total", 331)
    env = make_report_env(root)
    batch_run = subprocess.Popen(["make", "-s", "all", "YEAR=2024", "JOBS=2"], cwd=config.ROOT, env=env,
                                 stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    single = subprocess.Popen(["make", "-s", "report", "COUNTY=xinchang", "YEAR=2024"], cwd=config.ROOT, env=env,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    (b_out, b_err), (s_out, s_err) = batch_run.communicate(timeout=900), single.communicate(timeout=900)
    assert batch_run.returncode == 0, b_out + b_err
    assert single.returncode == 0, s_out + s_err
    assert "失败 0" in b_out
    consistent(paths, "331")
    pingyang = config.report_paths("pingyang", 2024, root / "build")
    assert state.docx_status(pingyang) == "generated" and not state.journal_path(pingyang).exists()
    assert not paths.versions_dir.exists()


def test_harvest_reads_reportkits_own_revised_document_as_unedited(work):
    """A rebuild marks the revised figures as tracked changes; harvest of that untouched document
    must find nothing to write back (the manifest once left out the text inside w:ins, so the
    indicator paragraph looked edited and was frozen into the narrative with omit:)."""
    root, paths = work
    narrative = (root / "data" / "narrative" / "xinchang" / "2024.md").read_bytes()
    set_value(root / "data", "xinchang", 2024, "hte_total", 330)
    r = make_report(root)
    assert r.returncode == 0, r.stderr
    assert ("ins", "330", "数据更新") in revisions(paths.docx)
    h = subprocess.run(["make", "-s", "harvest", "COUNTY=xinchang", "YEAR=2024"], capture_output=True, text=True,
                       cwd=config.ROOT, env=make_report_env(root), timeout=300)
    assert h.returncode == 0, h.stderr
    assert "与叙述文件一致,叙述文件未改动" in h.stdout and "改用编辑文字" not in h.stdout
    assert (root / "data" / "narrative" / "xinchang" / "2024.md").read_bytes() == narrative
    assert not paths.versions_dir.exists()
