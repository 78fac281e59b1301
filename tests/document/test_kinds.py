"""The kinds of report bureaus write: 工作总结和工作思路, 工作总结, 工作情况, and a report to the
people's congress standing committee — checked in the .docx and, with LibreOffice, on the page."""
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from docx import Document
from docx.oxml.ns import qn

from helpers import SEEDED, copy_real_data
from reportkit.dates import chinese_date
from reportkit import config
from reportkit.charts.plan import draw_charts
from reportkit.document import builder, titles
from reportkit.document.reader import read_docx
from reportkit.exceptions import NarrativeError
from reportkit.model.report import ROUNDING_NOTE, compute_report_figures

KINDS = Path(__file__).parent.parent / "kinds"
SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")
PDFTOTEXT = shutil.which("pdftotext")
PDFIMAGES = shutil.which("pdfimages")
CASES = {"status": ("xinchang", 2024), "congress": ("jiangbei", 2020), "summary": ("pingyang", 2024)}


@pytest.fixture(scope="module")
def kinds(tmp_path_factory):
    root = tmp_path_factory.mktemp("kinds")
    data = copy_real_data(root / "data")
    out = {}
    for kind, (county, year) in CASES.items():
        shutil.copyfile(KINDS / f"{kind}_{county}_{year}.md", config.narrative_path(county, year, data))
        rf = compute_report_figures(county, year, data_dir=data)
        charts = draw_charts(rf, root / kind / "charts")
        out[kind] = (rf, builder.build_document(rf, charts, root / f"{kind}.docx").path)
    return root, data, out


def texts(path):
    return [it.text for it in read_docx(path).items if it.kind == "p" and it.text.strip()]


def test_status_report(kinds):
    _, _, out = kinds
    rf, path = out["status"]
    t = texts(path)
    assert t[0] == "新昌县科学技术局2024年科技创新工作情况"
    heads = [x for x in t if re.match(r"^[一二三四五]、", x)]
    assert heads == ["一、基本情况", "二、工作成效", "三、存在问题", "四、下步打算"]
    assert "我县现有国家高新技术企业327家，科技型中小企业894家。" in t
    assert t.index("（一）主要科技创新指标") == t.index("一、基本情况") + 2     # the figures go with 基本情况, after its intro


def test_congress_report(kinds):
    _, _, out = kinds
    rf, path = out["congress"]
    t = texts(path)
    assert t[0] == "宁波市江北区人民政府关于2020年科技创新工作情况的报告"
    assert t[t.index(t[0]) + 1:][:1] != []
    body = [x for x in t if not x.startswith(("示例", "宁波市江北区人民政府关于"))]
    assert body[0] == "主任、各位副主任，各位委员："
    assert body[1] == "我代表宁波市江北区人民政府，向区人大常委会报告2020年科技创新工作情况，请予审议。"
    heads = [x for x in t if re.match(r"^[一二三四五]、", x)]
    assert heads == ["一、工作落实情况", "二、存在问题不足", "三、下步工作措施"]
    assert "2021年，力争高新技术企业达到170家以上。" in t           # {hte_total.next_target}
    assert t[-3:-1] == ["以上报告，请予审议。谢谢！", "宁波市江北区人民政府"]       # closing, signed by the presenter
    salutation = next(p for p in Document(path).element.body.iter(qn("w:p"))
                      if "".join(x.text or "" for x in p.iter(qn("w:t"))) == body[0])
    ind = salutation.find(f"{qn('w:pPr')}/{qn('w:ind')}")
    assert ind is not None and ind.get(qn("w:firstLine")) == "0"        # 顶格


def test_summary_report_has_no_plan(kinds):
    _, _, out = kinds
    rf, path = out["summary"]
    t = texts(path)
    assert t[0] == "平阳县科学技术局2024年工作总结"
    assert not any("工作思路" in x for x in t if re.match(r"^[一二三四五]、", x))
    heads = [x for x in t if re.match(r"^[一二三四五]、|^（[一二三四]）", x)]
    assert heads[-2:] == ["（一）平台能级", "（二）人才支撑"]         # subsections under 存在问题
    assert any(x.startswith("2024年，我县科技创新能力持续提升：规上工业企业研发费用累计15.44亿元，同比增长1.32%") for x in t)


