"""reportkit.document.builder: the generated .docx, opened with python-docx and checked as an editor would."""
import hashlib
import json
import re
import zipfile

import pytest
from docx import Document
from docx.oxml.ns import qn
from docx.styles import BabelFish

from helpers import SEEDED, copy_real_data
from reportkit import config
from reportkit.charts.plan import draw_charts
from reportkit.document import blocks, builder, layout
from reportkit.document.table import CELL_MARGINS, EMPTY_CELL, table_text_size
from reportkit.document.reader import read_docx, slot_texts
from reportkit.document.template import (FONT_BODY, FONT_H1, FONT_H2, FONT_TITLE, MARGIN_BOTTOM,
                                         MARGIN_LEFT, MARGIN_RIGHT, MARGIN_TOP, PAGE_H, PAGE_W,
                                         resolve_styles, template_problems)


def create_template(path):
    """A copy of the checked-in template (the design) to alter in a test."""
    import shutil
    shutil.copyfile(config.DEFAULT_TEMPLATE, path)
    return path
from reportkit.exceptions import NarrativeError, TemplateError
from reportkit.model.report import (ILLUSTRATIVE_NOTICE, ROUNDING_NOTE, TABLE_COLUMNS,
                                    compute_report_figures, table_columns)

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """The three seeded county-years, built once: {county: (rf, charts, path)}."""
    out = {}
    root = tmp_path_factory.mktemp("docs")
    for county, year in SEEDED:
        rf = compute_report_figures(county, year)
        charts = draw_charts(rf, root / county / "charts")
        path = builder.build_document(rf, charts, root / county / f"{county}.docx", run_id=f"run-{county}").path
        out[county] = (rf, charts, path)
    return out


def read_slots(path):
    """{slot tag: [paragraph text, …]} of the narrative slots (generated blocks carry rk: tags)."""
    return {k: v for k, v in slot_texts(read_docx(path)).items() if not k.startswith("rk:")}


def body_paragraphs(doc):
    """Every body paragraph in order, including those inside content controls (python-docx #155)."""
    return [el for el in doc.element.body.iter(W + "p")]


def ptext(p):
    """The paragraph's text as Word shows it (a non-breaking hyphen is a hyphen)."""
    return "".join("-" if e.tag == W + "noBreakHyphen" else (e.text or "").replace("\u2060", "")
                   for e in p.iter(W + "t", W + "noBreakHyphen"))


def pstyle(doc, p):
    ppr = p.find(W + "pPr")
    sid = ppr.find(W + "pStyle").get(W + "val") if ppr is not None and ppr.find(W + "pStyle") is not None else None
    return BabelFish.internal2ui(doc.styles.element.get_by_id(sid).name_val) if sid else "Normal"


def test_page_setup_is_gbt9704(built):
    doc = Document(built["pingyang"][2])
    s = doc.sections[0]
    assert (s.page_width.twips, s.page_height.twips) == (PAGE_W, PAGE_H)
    assert (s.top_margin.twips, s.bottom_margin.twips, s.left_margin.twips, s.right_margin.twips) == \
        (MARGIN_TOP, MARGIN_BOTTOM, MARGIN_LEFT, MARGIN_RIGHT)
    grid = s._sectPr.find(qn("w:docGrid"))
    assert grid.get(qn("w:linePitch")) == "579"
    assert doc.settings.odd_and_even_pages_header_footer
    odd = s.footer.paragraphs[0]
    even = s.even_page_footer.paragraphs[0]
    for p, align in ((odd, "right"), (even, "left")):
        xml = p._p.xml
        assert "PAGE" in xml and p.text.startswith("\u2014 ") and p.text.endswith(" \u2014")
        assert p._p.pPr.find(qn("w:jc")).get(qn("w:val")) == align
        assert 'w:eastAsia="宋体"' in xml and 'w:val="28"' in xml


@pytest.mark.parametrize("style,font,size", [
    ("Normal", FONT_BODY, 32), ("Title", FONT_TITLE, 44), ("Heading 1", FONT_H1, 32),
    ("Heading 2", FONT_H2, 32), ("Heading 3", FONT_BODY, 32),
])
def test_styles_have_east_asian_fonts(built, style, font, size):
    doc = Document(built["pingyang"][2])
    rpr = doc.styles[style].element.rPr
    rfonts = rpr.find(qn("w:rFonts"))
    assert rfonts.get(qn("w:eastAsia")) == font
    assert rfonts.get(qn("w:ascii")) == "Times New Roman"
    assert rpr.find(qn("w:sz")).get(qn("w:val")) == str(size)


