"""reportkit.editing.harvest: an edited report read back into the narrative file (no kernel: ReportRun in process)."""
import os
import shutil
import subprocess

import pytest

import editing as ed
from helpers import copy_real_data, generate, private_copy, seed_report
from reportkit import config
from reportkit.narrative import source as narrative
from reportkit.outputs import state
from reportkit.document.reader import read_docx
from reportkit.exceptions import DocumentError, ForeignDocumentError, HarvestConflictError
from reportkit.editing.harvest import harvest

SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")


def run(work, **kw):
    root, _ = work
    return harvest("xinchang", 2024, data_dir=root / "data", build_root=root / "build", **kw)


def mailed_back(docx, tmp_path, copy: str):
    """The edited document as it comes back: as written, with its content controls stripped (a
    program that drops them), or opened and saved again by LibreOffice."""
    if copy == "without controls":
        file = tmp_path / "返回稿.docx"
        ed.strip_controls(docx, file)
        return file
    if copy == "libreoffice":
        return ed.libreoffice_resave(docx, tmp_path / "lo")
    return docx


def md_of(work):
    return config.narrative_path("xinchang", 2024, work[0] / "data")


def six_edits(path):
    """The edits of the issue: rewrite a paragraph, fill 存在问题, delete a section, add a section
    outside any control, reword the computed indicator sentence, fill the date."""
    doc = ed.open_doc(path)
    ed.set_text(ed.find(doc, tag="policy"),
                "出台加快科技创新推动高质量发展的若干政策，配套出台实施细则12条；连续三年举办科技创新大会。")
    ed.set_text(ed.find(doc, start="【待补充：存在问题】"),
                "一是科技创新平台能级不高；二是高新技术企业总数327家，但规上企业研发投入不均衡。")
    ed.delete(ed.find(doc, start="（六）科技创新治理"))
    ed.delete(ed.find(doc, tag="governance"))
    talent = ed.find(doc, tag="talent")
    h = ed.insert_after(talent, "（六）科技金融服务", style_of=ed.find(doc, start="（五）科技人才队伍"))
    ed.insert_after(h, "全年新增科技贷款一批，科技型中小企业894家全部纳入服务清单。", style_of=talent)
    ed.set_text(ed.find(doc, tag="rk:block:indicator_paragraph"),
                "全县高新技术企业达到327家，比上年增长8.28%；科技型中小企业894家；规上工业企业研发强度3.45%，居全省第1。")
    ed.set_text(ed.find(doc, tag="rk:date"), "2024年12月20日")
    doc.save(path)


EXPECTED_SIX = [
    "date: 2024年12月20日",
    "omit:\n- indicator_paragraph",
    "## 主要科技创新指标 {#indicators}\n\n全县高新技术企业达到{hte_total}，比上年{hte_total.growth_phrase}；"
    "科技型中小企业{tech_sme_total}；规上工业企业研发强度{rd_intensity_above_scale}，"
    "居全省第{rd_intensity_above_scale.province_rank}。\n\n{table}\n\n{sources}\n\n{charts}\n",
    "## 科技法规和政策落实 {#policy}\n\n出台加快科技创新推动高质量发展的若干政策，配套出台实施细则12条；连续三年举办科技创新大会。\n",
    "## 科技金融服务 {#summary-6}\n\n全年新增科技贷款一批，科技型中小企业{tech_sme_total}全部纳入服务清单。\n\n# 存在问题\n\n"
    "一是科技创新平台能级不高；二是高新技术企业总数{hte_total}，但规上企业研发投入不均衡。\n",
]


def assert_six_harvested(text):
    for part in EXPECTED_SIX:
        assert part in text, part
    assert "{#governance}" not in text and "探索设立创新服务" not in text
    # the untouched paragraphs are written back exactly as the clerk wrote them
    assert "现有国家高新技术企业{hte_total}、科技型中小企业{tech_sme_total}、上市企业{listed_companies}。" in text


# ---------------------------------------------------------------- idempotence

