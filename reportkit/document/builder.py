"""Fill the 公文 template with a county-year's figures, table, charts and narrative.

Every paragraph written sits in a content control whose tag says what it is (a narrative slot
id, or ``rk:…`` for generated blocks; a table by its tagged caption, a chart by its caption and
the picture's alt text), and every item is listed in a manifest: what was written where, from
which narrative source and which figures. The manifest is what an edited copy is read back
against (reportkit.editing.harvest) and what the next build compares with to show revised figures as
tracked changes.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

from docx import Document
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.table import WD_ALIGN_VERTICAL
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Twips

from .. import config
from ..exceptions import NarrativeError, TemplateError
from ..inputs.data import is_worked_back
from ..iorw import atomic_path
from ..numbering import heading_number
from ..narrative.source import INDICATORS, OMITTABLE, TEMPLATE_PARTS, Slot, block_label
from ..model.phrasing import indicator_pieces, target_pieces
from ..model.report import ILLUSTRATIVE_NOTICE, ROUNDING_NOTE, ReportFigures, table_columns, table_note
from . import oxml
from ..dates import chinese_date, chinese_dates_in, document_date as dated, w3c
from .manifest import Item as ManifestItem, Manifest
from .layout import date_as_written, full_width_brackets, name_lines, signature_indents, title_lines, twips
from .revisions import WJ, Reviser, Seg, glue
from .template import BLOCKS, resolve_styles, style_size, text_width as page_text_width

EMPTY_CELL = "—"
CELL_MARGINS = 2 * 57 + 80     # the table style's left and right cell margins, and a little air


def table_text_size(styles) -> float:
    """The table text size as the template's 表格文字 style sets it (the design has one source)."""
    size = styles.table_text.font.size
    base = styles.normal.font.size
    return (size or base).pt if (size or base) else 10.5


def fit_widths(cells: list[list[str]], size_pt: float, total: int) -> list[int]:
    """Column widths (twips) so that no number, unit, percentage, rank or period breaks inside its
    cell: every column but the first is as wide as its widest cell (its header too when there is
    room); the first, the indicator names, takes the rest and wraps."""
    body = [max(twips(r[c], size_pt) for r in cells[1:]) + CELL_MARGINS if len(cells) > 1 else 0
            for c in range(len(cells[0]))]
    head = [twips(h, size_pt) + CELL_MARGINS for h in cells[0]]
    name_min = twips("研发经费支出", size_pt) + CELL_MARGINS
    widths = [max(b, h) for b, h in zip(body, head)]
    if sum(widths[1:]) + name_min > total:          # headers may wrap; values never
        widths = [max(b, twips(h[:2], size_pt) + CELL_MARGINS) for b, h in zip(body, cells[0])]
    widths[0] = max(total - sum(widths[1:]), name_min)
    over = sum(widths) - total
    if over > 0:                                    # too many wide columns: the names give way last
        widths[0] -= over
    return widths


def _as_reviewed(table, texts: list[list[str]], w) -> list[list[str]]:
    """What 表1's columns are measured on: a revised cell as the reviewer sees it (Word's and WPS's
    review view: the struck old text beside the new, 12.0312.3), when that still leaves the
    indicator names their room; else each revised cell puts the new text under the struck old one
    (a line break inside the deletion: gone once accepted, so the accepted table reads as
    before) and counts by its longer line."""
    size, total = table_text_size(w.s), page_text_width(w.doc)
    rows = table.rows
    shown = [list(row) for row in texts]
    revised = []
    for r in range(1, len(texts)):
        for c in range(1, len(texts[r])):
            p = rows[r].cells[c].paragraphs[0]._p
            dels = p.findall(qn("w:del"))
            if dels or p.find(qn("w:ins")) is not None:
                shown[r][c] = "".join((t.text or "").replace(WJ, "") for t in p.iter(qn("w:t"), qn("w:delText")))
                revised.append((r, c, p, dels))
    name_min = twips("研发经费支出", size) + CELL_MARGINS
    if not revised or fit_widths(shown, size, total)[0] >= min(name_min, fit_widths(texts, size, total)[0]):
        return shown
    for r, c, p, dels in revised:
        if not dels:
            continue
        dels[-1].findall(qn("w:r"))[-1].append(OxmlElement("w:br"))
        lines, line = [], []
        for child in p:
            line += [(t.text or "").replace(WJ, "") for t in child.iter(qn("w:t"), qn("w:delText"))]
            if child is dels[-1]:
                lines.append("".join(line))
                line = []
        lines.append("".join(line))
        shown[r][c] = max(lines, key=lambda x: twips(x, size))
    return shown