def test_strict_mode_flags_an_empty_date(tmp_path):
    data = copy_real_data(tmp_path / "data")
    text = (KINDS / "status_xinchang_2024.md").read_text(encoding="utf-8").replace("date: 2024-12-20\n", "")
    config.narrative_path("xinchang", 2024, data).write_text(text, encoding="utf-8")
    rf = compute_report_figures("xinchang", 2024, data_dir=data)
    with pytest.raises(NarrativeError) as ei:
        builder.build_document(rf, [], tmp_path / "x.docx", strict=True)
    assert "成文日期(设置区的 date)" in str(ei.value)


def test_unknown_kind_is_refused(tmp_path):
    from reportkit.narrative import source as narrative
    with pytest.raises(NarrativeError) as ei:
        narrative.parse("---\nkind: speech\n---\n# 导语\n")
    assert "报告类型 kind: speech 无效" in str(ei.value) and "congress" in str(ei.value)


# ---------------------------------------------------------------- on the page (LibreOffice)

def pdf_pages(root, path):
    out = root / "pdf"
    r = subprocess.run([SOFFICE, f"-env:UserInstallation=file://{root / 'profile'}", "--headless", "--convert-to", "pdf",
                        "--outdir", str(out), str(path)], capture_output=True, text=True, timeout=180)
    assert r.returncode == 0, r.stderr
    pdf = out / (path.stem + ".pdf")
    text = subprocess.run([PDFTOTEXT, "-layout", str(pdf), "-"], capture_output=True, text=True).stdout
    return pdf, [re.sub(r"\s+", "", p).replace("\u2060", "") for p in text.split("\f")]


@pytest.mark.skipif(not (SOFFICE and PDFTOTEXT and PDFIMAGES), reason="LibreOffice and poppler-utils needed")
@pytest.mark.parametrize("kind", ["seeded-pingyang", "seeded-xinchang", "seeded-jiangbei", *CASES])
def test_on_the_page(kinds, tmp_path, kind):
    """Title lines break only where allowed, each caption on the page of its table or figure,
    附注 after the 成文日期, a congress report's salutation, opening and closing in place."""
    root, data, out = kinds
    if kind.startswith("seeded-"):
        county = kind.split("-")[1]
        year = dict(SEEDED)[county]
        rf = compute_report_figures(county, year)
        rf.narrative.meta.setdefault("date", "2024年12月20日")
        path = builder.build_document(rf, draw_charts(rf, tmp_path / "charts"), tmp_path / f"{county}.docx").path
    else:
        rf, path = out[kind]
    pdf, pages = pdf_pages(tmp_path, path)
    flat = "".join(pages)
    title = titles.report_title(rf)
    from reportkit.document.layout import title_lines
    assert "".join(title_lines(title, 8844 / 440 - 0.6)) == title
    assert title in pages[0]
    # captions on the page of their table or figure
    images = subprocess.run([PDFIMAGES, "-list", str(pdf)], capture_output=True, text=True).stdout.splitlines()[2:]
    image_pages = [int(ln.split()[0]) for ln in images if ln.split()[2] == "image"]
    for n, page in enumerate(pages, start=1):
        for m in re.finditer(r"图(\d+)\d{4}—\d{4}年|图(\d+)\d{4}年主要指标", page):
            assert n in image_pages, f"caption of 图{m.group(1) or m.group(2)} on page {n} without its chart"
        if "表1" in page and "主要科技创新指标" in page:
            after = page[page.index("表1"):]
            assert "指标" in after[4:] and "单位" in after, "表1's caption at a page foot, its table on the next"
    from reportkit.model.report import table_columns
    lines = [re.sub(r"\s+", "", ln).replace("\u2060", "") for ln in
             subprocess.run([PDFTOTEXT, "-layout", str(pdf), "-"], capture_output=True, text=True).stdout.splitlines()]
    rows = rf.table_rows()
    has_table = rf.narrative.wants("table")
    assert ("表1" in flat) == has_table and ("资料来源" in flat) == rf.narrative.wants("sources")
    cells = {r[c] for r in rows for c in table_columns(rows)[1:] if r[c]} if has_table else set()
    for text in cells | {f.period for f in rf.figures if f.cumulative}:
        assert any(text in ln for ln in lines), f"“{text}” broken across lines"     # no numeric token split
    date = chinese_date(rf.narrative.meta.get("date"))
    assert date in flat
    if rf.rounding_differs and rf.narrative.wants("notes"):
        assert flat.rindex(date) < flat.index(ROUNDING_NOTE)         # 附注 after the 成文日期
    else:
        assert ROUNDING_NOTE not in flat
    if kind == "congress":
        assert flat.index("主任、各位副主任，各位委员：") < flat.index("我代表宁波市江北区人民政府") \
            < flat.index("一、工作落实情况") < flat.index("以上报告，请予审议。谢谢！") < flat.rindex(date)


