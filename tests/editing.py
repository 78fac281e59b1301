"""An editor at work on a generated report, scripted with python-docx (as Word would save it)."""
from __future__ import annotations

import copy

from docx import Document
from docx.oxml import OxmlElement
from docx.oxml.ns import qn

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def paragraphs(doc):
    """Every body paragraph in order, those inside content controls included (not table cells)."""
    return [p for p in doc.element.body.iter(W + "p")
            if not any(a.tag == W + "tbl" for a in p.iterancestors())]


def text(p) -> str:
    return "".join(t.text or "" for t in p.iter(W + "t"))


def find(doc, start: str = "", contains: str = "", tag: str = ""):
    for p in paragraphs(doc):
        t = text(p)
        if start and not t.startswith(start):
            continue
        if contains and contains not in t:
            continue
        if tag and tag not in tags_of(p):
            continue
        return p
    raise AssertionError(f"no paragraph starting {start!r} containing {contains!r} tagged {tag!r}")


def tags_of(p) -> list[str]:
    return [t.get(W + "val") for a in p.iterancestors(W + "sdt") for t in a.iter(W + "tag")] + \
        [t.get(W + "val") for s in p.iter(W + "sdt") for t in s.iter(W + "tag")]


def set_text(p, new: str, *, bold: str = "") -> None:
    """Retype a paragraph (formatting of the paragraph kept); ``bold``: a prefix typed in bold."""
    for r in list(p.iter(W + "r")):
        r.getparent().remove(r)
    for child in list(p):
        if child.tag in (W + "ins", W + "del", W + "hyperlink"):
            p.remove(child)
    if bold and new.startswith(bold):
        _append_run(p, bold, bold=True)
        new = new[len(bold):]
    _append_run(p, new)


def _append_run(p, t: str, bold: bool = False) -> None:
    r = OxmlElement("w:r")
    if bold:
        rpr = OxmlElement("w:rPr")
        rpr.append(OxmlElement("w:b"))
        r.append(rpr)
    el = OxmlElement("w:t")
    el.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")
    el.text = t
    r.append(el)
    inline = p.find(f".//{W}sdtContent")
    (inline if inline is not None and inline.getparent().getparent() is p else p).append(r)


def top(el):
    """The body-level element holding ``el`` (its content control, or itself)."""
    body = el.getroottree().getroot().find(W + "body")
    while el.getparent() is not body:
        el = el.getparent()
    return el


def insert_after(anchor, new_text: str, style_of=None, *, inside: bool = False):
    """A new paragraph after ``anchor``: outside any content control (``inside``: in the same
    control, as pressing Enter at the end of a paragraph in Word does). ``style_of``: copy the
    paragraph properties of that paragraph."""
    p = OxmlElement("w:p")
    if style_of is not None and style_of.find(W + "pPr") is not None:
        p.append(copy.deepcopy(style_of.find(W + "pPr")))
    _append_run(p, new_text)
    (anchor if inside else top(anchor)).addnext(p)
    return p


def delete(p) -> None:
    """Delete a paragraph (and its content control, when that leaves it empty)."""
    holder = top(p)
    parent = p.getparent()
    parent.remove(p)
    if holder is not p and not list(holder.iter(W + "p")):
        holder.getparent().remove(holder)


def open_doc(path):
    return Document(path)