SAMPLE_NARRATIVE_NOTICE = "示例叙述\uff1a本报告的叙述文字为据公开材料改写的示例\uff0c须由编辑按实际情况改写。"
#: Tags of generated content (narrative paragraphs are tagged with their slot id, which never
#: contains a colon).
TAG_TITLE, TAG_NOTICE, TAG_SIGNATURE, TAG_DATE = "rk:title", "rk:notice", "rk:signature", "rk:date"
DEFAULT_INDICATOR_HEADING = "主要科技创新指标"
#: What the default figures section holds, in order (charts: all not placed elsewhere).
INDICATOR_BLOCKS = ("indicator_paragraph", "table", "sources", "charts")


def presenter(rf: ReportFigures) -> str:
    """Who reports to the congress (front matter ``presenter``, e.g. 区人民政府)."""
    return str(rf.narrative.meta.get("presenter") or f"{rf.county.name}人民政府")


def issuer(rf: ReportFigures) -> str:
    """Who signs: front matter ``signature``, the presenter of a congress report, else the bureau."""
    meta = rf.narrative.meta
    return str(meta.get("signature") or (presenter(rf) if rf.narrative.kind == "congress" else rf.county.bureau))


def default_title(rf: ReportFigures) -> str:
    """The title of each kind of report, naming the issuer as the 落款 does."""
    y = rf.year
    return {"summary": f"{issuer(rf)}{y}年工作总结",
            "status": f"{issuer(rf)}{y}年科技创新工作情况",
            "congress": f"{presenter(rf)}关于{y}年科技创新工作情况的报告",
            }.get(rf.narrative.kind, f"{issuer(rf)}{y}年工作总结和{y + 1}年工作思路")


def part_heading(rf: ReportFigures, key: str, title: str, *, custom: bool = True) -> str:
    """The level-1 heading of a part (numbering aside): front matter ``headings`` wins."""
    name = rf.narrative.part_titles.get(key, title)
    headings = rf.narrative.meta.get("headings") or {}
    custom = custom and (headings.get(name) or headings.get(title))     # title: as written (another kind's)
    if custom:
        return rf.render_text(str(custom))
    if rf.narrative.kind in ("summary-and-plan", "summary"):
        return {"summary": f"{rf.year}年工作总结", "plan": f"{rf.year + 1}年工作思路"}.get(key, name)
    return name          # a part written under another kind's name prints as this kind names it


def report_title(rf: ReportFigures) -> str:
    return str((rf.narrative.meta.get("title") if rf.narrative else None) or default_title(rf))


@dataclass
class BuiltDocument:
    path: Path
    manifest: Manifest
    changes: list[dict] = field(default_factory=list)   # revised figures (for changes.csv)


class _Writer:
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
    import copy
    from docx.text.run import Run
    from ..narrative.source import CARRIED_MARK
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


# ---------------------------------------------------------------- generated blocks

