"""Render the generated .docx with LibreOffice (when installed): PDF text and a round trip."""
import re
import shutil
import subprocess

import pytest

from helpers import SEEDED

from reportkit import config
from reportkit.charts.plan import draw_charts
from reportkit.document import builder
from reportkit.document.reader import read_docx, slot_texts
from reportkit.model.report import compute_report_figures

SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")
PDFTOTEXT = shutil.which("pdftotext")
pytestmark = pytest.mark.skipif(not SOFFICE, reason="LibreOffice (soffice) not installed")


def soffice_version() -> tuple[int, int]:
    out = subprocess.run([SOFFICE, "--version"], capture_output=True, text=True).stdout
    m = re.search(r"LibreOffice (\d+)\.(\d+)", out)
    return (int(m.group(1)), int(m.group(2))) if m else (0, 0)


def convert(src, outdir, fmt, profile):
    r = subprocess.run([SOFFICE, f"-env:UserInstallation=file://{profile}", "--headless",
                        "--convert-to", fmt, "--outdir", str(outdir), str(src)],
                       capture_output=True, text=True, timeout=180)
    assert r.returncode == 0, r.stderr
    return outdir / (src.stem + "." + fmt.split(":")[0])


@pytest.fixture(scope="module")
def docs(tmp_path_factory):
    root = tmp_path_factory.mktemp("render")
    out = {}
    for county, year in SEEDED:
        rf = compute_report_figures(county, year)
        charts = draw_charts(rf, root / county / "charts")
        out[county] = (rf, builder.build_document(rf, charts, root / f"{county}_{year}.docx").path)
    return root, out


@pytest.mark.skipif(not PDFTOTEXT, reason="pdftotext (poppler-utils) not installed")
@pytest.mark.parametrize("county", [c for c, _ in SEEDED])
def test_pdf_holds_figures_and_headings(docs, county):
    root, out = docs
    rf, path = out[county]
    pdf = convert(path, root / "pdf", "pdf", root / "profile")
    text = subprocess.run([PDFTOTEXT, "-layout", str(pdf), "-"], capture_output=True, text=True).stdout
    flat = re.sub(r"\s+", "", text).replace("\u2060", "")
    assert f"一、{rf.year}年工作总结" in flat and f"{rf.year + 1}年工作思路" in flat
    for f in rf.figures:
        assert f.value_parts[0] in flat, f"{f.id}: {f.value_text} not in the PDF"
        if f.completion is not None:
            assert f.completion_text in flat
    assert "—1—" in flat   # page number


@pytest.mark.skipif(soffice_version() < (7, 5) if SOFFICE else True,
                    reason="LibreOffice older than 7.5 drops content-control tags")
@pytest.mark.parametrize("county", [c for c, _ in SEEDED])
def test_content_control_tags_survive_a_libreoffice_round_trip(docs, county):
    root, out = docs
    rf, path = out[county]
    again = convert(path, root / "roundtrip", 'docx:MS Word 2007 XML', root / "profile")
    before, after = slot_texts(read_docx(path)), slot_texts(read_docx(again))
    assert list(after) == list(before)
    for tag in before:
        assert [t.strip() for t in after[tag]] == [t.strip() for t in before[tag]]


@pytest.mark.skipif(soffice_version() < (7, 5) if SOFFICE else True,
                    reason="LibreOffice older than 7.5 drops content-control tags")
def test_generated_block_tags_and_chart_alt_text_survive_a_libreoffice_round_trip(docs):
    root, out = docs
    rf, path = out["pingyang"]
    again = convert(path, root / "roundtrip", 'docx:MS Word 2007 XML', root / "profile")
    before, after = read_docx(path), read_docx(again)
    tags = lambda c: [t for it in c.items for t in it.tags if t.startswith("rk:")]  # noqa: E731
    assert tags(after) == tags(before) and "rk:block:table" in tags(after)
    alts = lambda c: [p for it in c.items for p in it.pictures]  # noqa: E731
    assert [a.count("reportkit:chart.") for a in alts(after)] == [1] * len(alts(before))
    assert after.identifier == before.identifier