def test_no_theme_fonts_and_chinese_language(built):
    with zipfile.ZipFile(built["pingyang"][2]) as z:
        styles = z.read("word/styles.xml").decode()
        settings = z.read("word/settings.xml").decode()
    assert not re.search(r"w:(ascii|hAnsi|eastAsia|cs)Theme=", styles)
    assert 'w:eastAsia="zh-CN"' in styles
    assert re.search(r'<w:themeFontLang [^>]*w:eastAsia="zh-CN"', settings)
    assert '<w:updateFields w:val="true"/>' in settings


def test_headings_follow_the_seed_structure(built):
    doc = Document(built["pingyang"][2])
    heads = [(pstyle(doc, p), ptext(p)) for p in body_paragraphs(doc)
             if pstyle(doc, p) in ("Heading 1", "Heading 2", "Title")]
    assert heads[0] == ("Title", "平阳县科学技术局2024年工作总结和2025年工作思路")
    texts = [t for _, t in heads]
    assert texts[1:4] == ["一、2024年工作总结", "\uff08一\uff09主要科技创新指标", "\uff08二\uff09科创平台建设取得显著成效"]
    assert "二、2025年工作思路" in texts
    assert texts.index("二、2025年工作思路") > texts.index("\uff08五\uff09科技服务体系不断完善")
    level3 = [ptext(p) for p in body_paragraphs(doc) if pstyle(doc, p) == "Heading 3"]
    assert level3[:2] == ["1.攻坚建设鳌江实验室", "2.推进大孵化器集群建设"]


def test_problems_section_numbering(built):
    doc = Document(built["xinchang"][2])
    h1 = [ptext(p) for p in body_paragraphs(doc) if pstyle(doc, p) == "Heading 1"]
    assert h1 == ["一、2024年工作总结", "二、存在问题", "三、2025年工作思路"]


@pytest.mark.parametrize("county", [c for c, _ in SEEDED])
def test_every_figure_equals_the_engine(built, county):
    rf, _, path = built[county]
    doc = Document(path)
    texts = [ptext(p) for p in body_paragraphs(doc)]
    assert rf.paragraph in texts
    if rf.targets:
        assert any(rf.targets_sentence in t for t in texts)
    table = next(it for it in read_docx(path).items if it.kind == "table")
    expected = rf.table_rows()
    columns = table_columns(expected)
    assert table.cells[0] == columns and set(columns) <= set(TABLE_COLUMNS)
    assert len(table.cells) == len(expected) + 1
    for row, exp in zip(table.cells[1:], expected):
        assert row == [exp[k] or EMPTY_CELL for k in columns]


def test_table_is_three_line_with_widths_and_repeating_header(built):
    doc = Document(built["pingyang"][2])
    tbl = doc.tables[0]._tbl
    assert tbl.tblPr.find(qn("w:tblStyle")).get(qn("w:val")) == "ThreeLineTable"
    tblw = tbl.tblPr.find(qn("w:tblW"))
    grid = [int(g.get(qn("w:w"))) for g in tbl.tblGrid.findall(qn("w:gridCol"))]
    assert int(tblw.get(qn("w:w"))) == sum(grid) == MARGIN_RIGHT * 0 + (PAGE_W - MARGIN_LEFT - MARGIN_RIGHT)
    assert grid == [int(tc.get(qn("w:w"))) for tc in tbl.tr_lst[1].iter(qn("w:tcW"))]
    assert tbl.tr_lst[0].trPr.find(qn("w:tblHeader")) is not None
    borders = tbl.tblPr.find(qn("w:tblBorders"))
    assert borders.find(qn("w:top")).get(qn("w:val")) == "single"
    assert borders.find(qn("w:insideV")).get(qn("w:val")) == "nil"


def test_captions_are_seq_fields(built):
    rf, charts, path = built["pingyang"]
    doc = Document(path)
    caps = [p for p in body_paragraphs(doc) if pstyle(doc, p) == "Caption"]
    instr = [" ".join(i.text for i in p.iter(W + "instrText")) for p in caps]
    assert sum("SEQ 表" in i for i in instr) == 1
    assert sum("SEQ 图" in i for i in instr) == len(charts) >= 3
    assert ptext(caps[0]) == "表1 平阳县2024年主要科技创新指标"
    assert ptext(caps[1]).startswith("图1 ")
    assert len(doc.inline_shapes) == len(charts)
    assert all(abs(s.width.twips - 8844) <= 1 for s in doc.inline_shapes)


def test_content_controls_tag_every_slot(built):
    rf, _, path = built["pingyang"]
    slots = read_slots(path)
    assert list(slots) == [s.id for s in rf.narrative.slots() if not s.empty]
    assert slots["enterprises"][0].startswith("新增省科技型中小企业173家")


def test_figures_flow_into_narrative(built):
    slots = read_slots(built["pingyang"][2])
    assert "新增科技贷款92.8亿元\uff0c比上年增长19.28%" in slots["services"][-1]