@pytest.mark.skipif(not SOFFICE, reason="LibreOffice not installed")
def test_make_pdf(kinds, tmp_path):
    import os
    root, data, out = kinds
    build = tmp_path / "build"
    paths = config.report_paths("jiangbei", 2020, build)
    paths.out_dir.mkdir(parents=True)
    shutil.copyfile(out["congress"][1], paths.docx)
    env = dict(os.environ, REPORTKIT_BUILD=str(build), REPORTKIT_DATA=str(data))
    r = subprocess.run(["make", "-s", "pdf", "COUNTY=jiangbei", "YEAR=2020"], capture_output=True, text=True,
                       cwd=config.ROOT, env=env)
    assert r.returncode == 0, r.stderr
    pdf = paths.out_dir / "jiangbei_2020.pdf"
    assert "已生成 PDF" in r.stdout and pdf.read_bytes()[:5] == b"%PDF-"


def test_pdf_without_libreoffice_says_what_to_do(monkeypatch, tmp_path):
    from reportkit.run import pdf
    monkeypatch.setattr(pdf, "find_soffice", lambda: None)
    docx = tmp_path / "x.docx"
    docx.write_bytes(b"PK")
    with pytest.raises(pdf.PdfError) as ei:
        pdf.to_pdf(docx, tmp_path / "x.pdf")
    assert "没有找到 LibreOffice" in str(ei.value) and "另存为”PDF" in str(ei.value)
    assert not (tmp_path / "x.pdf").exists()


# ---------------------------------------------------------------- small slips (issue 18, point 23)

def test_a_chart_placed_when_there_are_none_says_none_are_available(tmp_path):
    data = copy_real_data(tmp_path / "data")
    path = config.narrative_path("pingyang", 2024, data)
    path.write_text(path.read_text(encoding="utf-8").replace("# 工作总结\n", "# 工作总结\n\n{chart.ranks}\n", 1),
                    encoding="utf-8")
    rf = compute_report_figures("pingyang", 2024, data_dir=data)
    with pytest.raises(NarrativeError) as ei:
        builder.build_document(rf, [], tmp_path / "x.docx")
    assert "没有编号为“ranks”的图表" in str(ei.value) and str(ei.value).endswith("请删去这一引用:可用的图表:无")


# ---------------------------------------------------------------- what each kind contains by default (point 14)

def build_kind(tmp_path, kind, edit=lambda text: text, *, charts=True):
    """Build the tests/kinds narrative of ``kind`` (changed by ``edit``): (ReportFigures, texts, docx)."""
    county, year = CASES[kind] if kind in CASES else (kind.split("-")[1], dict(SEEDED)[kind.split("-")[1]])
    source = KINDS / f"{kind}_{county}_{year}.md" if kind in CASES else config.narrative_path(county, year)
    data = copy_real_data(tmp_path / "data")
    config.narrative_path(county, year, data).write_text(edit(source.read_text(encoding="utf-8")), encoding="utf-8")
    rf = compute_report_figures(county, year, data_dir=data)
    drawn = draw_charts(rf, tmp_path / "charts") if charts else []
    path = builder.build_document(rf, drawn, tmp_path / "out.docx").path
    return rf, texts(path), path


