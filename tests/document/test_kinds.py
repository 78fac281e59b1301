"""The kinds of report bureaus write: 工作总结和工作思路, 工作总结, 工作情况, and a report to the
people's congress standing committee — checked in the .docx and, with LibreOffice, on the page."""
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from docx import Document

from helpers import SEEDED, copy_real_data
from reportkit import config
from reportkit.charts.plan import draw_charts
from reportkit.document import builder
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
    salutation = next(p for p in Document(path).element.body.iter(builder.qn("w:p"))
                      if "".join(x.text or "" for x in p.iter(builder.qn("w:t"))) == body[0])
    ind = salutation.find(f"{builder.qn('w:pPr')}/{builder.qn('w:ind')}")
    assert ind is not None and ind.get(builder.qn("w:firstLine")) == "0"        # 顶格


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
    title = builder.report_title(rf)
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
    for text in {r[c] for r in rows for c in table_columns(rows)[1:] if r[c]} | {f.period for f in rf.figures if f.cumulative}:
        assert any(text in ln for ln in lines), f"“{text}” broken across lines"     # no numeric token split
    date = builder.chinese_date(rf.narrative.meta.get("date"))
    assert date in flat
    if rf.rounding_differs:
        assert flat.rindex(date) < flat.index(ROUNDING_NOTE)         # 附注 after the 成文日期
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