def test_empty_slots_become_highlighted_placeholders(built):
    rf, _, path = built["xinchang"]
    slots = read_slots(path)
    assert slots["problems"] == ["【待补充\uff1a存在问题】"]
    doc = Document(path)
    ph = [p for p in body_paragraphs(doc) if ptext(p) == "【待补充\uff1a存在问题】"][0]
    assert ph.find(f".//{W}highlight").get(W + "val") == "yellow"


def test_notices_and_properties(built):
    rf, charts, path = built["xinchang"]
    doc = Document(path)
    texts = [ptext(p) for p in body_paragraphs(doc)]
    assert ILLUSTRATIVE_NOTICE in texts and blocks.SAMPLE_NARRATIVE_NOTICE in texts
    cp = doc.core_properties
    assert cp.author == "新昌县科学技术局" and cp.title.startswith("新昌县科学技术局")
    assert "2024" in cp.keywords and cp.identifier == "run-xinchang"


def test_rounding_note_when_printed_figures_do_not_recompute(built):
    rf, _, path = built["pingyang"]
    assert rf.rounding_differs    # 49.68 / 40 = 124.2%, printed (reported) 124.19%
    assert ROUNDING_NOTE in [ptext(p) for p in body_paragraphs(Document(path))]


def _with_narrative(tmp_path, text):
    root = copy_real_data(tmp_path / "data")
    (root / "narrative" / "pingyang" / "2024.md").write_text(text, encoding="utf-8")
    return compute_report_figures("pingyang", 2024, data_dir=root)


def test_markup_and_template_syntax_render_literally(tmp_path):
    nasty = 'A & B < C > D "E" {{ county }} {% if x %}<w:p/>'
    rf = _with_narrative(tmp_path, f"# 导语\n\n{nasty}\n\n# 工作总结\n\n## 小节\n\n{nasty}\n\n# 工作思路\n")
    path = builder.build_document(rf, [], tmp_path / "x.docx").path
    slots = read_slots(path)
    assert slots["lead"] == [nasty] and slots["summary-1"] == [nasty]


def test_strict_mode_lists_empty_slots(tmp_path):
    rf = compute_report_figures("xinchang", 2024)
    with pytest.raises(NarrativeError) as ei:
        builder.build_document(rf, [], tmp_path / "x.docx", strict=True)
    assert "“存在问题”" in str(ei.value) and "“强化科技创新和产业创新融合”" in str(ei.value)
    assert not (tmp_path / "x.docx").exists()


def test_failed_build_keeps_previous_document(tmp_path, built):
    rf, charts, _ = built["jiangbei"]
    out = tmp_path / "r.docx"
    builder.build_document(rf, charts, out)
    before = hashlib.sha256(out.read_bytes()).hexdigest()
    bad = create_template(tmp_path / "bad.docx")
    doc = Document(bad)
    doc.styles["Heading 2"].element.getparent().remove(doc.styles["Heading 2"].element)
    doc.save(bad)
    with pytest.raises(TemplateError) as ei:
        builder.build_document(rf, charts, out, template=bad)
    assert "Heading 2" in str(ei.value) and "标题 2" in str(ei.value)
    assert hashlib.sha256(out.read_bytes()).hexdigest() == before
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []


def test_template_saved_by_chinese_word_is_accepted(tmp_path, built):
    """Chinese Word/WPS name built-in styles 标题 1 with ids like "1": found all the same."""
    tpl = create_template(tmp_path / "zh.docx")
    with zipfile.ZipFile(tpl) as z:
        parts = {n: z.read(n) for n in z.namelist()}
    styles = parts["word/styles.xml"].decode()
    document = parts["word/document.xml"].decode()
    for n in (1, 2, 3):
        styles = styles.replace(f'w:styleId="Heading{n}"', f'w:styleId="{n}"')
        styles = styles.replace(f'<w:name w:val="heading {n}"/>', f'<w:name w:val="标题 {n}"/>')
        styles = styles.replace(f'w:val="Heading{n}"', f'w:val="{n}"')
        document = document.replace(f'w:val="Heading{n}"', f'w:val="{n}"')
    parts["word/styles.xml"], parts["word/document.xml"] = styles.encode(), document.encode()
    with zipfile.ZipFile(tpl, "w") as z:
        for n, b in parts.items():
            z.writestr(n, b)
    rf, charts, _ = built["jiangbei"]
    path = builder.build_document(rf, charts, tmp_path / "out.docx", template=tpl).path
    doc = Document(path)
    assert any(pstyle(doc, p) == "标题 1" and ptext(p) == "一、2020年工作总结" for p in body_paragraphs(doc))


# ---------------------------------------------------------------- tags, manifest, revisions