def contents(path):
    """Which generated blocks a document holds."""
    items = read_docx(path).items
    t = [it.text for it in items if it.kind == "p"]
    return {"table": any(it.kind == "table" for it in items), "charts": any(it.pictures for it in items),
            "sources": any(x.startswith("资料来源") for x in t), "targets_sentence": any("年主要目标是" in x for x in t),
            "notes": ROUNDING_NOTE in t, "figures_heading": any(x in t for x in ("（一）主要科技创新指标", "一、主要科技创新指标"))}


def add_front(text, line):
    return text.replace("---\n", "---\n" + line + "\n", 1)


@pytest.mark.parametrize("kind", ["congress", "summary", "status"])
def test_a_kind_without_table_charts_targets_or_notes_by_default(tmp_path, kind):
    """A report to the congress, a plain 工作总结 and a 工作情况 state their figures in the text:
    no 表1, 资料来源, charts, targets sentence or 附注 unless the clerk asks; the indicator
    paragraph stays (in its section)."""
    rf, t, path = build_kind(tmp_path, kind)
    assert contents(path) == {"table": False, "charts": False, "sources": False, "targets_sentence": False,
                              "notes": False, "figures_heading": True}
    assert any(x.startswith(rf.paragraph[:12]) for x in t)
    assert not list((tmp_path / "charts").glob("*.png"))          # none drawn either


def test_the_clerk_turns_each_block_on(tmp_path):
    rf, t, path = build_kind(tmp_path, "congress", lambda s: add_front(s, "include: [table, charts, targets_sentence]"))
    assert contents(path) == {"table": True, "charts": True, "sources": True, "targets_sentence": True,
                              "notes": rf.rounding_differs, "figures_heading": True}
    assert "2021年主要目标是：" in "".join(t)
    # a chart setting asks for charts; placing {table} in the text asks for 表1 (and its 资料来源)
    rf, t, path = build_kind(tmp_path / "b", "summary", lambda s: add_front(s, "charts: [trend_rd_expense_above_scale]")
                             .replace("推进鳌江实验室建设。\n", "推进鳌江实验室建设。\n\n{table}\n"))
    assert contents(path) == {"table": True, "charts": True, "sources": True, "targets_sentence": False,
                              "notes": rf.rounding_differs, "figures_heading": True}


def test_a_bureaus_summary_and_plan_keeps_everything_by_default(tmp_path):
    rf, t, path = build_kind(tmp_path, "seeded-pingyang")
    assert contents(path) == {"table": True, "charts": True, "sources": True, "targets_sentence": bool(rf.targets),
                              "notes": True, "figures_heading": True}


def test_omitting_every_indicator_block_leaves_no_empty_figures_heading(tmp_path):
    rf, t, path = build_kind(tmp_path, "seeded-pingyang",
                             lambda s: add_front(s, "omit: [indicator_paragraph, table, sources, charts]"))
    assert "（一）主要科技创新指标" not in t
    assert t[t.index("一、2024年工作总结") + 1] == "（一）科创平台建设取得显著成效"
    rf, t, path = build_kind(tmp_path / "c", "congress", lambda s: add_front(s, "omit: [indicator_paragraph]"))
    assert "（一）主要科技创新指标" not in t and "【待补充：主要科技创新指标】" not in t


@pytest.mark.parametrize("kind", ["congress", "status"])
def test_a_kind_that_has_no_lead_needs_no_lead(tmp_path, kind):
    def drop_lead(text):
        start = text.index("# 导语")
        return text[:start] + text[text.index("\n# ", start + 1) + 1:]
    rf, t, path = build_kind(tmp_path, kind, drop_lead)
    assert rf.narrative.lead is None and not any("导语" in x for x in t)
    heads = [x for x in t if re.match(r"^[一二三四五]、", x)]
    assert heads[0] == {"congress": "一、工作落实情况", "status": "一、基本情况"}[kind]
    if kind == "congress":
        assert t.index("我代表宁波市江北区人民政府，向区人大常委会报告2020年科技创新工作情况，请予审议。") \
            == t.index("一、工作落实情况") - 1


