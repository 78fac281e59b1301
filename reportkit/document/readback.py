"""Read narrative slots back out of a .docx (content controls tagged with slot ids)."""
from __future__ import annotations

from pathlib import Path

from docx import Document
from docx.oxml.ns import qn


def _text(el) -> str:
    return "".join(t.text or "" for t in el.iter(qn("w:t")))


def read_slots(path: Path) -> dict[str, list[str]]:
    """{slot id: [paragraph text, …]} in document order.

    Handles the block controls reportkit writes (one per paragraph, or several paragraphs in
    one, as Word makes when an editor presses Enter inside) and the inline controls LibreOffice
    turns them into. Paragraphs inside ``w:sdt`` are not in python-docx's ``paragraphs``
    (python-docx #155), hence the walk over the XML.
    """
    doc = Document(path)
    slots: dict[str, list[str]] = {}
    for sdt in doc.element.body.iter(qn("w:sdt")):
        pr = sdt.find(qn("w:sdtPr"))
        tag = pr.find(qn("w:tag")) if pr is not None else None
        if tag is None:
            continue
        key = tag.get(qn("w:val"))
        content = sdt.find(qn("w:sdtContent"))
        paragraphs = content.findall(qn("w:p")) if content is not None else []
        if paragraphs:
            texts = [_text(p) for p in paragraphs]
        else:  # inline control: the paragraph around it is the slot's paragraph
            parent = sdt.getparent()
            texts = [_text(parent) if parent.tag == qn("w:p") else _text(sdt)]
        slots.setdefault(key, []).extend(texts)
    return slots