def test_every_generated_block_is_tagged(built):
    rf, charts, path = built["pingyang"]
    content = read_docx(path)
    tags = [it.tag for it in content.items if it.tag]
    for tag in ("rk:title", "rk:notice", "rk:part:summary", "rk:heading:indicators", "rk:block:indicator_paragraph",
                "rk:block:table", "rk:block:sources", "rk:part:plan", "rk:block:targets_sentence", "rk:block:notes",
                "rk:signature", "rk:date", "rk:heading:platforms", "lead", "platforms"):
        assert tag in tags, tag
    for c in charts:
        assert f"rk:block:chart.{c.id}" in tags
    pictures = [p for it in content.items for p in it.pictures]
    assert [p.split("\n")[0] for p in pictures] == [f"reportkit:chart.{c.id}" for c in charts]


def test_manifest_lists_every_item_in_document_order(built, tmp_path):
    rf, charts, _ = built["xinchang"]
    b = builder.build_document(rf, charts, tmp_path / "x.docx", run_id="r")
    items = b.manifest.items
    content = read_docx(b.path)
    assert [i.text or "" for i in items if i.kind != "table"] == \
        [it.text for it in content.items if it.kind != "table"]
    assert b.manifest.refs["hte_total"] == "327家" and b.manifest.pieces["table/hte_total/本年"] == "327"
    enterprises = next(i for i in items if i.slot == "enterprises" and i.kind == "p")
    assert enterprises.source.startswith("现有国家高新技术企业{hte_total}") and "hte_total" in enterprises.refs


def test_manifest_is_typed_stored_and_read_back_with_its_version(built, tmp_path):
    """The build -> harvest contract: what the builder records is read back the same, and a
    record of another format version is refused with a message, never half-read."""
    from reportkit.document import manifest
    from reportkit.exceptions import ManifestVersionError
    rf, charts, _ = built["xinchang"]
    b = builder.build_document(rf, charts, tmp_path / "x.docx", run_id="r")
    path = tmp_path / "manifest-r.json"
    path.write_text(b.manifest.to_json(), encoding="utf-8")
    assert manifest.load(path) == b.manifest
    assert manifest.load(tmp_path / "missing.json") is None
    older = b.manifest.to_dict()
    older.update(version=1)
    del older["pending"]
    for item in older["items"]:
        item.pop("shown", None)
    path.write_text(json.dumps(older, ensure_ascii=False), encoding="utf-8")
    assert manifest.load(path).items == [manifest.Item.from_dict(i) for i in older["items"]]   # the earlier format still read
    path.write_text(b.manifest.to_json().replace(f'"version": {manifest.VERSION}', '"version": 99'), encoding="utf-8")
    with pytest.raises(ManifestVersionError) as ei:
        manifest.load(path)
    assert "格式版本是 99" in str(ei.value) and "只读版本 1、2" in str(ei.value)


def test_building_twice_in_one_process_gives_the_same_body(built, tmp_path):
    rf, charts, _ = built["jiangbei"]
    a = builder.build_document(rf, charts, tmp_path / "a.docx", run_id="r").path
    b = builder.build_document(rf, charts, tmp_path / "b.docx", run_id="r").path
    read = lambda p: zipfile.ZipFile(p).read("word/document.xml")  # noqa: E731
    assert read(a) == read(b)


def test_revised_figures_are_tracked_changes_token_by_token(tmp_path):
    root = copy_real_data(tmp_path / "data")
    rf = compute_report_figures("xinchang", 2024, data_dir=root)
    first = builder.build_document(rf, [], tmp_path / "1.docx", run_id="r1")
    csv_path = root / "values" / "xinchang.csv"
    csv_path.write_text(csv_path.read_text(encoding="utf-8").replace("hte_total,全年,327,", "hte_total,全年,330,"),
                        encoding="utf-8")
    rf2 = compute_report_figures("xinchang", 2024, data_dir=root)
    second = builder.build_document(rf2, [], tmp_path / "2.docx", run_id="r2", previous=first.manifest)
    revs = [(r.kind, r.text, r.author) for r in read_docx(second.path).revisions]
    assert revs.count(("del", "327", "数据更新")) == 3 and revs.count(("ins", "330", "数据更新")) == 3
    assert ("del", "8.28", "数据更新") in revs and ("ins", "9.27", "数据更新") in revs
    assert {(c["label"], c["old"], c["new"]) for c in second.changes} >= {
        ("高新技术企业总数", "327家", "330家"), ("高新技术企业总数增速", "8.28%", "9.27%")}
    value = next(c for c in second.changes if c["label"] == "高新技术企业总数")
    assert value["where"] == "指标段、表1、“企业科技创新主体”第1段"
    xml = zipfile.ZipFile(second.path).read("word/document.xml").decode()
    ids = re.findall(r'<w:(?:ins|del) w:id="(\d+)"', xml)
    assert len(ids) == len(set(ids))           # revision ids unique in the document
    clean = builder.build_document(rf2, [], tmp_path / "3.docx", previous=first.manifest, track_changes=False)
    assert read_docx(clean.path).revisions == [] and clean.changes == second.changes


