"""Fill the 公文 template with a county-year's figures, table, charts and narrative."""
from __future__ import annotations

import datetime as dt
from pathlib import Path

from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Twips

from .. import config
from ..exceptions import NarrativeError, TemplateError
from ..iorw import atomic_path
from ..narrative import Slot
from ..report import ILLUSTRATIVE_NOTICE, ROUNDING_NOTE, TABLE_COLUMNS, ReportFigures
from . import oxml
from .template import BLOCKS, TEXT_WIDTH, resolve_styles

#: Widths of the indicator table's columns (twips; they add up to the text width).
TABLE_WIDTHS = [2244, 650, 850, 850, 1550, 750, 950, 1000]
EMPTY_CELL = "—"
SAMPLE_NARRATIVE_NOTICE = "示例叙述\uff1a本报告的叙述文字为据公开材料改写的示例\uff0c须由编辑按实际情况改写。"
LP, RP = "\uff08", "\uff09"   # full-width parentheses of "(一)"
CN_DIGITS = "零一二三四五六七八九"


def cn_number(n: int) -> str:
    """1 -> 一, 10 -> 十, 12 -> 十二, 21 -> 二十一 (up to 99)."""
    if n < 10:
        return CN_DIGITS[n]
    tens, ones = divmod(n, 10)
    return ("" if tens == 1 else CN_DIGITS[tens]) + "十" + (CN_DIGITS[ones] if ones else "")


def default_title(rf: ReportFigures) -> str:
    return f"{rf.county.name}科学技术局{rf.year}年工作总结和{rf.year + 1}年工作思路"


class _Writer:
    """Appends content to the document body, numbering headings as a 公文 does."""

    def __init__(self, doc, styles):
        self.doc, self.s = doc, styles
        self.h1 = self.h2 = self.h3 = 0
        self.tables = self.figures = 0

    def heading1(self, text: str):
        self.h1 += 1
        self.h2 = self.h3 = 0
        return self.doc.add_paragraph(f"{cn_number(self.h1)}、{text}", style=self.s.heading1)

    def heading2(self, text: str):
        self.h2 += 1
        self.h3 = 0
        return self.doc.add_paragraph(f"{LP}{cn_number(self.h2)}{RP}{text}", style=self.s.heading2)

    def heading3(self, text: str):
        self.h3 += 1
        return self.doc.add_paragraph(f"{self.h3}.{text}", style=self.s.heading3)

    def para(self, text: str, style=None):
        return self.doc.add_paragraph(text, style=style or self.s.normal)

    def placeholder(self, text: str, style=None):
        p = self.doc.add_paragraph(style=style or self.s.normal)
        oxml.highlight(p.add_run(text))
        return p

    def caption(self, label: str, title: str, count: int):
        p = self.doc.add_paragraph(style=self.s.caption)
        p.add_run(label)
        oxml.append_field(p, f"SEQ {label} \\* ARABIC", str(count))
        p.add_run(f" {title}")
        return p

    def slot(self, slot: Slot, render) -> None:
        """A narrative slot: each paragraph in its own content control tagged with the slot id
        (one control per paragraph is what survives a LibreOffice round trip)."""
        paragraphs = []
        if slot.empty:
            paragraphs.append(self.placeholder(slot.placeholder))
        else:
            for block in slot.blocks:
                text = render(block.text, line=block.line)
                if block.kind == "h3":
                    paragraphs.append(self.heading3(text))
                elif text.strip():
                    paragraphs.append(self.para(text))
        for p in paragraphs:
            oxml.wrap_in_sdt([p._p], tag=slot.id, alias=slot.title)