def test_no_edits_leaves_the_narrative_byte_identical(work):
    _, paths = work
    md = md_of(work)
    before = md.read_bytes()
    r = run(work)
    assert not r.changed and not r.written and r.backup is None
    assert md.read_bytes() == before
    assert not paths.versions_dir.exists()


@pytest.mark.skipif(not SOFFICE, reason="LibreOffice not installed")
def test_libreoffice_resaved_copy_without_edits_changes_nothing(work, tmp_path):
    _, paths = work
    md = md_of(work)
    before = md.read_bytes()
    resaved = ed.libreoffice_resave(paths.docx, tmp_path / "lo")
    r = run(work, file=resaved)
    assert not r.changed and md.read_bytes() == before


def test_copy_without_content_controls_and_no_edits_changes_nothing(work, tmp_path):
    _, paths = work
    ed.strip_controls(paths.docx, tmp_path / "stripped.docx")
    assert not run(work, file=tmp_path / "stripped.docx").changed


# ---------------------------------------------------------------- the editor's work

def test_six_edits_are_carried_into_the_narrative(work):
    _, paths = work
    md = md_of(work)
    before = md.read_text(encoding="utf-8")
    six_edits(paths.docx)
    r = run(work)
    assert r.written
    text = md.read_text(encoding="utf-8")
    assert_six_harvested(text)
    assert r.backup.read_text(encoding="utf-8") == before and r.backup.parent == paths.versions_dir
    c = r.counts()
    assert (c["rewritten"], c["added"], c["deleted"], c["overrides"], c["meta"]) == (1, 2, 1, 1, 1)
    assert "新增小节“科技金融服务”" in r.notes["sections"] and "删除小节“科技创新治理”" in r.notes["sections"]
    assert any(x.startswith("327家 → {hte_total}") for x in r.notes["linked"])
    assert any(x.startswith("12(") for x in r.notes["literal"])   # 12条 matches no figure: listed
    assert "+date: 2024年12月20日" in r.diff()
    narrative.parse(text)   # a valid narrative


@pytest.mark.skipif(not SOFFICE, reason="LibreOffice not installed")
def test_libreoffice_resaved_edited_copy_harvests_the_same(work, tmp_path):
    _, paths = work
    md = md_of(work)
    six_edits(paths.docx)
    resaved = ed.libreoffice_resave(paths.docx, tmp_path / "lo")
    assert "lead" in {t for it in read_docx(resaved).items for t in it.tags}   # LibreOffice keeps tags (inline)
    run(work, file=resaved)
    assert_six_harvested(md.read_text(encoding="utf-8"))


def test_mailed_back_renamed_copy_without_controls_harvests_the_same(work, tmp_path):
    """Renamed, re-saved by a program that drops content controls: aligned by text instead."""
    _, paths = work
    md = md_of(work)
    six_edits(paths.docx)
    mailed = tmp_path / "新昌县2024年工作总结(定稿)-张科长改.docx"
    ed.strip_controls(paths.docx, mailed)
    assert not any(it.tags for it in read_docx(mailed).items)
    run(work, file=mailed)
    assert_six_harvested(md.read_text(encoding="utf-8"))


def test_edit_harvest_generate_gives_the_edited_text(work):
    root, paths = work
    six_edits(paths.docx)
    edited = [it.text for it in read_docx(paths.docx).items if it.kind == "p" and it.text.strip()]
    run(work)
    generate("xinchang", 2024, root / "data", root / "build", run_id="run-2")
    again = [it.text for it in read_docx(paths.docx).items if it.kind == "p" and it.text.strip()]
    assert again == edited
    assert not run(work).changed      # and harvesting the regenerated report changes nothing


def test_bold_and_italic_become_markdown_and_come_back(work):
    root, paths = work
    md = md_of(work)
    doc = ed.open_doc(paths.docx)
    p = ed.find(doc, tag="platforms")
    ed.set_text(p, "一是建强实验室。" + ed.text(p), bold="一是建强实验室。")
    doc.save(paths.docx)
    run(work)
    assert "**一是建强实验室。**与浙江大学共建天姥实验室" in md.read_text(encoding="utf-8")
    generate("xinchang", 2024, root / "data", root / "build", run_id="run-2")
    it = next(i for i in read_docx(paths.docx).items if i.tag == "platforms")
    assert it.runs[0] == ("一是建强实验室。", True, False)


