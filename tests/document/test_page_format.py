"""The 公文 on the page (issue 18, points 8-13), rendered by LibreOffice and read back with
pdftotext -bbox: where the 落款 and the 成文日期 stand, 表1's last row with its source note,
indicator names wrapped between words, periods never broken."""
import html
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from docx import Document

from helpers import SEEDED, copy_real_data
from reportkit import config
from reportkit.charts.plan import draw_charts
from reportkit.document import builder, titles
from reportkit.dates import chinese_date
from reportkit.model.report import ROUNDING_NOTE, compute_report_figures, table_columns

SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")
PDFTOTEXT = shutil.which("pdftotext")
pytestmark = pytest.mark.skipif(not (SOFFICE and PDFTOTEXT), reason="LibreOffice and poppler-utils needed")

KINDS = Path(__file__).parent.parent / "kinds"
CASES = {"status": ("xinchang", 2024), "congress": ("jiangbei", 2020), "summary": ("pingyang", 2024)}
W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_WORD = re.compile(r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">(.*?)</word>')


def to_pdf(paths, outdir: Path, profile: Path) -> list[Path]:
    """Convert .docx files to PDF in one LibreOffice run."""
    r = subprocess.run([SOFFICE, f"-env:UserInstallation=file://{profile}", "--headless", "--convert-to", "pdf",
                        "--outdir", str(outdir), *map(str, paths)], capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stderr
    return [outdir / (Path(p).stem + ".pdf") for p in paths]


def words(pdf: Path) -> list[list[tuple[float, float, float, float, str]]]:
    """Per page, every word with its box (xMin, yMin, xMax, yMax, text), in reading order."""
    out = subprocess.run([PDFTOTEXT, "-bbox", str(pdf), "-"], capture_output=True, text=True).stdout
    return [[(float(a), float(b), float(c), float(d), html.unescape(t).replace("\u2060", ""))
             for a, b, c, d, t in _WORD.findall(page)] for page in out.split("<page ")[1:]]


def lines(page, tol: float = 3.0) -> list[tuple[float, list]]:
    """The words of a page grouped into lines (by their bottom: digits and Chinese characters
    of one line share it, their tops differ), each line sorted left to right; y is the line's top."""
    out: list[tuple[float, list]] = []
    for w in sorted(page, key=lambda w: (w[3], w[0])):
        if out and abs(out[-1][1][-1][3] - w[3]) <= tol:
            out[-1][1].append(w)
        else:
            out.append((w[1], [w]))
    return sorted(((min(w[1] for w in ws), sorted(ws)) for _, ws in out), key=lambda x: x[0])


def text_of(ws) -> str:
    return "".join(w[4] for w in ws)


def page_texts(pages) -> list[str]:
    return ["".join(w[4] for w in page) for page in pages]


@pytest.fixture(scope="module")
def rendered(tmp_path_factory):
    """The three seeded reports and one of each kind, built and rendered once:
    {name: (rf, docx, pages of words)}."""
    root = tmp_path_factory.mktemp("page")
    built = {}
    for county, year in SEEDED:
        rf = compute_report_figures(county, year)
        built[county] = (rf, builder.build_document(rf, draw_charts(rf, root / county), root / f"{county}.docx").path)
    data = copy_real_data(root / "data")
    for kind, (county, year) in CASES.items():
        shutil.copyfile(KINDS / f"{kind}_{county}_{year}.md", config.narrative_path(county, year, data))
        rf = compute_report_figures(county, year, data_dir=data)
        built[kind] = (rf, builder.build_document(rf, draw_charts(rf, root / kind), root / f"{kind}.docx").path)
    pdfs = to_pdf([p for _, p in built.values()], root / "pdf", root / "profile")
    return {name: (rf, docx, words(pdf)) for (name, (rf, docx)), pdf in zip(built.items(), pdfs)}


def _signature_lines(rf, pages):
    """(page index, line y, words) of the 落款 and of the 成文日期 line after it."""
    name = titles.issuer(rf)
    for n in range(len(pages) - 1, -1, -1):
        ls = lines(pages[n])
        for i, (y, ws) in enumerate(ls):
            if text_of(ws) == name:
                nxt = ls[i + 1] if i + 1 < len(ls) else None
                if nxt is None:                        # the date went to the next page
                    return (n, y, ws), (n + 1, *lines(pages[n + 1])[0]) if n + 1 < len(pages) else None
                return (n, y, ws), (n, *nxt)
    raise AssertionError(f"落款“{name}” not found")


def _body_end(rf, docx) -> str:
    """The last paragraph of the body before the 落款, as text."""
    from reportkit.document.reader import read_docx
    items = [it for it in read_docx(docx).items if it.kind == "p" and it.text.strip()]
    name = max(i for i, it in enumerate(items) if it.text.strip() == titles.issuer(rf))
    return items[name - 1].text.strip()


@pytest.mark.parametrize("name", ["pingyang", "xinchang", "jiangbei", *CASES])
def test_signature_date_and_the_end_of_the_body_share_a_page(rendered, name):
    """Point 8: the 落款 and the 成文日期 on one page, with the body's last lines (never a page
    holding only the date, or only the 落款 and the 附注)."""
    rf, docx, pages = rendered[name]
    (n, y, _), date = _signature_lines(rf, pages)
    assert date is not None and date[0] == n, f"the date is on page {date and date[0] + 1}, the 落款 on {n + 1}"
    end = re.sub(r"\s+", "", _body_end(rf, docx))
    before = "".join(text_of(ws) for ly, ws in lines(pages[n]) if ly < y)
    assert end[-6:] in before, f"page {n + 1} holds the 落款 without the end of the body ({end[-12:]})"


def test_the_summary_kinds_last_page_is_not_only_signature_and_note(rendered):
    rf, docx, pages = rendered["summary"]
    last = page_texts(pages)[-1]
    rest = last.replace(titles.issuer(rf), "").replace(chinese_date(rf.narrative.meta["date"]), "")
    rest = re.sub(r"—\d+—", "", rest.replace(ROUNDING_NOTE, ""))
    assert "高层次人才不足。" in rest


@pytest.mark.parametrize("county", ["pingyang", "jiangbei"])
def test_a_typed_date_starts_two_characters_right_of_the_issuer(tmp_path, county):
    """Point 9: build with the 成文日期 still a placeholder, type 2024年12月20日 over it as an
    editor does, and the date's first character stands two characters right of the issuer's."""
    year = dict(SEEDED)[county]
    rf = compute_report_figures(county, year)
    assert not rf.narrative.meta.get("date")
    path = builder.build_document(rf, [], tmp_path / f"{county}.docx").path
    doc = Document(path)
    date = next(p for p in doc.element.body.iter(W + "p")
                if "".join(t.text or "" for t in p.iter(W + "t")) == "【待补充\uff1a成文日期】")
    run = date.find(W + "r")
    run.find(W + "t").text = "2024年12月20日"
    run.find(W + "rPr").remove(run.find(f"{W}rPr/{W}highlight"))
    doc.save(path)
    (pdf,) = to_pdf([path], tmp_path / "pdf", tmp_path / "profile")
    (n, _, name_words), (m, _, date_words) = _signature_lines(rf, words(pdf))
    assert text_of(date_words) == "2024年12月20日"
    em = (name_words[-1][2] - name_words[0][0]) / len(titles.issuer(rf))
    offset = (date_words[0][0] - name_words[0][0]) / em
    assert abs(offset - 2) < 0.35, f"the date starts {offset:.2f} characters right of the issuer"


def test_table_last_row_and_its_source_note_share_a_page(rendered):
    """Point 10 (pingyang): 资料来源 is not pushed to the next page away from 表1."""
    rf, docx, pages = rendered["pingyang"]
    rows = rf.table_rows()
    last_value = rows[-1][table_columns(rows)[1 + 1]]          # the 本年 cell of the last row
    for n, page in enumerate(pages):
        note = next((w for w in page if w[4].startswith("资料来源")), None)
        if note:
            above = [w for w in page if w[4] == last_value and w[3] <= note[1]]
            assert above and note[1] - max(w[3] for w in above) < 40, \
                f"资料来源 on page {n + 1} without 表1's last row ({last_value}) just above it"
            return
    raise AssertionError("no 资料来源 note")


def _name_column_lines(rf, docx, pages) -> list[str]:
    """The lines of 表1's first column as printed (period lines such as （1-10月） left out)."""
    width = int(Document(docx).tables[0]._tbl.find(f"{W}tblGrid/{W}gridCol").get(W + "w")) / 20
    out = []
    for page in pages:
        ls = lines(page)
        head = next((i for i, (_, ws) in enumerate(ls) if "指标" in [w[4] for w in ws]
                     and "单位" in [w[4] for w in ws]), None)
        if head is None:
            continue
        left = min(w[0] for _, ws in ls[head + 1:] for w in ws)
        for _, ws in ls[head + 1:]:
            if ws[0][4].startswith("资料来源") or re.fullmatch(r"—?\d+—?", text_of(ws)):
                break
            name = text_of([w for w in ws if w[2] <= left + width])
            if name and not name.startswith("\uff08"):
                out.append(name)
    return out


@pytest.mark.parametrize("county", [c for c, _ in SEEDED])
def test_table_names_wrap_between_words_never_leaving_one_character(rendered, county):
    """Point 11: no line of an indicator name in 表1 holds a single character."""
    rf, docx, pages = rendered[county]
    got = _name_column_lines(rf, docx, pages)
    assert got, "no name lines found"
    assert all(len(x) > 1 for x in got), got
    if county == "pingyang":
        i = got.index("高新技术")
        assert got[i + 1] == "产业投资"                  # not 高新技术产业投 / 资


def test_periods_never_break_in_narrative_or_captions(tmp_path):
    """Points 12-13: "1-10月", "2023—2027年" stand whole on their line wherever a line ends,
    with word joiners only where a line could break."""
    data = copy_real_data(tmp_path / "data")
    paras = "\n\n".join("测" * k + "截至2023—2027年与1-10月全县完成工作任务共计若干项目。" for k in range(28))
    md = config.narrative_path("pingyang", 2024, data)
    text = md.read_text(encoding="utf-8")
    md.write_text(text.replace("# 导语\n", "# 导语\n\n" + paras + "\n", 1), encoding="utf-8")
    rf = compute_report_figures("pingyang", 2024, data_dir=data)
    path = builder.build_document(rf, draw_charts(rf, tmp_path / "charts"), tmp_path / "p.docx").path
    (pdf,) = to_pdf([path], tmp_path / "pdf", tmp_path / "profile")
    flat = [text_of(ws) for page in words(pdf) for _, ws in lines(page)]
    whole = sum(ln.count("2023—2027年") for ln in flat), sum(ln.count("1-10月") for ln in flat)
    assert whole[0] == 28 and whole[1] >= 28, whole
    captions = [ln for ln in flat if re.match(r"图\d", ln)]
    assert captions and all("1-10月" in ln for ln in captions if "（1-" in ln or "(1-" in ln)