def _indicator_table(w: _Writer, rf: ReportFigures) -> None:
    rows = rf.table_rows()
    table = w.doc.add_table(rows=1 + len(rows), cols=len(TABLE_COLUMNS))
    table.style = w.s.table
    for i, name in enumerate(TABLE_COLUMNS):
        cell = table.rows[0].cells[i]
        cell.text = name
        p = cell.paragraphs[0]
        p.style = w.s.table_text
        p.runs[0].bold = True
        oxml.cell_bottom_border(cell)
    for r, row in enumerate(rows, start=1):
        cells = table.rows[r].cells
        for i, name in enumerate(TABLE_COLUMNS):
            cells[i].text = row[name] or EMPTY_CELL
            p = cells[i].paragraphs[0]
            p.style = w.s.table_text
            if i == 0:
                p.alignment = WD_ALIGN_PARAGRAPH.LEFT
        oxml.cant_split(table.rows[r])
    oxml.repeat_header(table.rows[0])
    oxml.cant_split(table.rows[0])
    oxml.set_table_widths(table, TABLE_WIDTHS)
    oxml.table_borders_three_line(table._tbl)


def _sources_note(rf: ReportFigures) -> str:
    seen: list[str] = []
    for f in rf.figures:
        for s in f.sources:
            if s.year == rf.year and s.source not in seen:
                seen.append(s.source)
    return "资料来源\uff1a" + "\uff1b".join(seen) + "。" if seen else ""


# ---------------------------------------------------------------- blocks

def _block_title(w, rf, charts):
    title = (rf.narrative.meta.get("title") if rf.narrative else None) or default_title(rf)
    w.doc.add_paragraph(str(title), style=w.s.title)


def _block_notice(w, rf, charts):
    if rf.shows_illustrative(charts):
        w.para(ILLUSTRATIVE_NOTICE, style=w.s.notice)
    if rf.sample_narrative:
        w.para(SAMPLE_NARRATIVE_NOTICE, style=w.s.notice)


def _block_lead(w, rf, charts):
    w.slot(rf.narrative.lead, rf.render_text)


def _block_summary(w, rf, charts):
    meta = rf.narrative.meta
    w.heading1(f"{rf.year}年工作总结")
    w.heading2(str(meta.get("indicator_heading") or "主要科技创新指标"))
    w.para(rf.paragraph)
    w.tables += 1
    w.caption("表", f"{rf.county.name}{rf.year}年主要科技创新指标", w.tables)
    _indicator_table(w, rf)
    note = _sources_note(rf)
    if note:
        w.para(note, style=w.s.note)
    for chart in charts:
        p = w.doc.add_paragraph(style=w.s.figure)
        p.add_run().add_picture(str(chart.path), width=Twips(TEXT_WIDTH))
        w.figures += 1
        w.caption("图", chart.title, w.figures)
    for slot in rf.narrative.summary:
        w.heading2(slot.title)
        w.slot(slot, rf.render_text)


def _block_problems(w, rf, charts):
    if rf.narrative.problems is None:
        return
    w.heading1(rf.narrative.problems.title)
    w.slot(rf.narrative.problems, rf.render_text)


def _block_plan(w, rf, charts):
    w.heading1(f"{rf.year + 1}年工作思路")
    if not rf.narrative.plan_intro.empty:
        w.slot(rf.narrative.plan_intro, rf.render_text)
    if rf.targets:
        w.para(f"{rf.year + 1}年主要目标是\uff1a{rf.targets_sentence}")
    for slot in rf.narrative.plan:
        w.heading2(slot.title)
        w.slot(slot, rf.render_text)


def _block_notes(w, rf, charts):
    if rf.rounding_differs:
        w.para(ROUNDING_NOTE, style=w.s.note)


BLOCK_WRITERS = {
    "{{标题}}": _block_title, "{{示例提示}}": _block_notice, "{{导语}}": _block_lead,
    "{{工作总结}}": _block_summary, "{{存在问题}}": _block_problems, "{{工作思路}}": _block_plan,
    "{{附注}}": _block_notes,
}
assert set(BLOCK_WRITERS) == set(BLOCKS)