def test_the_checked_in_template_is_gbt9704():
    """The template is the design: it must meet GB/T 9704-2012 as the checks read it."""
    assert template_problems(Document(config.DEFAULT_TEMPLATE)) == []


def test_the_code_follows_the_templates_design(tmp_path, built):
    """Change the table text size in the template (as an editor would in Word): the table's
    columns are measured with the new size, not with a number in the code."""
    from docx.shared import Pt
    rf, charts, _ = built["pingyang"]
    tpl = create_template(tmp_path / "t.docx")
    doc = Document(tpl)
    doc.styles["表格文字"].font.size = Pt(9)
    doc.styles["Normal"].font.size = Pt(15)        # and a departure from GB/T 9704 the check reports
    doc.save(tpl)
    small = builder.build_document(rf, charts, tmp_path / "s.docx", template=tpl).path
    normal = builder.build_document(rf, charts, tmp_path / "n.docx").path
    grid = lambda p: [int(g.get(qn("w:w"))) for g in Document(p).tables[0]._tbl.tblGrid.findall(qn("w:gridCol"))]  # noqa: E731
    assert grid(small)[0] > grid(normal)[0]          # smaller numbers: more room for the names
    assert "样式“Normal”的字号是 15 磅,应为 16 磅" in template_problems(Document(tpl))


# ---------------------------------------------------------------- GB/T 9704 placement, honest figures

def test_title_breaks_only_at_a_meaningful_boundary(built):
    rf, _, path = built["pingyang"]
    title = next(p for p in body_paragraphs(Document(path)) if "rk:title" in
                 [t.get(W + "val") for a in p.iterancestors(W + "sdt") for t in a.iter(W + "tag")])
    lines = ptext_lines(title)
    assert lines == ["平阳县科学技术局", "2024年工作总结和2025年工作思路"]


def ptext_lines(p):
    lines, cur = [], ""
    for e in p.iter(W + "t", W + "br"):
        if e.tag == W + "br":
            lines.append(cur)
            cur = ""
        else:
            cur += (e.text or "").replace("\u2060", "")
    return lines + [cur]


@pytest.mark.parametrize("title,lines", [
    ("景宁畲族自治县科学技术局2024年工作总结和2025年工作思路", ["景宁畲族自治县科学技术局", "2024年工作总结和2025年工作思路"]),
    ("江北区人民政府关于科技创新工作审议意见落实情况的报告", ["江北区人民政府关于", "科技创新工作审议意见落实情况的报告"]),
    ("新昌县科学技术局2024年工作总结", ["新昌县科学技术局2024年工作总结"]),
])
def test_title_lines(title, lines):
    from reportkit.document.layout import title_lines
    assert title_lines(title, 8844 / 440 - 0.6) == lines
    for line in title_lines(title, 8844 / 440 - 0.6):
        assert not re.search(r"\d{4}年$", line)           # never "…2025年 / 工作思路"


def test_signature_date_and_note_are_placed_as_gbt9704(tmp_path):
    """落款 右空二字, the date two characters right of it, in Chinese; 附注 after the date, in
    full-width parentheses."""
    root = copy_real_data(tmp_path / "data")
    md = root / "narrative" / "pingyang" / "2024.md"
    md.write_text(md.read_text(encoding="utf-8").replace("sample: true", "sample: true\ndate: 2024-12-20"),
                  encoding="utf-8")
    rf = compute_report_figures("pingyang", 2024, data_dir=root)
    path = builder.build_document(rf, [], tmp_path / "p.docx").path
    doc = Document(path)
    paras = body_paragraphs(doc)
    texts = [ptext(p) for p in paras]
    name, date = paras[texts.index("平阳县科学技术局")], paras[texts.index("2024年12月20日")]
    ri = lambda p: int(p.find(f"{W}pPr/{W}ind").get(W + "right"))  # noqa: E731
    assert ri(name) == round(4.25 * 320)     # the date (8.25 em) is the longer: its start 2 chars right of the name
    assert ri(date) == 2 * 320                          # 右空二字
    assert texts.index(ROUNDING_NOTE) == texts.index("2024年12月20日") + 1
    assert ROUNDING_NOTE.startswith("\uff08") and ROUNDING_NOTE.endswith("\uff09")


def test_table_caption_keeps_with_its_table(built):
    doc = Document(built["pingyang"][2])
    cap = next(p for p in body_paragraphs(doc) if ptext(p).startswith("表1"))
    assert cap.find(f"{W}pPr/{W}keepNext") is not None


