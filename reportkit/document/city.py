"""The city view as a Word document in the same 公文 template as the county reports.

Title, a lead paragraph, then 一、主要指标比较 (one three-line table per key indicator: every unit,
its value, change and computed city rank, and the 全市 row; its comparison chart), 二、数据覆盖情况
(the coverage grid), 三、各县(市、区)报告进度 (the state of each county's report), and a 附注.
The pieces come from the county report's builder (styles, three-line table, captions, widths,
reproducible saving); nothing here types a figure: every cell comes from the CityView.
"""
from __future__ import annotations

import re
from pathlib import Path

from docx.enum.table import WD_ALIGN_VERTICAL
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Twips

from ..dates import chinese_date, document_date
from ..exceptions import TemplateError
from ..iorw import atomic_path
from ..model.city import COVERAGE_LEGEND, TOTAL, CityView
from ..model.report import ILLUSTRATIVE_NOTICE
from ..numbering import heading_number
from . import oxml
from .package import open_template, save_reproducibly
from .table import CELL_MARGINS, EMPTY_CELL, table_text_size
from .layout import ems, name_lines, signature_indents, title_lines, twips as text_width
from .template import BLOCKS, style_size, text_width as page_text_width

#: How many indicators one coverage table holds (more would not fit the page width).
COVERAGE_PER_TABLE = 6
STATE_COLUMNS = ("县\uff08市、区\uff09", "报告状态", "说明")


def city_title(view: CityView) -> str:
    return f"{view.city}{view.year}年各县\uff08市、区\uff09科技创新主要指标汇总"


def city_title_breaks(title: str) -> list[int]:
    """Where the city title may wrap, words whole: after the year (温州市2024年 / 各县（市、区）…),
    after 各县（市、区）, before 主要指标汇总; never inside 科技创新 or 主要指标."""
    out = []
    for rx in (r"\d{4}年", "各县\uff08市、区\uff09", "科技创新"):
        m = re.search(rx, title)
        if m:
            out.append(m.end())
    return out


def _header_text(text: str, capacity: float) -> str:
    """A table header in lines no wider than ``capacity`` ems, broken between words; a bracketed
    part kept whole on its own line (县 / （市、区）)."""
    if "\uff08" in text and ems(text) > capacity and text.index("\uff08") > 0:
        i = text.index("\uff08")
        return text[:i] + "\n" + text[i:]
    return "\n".join(name_lines(text, capacity))


def city_issuer(view: CityView) -> str:
    return f"{view.city}科学技术局"


class _CityWriter:
    def __init__(self, doc, styles):
        self.doc, self.s = doc, styles
        self.h1 = self.tables = self.figures = 0

    def para(self, text: str, style=None):
        p = self.doc.add_paragraph(text)
        p.style = style or self.s.normal
        return p

    def heading1(self, text: str):
        self.h1 += 1
        return self.para(heading_number("h1", self.h1) + text, self.s.heading1)

    def caption(self, label: str, title: str):
        if label == "表":
            self.tables += 1
            count = self.tables
        else:
            self.figures += 1
            count = self.figures
        p = self.para("", self.s.caption)
        if label == "表":
            p.paragraph_format.keep_with_next = True
        p.add_run(label)
        oxml.append_field(p, f"SEQ {label} \\* ARABIC", str(count))
        p.add_run(f" {title}")
        return p

    def table(self, title: str, header: list[str], rows: list[list[str]], *, bold_last: bool = False,
              left_columns: int = 1, flexible: int | None = None, bold_rows: tuple[int, ...] = ()):
        """A captioned three-line table as the county reports draw theirs."""
        self.caption("表", title)
        table = self.doc.add_table(rows=1 + len(rows), cols=len(header))
        table.style = self.s.table
        cells = [list(header)] + [[c or EMPTY_CELL for c in r] for r in rows]
        size = table_text_size(self.s)
        widths = spread_widths(cells, size, page_text_width(self.doc), flexible)
        # a header wider than its column wraps between words (科技型 / 中小企业, not 科技型中小企 / 业)
        shown = [[_header_text(h, (w - CELL_MARGINS) / (size * 20)) for h, w in zip(header, widths)]] + cells[1:]
        for r, values in enumerate(shown):
            row = table.rows[r]
            for i, text in enumerate(values):
                cell = row.cells[i]
                cell.text = text
                p = cell.paragraphs[0]
                p.style = self.s.table_text
                if r == 0 or (bold_last and r == len(cells) - 1) or r - 1 in bold_rows:
                    for run in p.runs:
                        run.bold = True
                if r == 0:
                    oxml.cell_bottom_border(cell)
                if i < left_columns and r > 0:
                    p.alignment = WD_ALIGN_PARAGRAPH.LEFT
                cell.vertical_alignment = WD_ALIGN_VERTICAL.CENTER
            oxml.cant_split(row)
        oxml.repeat_header(table.rows[0])
        oxml.set_table_widths(table, widths)
        oxml.table_borders_three_line(table._tbl)
        return table

    def picture(self, chart):
        p = self.para("", self.s.figure)
        shape = p.add_run().add_picture(str(chart.path), width=Twips(page_text_width(self.doc)))
        shape._inline.docPr.set("descr", chart.title)
        shape._inline.docPr.set("title", f"reportkit:{chart.id}")
        self.caption("图", chart.title)