def test_reordered_sections_and_a_paragraph_added_inside_a_control(work):
    _, paths = work
    md = md_of(work)
    doc = ed.open_doc(paths.docx)
    talent_h, talent = ed.find(doc, start="（五）科技人才队伍"), ed.find(doc, tag="talent")
    policy_h = ed.find(doc, start="（二）科技法规和政策落实")
    ed.top(policy_h).addprevious(ed.top(talent_h))
    ed.top(policy_h).addprevious(ed.top(talent))
    ed.insert_after(talent, "人才新政兑现资金{abc}与{不是引用}*星号*。", inside=True)
    doc.save(paths.docx)
    r = run(work)
    text = md.read_text(encoding="utf-8")
    assert text.index("{#talent}") < text.index("{#policy}")
    assert "人才新政兑现资金\\{abc}与{不是引用}\\*星号\\*。" in text     # typed braces and stars stay literal
    assert narrative.plain(narrative.parse(text).slot("talent").blocks[1].text) == "人才新政兑现资金{abc}与{不是引用}*星号*。"
    assert r.counts()["added"] == 1


def test_deleted_table_and_chart_are_omitted(work):
    root, paths = work
    md = md_of(work)
    doc = ed.open_doc(paths.docx)
    tbl = doc.element.body.find(f".//{ed.W}tbl")
    ed.delete(ed.find(doc, tag="rk:block:table"))
    tbl.getparent().remove(tbl)
    caption = ed.find(doc, tag="rk:block:chart.trend_rd_intensity_gdp")
    picture = ed.top(caption).getprevious()
    picture.getparent().remove(picture)
    ed.delete(caption)
    doc.save(paths.docx)
    run(work)
    n = narrative.parse(md.read_text(encoding="utf-8"))
    assert n.omit == {"table", "chart.trend_rd_intensity_gdp"}
    generate("xinchang", 2024, root / "data", root / "build", run_id="run-2")
    items = read_docx(paths.docx).items
    assert not any(it.kind == "table" for it in items)
    assert not any("reportkit:chart.trend_rd_intensity_gdp" in "".join(it.pictures) for it in items)
    assert any("reportkit:chart.trend_hte_total" in "".join(it.pictures) for it in items)


def test_edited_table_cell_is_reported_never_kept_silently(work):
    _, paths = work
    md = md_of(work)
    before = md.read_bytes()
    doc = ed.open_doc(paths.docx)
    row = next(r for r in doc.tables[0].rows if r.cells[0].text == "高新技术企业总数")
    row.cells[2].paragraphs[0].runs[0].text = "329"
    doc.save(paths.docx)
    r = run(work)
    assert md.read_bytes() == before        # the table comes from the data
    assert r.notes["mismatch"] == ["表1“高新技术企业总数”行“本年”列:编辑稿为“329”,数据为“327”"
                                   "(表格由数据生成:如数据有误请改 data/ 中的数据)"]


def test_tracked_changes_are_read_as_accepted_and_comments_listed(work):
    _, paths = work
    md = md_of(work)
    doc = ed.open_doc(paths.docx)
    p = ed.find(doc, tag="policy")
    ed.track_replace(p, "形成“新昌科技日”品牌", "打响“新昌科技日”品牌", author="李编辑")
    doc.add_comment(doc.paragraphs[0].runs[0] if doc.paragraphs and doc.paragraphs[0].runs else
                    [r for r in doc.element.body.iter(ed.W + "r")][0], "请核实品牌名称", author="王主任")
    doc.save(paths.docx)
    r = run(work)
    assert "打响“新昌科技日”品牌" in md.read_text(encoding="utf-8")
    assert "形成“新昌科技日”品牌" not in md.read_text(encoding="utf-8")
    assert "插入“打响”(李编辑)" in r.notes["revisions"] and "删除“形成”(李编辑)" in r.notes["revisions"]
    assert r.notes["comments"][0].startswith("王主任:“请核实品牌名称”")


