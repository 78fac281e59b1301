"""The writer: appends paragraphs to the body, numbering headings as a 公文 does, tagging every
paragraph (a content control) and recording it for the manifest; writes a narrative slot's
blocks with their figures as tracked changes where they were revised."""
from __future__ import annotations

import copy

from docx.enum.style import WD_STYLE_TYPE
from docx.oxml.ns import qn

from ..numbering import heading_number
from ..narrative.source import CARRIED_MARK, INDICATORS, Slot
from ..model.report import ReportFigures
from . import oxml
from .manifest import Manifest
from .revisions import WJ, Reviser, Seg, glue


#: Tags of generated content (narrative paragraphs are tagged with their slot id, which never
#: contains a colon).
TAG_TITLE, TAG_NOTICE, TAG_SIGNATURE, TAG_DATE = "rk:title", "rk:notice", "rk:signature", "rk:date"


class Writer:
    """Appends content to the document body, numbering headings as a 公文 does, tagging every
    paragraph and recording it in the manifest."""

    def __init__(self, doc, styles, rf: ReportFigures, previous: Manifest | None, reviser: Reviser):
        self.doc, self.s, self.rf = doc, styles, rf
        self.h1 = self.h2 = self.h3 = 0
        self.promoted = False                 # writing sections one level up (a plain 工作总结's 一、二、三)
        self.tables = self.figures = 0
        self.items: dict[int, dict] = {}      # id(element) -> manifest item
        self.elements: dict[int, object] = {}
        self.pieces: dict[str, str] = {}      # piece id -> text, for the next build to compare
        self.prev_pieces = previous.pieces if previous else {}
        self.prev_refs = previous.refs if previous else {}
        self.reviser = reviser
        self.placed: list[tuple[Seg, str]] = []    # (segment stating a figure, where)
        self.revised: set[str] = set()        # refs and piece ids written as revisions
        self.stated: set[str] = set()         # indicator ids the document states
        self._sdt_id = 1
        self._default_style = doc.styles.default(WD_STYLE_TYPE.PARAGRAPH)

    # -- paragraphs and their styles ------------------------------------------
    def add_paragraph(self, text: str = "", style=None):
        """``doc.add_paragraph(text, style)``, with the style set by its id."""
        p = self.doc.add_paragraph(text)
        self.set_style(p, style)
        return p

    def set_style(self, p, style) -> None:
        """``p.style = style`` as python-docx does it (no pStyle for the default style), without its
        cost: its setter looks for the default style among all of the template's, per paragraph."""
        if style is not None:
            p._p.get_or_add_pPr().style = None if style == self._default_style else style.style_id

    # -- recording ----------------------------------------------------------
    def record(self, el, item: dict, tag: str | None = None, alias: str = "") -> None:
        if "text" in item and el.tag == qn("w:p") and el.find(".//" + qn("w:ins")) is not None:
            item["text"] = _accepted_text(el)     # python-docx's text leaves out the runs inside w:ins
        if "text" in item:          # the text as a reader sees it (the line-break glue is not text)
            item["text"] = item["text"].replace(WJ, "")
        if tag:
            oxml.wrap_in_sdt([el], tag=tag, alias=alias or tag, sdt_id=self._next_sdt_id())
            item["tag"] = tag
        self.items[id(el)] = item
        self.elements[id(el)] = el

    def _next_sdt_id(self) -> int:
        self._sdt_id += 1
        return self._sdt_id

    def piece_segs(self, prefix: str, pieces) -> list[Seg]:
        """Generated text as segments, each indicator's piece compared with the previous version's."""
        segs = []
        for ind, text in pieces:
            pid = f"{prefix}/{ind}" if ind else None
            if pid:
                self.pieces[pid] = text
                self.stated.add(ind)
            segs.append(Seg(text, old=self.prev_pieces.get(pid) if pid else None, ref=pid))
        return segs

    def write(self, paragraph, segs: list[Seg], where: str) -> None:
        self.revised.update(seg.ref for seg in self.reviser.write(paragraph, segs) if seg.ref)
        self.placed += [(seg, where) for seg in segs if seg.ref]

    # -- headings ---------------------------------------------------------
    def heading1(self, text: str, part: str, default: str = ""):
        self.h1 += 1
        self.h2 = self.h3 = 0
        p = self.add_paragraph(heading_number("h1", self.h1) + text, style=self.s.heading1)
        self.record(p._p, {"kind": "h1", "part": part, "text": p.text, "title": text, "default_title": default},
                    f"rk:part:{part}", text)
        return p

    def heading2(self, slot: Slot, text: str, source: str | None):
        item = {"kind": "h2", "part": slot.part, "slot": slot.id, "title": text, "source": source, "line": slot.line}
        if self.promoted:             # a section shown as a level-1 heading (一、); the manifest says so
            self.h1 += 1
            self.h2 = self.h3 = 0
            p = self.add_paragraph(heading_number("h1", self.h1) + text, style=self.s.heading1)
            item["shown"] = "h1"
        else:
            self.h2 += 1
            self.h3 = 0
            p = self.add_paragraph(heading_number("h2", self.h2) + text, style=self.s.heading2)
        item["text"] = p.text
        self.record(p._p, item, f"rk:heading:{slot.id}", text)
        return p

    def heading3(self, text: str):
        if self.promoted:             # a sub-heading shown as a level-2 heading ((一))
            self.h2 += 1
            return self.add_paragraph(heading_number("h2", self.h2) + text, style=self.s.heading2)
        self.h3 += 1
        return self.add_paragraph(heading_number("h3", self.h3) + text, style=self.s.heading3)

    # -- paragraphs -------------------------------------------------------
    def para(self, segs: list[Seg], style=None, *, item: dict, tag: str | None, where: str):
        p = self.add_paragraph(style=style or self.s.normal)
        self.write(p, segs, where)
        item.setdefault("text", p.text)
        item["label"] = where
        self.record(p._p, item, tag, item.get("alias", ""))
        return p

    def placeholder(self, slot: Slot):
        p = self.add_paragraph(style=self.s.normal)
        oxml.highlight(p.add_run(slot.placeholder))
        self.record(p._p, {"kind": "p", "part": slot.part, "slot": slot.id, "text": p.text, "source": "",
                           "placeholder": True, "label": _slot_label(slot)}, slot.id, slot.title)

    def caption(self, label: str, title: str, count: int, *, block: str, tag: str):
        p = self.add_paragraph(style=self.s.caption)
        if label == "表":      # a table's caption stands above it: never alone at a page foot
            p.paragraph_format.keep_with_next = True
        p.add_run(label)
        oxml.append_field(p, f"SEQ {label} \\* ARABIC", str(count))
        p.add_run(glue(f" {title}"))     # a period in it stands whole on its line, as in the body
        self.record(p._p, {"kind": "caption", "block": block, "text": p.text}, tag, "题注")
        return p

    # -- a narrative slot -----------------------------------------------------
    def slot(self, slot: Slot, placed) -> None:
        """A narrative slot: each paragraph in its own content control tagged with the slot id
        (one control per paragraph is what survives a LibreOffice round trip); a placed
        generated block is written where it stands."""
        if slot.empty:
            if slot.id != INDICATORS:
                self.placeholder(slot)
            return
        rf = self.rf
        n = 0
        for block in slot.blocks:
            if block.kind == "block":
                placed(block.text)
                continue
            if block.placeholder:
                continue
            n += 1
            where = _slot_label(slot, n)
            if block.kind == "h3":
                text = rf.render_text(block.text, line=block.line)
                p = self.heading3(text)
                self.record(p._p, {"kind": "h3", "part": slot.part, "slot": slot.id, "text": p.text,
                                   "title": text, "source": block.text, "line": block.line, "label": where,
                                   **({"shown": "h2"} if self.promoted else {})},
                            slot.id, slot.title)
                continue
            segs = []
            refs = []
            for s in rf.render_spans(block.text, line=block.line):
                old = self.prev_refs.get(s.key) if s.key else None
                segs.append(Seg(s.text, s.bold, s.italic, old=old, ref=s.key))
                if s.key:
                    refs.append(s.key)
                    self.stated.add(s.key.split(".")[0])
            p = self.para(segs, item={"kind": "p", "part": slot.part, "slot": slot.id, "source": block.text,
                                      "line": block.line, "refs": refs, "alias": slot.title}, tag=slot.id, where=where)
            if block.carried:
                _highlight_mark(p)


def _highlight_mark(p) -> None:
    """A paragraph still as carried over from last year: its leading mark in its own yellow run."""
    from docx.text.run import Run
    runs = p.runs
    if not runs or not runs[0].text.startswith(CARRIED_MARK):
        return
    first = runs[0]
    mark = copy.deepcopy(first._r)
    first._r.addprevious(mark)
    mark_run = Run(mark, p)
    mark_run.text = CARRIED_MARK
    first.text = first.text[len(CARRIED_MARK):]
    oxml.highlight(mark_run)


def _slot_label(slot: Slot, n: int | None = None) -> str:
    name = f"“{slot.title}”" if slot.heading else f"{slot.title}部分"
    return name + (f"第{n}段" if n else "")


def _accepted_text(p_el) -> str:
    """A paragraph's text with its revisions accepted, as harvest and audit read it: the runs
    inside w:ins included, those inside w:del left out."""
    from docx.text.run import Run
    return "".join(Run(r, None).text for r in p_el.iter(qn("w:r"))
                   if not any(a.tag == qn("w:del") for a in r.iterancestors()))
