"""What each template marker ({{标题}}, {{工作总结}} …) writes: the title, the notices, the lead, the
parts with their sections and the figures blocks (paragraph, 表1, sources, charts, targets)."""
from __future__ import annotations

from docx.enum.table import WD_ALIGN_VERTICAL
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Twips

from ..exceptions import NarrativeError
from ..narrative.source import INDICATORS, OMITTABLE, TEMPLATE_PARTS, Slot, block_label
from ..model.phrasing import indicator_pieces, target_pieces
from ..model.report import ILLUSTRATIVE_NOTICE, ROUNDING_NOTE, ReportFigures, table_columns, table_note
from . import oxml
from .layout import title_lines
from .revisions import Seg
from .template import BLOCKS, style_size, text_width as page_text_width
from .signature import block_paragraphs, keep
from .table import EMPTY_CELL, as_reviewed, break_names, fit_widths, sources_note, table_text_size
from .titles import part_heading, presenter, report_title
from .writer import TAG_NOTICE, TAG_TITLE, Writer


SAMPLE_NARRATIVE_NOTICE = "示例叙述\uff1a本报告的叙述文字为据公开材料改写的示例\uff0c须由编辑按实际情况改写。"


DEFAULT_INDICATOR_HEADING = "主要科技创新指标"


#: What the default figures section holds, in order (charts: all not placed elsewhere).
INDICATOR_BLOCKS = ("indicator_paragraph", "table", "sources", "charts")


class Blocks:
    """The generated blocks of a report (indicator paragraph, table, sources, charts, targets
    sentence): written where the narrative places them, else in their default place, unless
    the front matter's ``omit`` leaves them out."""

    def __init__(self, w: Writer, rf: ReportFigures, charts):
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
        texts, cells = cells, as_reviewed(table, cells, w)     # columns sized for the review view
        oxml.repeat_header(table.rows[0])
        oxml.cant_split(table.rows[0])
        widths = fit_widths(cells, table_text_size(w.s), page_text_width(w.doc))
        oxml.set_table_widths(table, widths)
        break_names(table, widths[0], table_text_size(w.s))
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
                keep(block_paragraphs(body[-2]), with_next=True, lines=False)
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


def _write_part(w: Writer, blocks: Blocks, rf: ReportFigures, part) -> None:
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


def _write_sections(w: Writer, blocks: Blocks, rf: ReportFigures, part) -> None:
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
