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
    return "".join("-" if e.tag == W + "noBreakHyphen" else (e.text or "").replace("\u2060", "")
                   for e in p.iter(W + "t", W + "noBreakHyphen"))


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


def strip_controls(path, out) -> None:
    """A copy with every content control removed and its content kept (what some WPS versions
    and older LibreOffice save): only text alignment can tell what is what."""
    doc = Document(path)
    for sdt in list(doc.element.body.iter(W + "sdt")):
        content = sdt.find(W + "sdtContent")
        parent = sdt.getparent()
        idx = parent.index(sdt)
        for child in (list(content) if content is not None else []):
            parent.insert(idx, child)
            idx += 1
        parent.remove(sdt)
    doc.save(out)


def track_replace(p, old: str, new: str, author: str = "编辑", date: str = "2025-01-10T09:00:00Z") -> None:
    """Replace ``old`` by ``new`` in paragraph ``p`` as a tracked change (Word's review mode):
    the paragraph's text becomes runs before / w:del old / w:ins new / after."""
    full = text(p)
    i = full.index(old)
    before, after = full[:i], full[i + len(old):]
    common = 0
    while common < min(len(old), len(new)) and old[-1 - common] == new[-1 - common]:
        common += 1
    old_core, new_core, tail = old[:len(old) - common], new[:len(new) - common], old[len(old) - common:]
    set_text(p, before)
    holder = p.find(f".//{W}sdtContent")
    holder = holder if holder is not None and holder.getparent().getparent() is p else p
    for tag, t in (("w:del", old_core), ("w:ins", new_core)):
        wrap = OxmlElement(tag)
        wrap.set(qn("w:id"), str(900 + len(t)))
        wrap.set(qn("w:author"), author)
        wrap.set(qn("w:date"), date)
        r = OxmlElement("w:r")
        el = OxmlElement("w:delText" if tag == "w:del" else "w:t")
        el.text = t
        r.append(el)
        wrap.append(r)
        holder.append(wrap)
    _append_run(p, tail + after)


def libreoffice_resave(path, outdir):
    """The document opened and saved again by LibreOffice (as .docx)."""
    import shutil
    import subprocess
    from pathlib import Path
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    outdir = Path(outdir)
    outdir.mkdir(parents=True, exist_ok=True)
    src = outdir / ("in-" + Path(path).name)
    shutil.copyfile(path, src)
    r = subprocess.run([soffice, f"-env:UserInstallation=file://{outdir / 'profile'}", "--headless",
                        "--convert-to", "docx:MS Word 2007 XML", "--outdir", str(outdir / "out"), str(src)],
                       capture_output=True, text=True, timeout=180)
    assert r.returncode == 0, r.stderr
    return outdir / "out" / src.name


def accept_all(path, author: str | None = None) -> None:
    """Word's 审阅 → 接受所有修订 (of one ``author`` only: 接受 on that reviewer's changes):
    inserted text stays as plain runs, deleted text goes."""
    doc = Document(path)
    for el in list(doc.element.body.iter(W + "ins", W + "del")):
        if author is not None and el.get(W + "author") != author:
            continue
        parent = el.getparent()
        if el.tag == W + "ins":
            for child in list(el):
                el.addprevious(child)
        parent.remove(el)
    doc.save(path)