def spread_widths(cells: list[list[str]], size_pt: float, total: int, flexible: int | None = None) -> list[int]:
    """Column widths (twips) filling the text width: no value breaks inside its cell; the
    ``flexible`` column (long text) takes what is left and wraps, else the room left over is
    shared evenly (headers wrap when the values leave too little room)."""
    n = len(cells[0])
    body = [max([text_width(r[c], size_pt) for r in cells[1:]] or [0]) + CELL_MARGINS for c in range(n)]
    head = [text_width(h, size_pt) + CELL_MARGINS for h in cells[0]]
    widths = [max(b, h) for b, h in zip(body, head)]
    if flexible is not None:
        rest = total - (sum(widths) - widths[flexible])
        widths[flexible] = max(rest, text_width("说明说明说明", size_pt) + CELL_MARGINS)
        return widths
    if sum(widths) > total:     # headers wrap: at least two characters, or a bracketed part whole (县 / （市、区）)
        widths = [max(b, text_width(h[h.index("\uff08"):] if "\uff08" in h else h[:2], size_pt) + CELL_MARGINS)
                  for b, h in zip(body, cells[0])]
    extra = max(0, total - sum(widths))
    return [w + extra // n + (1 if i < extra % n else 0) for i, w in enumerate(widths)]


def indicator_rows(view: CityView, ind_id: str) -> tuple[list[str], list[list[str]]]:
    """Header and rows of one indicator's table: every unit, then 全市."""
    col = view.column(ind_id)
    header = ["县\uff08市、区\uff09", f"本年\uff08{col.unit_label}\uff09", "增减", "全市排名"]
    rows = [[c.county.name, c.value_text, c.change_text, c.rank_text] for c in col.cells]
    rows.append([TOTAL, col.total_text, col.total_change_text, ""])
    return header, rows


def coverage_tables(view: CityView) -> list[tuple[list[str], list[list[str]]]]:
    grid = view.coverage()
    out = []
    for start in range(0, len(grid.columns), COVERAGE_PER_TABLE):
        part = grid.iloc[:, start:start + COVERAGE_PER_TABLE]
        out.append((["县\uff08市、区\uff09"] + list(part.columns),
                    [[name] + list(row) for name, row in zip(part.index, part.itertuples(index=False))]))
    return out


def state_rows(states: list[dict]) -> list[list[str]]:
    return [[s["name"], s["label"], s["detail"]] for s in states]


def build_city_document(view: CityView, states: list[dict], charts=(), out_path: Path | None = None, *,
                        template: Path | None = None, highlight: str | None = None) -> Path:
    """Write the city view's .docx atomically (the same bytes for the same inputs)."""
    doc, styles = open_template(template)
    w = _CityWriter(doc, styles)
    body = doc.element.body
    charts = {c.id.removeprefix("compare_"): c for c in charts}
    markers = {p.text.strip(): p for p in doc.paragraphs if p.text.strip() in BLOCKS}
    if "{{工作总结}}" not in markers:
        raise TemplateError("模板中没有“{{工作总结}}”标记", file=template, hint="在模板中单独一段写上 {{工作总结}}")

    def place(marker: str, write) -> None:
        before = len(body)
        write()
        new = list(body)[before - 1:len(body) - 1]
        anchor = markers.get(marker)
        if anchor is not None:
            for el in new:
                anchor._p.addprevious(el)

    def title():
        text = city_title(view)
        size = style_size(styles.title) or 22
        p = w.para("", styles.title)
        lines = title_lines(text, page_text_width(doc) / (size * 20) - 0.6, city_title_breaks(text))
        for i, line in enumerate(lines):
            run = p.add_run(line)
            if i < len(lines) - 1:
                run.add_break()

    def notice():
        if view.illustrative or any(c.illustrative for c in charts.values()):
            w.para(ILLUSTRATIVE_NOTICE, styles.notice)

    def main():
        names = "、".join(u.name for u in view.units)
        lead = (f"本汇总依据各县\uff08市、区\uff09报送的数据生成\uff0c比较{view.city}{len(view.units)}个县\uff08市、区\uff09"
                f"\uff08{names}\uff09{view.year}年的{len(view.columns)}项主要科技创新指标。全市排名只在全市各县\uff08市、区\uff09"
                "都有同一时期数据时计算\uff0c数值相同的并列\uff0c其后名次顺延\uff1b缺数据的县\uff08市、区\uff09列为“缺”。")
        if highlight:
            name = view.dataset.county(highlight).name
            lead += f"表中加粗的是{name}" + (f"\uff0c图中红色的是{name}。" if charts else "。")
        w.para(lead)
        w.heading1("主要指标比较")
        for col in view.columns:
            header, rows = indicator_rows(view, col.id)
            mine = tuple(i for i, u in enumerate(view.units) if u.slug == highlight)
            w.table(f"{view.year}年各县\uff08市、区\uff09{col.title}", header, rows, bold_last=True, bold_rows=mine)
            chart = charts.get(col.id)
            if chart is not None:
                w.picture(chart)
        notes = view.notes()
        if notes:
            w.para("说明\uff1a" + "\uff1b".join(notes) + "。", styles.note)
        w.heading1("数据覆盖情况")
        for header, rows in coverage_tables(view):
            w.table(f"{view.year}年各县\uff08市、区\uff09数据覆盖情况", header, rows)
        w.para(COVERAGE_LEGEND + "。", styles.note)
        w.heading1("各县\uff08市、区\uff09报告进度")
        w.table(f"{view.year}年各县\uff08市、区\uff09科技局工作总结生成情况", list(STATE_COLUMNS), state_rows(states),
                flexible=2)

    def notes():
        w.para("\uff08资料来源\uff1a各县\uff08市、区\uff09报送数据\uff1b每个数的出处\uff08文件、工作表、行\uff09见同一文件夹中的"
               "figures.csv。\uff09", styles.note)

    place("{{标题}}", title)
    place("{{示例提示}}", notice)
    place("{{工作总结}}", main)
    place("{{附注}}", notes)
    for p in list(doc.paragraphs):
        text = p.text.strip()
        if text in BLOCKS:
            body.remove(p._p)
    _fill_signature(doc, view, styles)
    cp = doc.core_properties
    cp.title = city_title(view)
    cp.subject = f"{view.city}{view.year}年科技创新指标汇总"
    cp.author = cp.last_modified_by = city_issuer(view)
    cp.keywords = "；".join(["科技局", "全市汇总", str(view.year), view.city])
    cp.comments = "由 reportkit 依据 data/ 中的数据生成" + ("\uff1b含示例数据\uff0c不得引用" if view.illustrative else "")
    cp.created = cp.modified = document_date(view.year)
    cp.revision = 1
    out_path = Path(out_path)
    with atomic_path(out_path) as tmp:
        save_reproducibly(doc, tmp)
    return out_path


def _fill_signature(doc, view: CityView, styles) -> None:
    """The template's {{单位}} and {{成文日期}} (the city bureau; the last day of the year) and other fields."""
    fields = {"{{年份}}": str(view.year), "{{下一年}}": str(view.year + 1), "{{县区}}": view.city,
              "{{单位}}": city_issuer(view), "{{成文日期}}": chinese_date(document_date(view.year).strftime("%Y-%m-%d"))}
    sig = []
    parts = [doc.paragraphs] + [s_.footer.paragraphs + s_.header.paragraphs for s_ in doc.sections]
    for paras in parts:
        for p in paras:
            text = p.text
            if "{{" not in text:
                continue
            stripped = text.strip()
            for k, v in fields.items():
                text = text.replace(k, v)
            if p.runs:
                p.runs[0].text = text
                for r in p.runs[1:]:
                    r._r.getparent().remove(r._r)
            if stripped in ("{{单位}}", "{{成文日期}}"):
                sig.append(p)
    if sig:
        _keep_body_with(sig[0])
    if len(sig) == 2:
        size = style_size(styles.signature) or style_size(styles.normal) or 16
        for p, ri in zip(sig, signature_indents(sig[0].text, sig[1].text)):
            p.alignment = WD_ALIGN_PARAGRAPH.RIGHT
            p.paragraph_format.right_indent = Twips(round(ri * size * 20))
            p.paragraph_format.first_line_indent = Twips(0)


def _keep_body_with(signature) -> None:
    """The 落款 never alone on a page: the blank line above it and the last rows of the table
    before it are kept with it (keep with next), so a page break takes some of the body along."""
    from docx.table import Table
    from docx.text.paragraph import Paragraph
    el = signature._p.getprevious()
    while el is not None and el.tag.endswith("}p"):
        para = Paragraph(el, signature._parent)
        if para.text.strip():
            para.paragraph_format.keep_with_next = True
            return
        para.paragraph_format.keep_with_next = True
        el = el.getprevious()
    if el is not None and el.tag.endswith("}tbl"):
        rows = Table(el, signature._parent).rows
        for row in rows[max(1, len(rows) - 2):]:
            for cell in row.cells:
                for p in cell.paragraphs:
                    p.paragraph_format.keep_with_next = True