def test_a_summary_and_plan_still_needs_its_lead():
    from reportkit.narrative import source as narrative
    with pytest.raises(NarrativeError) as ei:
        narrative.parse("# 工作总结\n\n# 工作思路\n", path="n.md")
    assert "缺少一级标题“# 导语”" in str(ei.value)


@pytest.mark.parametrize("front,message", [
    ("include: [tabel]", "include 中的“tabel”不是可加上的块。请改为这些块之一:indicator_paragraph、table、sources、"
                         "charts、targets_sentence、notes,写成列表"),
    ("include: table", "include 中的“table”不是可加上的块"),
    ("include: [table]\nomit: [table]", "“table”既写在 include 里,又写在 omit 里"),
])
def test_a_bad_include_names_its_line(front, message):
    from reportkit.narrative import source as narrative
    with pytest.raises(NarrativeError) as ei:
        narrative.parse(f"---\nkind: congress\n{front}\n---\n# 工作落实情况\n# 下步工作措施\n", path="n.md")
    assert message in str(ei.value) and "n.md" in str(ei.value) and ei.value.row == 3


# ---------------------------------------------------------------- switching a narrative to another kind (point 15)

@pytest.mark.parametrize("kind,heads", [
    ("congress", ["一、工作落实情况", "二、存在问题不足", "三、下步工作措施"]),
    ("status", ["一、基本情况", "二、存在问题", "三、下步打算"]),
])
def test_a_narrative_switched_to_another_kind_maps_its_parts(tmp_path, kind, heads):
    """The seeded xinchang narrative (工作总结和工作思路) with only its kind changed."""
    rf, t, path = build_kind(tmp_path, "seeded-xinchang", lambda s: add_front(s, f"kind: {kind}"), charts=False)
    assert [x for x in t if re.match(r"^[一二三四五]、", x)] == heads
    assert "（二）科技法规和政策落实" in t          # its sections come along, in order
    if kind == "congress":                           # the empty 存在问题, named as this kind names it
        assert t[t.index("二、存在问题不足") + 1] == "【待补充：存在问题不足】"


def test_a_part_the_new_kind_lacks_says_exactly_what_to_do():
    from reportkit.narrative import source as narrative
    with pytest.raises(NarrativeError) as ei:
        narrative.parse("---\nkind: summary\n---\n# 导语\n\n# 工作总结\n\n# 存在问题\n\n# 工作思路\n", path="n.md")
    e = ei.value
    assert e.row == 10 and str(e) == (
        "文件 n.md,第 10 行:报告类型 summary(工作总结)没有“工作思路”这一部分。请把它改为导语、工作总结、存在问题之一;"
        "要另加一个一级部分,写成“# 工作思路 {#编号}”(编号用英文字母,如 other);"
        "或在设置区改 kind:summary-and-plan(工作总结和工作思路)、status(工作情况)、congress(向人大常委会的报告)")
    with pytest.raises(NarrativeError) as ei:
        narrative.parse("---\nkind: congress\n---\n# 导语\n\n# 工作成效\n\n# 下步工作措施\n", path="n.md")
    assert "报告类型 congress(向人大常委会的报告)没有“工作成效”这一部分" in str(ei.value)
    assert "请把它改为导语、工作落实情况、存在问题不足、下步工作措施之一" in str(ei.value)
    assert str(ei.value).endswith(";或在设置区改 kind:status(工作情况)")
    with pytest.raises(NarrativeError) as ei:
        narrative.parse("# 导语\n\n# 杂项\n", path="n.md")
    assert "未知的一级标题“杂项”" in str(ei.value) and "kind" not in str(ei.value)


def test_one_part_under_two_kinds_names_is_a_duplicate_that_says_so():
    from reportkit.narrative import source as narrative
    with pytest.raises(NarrativeError) as ei:
        narrative.parse("---\nkind: congress\n---\n# 工作总结\n\n# 工作落实情况\n\n# 下步工作措施\n", path="n.md")
    assert "一级标题“工作落实情况”重复(在报告类型 congress(向人大常委会的报告)中,“工作总结”和“工作落实情况”是同一部分“工作落实情况”)。请合并为一处" \
        in str(ei.value)


