"""Render the generated .docx with LibreOffice (when installed): PDF text and a round trip."""
import re
import shutil
import subprocess

import pytest

from reportkit import config
from reportkit.charts import draw_charts
from reportkit.document import builder
from reportkit.document.reader import read_docx, slot_texts
from reportkit.report import compute_report_figures

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
    for county, year in config.SEEDED:
        rf = compute_report_figures(county, year)
        charts = draw_charts(rf, root / county / "charts")
        out[county] = (rf, builder.build_document(rf, charts, root / f"{county}_{year}.docx").path)
    return root, out


@pytest.mark.skipif(not PDFTOTEXT, reason="pdftotext (poppler-utils) not installed")
@pytest.mark.parametrize("county", [c for c, _ in config.SEEDED])
def test_pdf_holds_figures_and_headings(docs, county):
    root, out = docs
    rf, path = out[county]
    pdf = convert(path, root / "pdf", "pdf", root / "profile")
    text = subprocess.run([PDFTOTEXT, "-layout", str(pdf), "-"], capture_output=True, text=True).stdout
    flat = re.sub(r"\s+", "", text)
    assert f"一、{rf.year}年工作总结" in flat and f"{rf.year + 1}年工作思路" in flat
    for f in rf.figures:
        assert f.value_parts[0] in flat, f"{f.id}: {f.value_text} not in the PDF"
        if f.completion is not None:
            assert f.completion_text in flat
    assert "—1—" in flat   # page number


@pytest.mark.skipif(soffice_version() < (7, 5) if SOFFICE else True,
                    reason="LibreOffice older than 7.5 drops content-control tags")
@pytest.mark.parametrize("county", [c for c, _ in config.SEEDED])
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
