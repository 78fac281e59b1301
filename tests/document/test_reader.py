"""reportkit.document.reader: a .docx that comes back is read safely, within bounds, as Word shows it."""
import time
import zipfile

import pytest
from docx import Document

from reportkit.document import reader
from reportkit.exceptions import DocumentError

try:
    import resource                 # POSIX only: the memory part of the zip-bomb test
except ImportError:                 # pragma: no cover - Windows
    resource = None

BODY = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>{}'
        '</w:body></w:document>')


def docx_with(tmp_path, body_xml: str, name="t.docx", extra: dict | None = None):
    """A minimal valid package around ``body_xml``."""
    path = tmp_path / name
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>')
        z.writestr("word/document.xml", BODY.format(body_xml))
        for n, data in (extra or {}).items():
            z.writestr(n, data)
    return path


@pytest.mark.parametrize("content,message", [
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600, "这是旧版 Word(.doc)、WPS(.wps)文件或加了密码的文档"),
    (b"{\\rtf1\\ansi hello}", "这是 RTF 文件"),
    ("汇报材料".encode("gbk") * 50, "不是 Word 文档(.docx)"),
    (b"", "不是 Word 文档(.docx)"),
])
def test_not_a_docx_is_refused_in_chinese(tmp_path, content, message):
    path = tmp_path / "报告.docx"
    path.write_bytes(content)
    with pytest.raises(DocumentError) as ei:
        reader.read_docx(path)
    assert message in str(ei.value) and "报告.docx" in str(ei.value) and "另存为" in str(ei.value)


def test_truncated_download_is_refused(tmp_path):
    good = docx_with(tmp_path, "<w:p><w:r><w:t>正文</w:t></w:r></w:p>")
    cut = tmp_path / "cut.docx"
    cut.write_bytes(good.read_bytes()[:120])
    with pytest.raises(DocumentError) as ei:
        reader.read_docx(cut)
    assert "已损坏或不完整" in str(ei.value)


def test_spreadsheet_renamed_docx_is_refused(tmp_path):
    path = tmp_path / "x.docx"
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("xl/workbook.xml", "<workbook/>")
    with pytest.raises(DocumentError) as ei:
        reader.read_docx(path)
    assert "其中没有正文部分 word/document.xml" in str(ei.value)


def test_zip_bomb_is_refused_before_it_is_inflated(tmp_path):
    """A small file whose body would inflate to hundreds of MB: refused in well under a second,
    without the memory."""
    path = tmp_path / "bomb.docx"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("word/document.xml", b"<" + b" " * (300 * 1024 * 1024))
    assert path.stat().st_size < 2 * 1024 * 1024
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss if resource else 0
    t0 = time.perf_counter()
    with pytest.raises(DocumentError) as ei:
        reader.read_docx(path)
    assert "解压后过大" in str(ei.value)
    assert time.perf_counter() - t0 < 2
    if resource:
        assert resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before < 100 * 1024   # KB


def test_entities_are_not_expanded(tmp_path):
    lol = ('<?xml version="1.0"?><!DOCTYPE w:document [<!ENTITY a "AAAAAAAAAA">'
           '<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;"><!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">]>'
           '<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>'
           '<w:p><w:r><w:t>&c;</w:t></w:r></w:p></w:body></w:document>')
    path = tmp_path / "lol.docx"
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("word/document.xml", lol)
    content = reader.read_docx(path)
    assert "AAAAAAAAAA" not in content.items[0].text


def test_broken_xml_is_refused(tmp_path):
    path = docx_with(tmp_path, "<w:p><w:r><w:t>未闭合</w:r></w:p>")
    with pytest.raises(DocumentError) as ei:
        reader.read_docx(path)
    assert "不是有效的 XML" in str(ei.value)


def test_tracked_changes_read_as_accepted_and_listed(tmp_path):
    body = ('<w:p><w:r><w:t>高新技术企业</w:t></w:r>'
            '<w:del w:id="1" w:author="数据更新" w:date="2025-01-01T00:00:00Z"><w:r><w:delText>327</w:delText></w:r></w:del>'
            '<w:ins w:id="2" w:author="数据更新" w:date="2025-01-01T00:00:00Z"><w:r><w:t>330</w:t></w:r></w:ins>'
            '<w:r><w:t>家</w:t></w:r></w:p>'
            # a paragraph whose mark was deleted joins the next one
            '<w:p><w:pPr><w:rPr><w:del w:id="3" w:author="编辑" w:date="2025-01-02T00:00:00Z"/></w:rPr></w:pPr>'
            '<w:r><w:t>前半句，</w:t></w:r></w:p><w:p><w:r><w:t>后半句。</w:t></w:r></w:p>')
    content = reader.read_docx(docx_with(tmp_path, body))
    assert [it.text for it in content.items] == ["高新技术企业330家", "前半句，后半句。"]
    assert [(r.kind, r.text, r.author) for r in content.revisions] == [("del", "327", "数据更新"), ("ins", "330", "数据更新")]


def test_fields_show_their_result_not_their_code(tmp_path):
    body = ('<w:p><w:r><w:t xml:space="preserve">表</w:t></w:r><w:r><w:fldChar w:fldCharType="begin"/></w:r>'
            '<w:r><w:instrText> SEQ 表 \\* ARABIC </w:instrText></w:r><w:r><w:fldChar w:fldCharType="separate"/></w:r>'
            '<w:r><w:t>1</w:t></w:r><w:r><w:fldChar w:fldCharType="end"/></w:r><w:r><w:t xml:space="preserve"> 指标</w:t></w:r></w:p>')
    assert reader.read_docx(docx_with(tmp_path, body)).items[0].text == "表1 指标"


def test_block_and_inline_content_controls_give_the_same_tags(tmp_path):
    body = ('<w:sdt><w:sdtPr><w:tag w:val="lead"/></w:sdtPr><w:sdtContent>'
            '<w:p><w:r><w:t>块级</w:t></w:r></w:p><w:p><w:r><w:t>回车新增</w:t></w:r></w:p></w:sdtContent></w:sdt>'
            '<w:p><w:sdt><w:sdtPr><w:tag w:val="lead"/></w:sdtPr><w:sdtContent><w:r><w:t>行内</w:t></w:r>'
            '</w:sdtContent></w:sdt></w:p><w:p><w:r><w:rPr><w:b/></w:rPr><w:t>粗</w:t></w:r>'
            '<w:r><w:rPr><w:b w:val="0"/><w:i/></w:rPr><w:t>斜</w:t></w:r></w:p>')
    content = reader.read_docx(docx_with(tmp_path, body))
    assert reader.slot_texts(content) == {"lead": ["块级", "回车新增", "行内"]}
    assert content.items[3].runs == [("粗", True, False), ("斜", False, True)]


def test_comments_and_identifier(tmp_path):
    doc = Document()
    p = doc.add_paragraph("请核对这个数字")
    doc.add_comment(p.runs[0], "数字有误", author="王主任")
    doc.core_properties.identifier = "xinchang-2024-run"
    doc.save(tmp_path / "c.docx")
    content = reader.read_docx(tmp_path / "c.docx")
    assert content.identifier == "xinchang-2024-run"
    assert list(content.comments.values()) == [("王主任", "数字有误")]
    assert content.items[0].comments == ["0"]