class _Blocks:
    """The generated blocks of a report (indicator paragraph, table, sources, charts, targets
    sentence): written where the narrative places them, else in their default place, unless
    the front matter's ``omit`` leaves them out."""

    def __init__(self, w: _Writer, rf: ReportFigures, charts):
        self.w, self.rf = w, rf
        self.charts = {c.id: c for c in charts}
        self.order = [c.id for c in charts]
        self.narrative = rf.narrative
        # left out: what the front matter omits, and what this kind of report has not by default
        self.omit = self.narrative.omit | {b for b in OMITTABLE if not self.narrative.wants(b)}
        self.placed = self.narrative.placements()
        for name in self.placed:
            if name.startswith("chart.") and name[6:] not in self.charts:
                sid, _ = self.placed[name]
                raise NarrativeError(f"没有编号为“{name[6:]}”的图表(在 {sid} 中)", file=self.narrative.path,
                                     hint=("改为可用的图表:" + "、".join(f"chart.{c}" for c in self.order))
                                     if self.order else "删去这一引用:可用的图表:无")
        self.done: set[str] = set()

    def wanted(self, name: str) -> bool:
        return name not in self.omit and name not in self.done

    def unplaced(self, name: str) -> bool:
        return name not in self.placed and self.wanted(name)

    def write(self, name: str) -> None:
        if name in self.done:
            return
        self.done.add(name)
        if name == "charts":
            for cid in self.order:
                if self.unplaced(f"chart.{cid}"):
                    self.write(f"chart.{cid}")
            return
        getattr(self, "_" + name.split(".")[0])(name)

    def write_defaults(self, names) -> None:
        for name in names:
            if self.unplaced(name):
                self.write(name)

    def has_content(self, name: str) -> bool:
        """Would writing this block put something on the page?"""
        if name == "charts":
            return any(self.unplaced(f"chart.{c}") for c in self.order)
        if name == "sources":
            return bool(sources_note(self.rf) + table_note(self.rf.figures))
        if name == "targets_sentence":
            return bool(self.rf.targets)
        return bool(self.rf.figures)

    def default_figures(self) -> bool:
        """Does the figures section get any generated block by default (omitting every one of them
        leaves no empty （一）主要科技创新指标)?"""
        return any(self.unplaced(n) and self.has_content(n) for n in INDICATOR_BLOCKS)

    # -- the blocks -------------------------------------------------------
    def _indicator_paragraph(self, name):
        self.w.para(self.w.piece_segs("indicators", indicator_pieces(self.rf.figures)),
                    item={"kind": "p", "block": "indicator_paragraph", "alias": block_label("indicator_paragraph")},
                    tag="rk:block:indicator_paragraph", where=block_label("indicator_paragraph"))

    def _table(self, name):
        w, rf = self.w, self.rf
        w.tables += 1
        w.caption("表", f"{rf.county.name}{rf.year}年主要科技创新指标", w.tables, block="table",
                  tag="rk:block:table")
        rows = rf.table_rows()
        columns = table_columns(rows)
        table = w.doc.add_table(rows=1 + len(rows), cols=len(columns))
        table.style = w.s.table
        for i, col in enumerate(columns):
            cell = table.rows[0].cells[i]
            cell.text = col
            p = cell.paragraphs[0]
            w.set_style(p, w.s.table_text)
            p.runs[0].bold = True
            oxml.cell_bottom_border(cell)
        cells = [list(columns)]
        for r, (fig, row) in enumerate(zip(rf.figures, rows), start=1):
            w.stated.add(fig.id)
            out = []
            for i, col in enumerate(columns):
                cell = table.rows[r].cells[i]
                p = cell.paragraphs[0]
                w.set_style(p, w.s.table_text)
                text = row[col] or EMPTY_CELL
                pid = f"table/{fig.id}/{col}"
                w.pieces[pid] = text
                old = w.prev_pieces.get(pid)
                if i == 0 and fig.cumulative and text.endswith(f"\uff08{fig.period}\uff09"):
                    # the period on a line of its own: a name may wrap, (1-10月) never breaks
                    cut = len(text) - len(fig.period) - 2
                    w.write(p, [Seg(text[:cut], old=old[:cut] if old else None, ref=pid)], f"表{w.tables}")
                    p.add_run().add_break()
                    w.write(p, [Seg(text[cut:])], f"表{w.tables}")
                else:
                    w.write(p, [Seg(text, old=old, ref=pid)], f"表{w.tables}")
                if i == 0:
                    p.alignment = WD_ALIGN_PARAGRAPH.LEFT
                out.append(text)
            cells.append(out)
            oxml.cant_split(table.rows[r])
        texts, cells = cells, _as_reviewed(table, cells, w)     # columns sized for the review view
        oxml.repeat_header(table.rows[0])
        oxml.cant_split(table.rows[0])
        widths = fit_widths(cells, table_text_size(w.s), page_text_width(w.doc))
        oxml.set_table_widths(table, widths)
        _break_names(table, widths[0], table_text_size(w.s))
        oxml.table_borders_three_line(table._tbl)
        for row in table.rows:
            for cell in row.cells:
                cell.vertical_alignment = WD_ALIGN_VERTICAL.CENTER
        w.record(table._tbl, {"kind": "table", "block": "table", "cells": texts,
                              "rows": [f.id for f in rf.figures], "text": "", "label": f"表{w.tables}"})

    def _sources(self, name):
        note = sources_note(self.rf) + table_note(self.rf.figures)
        if note:
            body = self.w.doc.element.body
            if len(body) > 1 and body[-2].tag == qn("w:tbl"):   # 表1's last row stays with its source note
                _keep(_block_paragraphs(body[-2]), with_next=True, lines=False)
            p = self.w.para([Seg(note)], self.w.s.note, item={"kind": "p", "block": "sources", "alias": block_label("sources")},
                            tag="rk:block:sources", where=block_label("sources"))
            p.paragraph_format.keep_together = True

    def _chart(self, name):
        w = self.w
        chart = self.charts[name[6:]]
        p = w.add_paragraph(style=w.s.figure)
        shape = p.add_run().add_picture(str(chart.path), width=Twips(page_text_width(w.doc)))
        # the alt text names the chart: it survives a LibreOffice round trip, a control would not
        shape._inline.docPr.set("descr", chart.title)
        shape._inline.docPr.set("title", f"reportkit:{name}")
        w.record(p._p, {"kind": "picture", "block": name, "text": "", "alt": f"reportkit:{name}"})
        w.figures += 1
        w.caption("图", chart.title, w.figures, block=name, tag=f"rk:block:{name}")

    def _targets_sentence(self, name):
        w, rf = self.w, self.rf
        if not rf.targets:
            return
        segs = [Seg(f"{rf.year + 1}年主要目标是\uff1a")] + w.piece_segs("targets", target_pieces(rf.targets))
        w.para(segs, item={"kind": "p", "block": "targets_sentence", "alias": "目标"},
               tag="rk:block:targets_sentence", where=block_label("targets_sentence"))