def test_changes_on_invented_or_worked_back_data_say_so(built):
    rf, _, path = built["xinchang"]
    texts = [ptext(p) for p in body_paragraphs(Document(path))]
    para = next(t for t in texts if t.startswith("科技创新指数"))
    assert "增长8.28%\uff08按示例数据计算\uff09" in para
    table = next(it for it in read_docx(path).items if it.kind == "table")
    hte = next(r for r in table.cells if r[0] == "高新技术企业总数")
    assert hte[table.cells[0].index("增减")] == "增长8.28%\u2020"
    assert any("带“\u2020”的增减按示例数据计算\uff0c不得引用" in t for t in texts)
    pingyang = [ptext(p) for p in body_paragraphs(Document(built["pingyang"][2]))]
    assert not any("按示例数据计算" in t for t in pingyang)      # reported (official) rates carry no mark


def test_sources_note_full_width_and_chinese_dates(built):
    texts = [ptext(p) for p in body_paragraphs(Document(built["xinchang"][2]))]
    note = next(t for t in texts if t.startswith("资料来源"))
    assert "（2024年12月9日发布）" in note and "(" not in note and "2024-12-09" not in note


def test_font_table_names_the_gb_fonts_with_fallbacks_and_app_is_truthful(built):
    with zipfile.ZipFile(built["pingyang"][2]) as z:
        fonts = z.read("word/fontTable.xml").decode()
        app = z.read("docProps/app.xml").decode()
    for font, alt in (("仿宋_GB2312", "仿宋"), ("楷体_GB2312", "楷体"), ("方正小标宋简体", "宋体")):
        assert re.search(rf'w:name="{font}">\s*<w:altName w:val="{alt}"/>', fonts), font
    assert "Macintosh" not in app and "<Pages>" not in app and "<Application>reportkit</Application>" in app


# ---------------------------------------------------------------- page and 公文 format (issue 18)

def _keeps(p):
    ppr = p.find(W + "pPr")
    has = lambda tag: ppr is not None and ppr.find(W + tag) is not None and \
        ppr.find(W + tag).get(W + "val") in (None, "1", "true", "on")  # noqa: E731
    return has("keepNext"), has("keepLines")


def test_signature_block_keeps_together_and_with_the_end_of_the_body(built):
    """The last body paragraph, the blank line, the 落款 and the date keep with the next; the
    落款, the date and the 附注 keep their lines (GB/T 9704: never the date alone on a page)."""
    doc = Document(built["pingyang"][2])
    paras = body_paragraphs(doc)
    texts = [ptext(p) for p in paras]
    name = texts.index("平阳县科学技术局", 1)
    last_body = max(i for i, t in enumerate(texts[:name]) if t.strip())
    assert texts[last_body].endswith("强化科技惠民富民。")       # the body's last paragraph
    assert _keeps(paras[last_body]) == (True, False)          # keeps with the next, may split
    assert all(_keeps(p)[0] for p in paras[last_body + 1:name])     # the blank line
    assert _keeps(paras[name]) == (True, True)
    assert _keeps(paras[name + 1]) == (True, True)             # the date, the 附注 follows
    assert texts[name + 2] == ROUNDING_NOTE and _keeps(paras[name + 2]) == (False, True)


def test_issuer_is_placed_for_the_date_as_it_will_be_typed(tmp_path):
    """With the 成文日期 still a placeholder, the 落款 is placed for 2024年12月20日: the same
    indents as when the date is given."""
    rf = compute_report_figures("pingyang", 2024)
    assert not rf.narrative.meta.get("date")
    doc = Document(builder.build_document(rf, [], tmp_path / "p.docx").path)
    paras = body_paragraphs(doc)
    texts = [ptext(p) for p in paras]
    ri = lambda p: int(p.find(f"{W}pPr/{W}ind").get(W + "right"))  # noqa: E731
    name = paras[texts.index("平阳县科学技术局", 1)]
    assert "【待补充\uff1a成文日期】" in texts
    assert ri(name) == round(4.25 * 320)      # as for the typed date (8.25 em): not 6 (the placeholder's 10 em)


def test_table_last_row_keeps_with_its_source_note(built):
    doc = Document(built["pingyang"][2])
    tbl = doc.tables[0]._tbl
    last = tbl.findall(W + "tr")[-1]
    assert all(_keeps(p)[0] for p in last.iter(W + "p"))
    assert all(not _keeps(p)[0] for p in tbl.findall(W + "tr")[-2].iter(W + "p"))
    note = next(p for p in body_paragraphs(doc) if ptext(p).startswith("资料来源"))
    assert _keeps(note)[1]


