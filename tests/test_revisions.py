"""reportkit.document.revisions: revised text as Word revisions, number by number."""
from docx import Document

from reportkit.dates import document_date, w3c
from reportkit.document.reader import read_docx
from reportkit.document.revisions import Reviser, Seg, diff


def test_diff_keeps_numbers_whole():
    assert diff("327家", "330家") == [("-", "327"), ("+", "330"), ("=", "家")]
    assert diff("增长8.28%", "下降1.5%") == [("-", "增长8.28"), ("+", "下降1.5"), ("=", "%")]
    assert diff("同", "同") == [("=", "同")]


def test_reviser_writes_ins_and_del_with_author_date_and_unique_ids(monkeypatch, tmp_path):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1735689600")
    doc = Document()
    p = doc.add_paragraph()
    r = Reviser(w3c(document_date(2024)))
    revised = r.write(p, [Seg("高新技术企业"), Seg("330家", old="327家", ref="hte_total"), Seg("。"),
                          Seg("15家", old="15家")])
    assert [s.ref for s in revised] == ["hte_total"]
    xml = p._p.xml
    assert '<w:del w:id="1" w:author="数据更新" w:date="2025-01-01T00:00:00Z">' in xml
    assert "<w:delText>327</w:delText>" in xml and '<w:ins w:id="2"' in xml
    doc.save(tmp_path / "r.docx")
    content = read_docx(tmp_path / "r.docx")
    assert content.items[0].text == "高新技术企业330家。15家"     # as Word shows it once accepted
    assert [(r.kind, r.text) for r in content.revisions] == [("del", "327"), ("ins", "330")]


def test_disabled_reviser_writes_plain_text():
    p = Document().add_paragraph()
    Reviser("2024-12-31T00:00:00Z", enabled=False).write(p, [Seg("330家", old="327家")])
    assert "w:ins" not in p._p.xml and p.text == "330家"