def test_audit_copy_with_comments_prints_them(tmp_path):
    """The commented copy of `make audit` renders with its comments (LibreOffice fails on comments
    inside content controls: the copy has none)."""
    from docx import Document
    import editing as ed
    from helpers import copy_real_data, generate
    from reportkit.editing.audit import audit
    data = copy_real_data(tmp_path / "data")
    generate("jiangbei", 2020, data, tmp_path / "build")
    docx = config.report_paths("jiangbei", 2020, tmp_path / "build").docx
    doc = Document(docx)
    p = ed.find(doc, contains="高新技术企业达到151家")
    ed.set_text(p, ed.text(p).replace("高新技术企业达到151家", "高新技术企业达到115家"))
    doc.save(docx)
    a = audit("jiangbei", 2020, data_dir=data, build_root=tmp_path / "build", comments=True)
    out = tmp_path / "pdf"
    r = subprocess.run([SOFFICE, f"-env:UserInstallation=file://{tmp_path / 'profile'}", "--headless", "--convert-to",
                        'pdf:writer_pdf_Export:{"ExportNotes":{"type":"boolean","value":"true"}}',
                        "--outdir", str(out), str(a.commented)], capture_output=True, text=True, timeout=180)
    assert "Error" not in r.stdout + r.stderr and (out / (a.commented.stem + ".pdf")).stat().st_size > 0


@pytest.mark.skipif(not PDFTOTEXT, reason="pdftotext (poppler-utils) not installed")
@pytest.mark.parametrize("county", [c for c, _ in SEEDED])
def test_no_number_unit_rank_or_period_breaks_inside_a_table_cell(docs, county):
    """Rendered by LibreOffice: every cell of 表1 but the names, and every period, stands whole on
    one line of the page (a cell that wrapped would be split across two lines of the layout)."""
    from reportkit.model.report import table_columns
    root, out = docs
    rf, path = out[county]
    pdf = convert(path, root / "pdf", "pdf", root / "profile")
    layout = subprocess.run([PDFTOTEXT, "-layout", str(pdf), "-"], capture_output=True, text=True).stdout
    lines = [ln.replace(" ", "").replace("\u2060", "") for ln in layout.splitlines()]
    rows = rf.table_rows()
    whole = {r[c] for r in rows for c in table_columns(rows)[1:] if r[c]}
    whole |= {f"\uff08{f.period}\uff09" for f in rf.figures if f.cumulative}
    whole |= {f.period for f in rf.figures if f.cumulative}          # in the paragraphs too
    for text in sorted(whole):
        assert any(text in ln for ln in lines), f"“{text}” is broken across lines"


@pytest.mark.skipif(not PDFTOTEXT, reason="pdftotext (poppler-utils) not installed")
def test_revised_table_cells_do_not_break_inside_a_number_with_revisions_shown(tmp_path):
    """What the reviewer sees (LibreOffice prints revisions as shown): old and new figures whole,
    none broken inside (3.523./61 was), the names not squeezed."""
    from test_document_builder import pingyang_revised
    _, second = pingyang_revised(tmp_path)
    pdf = convert(second.path, tmp_path / "pdf", "pdf", tmp_path / "profile")
    layout = subprocess.run([PDFTOTEXT, "-layout", str(pdf), "-"], capture_output=True, text=True).stdout
    tokens = [t for ln in layout.splitlines() for t in ln.replace("\u2060", "").split()]
    for number in ("3.52", "3.61", "0.22", "0.31", "44.43", "44.90", "3.30", "40.43"):
        assert number in tokens or any(t.startswith(number) and not t[len(number)].isdigit()
                                       for t in tokens if len(t) > len(number)), number
    assert not any(re.search(r"\d\.$", t) for t in tokens), "a number broken after its point"
    # names keep their width: broken between words (规上工业企业 / 研发强度), not squeezed to a few characters a line
    assert any(ln.strip().startswith("规上工业企业") for ln in layout.splitlines())
    assert not any(ln.strip() in ("规上", "工业", "企业") for ln in layout.splitlines())