def test_indicator_names_break_between_words_never_leaving_one_character(built):
    """表1's names that wrap carry explicit breaks between words, lines no wider than the column."""
    from reportkit.document.layout import ems
    doc = Document(built["pingyang"][2])
    tbl = doc.tables[0]._tbl
    width = int(tbl.find(f"{W}tblGrid/{W}gridCol").get(W + "w"))
    lines = {}
    for tr in tbl.findall(W + "tr")[1:]:
        p = tr.find(f"{W}tc/{W}p")
        text = "".join(e.text or "" if e.tag == W + "t" else "\n" for e in p.iter(W + "t", W + "br"))
        name_lines = text.split("\n")[:-1] if text.endswith("）") and "（" in text.split("\n")[-1] else text.split("\n")
        lines["".join(name_lines)] = name_lines
    assert lines["高新技术产业投资"] == ["高新技术", "产业投资"]
    assert lines["新增孵化企业备案"] == ["新增孵化", "企业备案"]
    assert lines["新增创新创业人才"] == ["新增创新", "创业人才"]
    for name, ls in lines.items():
        assert all(len(x) > 1 for x in ls), ls
        assert all(ems(x) * 210 <= width - 114 for x in ls), ls
    table = next(it for it in read_docx(built["pingyang"][2]).items if it.kind == "table")
    assert [r[0] for r in table.cells[1:4]] == ["规上工业企业研发费用\uff081-10月\uff09",   # a reader sees the text
                                                "规上工业企业研发强度\uff081-10月\uff09", "高新技术产业投资\uff081-10月\uff09"]


@pytest.mark.parametrize("name,capacity,lines", [
    ("高新技术产业投资", 7, ["高新技术", "产业投资"]),
    ("高新技术产业投资", 8.5, ["高新技术产业投资"]),
    ("规上工业企业研发费用", 7, ["规上工业企业", "研发费用"]),
    ("新增孵化企业备案", 7.5, ["新增孵化", "企业备案"]),
    ("研发经费支出占GDP比重", 7, ["研发经费支出", "占GDP比重"]),
    ("高新技术产业增加值占规上工业增加值比重", 10, ["高新技术产业增加值占", "规上工业增加值比重"]),
    ("某某某某某某某某", 7, ["某某某某", "某某某某"]),        # no word known: even lines, none alone
])
def test_name_lines(name, capacity, lines):
    from reportkit.document.layout import name_lines
    assert name_lines(name, capacity) == lines


def test_captions_glue_periods_as_the_body_does(built):
    doc = Document(built["pingyang"][2])
    caps = [p for p in body_paragraphs(doc) if ptext(p).startswith("图")]
    raw = ["".join(t.text or "" for t in p.iter(W + "t")) for p in caps]
    assert any("\uff081\u2060-\u206010\u2060月\uff09" in r for r in raw), raw


def test_word_joiners_only_where_a_line_could_break(tmp_path):
    """"2023—2027年" keeps its numbers whole for Word's and WPS's Find: joiners beside the dash and
    before 年 only."""
    rf = _with_narrative(tmp_path, "# 导语\n\n实施2023—2027年行动计划，1-10月完成投资。\n\n# 工作总结\n\n# 工作思路\n")
    doc = Document(builder.build_document(rf, [], tmp_path / "x.docx").path)
    lead = next(p for p in body_paragraphs(doc) if ptext(p).startswith("实施"))
    raw = "".join(t.text or "" for t in lead.iter(W + "t"))
    assert raw == "实施2023\u2060—\u20602027\u2060年行动计划，1\u2060-\u206010\u2060月完成投资。"
    assert "2023" in raw and "2027" in raw and "10" in raw


def test_changes_list_only_what_the_document_states(tmp_path):
    """pingyang's narrative states 新增科技贷款 and its growth ({tech_loans_new.change} prints
    比上年增长19.28%): a revised value changes the 变化量 too, which the document never states."""
    from helpers import set_value
    root = copy_real_data(tmp_path / "data")
    first = builder.build_document(compute_report_figures("pingyang", 2024, data_dir=root), [],
                                   tmp_path / "1.docx", run_id="r1")
    set_value(root, "pingyang", 2024, "tech_loans_new", "93.5")
    rf2 = compute_report_figures("pingyang", 2024, data_dir=root)
    second = builder.build_document(rf2, [], tmp_path / "2.docx", run_id="r2", previous=first.manifest)
    loans = [(c["label"], c["old"], c["new"]) for c in second.changes if c["indicator"] == "tech_loans_new"]
    assert loans == [("新增科技贷款", "92.8亿元", "93.5亿元")]
    assert "比上年增长19.28%" in " ".join(it.text for it in read_docx(second.path).items)