def _break_names(table, width: int, size_pt: float) -> None:
    """表1's indicator names that must wrap, broken between words into even lines, never one
    character alone on a line (layout.name_lines), by explicit line breaks: a reader sees the
    same cell text. A name written as a revision is left to wrap as it does."""
    from copy import deepcopy
    capacity = (width - 2 * 57) / (size_pt * 20) - 0.2    # the table style's cell margins (CELL_MARGINS)
    for row in table.rows[1:]:
        p = row.cells[0].paragraphs[0]._p
        if p.find(qn("w:ins")) is not None or p.find(qn("w:del")) is not None:
            continue
        first = p.find(qn("w:r"))
        t = first.find(qn("w:t")) if first is not None else None
        if t is None or not t.text:
            continue
        lines = name_lines(t.text, capacity)
        t.text = lines[0]
        anchor = first
        for line in lines[1:]:
            run = deepcopy(first)
            run.remove(run.find(qn("w:t")))
            run.append(OxmlElement("w:br"))
            text = OxmlElement("w:t")
            text.text = line
            run.append(text)
            anchor.addnext(run)
            anchor = run


def sources_note(rf: ReportFigures) -> str:
    """Every source a figure of 表1 rests on, this year's and last year's (worked-back 推算 and
    invented 示例 ones included), with full-width brackets and dates as Chinese text writes them."""
    import re
    seen: list[str] = []
    cells: dict[str, dict[str, list[str]]] = {}    # a statistics table read in place: its cells
    for f in rf.figures:
        for s in sorted(f.sources, key=lambda s: -s.year):
            text = s.source
            if is_worked_back(text):           # one line for all values worked back the same way
                text = re.sub(r"\s*[（(][^（）()]*[)）]\s*$", "", text)
            text = chinese_dates_in(full_width_brackets(text)).replace(":", "\uff1a")
            if text not in seen:
                seen.append(text)
            if getattr(s, "cell", ""):
                got = cells.setdefault(text, {}).setdefault(Path(s.file).name, [])
                if s.cell not in got:
                    got.append(s.cell)
    if not seen:
        return ""
    return "资料来源\uff1a" + "\uff1b".join(t + _cells_note(cells.get(t)) for t in seen) + "。"


def _cells_note(files: dict[str, list[str]] | None) -> str:
    """"（2024年1-11月全市主要科技指标.xlsx 第1张表 B11、E11）": the cells a source's figures came from."""
    if not files:
        return ""
    parts = []
    for name, refs in files.items():
        sheets = {r.rsplit(" ", 1)[0] for r in refs if " " in r}
        if len(sheets) == 1 and all(" " in r for r in refs):
            parts.append(f"{name} {sheets.pop()} " + "、".join(r.rsplit(" ", 1)[1] for r in refs))
        else:
            parts.append(f"{name} " + "、".join(refs))
    return "\uff08" + "\uff1b".join(parts) + "\uff09"


# ---------------------------------------------------------------- parts

ROLES = TEMPLATE_PARTS                              # the parts the template's markers place


def _parts_after(rf: ReportFigures, key: str):
    """The parts the narrative puts after part ``key`` that no template marker places (free parts,
    a kind's own parts such as 工作成效): written with it, in the narrative's order."""
    parts = rf.narrative.parts
    out = []
    idx = next((i for i, p in enumerate(parts) if p.key == key), None)
    if idx is None:
        return out
    for p in parts[idx + 1:]:
        if p.key in ROLES:
            break
        out.append(p)
    return out


def sections_lead(rf: ReportFigures, part) -> bool:
    """Does this part go without its level-1 heading, its sections taking 一、二、三? The 工作总结
    part of a plain 工作总结 (kind summary) does: the title says 工作总结 already, and such a report
    numbers its areas of work 一、二、三 (a lone 一、2024年工作总结 over everything is not how it is
    written). A heading the clerk gives it (``headings:``) brings the heading back."""
    if rf.narrative.kind != "summary" or part.key != "summary":
        return False
    headings = rf.narrative.meta.get("headings") or {}
    return not (headings.get(rf.narrative.part_titles.get(part.key, part.title)) or headings.get(part.title))


def _write_part(w: _Writer, blocks: _Blocks, rf: ReportFigures, part) -> None:
    """A part with a level-1 heading: its intro, its sections (the figures section included)."""
    promoted = sections_lead(rf, part)
    if not promoted:
        title = part_heading(rf, part.key, part.title)
        w.heading1(title, part.key, default=part_heading(rf, part.key, part.title, custom=False))
    w.promoted = promoted
    try:
        _write_sections(w, blocks, rf, part)
    finally:
        w.promoted = False


