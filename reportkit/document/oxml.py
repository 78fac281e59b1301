"""Raw WordprocessingML helpers for what python-docx has no API for."""
from __future__ import annotations

from docx.oxml import OxmlElement, parse_xml
from docx.oxml.ns import nsdecls, qn

THEME_ATTRS = ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme")


def child(parent, tag: str, *, create: bool = True, first: bool = False):
    """The first child ``tag`` of ``parent`` (created if missing)."""
    el = parent.find(qn(tag))
    if el is None and create:
        el = OxmlElement(tag)
        if first:
            parent.insert(0, el)
        else:
            parent.append(el)
    return el


def set_attrs(el, **attrs) -> None:
    for k, v in attrs.items():
        el.set(qn(f"w:{k}"), str(v))


def remove(parent, tag: str) -> None:
    for el in parent.findall(qn(tag)):
        parent.remove(el)


def field_run_xml(instr: str, cached: str) -> list:
    """A complex field (begin/instr/separate/cached result/end) as a list of w:r elements."""
    return [
        parse_xml(f'<w:r {nsdecls("w")}><w:fldChar w:fldCharType="begin"/></w:r>'),
        parse_xml(f'<w:r {nsdecls("w")}><w:instrText xml:space="preserve"> {instr} </w:instrText></w:r>'),
        parse_xml(f'<w:r {nsdecls("w")}><w:fldChar w:fldCharType="separate"/></w:r>'),
        parse_xml(f'<w:r {nsdecls("w")}><w:t>{cached}</w:t></w:r>'),
        parse_xml(f'<w:r {nsdecls("w")}><w:fldChar w:fldCharType="end"/></w:r>'),
    ]


def append_field(paragraph, instr: str, cached: str, rpr_xml: str = "") -> None:
    for r in field_run_xml(instr, cached):
        if rpr_xml:
            r.insert(0, parse_xml(rpr_xml))
        paragraph._p.append(r)


def wrap_in_sdt(elements: list, tag: str, alias: str, sdt_id: int) -> object:
    """Wrap consecutive body elements (paragraphs) in one block-level content control
    (``sdt_id``: unique within the document; the caller numbers them per document)."""
    first = elements[0]
    sdt = parse_xml(
        f'<w:sdt {nsdecls("w")}><w:sdtPr><w:alias w:val=""/><w:tag w:val=""/>'
        f'<w:id w:val="{sdt_id}"/></w:sdtPr><w:sdtContent/></w:sdt>')
    sdt.find(qn("w:sdtPr")).find(qn("w:alias")).set(qn("w:val"), alias)
    sdt.find(qn("w:sdtPr")).find(qn("w:tag")).set(qn("w:val"), tag)
    first.addprevious(sdt)
    content = sdt.find(qn("w:sdtContent"))
    for el in elements:
        content.append(el)
    return sdt


def unwrap_sdts(root) -> None:
    """Remove every content control under ``root``, keeping its content in place."""
    for sdt in list(root.iter(qn("w:sdt"))):
        content = sdt.find(qn("w:sdtContent"))
        for child in list(content) if content is not None else []:
            sdt.addprevious(child)
        sdt.getparent().remove(sdt)


def table_borders_three_line(tbl, outer_sz: int = 12, inner_sz: int = 6) -> None:
    """三线表: thick top and bottom rules, no vertical lines (header rule is set on its cells)."""
    tblpr = tbl.tblPr
    remove(tblpr, "w:tblBorders")
    borders = parse_xml(
        f'<w:tblBorders {nsdecls("w")}>'
        f'<w:top w:val="single" w:sz="{outer_sz}" w:space="0" w:color="000000"/>'
        f'<w:left w:val="nil"/>'
        f'<w:bottom w:val="single" w:sz="{outer_sz}" w:space="0" w:color="000000"/>'
        f'<w:right w:val="nil"/><w:insideH w:val="nil"/><w:insideV w:val="nil"/></w:tblBorders>')
    tblpr.append(borders)


def cell_bottom_border(cell, sz: int = 6) -> None:
    tcpr = cell._tc.get_or_add_tcPr()
    remove(tcpr, "w:tcBorders")
    tcpr.append(parse_xml(f'<w:tcBorders {nsdecls("w")}><w:bottom w:val="single" w:sz="{sz}" '
                          f'w:space="0" w:color="000000"/></w:tcBorders>'))


def set_table_widths(table, widths_twips: list[int]) -> None:
    """Set the widths three ways: tblW, gridCol (WPS reads these) and every tcW; fixed layout."""
    tbl = table._tbl
    tblpr = tbl.tblPr
    total = sum(widths_twips)
    tblw = child(tblpr, "w:tblW")
    set_attrs(tblw, w=total, type="dxa")
    layout = child(tblpr, "w:tblLayout")
    set_attrs(layout, type="fixed")
    grid = tbl.tblGrid
    for gc in list(grid):
        grid.remove(gc)
    for w in widths_twips:
        gc = OxmlElement("w:gridCol")
        gc.set(qn("w:w"), str(w))
        grid.append(gc)
    for row in table.rows:
        for w, cell in zip(widths_twips, row.cells):
            tcpr = cell._tc.get_or_add_tcPr()
            tcw = child(tcpr, "w:tcW", first=True)
            set_attrs(tcw, w=w, type="dxa")


def repeat_header(row) -> None:
    trpr = row._tr.get_or_add_trPr()
    el = child(trpr, "w:tblHeader")
    el.set(qn("w:val"), "1")


def cant_split(row) -> None:
    child(row._tr.get_or_add_trPr(), "w:cantSplit").set(qn("w:val"), "1")


def highlight(run, color: str = "yellow") -> None:
    rpr = run._r.get_or_add_rPr()
    set_attrs(child(rpr, "w:highlight"), val=color)