def test_table_columns_fit_the_cells_as_shown_with_revisions(tmp_path):
    """Word's and WPS's review view shows a revised cell's old and new text side by side
    (12.03 struck, 12.3 inserted): every column but the names fits that on one line."""
    from helpers import set_value
    root = copy_real_data(tmp_path / "data")
    first = builder.build_document(compute_report_figures("xinchang", 2024, data_dir=root), [],
                                   tmp_path / "1.docx", run_id="r1")
    set_value(root, "xinchang", 2024, "rd_personnel_share", "12.3")
    set_value(root, "xinchang", 2024, "hte_total", "1330")
    second = builder.build_document(compute_report_figures("xinchang", 2024, data_dir=root), [],
                                    tmp_path / "2.docx", run_id="r2", previous=first.manifest)
    tbl = Document(second.path).element.body.find(f".//{W}tbl")
    grid = [int(g.get(qn("w:w"))) for g in tbl.iter(W + "gridCol")]
    size = table_text_size(resolve_styles(Document(second.path)))
    revised = 0
    for tr in tbl.iter(W + "tr"):
        for c, tc in enumerate(tr.findall(W + "tc")):
            seen = "".join(t.text or "" for t in tc.iter(W + "t", W + "delText")).replace("\u2060", "")
            revised += bool(list(tc.iter(W + "del")))
            if c:
                assert layout.twips(seen, size) + CELL_MARGINS <= grid[c], (seen, c)
    assert revised == 3          # 本年 and 增减 of 高新技术企业总数, 本年 of 企业研发人员占比
    plain = next(r for r in read_docx(second.path).items if r.kind == "table").cells
    assert ["企业研发人员占比", "%", "12.3"] == next(r for r in plain if r[0] == "企业研发人员占比")[:3]
    assert second.manifest.items and next(i for i in second.manifest.items if i.kind == "table").cells == plain


def pingyang_revised(tmp_path):
    """pingyang 2024 built (1.docx), two figures revised, built again on it (2.docx, the revisions
    tracked): the two built documents."""
    root = copy_real_data(tmp_path / "data")
    first = builder.build_document(compute_report_figures("pingyang", 2024, data_dir=root), [],
                                   tmp_path / "1.docx", run_id="r1")
    revise_pingyang(root)
    second = builder.build_document(compute_report_figures("pingyang", 2024, data_dir=root), [],
                                    tmp_path / "2.docx", run_id="r2", previous=first.manifest)
    return first, second


def revise_pingyang(root):
    """Revise two 1-10月 figures of pingyang (本年 and 增减 of the first, 本年 of the second)."""
    v = root / "values" / "pingyang.csv"
    t = v.read_text(encoding="utf-8")
    for a, b in (("rd_intensity_above_scale,1-10月,3.52,%,,,0.22,", "rd_intensity_above_scale,1-10月,3.61,%,,,0.31,"),
                 ("hitech_investment,1-10月,44.43,", "hitech_investment,1-10月,44.9,")):
        assert a in t
        t = t.replace(a, b)
    v.write_text(t, encoding="utf-8")


def test_revised_cells_too_wide_side_by_side_put_the_new_text_under_the_old(tmp_path):
    """pingyang's names would be squeezed to two characters to fit 3.523.61 and 提高0.220.31个百分点:
    those cells put the new text under the struck old one (a deleted line break, gone once
    accepted), and the columns are as wide as the unrevised table's."""
    first, second = pingyang_revised(tmp_path)
    grid = lambda p: [int(g.get(qn("w:w"))) for g in Document(p).element.body.iter(W + "gridCol")]  # noqa: E731
    tbl = Document(second.path).element.body.find(f".//{W}tbl")
    stacked = {}
    for tr in list(tbl.iter(W + "tr"))[1:]:
        name = "".join(t.text for t in tr.find(W + "tc").iter(W + "t"))
        for c, tc in enumerate(tr.findall(W + "tc")):
            dels = list(tc.iter(W + "del"))
            if dels:
                assert dels[-1].find(f".//{W}br") is not None      # the line break is part of the deletion
                stacked[(name[:6], c)] = "".join(t.text for t in tc.iter(W + "t", W + "delText"))
    assert stacked == {("规上工业企业", 2): "3.523.61", ("规上工业企业", 4): "提高0.220.31个百分点",
                       ("高新技术产业", 2): "44.4344.90"}
    assert grid(second.path)[0] >= grid(first.path)[0]           # the names keep their room
    cells = next(it for it in read_docx(second.path).items if it.kind == "table").cells
    assert next(r for r in cells if r[0].startswith("规上工业企业研发强度"))[2:5] == ["3.61", "3.30", "提高0.31个百分点"]


def test_one_text_width_model_for_print_and_terminal():
    """表1, the title breaker and the batch summary measure text the same way: a Chinese
    character is an em (two terminal columns), a digit half, "%" a little wider in print."""
    assert layout.ems("327家") == 0.5 * 3 + 1 + layout.AUTOSPACE
    assert layout.ems("8.28%") == 0.5 * 4 + 0.85
    assert layout.twips("研发", 16) == round(2 * 16 * 20)
    assert layout.columns("新昌县 327") == 3 * 2 + 4