def test_a_renamed_heading_follows_the_part_across_kinds(tmp_path):
    rf, t, path = build_kind(tmp_path, "seeded-xinchang",
                             lambda s: add_front(s, "kind: congress\nheadings: {工作总结: 主要工作落实情况}"), charts=False)
    assert "一、主要工作落实情况" in t


def test_usual_variants_of_part_names_are_read():
    from reportkit.narrative import source as narrative
    n = narrative.parse("# 导语\n\n# 工作总结\n\n# 存在的问题\n\n# 下一步工作打算\n")
    assert [p.key for p in n.parts] == ["lead", "summary", "problems", "plan"]


@pytest.mark.parametrize("kind", ["congress", "summary"])
def test_an_unedited_report_of_a_kind_harvests_to_the_same_narrative(tmp_path, kind):
    """What a kind leaves out by default (表1, charts, 导语 of a congress report) is not read back as
    an editor's deletion: harvesting an unedited copy changes nothing, and an edit is carried."""
    import editing as ed
    from helpers import generate
    from reportkit.editing.harvest import harvest
    county, year = CASES[kind]
    data = copy_real_data(tmp_path / "data")
    text = (KINDS / f"{kind}_{county}_{year}.md").read_text(encoding="utf-8")
    if kind == "congress":           # no 导语: the opening sentence is the lead
        start = text.index("# 导语")
        text = text[:start] + text[text.index("\n# ", start + 1) + 1:]
    md = config.narrative_path(county, year, data)
    md.write_text(text, encoding="utf-8")
    run = generate(county, year, data, tmp_path / "build")
    result = harvest(county, year, data_dir=data, build_root=tmp_path / "build")
    assert not result.changed and md.read_text(encoding="utf-8") == text
    doc = ed.open_doc(run.paths.docx)
    problems = {"congress": "存在问题不足", "summary": "存在问题"}[kind]
    para = ed.find(doc, start={"congress": "一是创新平台能级不高", "summary": "高能级平台偏少"}[kind])
    ed.set_text(para, "高能级创新平台偏少，研发投入不均衡。")
    doc.save(run.paths.docx)
    result = harvest(county, year, data_dir=data, build_root=tmp_path / "build")
    new = md.read_text(encoding="utf-8")
    assert result.changed and "高能级创新平台偏少，研发投入不均衡。" in new
    assert new.replace("高能级创新平台偏少，研发投入不均衡。", "一是创新平台能级不高；二是科技人才支撑不足；三是企业研发投入仍需加大。"
                       if kind == "congress" else "高能级平台偏少。") == text
    assert ("# 导语" in new) == (kind != "congress") and "omit" not in new and f"# {problems}" in new


def test_a_plain_summary_numbers_its_areas_of_work_one_two_three(tmp_path):
    """The summary kind does not force a lone 一、2024年工作总结 over everything (the title says
    工作总结): its sections are the report's 一、二、三, their sub-headings (一)(二), and 存在问题
    follows in the numbering; a heading the clerk gives the part brings the level back."""
    def with_subheads(text):
        return text.replace(*SUMMARY_WITH_SUBHEADS)
    rf, t, path = build_kind(tmp_path, "summary", with_subheads, charts=False)
    heads = [x for x in t if re.match(r"^[一二三四五]、|^（[一二三四]）", x)]
    assert heads == ["一、主要科技创新指标", "二、科创平台建设", "（一）鳌江实验室", "（二）孵化器", "三、存在问题",
                     "（一）平台能级", "（二）人才支撑"]
    assert not any("年工作总结" in x for x in t[1:])
    rf, t, path = build_kind(tmp_path / "h", "summary",
                             lambda s: add_front(with_subheads(s), "headings: {工作总结: 主要工作进展情况}"), charts=False)
    heads = [x for x in t if re.match(r"^[一二三四五]、|^（[一二三四]）|^\d\.", x)]
    assert heads == ["一、主要工作进展情况", "（一）主要科技创新指标", "（二）科创平台建设", "1.鳌江实验室", "2.孵化器",
                     "二、存在问题", "（一）平台能级", "（二）人才支撑"]