def test_typed_wrong_figure_stays_literal_and_is_flagged(work):
    _, paths = work
    md = md_of(work)
    doc = ed.open_doc(paths.docx)
    p = ed.find(doc, tag="enterprises")
    ed.set_text(p, ed.text(p).replace("科技型中小企业894家", "科技型中小企业849家"))
    doc.save(paths.docx)
    r = run(work)
    text = md.read_text(encoding="utf-8")
    assert "科技型中小企业849家" in text and "{hte_total}" in text    # the untouched reference stays live
    assert r.notes["mismatch"][0].startswith("849家(“企业科技创新主体”第1段):上下文是“科技型中小企业”,数据为 894家")


# ---------------------------------------------------------------- refusals

def test_narrative_changed_since_generation_and_document_edited_is_a_conflict(work):
    _, paths = work
    md = md_of(work)
    six_edits(paths.docx)
    clerk = md.read_text(encoding="utf-8").replace("连续举办科技创新大会", "连续举办两届科技创新大会")
    md.write_text(clerk, encoding="utf-8")
    with pytest.raises(HarvestConflictError) as ei:
        run(work)
    assert "在这份文档生成之后被改过" in str(ei.value) and "FORCE=1" in str(ei.value)
    assert md.read_text(encoding="utf-8") == clerk
    r = run(work, allow_conflict=True)
    assert r.backup.read_text(encoding="utf-8") == clerk and "-出台加快科技创新推动高质量发展的若干政策及实施细则" in r.diff()
    assert_six_harvested(md.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def pingyang_docx(tmp_path_factory):
    """pingyang's 2024 report, as make report writes it."""
    root = tmp_path_factory.mktemp("pingyang")
    generate("pingyang", 2024, copy_real_data(root / "data"), root / "build")
    return config.report_paths("pingyang", 2024, root / "build").docx


def _without(src, dest, *, props=("identifier",), title=None, signature=None):
    doc = ed.open_doc(src)
    for k in props:
        setattr(doc.core_properties, k, "")
    if title is not None:
        ed.set_text(ed.find(doc, tag="rk:title"), title)
    if signature is not None:
        ed.set_text(ed.find(doc, tag="rk:signature"), signature)
    doc.save(dest)
    return dest


def assert_untouched(work, before):
    assert md_of(work).read_bytes() == before
    assert not (work[1].docx.parent / "versions").exists() or not any(
        p.name.startswith("narrative_") for p in (work[1].docx.parent / "versions").iterdir())


ALL_PROPS = ("identifier", "subject", "author", "keywords", "title", "last_modified_by", "comments", "category")


def test_a_document_of_another_county_is_refused(work, tmp_path, pingyang_docx):
    """Issue 20: pingyang's report with its identifier removed used to rewrite xinchang's narrative."""
    before = md_of(work).read_bytes()
    other = _without(pingyang_docx, tmp_path / "平阳 终稿.docx")
    with pytest.raises(ForeignDocumentError) as ei:
        run(work, file=other)
    assert str(ei.value) == (
        f"文件 {other}:这份文档是平阳县2024年的报告,不是新昌县2024年的(依据:"
        "标题“平阳县科学技术局2024年工作总结和2025年工作思路”;落款“平阳县科学技术局”;"
        "文档属性“主题”“平阳县2024年科技创新工作总结和工作思路”;文档属性“作者”“平阳县科学技术局”;"
        "文档属性“关键词”“科技局；工作总结和工作思路；2024；平阳县；温州市”)。"
        f"请检查 COUNTY、YEAR 和 FILE 是否对应(这份文档对应 make harvest COUNTY=pingyang YEAR=2024 FILE={other});"
        "叙述文件没有改动")
    assert_untouched(work, before)
    # every document property cleared: the title and the 落款 still say whose it is
    bare = _without(pingyang_docx, tmp_path / "bare.docx", props=ALL_PROPS)
    with pytest.raises(ForeignDocumentError) as ei:
        run(work, file=bare)
    assert "这份文档是平阳县2024年的报告,不是新昌县2024年的(依据:标题“平阳县科学技术局2024年工作总结和2025年工作思路”;" \
           "落款“平阳县科学技术局”)" in str(ei.value)
    assert_untouched(work, before)


def test_another_countys_document_dressed_as_this_one_is_refused_by_its_figures(work, tmp_path, pingyang_docx):
    before = md_of(work).read_bytes()
    disguised = _without(pingyang_docx, tmp_path / "d.docx", props=ALL_PROPS,
                         title="新昌县科学技术局2024年科技创新工作情况", signature="新昌县科学技术局")
    with pytest.raises(ForeignDocumentError) as ei:
        run(work, file=disguised)
    assert ":这份文档看来不是新昌县2024年的报告(依据:表1的指标(规上工业企业研发费用（1-10月）、" \
           "规上工业企业研发强度（1-10月）、高新技术产业投资（1-10月）…)与新昌县2024年报告表1的指标" \
           "(科技创新指数全省排名、技术创新指数全省排名、规上工业企业研发强度…)几乎没有相同的)。请检查 FILE 是否选对了文档" \
           in str(ei.value)
    assert_untouched(work, before)


def test_a_document_of_another_year_is_refused(work, tmp_path):
    root, paths = work
    before = md_of(work).read_bytes()
    last_year = _without(paths.docx, tmp_path / "x.docx", props=ALL_PROPS,
                         title="新昌县科学技术局2023年科技创新工作情况")
    with pytest.raises(ForeignDocumentError) as ei:
        run(work, file=last_year)
    assert ":这份文档是新昌县2023年的报告,不是新昌县2024年的(依据:标题“新昌县科学技术局2023年科技创新工作情况”)。" \
           in str(ei.value)
    # this year's document harvested as another year's: its 一级标题 and properties say 2024
    with pytest.raises(ForeignDocumentError) as ei:
        harvest("xinchang", 2023, data_dir=root / "data", build_root=root / "build", file=paths.docx)
    assert "这份文档是新昌县2024年的报告,不是新昌县2023年的(依据:文档属性中的运行编号 xinchang-2024-" in str(ei.value)
    assert "一级标题“一、2024年工作总结”" in str(ei.value)
    assert_untouched(work, before)


def test_this_countys_document_without_identifier_or_properties_is_harvested(work, tmp_path):
    root, paths = work
    bare = _without(paths.docx, tmp_path / "bare.docx", props=ALL_PROPS)
    r = run(work, file=bare, write=False)
    assert not r.changed


def test_make_harvest_with_a_mailed_back_file_prints_summary_and_diff(work, tmp_path):
    root, paths = work
    six_edits(paths.docx)
    mailed = tmp_path / "新昌 终稿(李).docx"
    ed.strip_controls(paths.docx, mailed)
    env = dict(os.environ, REPORTKIT_DATA=str(root / "data"), REPORTKIT_BUILD=str(root / "build"))
    r = subprocess.run(["make", "-s", "harvest", "COUNTY=xinchang", "YEAR=2024", f"FILE={mailed}"],
                       capture_output=True, text=True, cwd=config.ROOT, env=env)
    assert r.returncode == 0, r.stdout + r.stderr
    assert "中的修改已写回" in r.stdout and "改用编辑文字的生成段落(1):" in r.stdout
    assert "+date: 2024年12月20日" in r.stdout and "make report COUNTY=xinchang YEAR=2024" in r.stdout
    assert_six_harvested(md_of(work).read_text(encoding="utf-8"))
    assert state.docx_status(paths) == "edited"
    (kept,) = paths.versions_dir.glob("新昌 终稿(李).harvested-*.docx")     # the copy itself is kept
    assert kept.read_bytes() == mailed.read_bytes() and f"编辑稿已另存为 {kept}" in r.stdout


def test_a_copy_harvested_with_file_is_kept_under_versions(work, tmp_path):
    """What cannot be carried over (an edited 表1 cell) survives in the kept copy, once."""
    _, paths = work
    mailed = tmp_path / "终稿.docx"
    doc = ed.open_doc(paths.docx)
    row = next(r for r in doc.tables[0].rows if r.cells[0].text == "高新技术企业总数")
    row.cells[2].paragraphs[0].runs[0].text = "329"
    ed.set_text(ed.find(doc, tag="rk:date"), "2024年12月20日")
    doc.save(mailed)
    r = run(work, file=mailed)
    assert r.written and r.kept.parent == paths.versions_dir and r.kept.name.startswith("终稿.harvested-")
    assert r.kept.read_bytes() == mailed.read_bytes()
    assert run(work, file=mailed).kept == r.kept                 # harvested again: no second copy
    assert len(list(paths.versions_dir.glob("*.docx"))) == 1
    assert run(work, file=tmp_path / "终稿.docx", write=False).kept is None   # a preview keeps nothing


# ---------------------------------------------------------------- issue 18: round trip

@pytest.mark.parametrize("copy", ["as written", "without controls",
                                  pytest.param("libreoffice", marks=pytest.mark.skipif(not SOFFICE, reason="no LibreOffice"))])
def test_ranks_keep_their_unit_after_an_edit_of_the_indicator_paragraph(work, tmp_path, copy):
    """第4位 typed (or left) in an edited paragraph comes back as 第4位, not 第4."""
    root, paths = work
    md = md_of(work)
    doc = ed.open_doc(paths.docx)
    p = ed.find(doc, tag="rk:block:indicator_paragraph")
    ed.set_text(p, "全县" + ed.text(p))
    doc.save(paths.docx)
    file = mailed_back(paths.docx, tmp_path, copy)
    r = run(work, file=file)
    text = md.read_text(encoding="utf-8")
    assert "全县科技创新指数全省排名{innovation_index_rank_province.ordinal}；" \
           "技术创新指数全省排名{tech_innovation_index_rank_province.ordinal}；" in text
    assert any(x.startswith("第4位 → {innovation_index_rank_province.ordinal}") for x in r.notes["linked"])
    generate("xinchang", 2024, root / "data", root / "build", run_id="run-2")
    again = next(it.text for it in read_docx(paths.docx).items if it.text.startswith("全县科技创新指数"))
    assert again.startswith("全县科技创新指数全省排名第4位；技术创新指数全省排名第1位；")


@pytest.fixture(scope="module")
def pingyang_seed(tmp_path_factory):
    return seed_report(tmp_path_factory.mktemp("pingyang"), "pingyang", 2024)


@pytest.fixture
def pingyang(pingyang_seed, tmp_path):
    return private_copy(pingyang_seed, tmp_path, "pingyang", 2024)


def harvest_pingyang(root, **kw):
    return harvest("pingyang", 2024, data_dir=root / "data", build_root=root / "build", **kw)


@pytest.mark.parametrize("copy", ["as written", "without controls",
                                  pytest.param("libreoffice", marks=pytest.mark.skipif(not SOFFICE, reason="no LibreOffice"))])
def test_the_note_after_the_signature_is_not_taken_for_misplaced_text(pingyang, tmp_path, copy):
    """pingyang's 附注 stands after the 落款 where the template puts it: no warning, nothing changed."""
    root, paths = pingyang
    assert any(it.tag == "rk:block:notes" for it in read_docx(paths.docx).items)
    file = mailed_back(paths.docx, tmp_path, copy)
    r = harvest_pingyang(root, file=file)
    assert not r.changed and not any("落款之后" in x for x in r.notes.get("not_carried", [])), r.notes
    # text an editor does type after the 落款 is still pointed out
    doc = ed.open_doc(file)
    ed.insert_after(ed.find(doc, contains="四舍五入"), "另附：项目清单。", style_of=ed.find(doc, contains="四舍五入"))
    doc.save(file)
    r = harvest_pingyang(root, file=file, write=False)
    assert any(x.startswith("落款之后的文字“另附：项目清单。") for x in r.notes["not_carried"]), r.notes




def test_a_generation_record_of_another_format_version_is_not_used_and_said_so(work):
    """The manifest's version was written and never checked: a record written by another
    reportkit would be read as if it were this one's."""
    import json
    root, paths = work
    run_id = state.load(paths)["run_id"]
    record = paths.manifest(run_id)
    m = json.loads(record.read_text(encoding="utf-8"))
    m["version"] = 99
    m["items"] = [{"kind": "p", "renamed": True}]          # what another format would look like to this one
    record.write_text(json.dumps(m, ensure_ascii=False), encoding="utf-8")
    before = md_of(work).read_bytes()
    result = run(work)
    notes = result.notes["not_carried"]
    assert notes[0] == (f"生成记录 {record.name} 的格式版本是 99,这一版 reportkit 只读版本 1、2"
                        "(记录由另一版 reportkit 写出),没有用它对照")
    assert notes[1].startswith("没有可用的生成记录:按当前数据和叙述生成的版本对照")
    assert md_of(work).read_bytes() == before          # an unedited copy still changes nothing


def test_a_place_typed_as_di_n_wei_comes_back_as_di_n_wei(work):
    """An edited paragraph stating 第4位 is carried as {….ordinal} (printing 第4位), not as the bare
    place (which printed 第4 after the rebuild)."""
    root, paths = work
    doc = ed.open_doc(paths.docx)
    ed.set_text(ed.find(doc, tag="policy"), "新昌科技创新指数全省排名第4位，研发强度全省第1位。")
    doc.save(paths.docx)
    run(work)
    text = md_of(work).read_text(encoding="utf-8")
    assert "科技创新指数全省排名{innovation_index_rank_province.ordinal}" in text
    rebuilt = generate("xinchang", 2024, root / "data", root / "build", run_id="run-2")
    assert "新昌科技创新指数全省排名第4位" in "".join(it.text for it in read_docx(rebuilt.paths.docx).items)




def test_a_gbk_narrative_builds_and_reads_back(tmp_path):
    """Issue 20: a narrative saved as GBK (Notepad's ANSI) gave a UnicodeDecodeError at the Word step."""
    data = copy_real_data(tmp_path / "data")
    md = config.narrative_path("xinchang", 2024, data)
    text = md.read_text(encoding="utf-8")
    md.write_bytes(text.encode("gbk"))
    generate("xinchang", 2024, data, tmp_path / "build")
    paths = config.report_paths("xinchang", 2024, tmp_path / "build")
    assert read_docx(paths.docx).title == "新昌县科学技术局2024年科技创新工作情况"
    r = harvest("xinchang", 2024, data_dir=data, build_root=tmp_path / "build")
    assert not r.changed and not r.written and md.read_bytes() == text.encode("gbk")


def test_a_title_naming_two_years_including_this_one_is_this_years(work, tmp_path):
    root, paths = work
    both = _without(paths.docx, tmp_path / "b.docx", props=ALL_PROPS, title="新昌县科学技术局2023—2024年科技创新工作情况")
    r = run(work, file=both, write=False)
    assert r.notes["meta"] == ["标题:新昌县科学技术局2023—2024年科技创新工作情况"]


def test_a_date_typed_in_word_outside_the_reports_window_is_refused(work):
    root, paths = work
    before = md_of(work).read_bytes()
    doc = ed.open_doc(paths.docx)
    ed.set_text(ed.find(doc, tag="rk:date"), "2023年12月20日")
    doc.save(paths.docx)
    with pytest.raises(DocumentError) as ei:
        run(work)
    assert str(ei.value) == (f"文件 {paths.docx}:编辑稿写回后的叙述文件不能使用:成文日期 date: 2023年12月20日 早于 2024 年,"
                             "不像 2024 年报告的成文日期。请改为 2024年1月1日 至 2025年12月31日 之间的日期(多为当年年底或次年年初);"
                             "是不是从别的年份的文件抄来的?(在文档中改正后再写回;叙述文件没有改动)")
    assert md_of(work).read_bytes() == before


def test_a_long_edited_document_is_harvested_whole(work, tmp_path):
    """Issue 20, point 6 (the times are in benchmarks/RESULTS_SCALE_DOCX.md): 2,000 paragraphs typed
    into the sections are all carried, each placed and numbered where the editor typed it."""
    import sys
    sys.path.insert(0, str(config.ROOT / "benchmarks"))
    from bench_scale_docx import make_edited
    root, paths = work
    make_edited(paths.docx, tmp_path / "long.docx", 2000)
    r = run(work, file=tmp_path / "long.docx", write=False)
    assert r.counts()["added"] == 2000 and r.counts()["total"] == 2000 and len(r.notes["literal"]) == 8000
    assert r.notes["added"][:2] == ["导语部分第2段“第1项工作：组织实施科技项目4个…”", "导语部分第3段“第2项工作：组织实施科技项目5个…”"]
    assert r.notes["added"][-1] == "“强化科技创新和产业创新融合”第222段“第2000项工作：组织实施科技项…”"
    assert all(r.new_text.count(f"第{n}项工作：") == 1 for n in (1, 999, 2000))
    assert r.new_text.count("项工作：") == 2000


# ---------------------------------------------------------------- issue 18: the ten-edit round trip

def ten_edits(path):
    """Ten realistic edits an editor makes: the six above, plus a rank stated in a paragraph
    (第4位), a phrase set in bold, a section renamed, and a word changed with Word's review
    mode on (a tracked change the editor did not accept)."""
    six_edits(path)
    doc = ed.open_doc(path)
    ed.set_text(ed.find(doc, tag="plan-intro"),
                "下一步，将秉承“小县大科技”定位，巩固科技创新指数全省排名第4位的位次。")
    ed.set_text(ed.find(doc, tag="talent"), "人才是第一资源：全年引进各类人才一批。", bold="人才是第一资源")
    ed.set_text(ed.find(doc, tag="rk:heading:platforms"), "（三）科创平台能级提升")
    ed.track_replace(ed.find(doc, tag="platforms"), "多点布局", "全域布局")
    doc.save(path)


TEN_MORE = [
    "下一步，将秉承“小县大科技”定位，巩固科技创新指数全省排名{innovation_index_rank_province.ordinal}的位次。",
    "**人才是第一资源**：全年引进各类人才一批。",
    "## 科创平台能级提升 {#platforms}",
    "全域布局“科创空间”",
]
#: what each edit reads as in the rebuilt document
TEN_SHOWN = ["出台加快科技创新推动高质量发展的若干政策", "一是科技创新平台能级不高", "科技金融服务",
             "全县高新技术企业达到327家，比上年增长8.28%", "2024年12月20日",
             "巩固科技创新指数全省排名第4位的位次", "人才是第一资源：全年引进各类人才一批。",
             "科创平台能级提升", "全域布局“科创空间”"]


@pytest.mark.parametrize("copy", ["as written", "without controls",
                                  pytest.param("libreoffice", marks=pytest.mark.skipif(not SOFFICE, reason="no LibreOffice"))])
def test_ten_edits_survive_harvest_and_rebuild_in_every_copy_kind(work, tmp_path, copy):
    """Issue 18's done-when: ten edits, mailed back as written, with the content controls
    stripped, or re-saved by LibreOffice, all carried into the narrative and shown again by the
    next build (10 of 10); the deleted section stays deleted."""
    root, paths = work
    ten_edits(paths.docx)
    file = mailed_back(paths.docx, tmp_path, copy)
    run(work, file=file)
    text = md_of(work).read_text(encoding="utf-8")
    assert_six_harvested(text)
    for part in TEN_MORE:
        assert part in text, part
    generate("xinchang", 2024, root / "data", root / "build", run_id="run-2")
    shown = "\n".join(it.text for it in read_docx(paths.docx).items)
    missing = [s for s in TEN_SHOWN if s not in shown]
    assert missing == [] and "探索设立创新服务" not in shown
    assert run(work).written is False                 # idempotent: the rebuilt document carries nothing new