def _write_sections(w: _Writer, blocks: _Blocks, rf: ReportFigures, part) -> None:
    slots = list(part.sections)
    if part.key == "summary" and not any(s.id == INDICATORS for s in slots) and blocks.default_figures():
        heading = str(rf.narrative.meta.get("indicator_heading") or DEFAULT_INDICATOR_HEADING)
        slots.insert(0, Slot(INDICATORS, heading, part="summary", heading=True))
    # a section of the figures that would stay empty is left out, heading and all
    slots = [s for s in slots if not (s.id == INDICATORS and s.empty and not blocks.default_figures())]
    targets = part.key == "plan" and blocks.unplaced("targets_sentence") and blocks.has_content("targets_sentence")
    if not part.intro.empty or not (slots or targets):
        w.slot(part.intro, blocks.write)
    if targets:
        blocks.write("targets_sentence")
    for slot in slots:
        w.heading2(slot, rf.render_text(slot.title, line=slot.line), slot.title if slot.line else None)
        w.slot(slot, blocks.write)
        if slot.id == INDICATORS:
            blocks.write_defaults(INDICATOR_BLOCKS)


def _block_title(w, rf, blocks):
    """The title, broken (if it must) only at a meaningful boundary, in a trapezoid or diamond."""
    title = report_title(rf)
    size = style_size(w.s.title) or 22
    lines = title_lines(title, page_text_width(w.doc) / (size * 20) - 0.6)
    p = w.add_paragraph(style=w.s.title)
    for i, line in enumerate(lines):
        run = p.add_run(line)
        if i < len(lines) - 1:
            run.add_break()
    w.record(p._p, {"kind": "title", "text": title}, TAG_TITLE, "标题")


def _block_notice(w, rf, blocks):
    for text, shown in ((ILLUSTRATIVE_NOTICE, rf.shows_illustrative(list(blocks.charts.values()))),
                        (SAMPLE_NARRATIVE_NOTICE, rf.sample_narrative)):
        if shown:
            p = w.add_paragraph(text, style=w.s.notice)
            w.record(p._p, {"kind": "notice", "text": text}, TAG_NOTICE, "提示")


def _block_lead(w, rf, blocks):
    if rf.narrative.kind == "congress":
        _congress_opening(w, rf)
    if rf.narrative.lead is not None:         # a status report or a congress report may have none
        w.slot(rf.narrative.lead, blocks.write)
    for part in _parts_after(rf, "lead"):
        _write_part(w, blocks, rf, part)


def _part_block(key):
    def write(w, rf, blocks):
        part = rf.narrative.part(key)
        if part is not None:
            _write_part(w, blocks, rf, part)
            for free in _parts_after(rf, key):
                _write_part(w, blocks, rf, free)
        if key == "plan" and rf.narrative.kind == "congress":
            _congress_closing(w, rf)
    return write


def _flush_left(p) -> None:
    p.paragraph_format.first_line_indent = Twips(0)
    p.alignment = WD_ALIGN_PARAGRAPH.LEFT


def _congress_opening(w, rf):
    """A report to the standing committee: the salutation (顶格) and the opening sentence."""
    meta = rf.narrative.meta
    we = rf.county.kind                 # 县, 区 or 市 (the registry allows no other)
    addressee = str(meta.get("addressee") or "主任、各位副主任,各位委员:").replace(",", "\uff0c").replace(":", "\uff1a")
    p = w.add_paragraph(addressee, style=w.s.normal)
    _flush_left(p)
    w.record(p._p, {"kind": "p", "block": "salutation", "text": addressee, "label": "称谓"}, "rk:block:salutation", "称谓")
    opening = str(meta.get("opening") or f"我代表{presenter(rf)},向{we}人大常委会报告{rf.year}年科技创新工作情况,请予审议。")
    opening = rf.render_text(opening.replace(",", "\uff0c"))
    w.para([Seg(opening)], item={"kind": "p", "block": "opening", "alias": "开头"}, tag="rk:block:opening", where="开头")


def _congress_closing(w, rf):
    closing = str(rf.narrative.meta.get("closing") or "以上报告,请予审议。谢谢!").replace(",", "\uff0c").replace("!", "\uff01")
    w.para([Seg(closing)], item={"kind": "p", "block": "closing", "alias": "结束语"}, tag="rk:block:closing",
           where="结束语")


def _block_notes(w, rf, blocks):
    if rf.rounding_differs and "notes" not in blocks.omit:
        w.para([Seg(ROUNDING_NOTE)], w.s.note, item={"kind": "p", "block": "notes", "alias": block_label("notes")},
               tag="rk:block:notes", where=block_label("notes"))


BLOCK_WRITERS = {
    "{{标题}}": _block_title, "{{示例提示}}": _block_notice, "{{导语}}": _block_lead,
    "{{工作总结}}": _part_block("summary"), "{{存在问题}}": _part_block("problems"),
    "{{工作思路}}": _part_block("plan"), "{{附注}}": _block_notes,
}
assert set(BLOCK_WRITERS) == set(BLOCKS)


# ---------------------------------------------------------------- template fields