SUMMARY_WITH_SUBHEADS = ("推进鳌江实验室建设。\n", "### 鳌江实验室\n\n推进鳌江实验室建设。\n\n### 孵化器\n\n建设孵化器集群。\n")


def summary_edits(path):
    """An editor's edits to a plain 工作总结 (sections shown as 一、二、三): rename a section, add a
    sub-heading with a paragraph under it, add a section with a paragraph, reword a paragraph."""
    import editing as ed
    doc = ed.open_doc(path)
    ed.set_text(ed.find(doc, start="二、科创平台建设"), "二、科创平台建设提速")
    build = ed.find(doc, start="建设孵化器集群。")
    sub = ed.insert_after(build, "（三）新型研发机构", style_of=ed.find(doc, start="（二）孵化器"))
    para = ed.insert_after(sub, "新建省级新型研发机构1家。", style_of=build)
    head = ed.insert_after(para, "三、科技金融", style_of=ed.find(doc, start="二、科创平台建设提速"))
    ed.insert_after(head, "科技贷款持续增长。", style_of=build)
    ed.set_text(ed.find(doc, start="高能级平台偏少。"), "高能级平台仍然偏少。")
    doc.save(path)


SUMMARY_HARVESTED = ("## 科创平台建设提速 {#platforms}\n\n### 鳌江实验室\n\n推进鳌江实验室建设。\n\n### 孵化器\n\n"
                     "建设孵化器集群。\n\n### 新型研发机构\n\n新建省级新型研发机构1家。\n\n## 科技金融 {#summary-3}\n\n"
                     "科技贷款持续增长。\n\n# 存在问题\n\n## 平台能级 {#problems-platforms}\n\n高能级平台仍然偏少。\n")


@pytest.mark.parametrize("copy", ["python-docx", "controls stripped", "LibreOffice"])
def test_a_plain_summary_edited_in_word_harvests_its_sections(tmp_path, copy):
    import editing as ed
    from helpers import generate
    from reportkit.editing.harvest import harvest
    if copy == "LibreOffice" and not SOFFICE:
        pytest.skip("LibreOffice not installed")
    county, year = CASES["summary"]
    data = copy_real_data(tmp_path / "data")
    text = (KINDS / f"summary_{county}_{year}.md").read_text(encoding="utf-8").replace(*SUMMARY_WITH_SUBHEADS)
    md = config.narrative_path(county, year, data)
    md.write_text(text, encoding="utf-8")
    run = generate(county, year, data, tmp_path / "build")
    summary_edits(run.paths.docx)
    file = run.paths.docx
    if copy == "controls stripped":
        file = tmp_path / "mailed.docx"
        ed.strip_controls(run.paths.docx, file)
    elif copy == "LibreOffice":
        file = ed.libreoffice_resave(run.paths.docx, tmp_path / "lo")
    result = harvest(county, year, data_dir=data, build_root=tmp_path / "build", file=file)
    new = md.read_text(encoding="utf-8")
    assert SUMMARY_HARVESTED in new, new
    assert "headings" not in new and "# 工作总结\n" in new
    rebuilt = generate(county, year, data, tmp_path / "build", run_id="run-2")
    t = texts(rebuilt.paths.docx)
    assert [x for x in t if re.match(r"^[一二三四五]、|^（[一二三四]）", x)] == [
        "一、主要科技创新指标", "二、科创平台建设提速", "（一）鳌江实验室", "（二）孵化器", "（三）新型研发机构",
        "三、科技金融", "四、存在问题", "（一）平台能级", "（二）人才支撑"]
    del result


def test_the_figures_section_is_placed_under_this_kinds_summary_part():
    from reportkit.narrative import source as narrative
    with pytest.raises(NarrativeError) as ei:
        narrative.parse("---\nkind: congress\n---\n# 存在问题不足\n## 指标 {#indicators}\n# 工作落实情况\n# 下步工作措施\n",
                        path="n.md")
    assert str(ei.value) == ("文件 n.md,第 5 行:{#indicators}(指标小节)只能写在“# 工作落实情况”之下。"
                             "请把这一小节移到“# 工作落实情况”中")
