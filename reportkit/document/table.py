"""表1: its column widths (no number breaks inside a cell, revised cells as the reviewer sees them),
the indicator names broken between words, and the 资料来源 note under it."""
from __future__ import annotations

import re
from pathlib import Path

from docx.oxml import OxmlElement
from docx.oxml.ns import qn

from ..inputs.data import is_worked_back
from ..model.report import ReportFigures
from ..dates import chinese_dates_in
from .layout import full_width_brackets, name_lines, twips
from .revisions import WJ
from .template import text_width as page_text_width


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


def as_reviewed(table, texts: list[list[str]], w) -> list[list[str]]:
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


def break_names(table, width: int, size_pt: float) -> None:
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