def _fields(rf: ReportFigures) -> dict[str, str | None]:
    meta = rf.narrative.meta
    date = meta.get("date")
    return {"{{年份}}": str(rf.year), "{{下一年}}": str(rf.year + 1), "{{县区}}": rf.county.name,
            "{{单位}}": issuer(rf),
            "{{成文日期}}": chinese_date(date) if date else None}


def _place_signature(tagged, styles, year: int) -> None:
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


def _block_paragraphs(el) -> list:
    """The paragraphs a body element stands for on the page: itself, those of a content control,
    or those of a table's last row (what keeps with the paragraph after the table)."""
    if el.tag == qn("w:p"):
        return [el]
    if el.tag == qn("w:sdt"):
        content = el.find(qn("w:sdtContent"))
        return [x for c in (content if content is not None else []) for x in _block_paragraphs(c)]
    if el.tag == qn("w:tbl"):
        rows = el.findall(qn("w:tr"))
        return list(rows[-1].iter(qn("w:p"))) if rows else []
    return []


def _keep(paragraphs, *, with_next: bool, lines: bool = True) -> None:
    for p in paragraphs:
        ppr = p.get_or_add_pPr()
        if lines:
            ppr.keepLines_val = True
        if with_next:
            ppr.keepNext_val = True


def _keep_signature_with_body(signature) -> None:
    """GB/T 9704: the 落款, the 成文日期 and the 附注 after them stand together, and with the end of
    the body — never a page holding only the date, or only the 落款 and 附注. Keep-with-next from
    the body's last paragraph (or 表1's last row) through the blank line, the issuer and the date,
    keep-lines on the 落款, the date and the 附注, as Word and LibreOffice honour them."""
    top = signature
    while top.getparent() is not None and top.getparent().tag != qn("w:body"):
        top = top.getparent()
    after = [top] + [el for el in top.itersiblings() if el.tag != qn("w:sectPr")]
    for i, el in enumerate(after):
        _keep(_block_paragraphs(el), with_next=i < len(after) - 1)
    for el in top.itersiblings(preceding=True):
        paras = _block_paragraphs(el)
        _keep(paras[-1:] if el.tag != qn("w:tbl") else paras, with_next=True, lines=False)
        if any(t.text for p in paras for t in p.iter(qn("w:t"))) or el.tag == qn("w:tbl"):
            break


def _fill_fields(paragraphs, rf: ReportFigures) -> list[tuple[object, str]]:
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


def _set_properties(doc, rf: ReportFigures, title: str, illustrative: bool) -> None:
    cp = doc.core_properties
    cp.title = title
    from ..narrative.source import KIND_NAMES
    kind = KIND_NAMES[rf.narrative.kind]
    cp.subject = f"{rf.county.name}{rf.year}年科技创新{kind}"
    cp.author = issuer(rf)
    cp.last_modified_by = issuer(rf)
    cp.keywords = "；".join(["科技局", kind, str(rf.year), rf.county.name, rf.county.city])
    cp.category = kind
    cp.comments = "由 reportkit 依据 data/ 中的数据生成" + ("\uff1b含示例数据\uff0c不得引用" if illustrative else "")
    cp.created = cp.modified = document_date(rf)
    cp.revision = 1


def document_date(rf: ReportFigures) -> dt.datetime:
    """The date a build stamps on the document (properties, revisions): :func:`reportkit.dates.document_date`."""
    return dated(rf.year, rf.narrative.meta.get("date") if rf.narrative else None)


#: Zip entries of a written .docx carry this time (the format has no "none"): the same bytes each build.
ZIP_EPOCH = (1980, 1, 1, 0, 0, 0)


def open_template(template: Path | None = None):
    """(document, styles) of the Word template (the house style); refused with the file named
    when it cannot be opened or lacks a style."""
    template = Path(template or config.DEFAULT_TEMPLATE)
    try:
        doc = Document(template)
    except Exception as exc:
        raise TemplateError(f"无法打开模板({type(exc).__name__})", file=template,
                            hint="确认模板是 .docx 文件,或运行 make template 重新生成") from exc
    try:
        styles = resolve_styles(doc)
    except TemplateError as exc:
        exc.file = str(template)
        raise
    return doc, styles


