"""The template's fields ({{年份}}, {{单位}}, {{成文日期}} …) filled, and the 落款 placed (GB/T 9704
§7.3.5.2) and kept on the page with the end of the body and the 附注."""
from __future__ import annotations

from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Twips

from ..model.report import ReportFigures
from . import oxml
from ..dates import chinese_date
from .layout import date_as_written, signature_indents
from .template import BLOCKS, style_size
from .titles import issuer
from .writer import TAG_DATE, TAG_SIGNATURE


def _fields(rf: ReportFigures) -> dict[str, str | None]:
    meta = rf.narrative.meta
    date = meta.get("date")
    return {"{{年份}}": str(rf.year), "{{下一年}}": str(rf.year + 1), "{{县区}}": rf.county.name,
            "{{单位}}": issuer(rf),
            "{{成文日期}}": chinese_date(date) if date else None}


def place_signature(tagged, styles, year: int) -> None:
    """落款 of an unsealed document (GB/T 9704 §7.3.5.2): the name 右空二字, the date's first
    character two characters right of the name's first — sized for the date as it is or, while
    it is a placeholder, as the editor will type it."""
    paras = {tag: p for p, tag in tagged}
    name, date = paras.get(TAG_SIGNATURE), paras.get(TAG_DATE)
    if name is None or date is None:
        return
    size = style_size(styles.signature) or style_size(styles.normal) or 16
    name_ri, date_ri = signature_indents(name.text, date_as_written(date.text, year))
    for p, ri in ((name, name_ri), (date, date_ri)):
        p.alignment = WD_ALIGN_PARAGRAPH.RIGHT
        p.paragraph_format.right_indent = Twips(round(ri * size * 20))
        p.paragraph_format.first_line_indent = Twips(0)


def block_paragraphs(el) -> list:
    """The paragraphs a body element stands for on the page: itself, those of a content control,
    or those of a table's last row (what keeps with the paragraph after the table)."""
    if el.tag == qn("w:p"):
        return [el]
    if el.tag == qn("w:sdt"):
        content = el.find(qn("w:sdtContent"))
        return [x for c in (content if content is not None else []) for x in block_paragraphs(c)]
    if el.tag == qn("w:tbl"):
        rows = el.findall(qn("w:tr"))
        return list(rows[-1].iter(qn("w:p"))) if rows else []
    return []


def keep(paragraphs, *, with_next: bool, lines: bool = True) -> None:
    for p in paragraphs:
        ppr = p.get_or_add_pPr()
        if lines:
            ppr.keepLines_val = True
        if with_next:
            ppr.keepNext_val = True


def keep_signature_with_body(signature) -> None:
    """GB/T 9704: the 落款, the 成文日期 and the 附注 after them stand together, and with the end of
    the body — never a page holding only the date, or only the 落款 and 附注. Keep-with-next from
    the body's last paragraph (or 表1's last row) through the blank line, the issuer and the date,
    keep-lines on the 落款, the date and the 附注, as Word and LibreOffice honour them."""
    top = signature
    while top.getparent() is not None and top.getparent().tag != qn("w:body"):
        top = top.getparent()
    after = [top] + [el for el in top.itersiblings() if el.tag != qn("w:sectPr")]
    for i, el in enumerate(after):
        keep(block_paragraphs(el), with_next=i < len(after) - 1)
    for el in top.itersiblings(preceding=True):
        paras = block_paragraphs(el)
        keep(paras[-1:] if el.tag != qn("w:tbl") else paras, with_next=True, lines=False)
        if any(t.text for p in paras for t in p.iter(qn("w:t"))) or el.tag == qn("w:tbl"):
            break


def fill_fields(paragraphs, rf: ReportFigures) -> list[tuple[object, str]]:
    """Replace {{年份}}-style fields in template paragraphs (never in generated content); returns
    the paragraphs that hold the 落款 fields, with their tag."""
    fields = _fields(rf)
    tagged = []
    for p in paragraphs:
        text = p.text
        if "{{" not in text or text.strip() in BLOCKS:
            continue
        tag = TAG_DATE if "{{成文日期}}" in text else TAG_SIGNATURE if text.strip() == "{{单位}}" else None
        missing = []
        for key, value in fields.items():
            if key in text:
                if value is None:
                    missing.append(key)
                    text = text.replace(key, f"【待补充\uff1a{key.strip('{}')}】")
                else:
                    text = text.replace(key, value)
        runs = p.runs
        if not runs:
            continue
        runs[0].text = text
        for r in runs[1:]:
            r._r.getparent().remove(r._r)
        if missing:
            oxml.highlight(runs[0])
        if tag:
            tagged.append((p, tag))
    return tagged