def _fields(rf: ReportFigures) -> dict[str, str | None]:
    date = rf.narrative.meta.get("date") if rf.narrative else None
    return {"{{年份}}": str(rf.year), "{{下一年}}": str(rf.year + 1), "{{县区}}": rf.county.name,
            "{{单位}}": rf.county.bureau, "{{成文日期}}": str(date) if date else None}


def _fill_fields(paragraphs, rf: ReportFigures) -> None:
    """Replace {{年份}}-style fields in template paragraphs (never in generated content)."""
    fields = _fields(rf)
    for p in paragraphs:
        text = p.text
        if "{{" not in text or text.strip() in BLOCKS:
            continue
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


def _set_properties(doc, rf: ReportFigures, title: str, illustrative: bool) -> None:
    cp = doc.core_properties
    cp.title = title
    cp.subject = f"{rf.county.name}{rf.year}年科技工作总结和{rf.year + 1}年工作思路"
    cp.author = rf.county.bureau
    cp.last_modified_by = rf.county.bureau
    cp.keywords = "；".join(["科技局", "工作总结", str(rf.year), rf.county.name, rf.county.city])
    cp.category = "工作总结"
    cp.comments = "由 reportkit 依据 data/ 中的数据生成" + ("\uff1b含示例数据\uff0c不得引用" if illustrative else "")
    now = dt.datetime.now(dt.timezone.utc).replace(microsecond=0, tzinfo=None)
    cp.created = cp.modified = now
    cp.revision = 1


def check_strict(rf: ReportFigures) -> None:
    """In strict mode every narrative slot must be filled; list the empty ones."""
    if rf.narrative is None:
        raise NarrativeError(f"{rf.county.name} {rf.year} 年没有叙述文件",
                             file=config.narrative_path(rf.county.slug, rf.year, rf.dataset.root),
                             hint="复制 data/narrative/TEMPLATE.md 并填写")
    empty = rf.narrative.empty_slots()
    if empty:
        listed = "、".join(f"“{s.title}”(第 {s.line} 行)" for s in empty)
        raise NarrativeError(f"严格模式:以下叙述段落为空:{listed}", file=rf.narrative.path,
                             county=rf.county.slug, year=rf.year, hint="填写这些段落后再生成")


def build_document(rf: ReportFigures, charts=(), out_path: Path | None = None, *,
                   template: Path | None = None, strict: bool = False, run_id: str = "") -> Path:
    """Write the report .docx atomically; on any error the previous file stays."""
    from ..narrative import empty as empty_narrative
    if strict:
        check_strict(rf)
    if rf.narrative is None:
        rf.narrative = empty_narrative()
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
    _fill_fields(list(doc.paragraphs) + [p for s in doc.sections for part in
                                         (s.header, s.footer, s.even_page_header, s.even_page_footer)
                                         for p in part.paragraphs], rf)
    body = doc.element.body
    markers = [p for p in doc.paragraphs if p.text.strip() in BLOCKS]
    if not any(p.text.strip() == "{{工作总结}}" for p in markers):
        raise TemplateError("模板中没有“{{工作总结}}”标记", file=template,
                            hint="在模板中单独一段写上 {{工作总结}}")
    w = _Writer(doc, styles)
    for marker in markers:
        before = len(body)
        BLOCK_WRITERS[marker.text.strip()](w, rf, list(charts))
        new = list(body)[before - 1:len(body) - 1]   # added before the final sectPr
        for el in new:
            marker._p.addprevious(el)
        body.remove(marker._p)
    title = (rf.narrative.meta.get("title") if rf.narrative else None) or default_title(rf)
    _set_properties(doc, rf, str(title), rf.shows_illustrative(charts))
    doc.core_properties.identifier = run_id or ""
    out_path = Path(out_path or config.report_paths(rf.county.slug, rf.year).docx)
    with atomic_path(out_path) as tmp:
        doc.save(tmp)
    return out_path