def save_reproducibly(doc, path: Path) -> None:
    """Save a document whose bytes depend on its content only: entries in the order python-docx
    writes them, each with the same fixed time and attributes."""
    import io
    import zipfile
    buf = io.BytesIO()
    doc.save(buf)
    buf.seek(0)
    with zipfile.ZipFile(buf) as src, open(path, "wb") as fh, zipfile.ZipFile(fh, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            entry = zipfile.ZipInfo(info.filename, date_time=ZIP_EPOCH)
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = 0o644 << 16
            entry.create_system = 3
            dst.writestr(entry, src.read(info.filename))


def check_strict(rf: ReportFigures) -> None:
    """In strict mode every narrative slot must be filled; list the empty ones."""
    if rf.narrative is None:
        raise NarrativeError(f"{rf.county.name} {rf.year} 年没有叙述文件",
                             file=config.narrative_path(rf.county.slug, rf.year, rf.dataset.root),
                             hint="复制 data/narrative/TEMPLATE.md 并填写")
    empty = [f"“{s.title}”(第 {s.line} 行)" for s in rf.narrative.empty_slots()]
    if not rf.narrative.meta.get("date"):
        empty.append("成文日期(设置区的 date)")
    carried = rf.narrative.carried_over()
    from ..narrative.source import CARRIED_MARK
    carried_text = "、".join(f"第 {b.line} 行(“{s.title}”)" for s, b in carried)
    carried_hint = f"逐段改写;内容仍然适用的,删去段首的“{CARRIED_MARK}”表示已确认"
    if empty:
        also = f";另有 {len(carried)} 段还是上年的原文:{carried_text}" if carried else ""
        raise NarrativeError(f"严格模式:以下内容为空:{'、'.join(empty)}{also}", file=rf.narrative.path,
                             county=rf.county.slug, year=rf.year,
                             hint="填写这些内容后再生成" + (f";上年的原文请{carried_hint}" if carried else ""))
    if carried:
        from ..exceptions import CarriedOverError
        raise CarriedOverError(f"严格模式:{len(carried)} 段还是上年的原文,没有修改或确认:{carried_text}",
                               file=rf.narrative.path, county=rf.county.slug, year=rf.year, hint=carried_hint)


# ---------------------------------------------------------------- the document

def build_document(rf: ReportFigures, charts=(), out_path: Path | None = None, *,
                   template: Path | None = None, strict: bool = False, run_id: str = "",
                   previous: Manifest | None = None, track_changes: bool = True) -> BuiltDocument:
    """Write the report .docx atomically (on any error the previous file stays) and return it
    with its manifest and the figures revised since ``previous`` (the manifest of the version
    it replaces; revised figures are written as tracked changes unless ``track_changes`` is off).
    """
    from ..narrative.source import empty as empty_narrative
    from ..model.references import References
    if strict:
        check_strict(rf)
    if rf.narrative is None:
        rf.narrative = empty_narrative()
    doc, styles = open_template(template)
    charts = list(charts)
    refs = References(rf, every_indicator=True)
    stamp = w3c(document_date(rf))
    w = _Writer(doc, styles, rf, previous, Reviser(enabled=track_changes and previous is not None, date=stamp))
    blocks = _Blocks(w, rf, charts)
    tagged = _fill_fields(list(doc.paragraphs) + [p for s in doc.sections for part in
                                                  (s.header, s.footer, s.even_page_header, s.even_page_footer)
                                                  for p in part.paragraphs], rf)
    _place_signature(tagged, styles, rf.year)
    for p, tag in tagged:
        if p._p.getparent() is doc.element.body:
            w.record(p._p, {"kind": tag[3:], "text": p.text}, tag, "落款" if tag == TAG_SIGNATURE else "成文日期")
    body = doc.element.body
    markers = [p for p in doc.paragraphs if p.text.strip() in BLOCKS]
    if not any(p.text.strip() == "{{工作总结}}" for p in markers):
        raise TemplateError("模板中没有“{{工作总结}}”标记", file=template,
                            hint="在模板中单独一段写上 {{工作总结}}")
    for marker in markers:
        before = len(body)
        BLOCK_WRITERS[marker.text.strip()](w, rf, blocks)
        new = list(body)[before - 1:len(body) - 1]   # added before the final sectPr
        for el in new:
            marker._p.addprevious(el)
        body.remove(marker._p)
    signature = next((p for p, tag in tagged if tag == TAG_SIGNATURE and p._p.getparent() is not None), None)
    if signature is not None:
        _keep_signature_with_body(signature._p)
    title = report_title(rf)
    _set_properties(doc, rf, title, rf.shows_illustrative(charts))
    doc.core_properties.identifier = run_id or ""
    manifest = _manifest(w, rf, refs, run_id)
    changes = _changes(w, rf, refs, previous)
    out_path = Path(out_path or config.report_paths(rf.county.slug, rf.year).docx)
    with atomic_path(out_path) as tmp:
        save_reproducibly(doc, tmp)
    return BuiltDocument(out_path, manifest, changes)


def _manifest(w: _Writer, rf: ReportFigures, refs, run_id: str) -> Manifest:
    """Items in document order (walking the body, into content controls), with the pieces,
    every reference's printed value and the narrative source this build used."""
    items = []
    for el in w.doc.element.body.iter(qn("w:p"), qn("w:tbl")):
        item = w.items.get(id(el))
        if item is not None and w.elements.get(id(el)) is el:
            items.append(ManifestItem.from_dict(item))
        elif el.getparent().tag in (qn("w:body"), qn("w:sdtContent")) and el.tag == qn("w:p") \
                and not _in_table(el):
            items.append(ManifestItem("template", text="".join(t.text or "" for t in el.iter(qn("w:t")))))
    n = rf.narrative
    from ..narrative.source import read_text as narrative_text      # decoded as it was parsed (UTF-8, or GBK from Notepad)
    return Manifest(run_id=run_id, county=rf.county.slug, year=rf.year, items=items,
                    narrative=narrative_text(n.path) if n.path and Path(n.path).exists() else None,
                    refs=refs.values, names=refs.names, units=refs.units, stated=sorted(w.stated),
                    pieces=w.pieces, pending=_pending(w, refs))


def _pending(w: _Writer, refs) -> dict:
    """The revisions this document carries, as what each revised piece and figure printed
    before: while the editor has not accepted them, the next build compares with these (a
    forced rebuild, or one for another figure, must not drop them)."""
    from ..model.references import split_key
    pieces = {pid: w.prev_pieces[pid] for pid in sorted(w.revised) if "/" in pid and pid in w.prev_pieces}
    inds = {pid.split("/")[1] for pid in pieces} | {split_key(k)[0] for k in w.revised if "/" not in k}
    old = {k: v for k, v in w.prev_refs.items() if split_key(k)[0] in inds and refs.values.get(k) != v}
    return {"pieces": pieces, "refs": dict(sorted(old.items()))}


def _accepted_text(p_el) -> str:
    """A paragraph's text with its revisions accepted, as harvest and audit read it: the runs
    inside w:ins included, those inside w:del left out."""
    from docx.text.run import Run
    return "".join(Run(r, None).text for r in p_el.iter(qn("w:r"))
                   if not any(a.tag == qn("w:del") for a in r.iterancestors()))


def _in_table(el) -> bool:
    return any(a.tag == qn("w:tbl") for a in el.iterancestors())


#: Attributes a change is reported for (the phrases repeat them).
CHANGE_ATTRS = ("value", "prev", "growth", "delta", "completion", "target", "city_rank", "province_rank",
                "next_target")


#: Reference attributes that state another attribute (增长8.28% states the growth).
STATES = {"growth_phrase": ("growth",), "delta_phrase": ("delta",), "change": ("growth", "delta"),
          "next_phrase": ("next_target",), "ordinal": ("value",), "city_rank_ordinal": ("city_rank",),
          "province_rank_ordinal": ("province_rank",)}


def _changes(w: _Writer, rf: ReportFigures, refs, previous: Manifest | None) -> list[dict]:
    """Figures the previous version stated that print differently now, each with the places the
    new document states it: indicator, attribute, old, new, where."""
    if not previous:
        return []
    from ..model.references import key as ref_key, split_key
    old_refs = previous.refs
    old_stated = set(previous.stated)
    where: dict[str, list[str]] = {}
    for seg, place in w.placed:
        if "/" in seg.ref:        # generated text of one indicator: which of its values it shows
            ind = seg.ref.split("/")[1]
            attrs = [a for a in CHANGE_ATTRS if refs.values.get(ref_key(ind, a)) and
                     _shows(seg.text, refs.values[ref_key(ind, a)])]
        else:                     # a reference: what it prints (a change clause may state the growth only)
            ind, attr = split_key(seg.ref)
            attrs = [a for a in STATES.get(attr, (attr,)) if a == attr or
                     _states(seg.text, refs.values.get(ref_key(ind, a)))]
        for a in attrs:
            places = where.setdefault(ref_key(ind, a), [])
            if place not in places:
                places.append(place)
    order = {i: n for n, i in enumerate(rf.dataset.indicator_ids)}
    out = []
    for ind in sorted(w.stated & old_stated, key=lambda i: (order.get(i, len(order)), i)):
        for attr in CHANGE_ATTRS:
            k = ref_key(ind, attr)
            old, new = old_refs.get(k), refs.values.get(k)
            if old is not None and new is not None and old != new and where.get(k):
                out.append({"indicator": ind, "name": refs.names.get(ind, ind), "attr": attr,
                            "label": refs.label(k), "old": old, "new": new, "where": "、".join(where[k])})
    return out


def _states(text: str, value: str | None) -> bool:
    """Does a phrase state this printed value, unit and all (比上年增长19.28% states 19.28%, not
    the 变化量 15亿元)?"""
    import re
    return bool(value) and re.search(r"(?<![\d.])" + re.escape(value), text) is not None


def _shows(text: str, value: str) -> bool:
    """Does generated text show this printed value? Its number as a whole number (a table cell
    shows 327 for 327家, +8.28% for 8.28%)."""
    import re
    m = re.search(r"\d+(?:\.\d+)?", value)
    return bool(m) and re.search(r"(?<![\d.])" + re.escape(m.group(0)) + r"(?![\d.])", text) is not None
