"""The 公文 Word template: create it (GB/T 9704-2012) and find its styles robustly."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from docx import Document
from docx.enum.section import WD_SECTION
from docx.enum.style import WD_STYLE_TYPE
from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls, qn
from docx.shared import Twips

from ..exceptions import TemplateError
from . import oxml

# ---- GB/T 9704-2012 in Word units ------------------------------------------------
PAGE_W, PAGE_H = 11906, 16838              # A4 in twips
MARGIN_TOP, MARGIN_BOTTOM = 2098, 1984     # 37 mm, 35 mm
MARGIN_LEFT, MARGIN_RIGHT = 1588, 1474     # 28 mm, 26 mm -> text block 156 x 225 mm
FOOTER_DISTANCE = 1304                     # page number about 7 mm below the text block
TEXT_WIDTH = PAGE_W - MARGIN_LEFT - MARGIN_RIGHT   # 8844 twips = 156 mm
LINE_PITCH = 579                           # 225 mm / 22 lines = 28.95 pt
CHAR_SPACE = -848                          # 28 characters of 16 pt in 156 mm (1/4096 pt units)
BODY_SZ, TITLE_SZ, PAGENUM_SZ, TABLE_SZ, CAPTION_SZ = 32, 44, 28, 21, 28

FONT_BODY = "仿宋_GB2312"
FONT_TITLE = "方正小标宋简体"
FONT_H1 = "黑体"
FONT_H2 = "楷体_GB2312"
FONT_PAGENUM = "宋体"
FONT_LATIN = "Times New Roman"

#: Logical style -> names a template may use (python-docx's English names, names that
#: Chinese Word/WPS write) and style ids seen in such templates.
STYLE_NAMES = {
    "normal": (("Normal", "正文"), ("Normal", "a")),
    "title": (("Title", "标题"), ("Title", "a3")),
    "heading1": (("Heading 1", "标题 1"), ("Heading1", "1")),
    "heading2": (("Heading 2", "标题 2"), ("Heading2", "2")),
    "heading3": (("Heading 3", "标题 3"), ("Heading3", "3")),
    "caption": (("Caption", "题注"), ("Caption", "a4")),
    "table_text": (("表格文字", "Table Text"), ("TableText",)),
    "figure": (("图片", "Figure"), ("Figure",)),
    "notice": (("提示", "Notice"), ("Notice",)),
    "note": (("附注", "Note"), ("Note",)),
    "signature": (("落款", "Signature"), ("Signature",)),
}
TABLE_STYLE = (("三线表", "Three Line Table"), ("ThreeLineTable",))

#: Block markers: a paragraph whose whole text is one of these is replaced by generated content.
BLOCKS = ("{{标题}}", "{{示例提示}}", "{{导语}}", "{{工作总结}}", "{{存在问题}}", "{{工作思路}}",
          "{{附注}}")
#: Field markers inside any template paragraph.
FIELDS = ("{{年份}}", "{{下一年}}", "{{县区}}", "{{单位}}", "{{成文日期}}")


def _norm(name: str) -> str:
    return name.replace(" ", "").lower()


def find_style(doc, key: str, kind=WD_STYLE_TYPE.PARAGRAPH):
    """Find a style by its English or Chinese name or its id; TemplateError if absent."""
    names, ids = TABLE_STYLE if key == "table" else STYLE_NAMES[key]
    wanted = {_norm(n) for n in names}
    for style in doc.styles:
        if style.type != kind:
            continue
        if _norm(style.name or "") in wanted:
            return style
    for style in doc.styles:
        if style.type == kind and style.style_id in ids:
            return style
    raise TemplateError(f"模板缺少样式“{names[0]}”(也找过:{'、'.join(names[1:] + ids)})",
                        hint=f"在 Word 中为模板新建名为“{names[0]}”的样式,或运行 make template 重新生成模板")


@dataclass
class Styles:
    normal: object
    title: object
    heading1: object
    heading2: object
    heading3: object
    caption: object
    table_text: object
    figure: object
    notice: object
    note: object
    signature: object
    table: object


def resolve_styles(doc) -> Styles:
    found = {k: find_style(doc, k) for k in STYLE_NAMES}
    found["table"] = find_style(doc, "table", WD_STYLE_TYPE.TABLE)
    return Styles(**found)


# ------------------------------------------------------------------ creation

def _style_fonts(style, *, east_asia: str, size: int, bold=False, color: str | None = None,
                 latin: str = FONT_LATIN) -> None:
    rpr = style.element.get_or_add_rPr()
    for tag in ("w:color", "w:i", "w:iCs", "w:caps", "w:smallCaps", "w:spacing", "w:kern"):
        oxml.remove(rpr, tag)
    oxml.set_fonts(rpr, east_asia=east_asia, latin=latin)
    oxml.set_size(rpr, size)
    oxml.set_flag(rpr, "w:b", bold)
    oxml.set_flag(rpr, "w:bCs", bold)
    oxml.set_lang(rpr)
    if color:
        oxml.set_attrs(oxml.child(rpr, "w:color"), val=color)


def _style_para(style, *, align, indent_chars=2, exact=True, keep_next=False, outline=None,
                before=0, after=0, size=BODY_SZ) -> None:
    """Paragraph layout of a style. Body-text styles (exact spacing) sit on the 22-line grid;
    the others (tables, captions, pictures, notes) must not snap to it or rows double in height."""
    ppr = style.element.get_or_add_pPr()
    for tag in ("w:spacing", "w:ind", "w:jc", "w:outlineLvl", "w:keepNext", "w:keepLines",
                "w:contextualSpacing", "w:pBdr", "w:snapToGrid"):
        oxml.remove(ppr, tag)
    if keep_next:
        oxml.child(ppr, "w:keepNext")
    if not exact:
        oxml.child(ppr, "w:snapToGrid").set(qn("w:val"), "0")
    if exact:
        oxml.exact_spacing(ppr, LINE_PITCH, before, after)
    else:
        oxml.auto_spacing(ppr, before, after)
    oxml.first_line_chars(ppr, indent_chars, size)
    oxml.set_attrs(oxml.child(ppr, "w:jc"), val=align)
    if outline is not None:
        oxml.set_attrs(oxml.child(ppr, "w:outlineLvl"), val=outline)
    # canonical order of pPr children matters to Word: re-sort the few we touch
    order = ["w:pStyle", "w:keepNext", "w:keepLines", "w:pageBreakBefore", "w:widowControl",
             "w:numPr", "w:pBdr", "w:shd", "w:tabs", "w:snapToGrid", "w:spacing", "w:ind", "w:contextualSpacing",
             "w:jc", "w:outlineLvl"]
    rank = {qn(t): i for i, t in enumerate(order)}
    kids = sorted(list(ppr), key=lambda e: rank.get(e.tag, len(order)))
    for k in kids:
        ppr.remove(k)
    for k in kids:
        ppr.append(k)


def _paragraph_style(doc, name: str, base="Normal"):
    try:
        return doc.styles[name]
    except KeyError:
        s = doc.styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
        s.base_style = doc.styles[base]
        s.quick_style = True
        return s


def _doc_defaults(doc) -> None:
    styles_el = doc.styles.element
    defaults = styles_el.find(qn("w:docDefaults"))
    rpr_default = oxml.child(defaults, "w:rPrDefault", first=True)
    rpr = oxml.child(rpr_default, "w:rPr")
    oxml.set_fonts(rpr, east_asia=FONT_BODY)
    oxml.set_size(rpr, BODY_SZ)
    oxml.set_lang(rpr)
    # every style: no theme fonts anywhere (they override explicit names)
    for rfonts in styles_el.iter(qn("w:rFonts")):
        for attr in oxml.THEME_ATTRS:
            rfonts.attrib.pop(qn(attr), None)


def _settings(doc) -> None:
    settings = doc.settings.element
    lang = oxml.child(settings, "w:themeFontLang")
    for a in list(lang.attrib):
        del lang.attrib[a]
    oxml.set_attrs(lang, val="en-US", eastAsia="zh-CN")
    doc.settings.odd_and_even_pages_header_footer = True
    if settings.find(qn("w:updateFields")) is None:
        # schema order: updateFields precedes these (CT_Settings sequence)
        upd = parse_xml(f'<w:updateFields {nsdecls("w")} w:val="true"/>')
        later = [settings.find(qn(t)) for t in _AFTER_UPDATE_FIELDS]
        later = [e for e in later if e is not None]
        if later:
            later[0].addprevious(upd)
        else:
            settings.append(upd)


_AFTER_UPDATE_FIELDS = ("w:hdrShapeDefaults", "w:footnotePr", "w:endnotePr", "w:compat", "w:docVars",
                        "w:rsids", "m:mathPr", "w:attachedSchema", "w:themeFontLang",
                        "w:clrSchemeMapping", "w:doNotIncludeSubdocsInStats",
                        "w:doNotAutoCompressPictures", "w:forceUpgrade", "w:captions",
                        "w:readModeInkLockDown", "w:smartTagType", "sl:schemaLibrary",
                        "w:shapeDefaults", "w:doNotEmbedSmartTags", "w:decimalSymbol", "w:listSeparator")


def _table_style(doc) -> None:
    try:
        doc.styles["三线表"]
        return
    except KeyError:
        pass
    xml = (
        f'<w:style {nsdecls("w")} w:type="table" w:customStyle="1" w:styleId="ThreeLineTable">'
        '<w:name w:val="三线表"/><w:basedOn w:val="TableNormal"/><w:uiPriority w:val="59"/><w:qFormat/>'
        '<w:pPr><w:snapToGrid w:val="0"/><w:spacing w:before="0" w:after="0" w:line="240" w:lineRule="auto"/>'
        '<w:ind w:firstLine="0" w:firstLineChars="0"/><w:jc w:val="center"/></w:pPr>'
        f'<w:rPr><w:rFonts w:ascii="{FONT_LATIN}" w:hAnsi="{FONT_LATIN}" w:eastAsia="{FONT_BODY}" w:cs="{FONT_LATIN}"/>'
        f'<w:sz w:val="{TABLE_SZ}"/><w:szCs w:val="{TABLE_SZ}"/></w:rPr>'
        '<w:tblPr><w:jc w:val="center"/><w:tblBorders>'
        '<w:top w:val="single" w:sz="12" w:space="0" w:color="000000"/>'
        '<w:bottom w:val="single" w:sz="12" w:space="0" w:color="000000"/>'
        '</w:tblBorders><w:tblCellMar><w:left w:w="57" w:type="dxa"/><w:right w:w="57" w:type="dxa"/>'
        '</w:tblCellMar></w:tblPr>'
        '<w:tblStylePr w:type="firstRow"><w:rPr><w:b/></w:rPr><w:tcPr><w:tcBorders>'
        '<w:bottom w:val="single" w:sz="6" w:space="0" w:color="000000"/></w:tcBorders></w:tcPr>'
        '</w:tblStylePr></w:style>')
    doc.styles.element.append(parse_xml(xml))


def _footer_paragraph(footer, align: str, indent_side: str) -> None:
    p = footer.paragraphs[0] if footer.paragraphs else footer.add_paragraph()
    for r in list(p.runs):
        r._r.getparent().remove(r._r)
    ppr = p._p.get_or_add_pPr()
    oxml.set_attrs(oxml.child(ppr, "w:jc"), val=align)
    ind = oxml.child(ppr, "w:ind")
    oxml.set_attrs(ind, **{indent_side: 280, "firstLine": 0, "firstLineChars": 0})
    rpr_xml = (f'<w:rPr {nsdecls("w")}><w:rFonts w:ascii="{FONT_PAGENUM}" w:hAnsi="{FONT_PAGENUM}" '
               f'w:eastAsia="{FONT_PAGENUM}" w:cs="{FONT_PAGENUM}"/><w:sz w:val="{PAGENUM_SZ}"/>'
               f'<w:szCs w:val="{PAGENUM_SZ}"/></w:rPr>')
    dash = "\u2014"
    run = p.add_run(f"{dash} ")
    run._r.insert(0, parse_xml(rpr_xml))
    oxml.append_field(p, "PAGE", "1", rpr_xml)
    run = p.add_run(f" {dash}")
    run._r.insert(0, parse_xml(rpr_xml))


def _section(doc) -> None:
    sec = doc.sections[0]
    sec.start_type = WD_SECTION.NEW_PAGE
    sec.page_width, sec.page_height = Twips(PAGE_W), Twips(PAGE_H)
    sec.top_margin, sec.bottom_margin = Twips(MARGIN_TOP), Twips(MARGIN_BOTTOM)
    sec.left_margin, sec.right_margin = Twips(MARGIN_LEFT), Twips(MARGIN_RIGHT)
    sec.footer_distance = Twips(FOOTER_DISTANCE)
    sec.header_distance = Twips(851)
    sectpr = sec._sectPr
    grid = oxml.child(sectpr, "w:docGrid")
    for a in list(grid.attrib):
        del grid.attrib[a]
    oxml.set_attrs(grid, type="linesAndChars", linePitch=LINE_PITCH, charSpace=CHAR_SPACE)
    # odd pages: number on the right; even pages: on the left (one character space inside)
    _footer_paragraph(sec.footer, "right", "right")
    _footer_paragraph(sec.even_page_footer, "left", "left")


def create_template(path: Path) -> Path:
    """Write the default 公文 template (styles, page setup, page numbers, block markers)."""
    doc = Document()
    _doc_defaults(doc)
    _settings(doc)
    s = doc.styles
    _style_fonts(s["Normal"], east_asia=FONT_BODY, size=BODY_SZ)
    _style_para(s["Normal"], align="both")
    _style_fonts(s["Title"], east_asia=FONT_TITLE, size=TITLE_SZ)
    _style_para(s["Title"], align="center", indent_chars=0, after=LINE_PITCH, size=TITLE_SZ)
    oxml.remove(s["Title"].element.get_or_add_pPr(), "w:pBdr")
    for name, font, level in (("Heading 1", FONT_H1, 0), ("Heading 2", FONT_H2, 1), ("Heading 3", FONT_BODY, 2)):
        _style_fonts(s[name], east_asia=font, size=BODY_SZ)
        _style_para(s[name], align="both", keep_next=True, outline=level)
    _style_fonts(s["Caption"], east_asia=FONT_H1, size=CAPTION_SZ)
    _style_para(s["Caption"], align="center", indent_chars=0, exact=False, before=60, after=120,
                size=CAPTION_SZ)
    st = _paragraph_style(doc, "表格文字")
    _style_fonts(st, east_asia=FONT_BODY, size=TABLE_SZ)
    _style_para(st, align="center", indent_chars=0, exact=False, size=TABLE_SZ)
    st = _paragraph_style(doc, "图片")
    _style_para(st, align="center", indent_chars=0, exact=False, keep_next=True)
    st = _paragraph_style(doc, "提示")
    _style_fonts(st, east_asia=FONT_H1, size=CAPTION_SZ, bold=True, color="C00000")
    _style_para(st, align="center", indent_chars=0, exact=False, after=120, size=CAPTION_SZ)
    st = _paragraph_style(doc, "附注")
    _style_fonts(st, east_asia=FONT_BODY, size=CAPTION_SZ)
    _style_para(st, align="both", exact=False, size=CAPTION_SZ)
    st = _paragraph_style(doc, "落款")
    _style_fonts(st, east_asia=FONT_BODY, size=BODY_SZ)
    _style_para(st, align="right", indent_chars=0)
    ind = st.element.get_or_add_pPr().find(qn("w:ind"))
    oxml.set_attrs(ind, rightChars=400, right=4 * BODY_SZ * 10)   # 右空四字
    _table_style(doc)
    _section(doc)
    # body: block markers in order (reorder them in Word to reorder the report)
    body = doc.element.body
    for p in list(body.iterchildren(qn("w:p"))):
        body.remove(p)
    doc.add_paragraph("{{标题}}", style="Title")
    for marker in BLOCKS[1:]:
        doc.add_paragraph(marker)
    doc.add_paragraph("")
    doc.add_paragraph("{{单位}}", style="落款")
    doc.add_paragraph("{{成文日期}}", style="落款")
    cp = doc.core_properties
    cp.title, cp.author, cp.subject = "科技局年度工作总结模板", "reportkit", "公文模板(GB/T 9704-2012)"
    cp.comments = "在 Word/WPS 中可调整样式、页面、固定文字和 {{…}} 块的顺序;不要删除 {{…}} 标记。"
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    doc.save(path)
    return path


def check_template(path: Path) -> list[str]:
    """Open a template and check its styles and markers; returns the markers it holds."""
    try:
        doc = Document(path)
    except Exception as exc:  # python-docx raises several kinds for a broken file
        raise TemplateError(f"无法打开模板({type(exc).__name__})", file=path,
                            hint="确认它是 .docx 文件,可用 make template 重新生成") from exc
    try:
        resolve_styles(doc)
    except TemplateError as exc:
        exc.file = str(path)
        raise
    texts = [p.text.strip() for p in doc.paragraphs]
    markers = [t for t in texts if t in BLOCKS]
    if "{{工作总结}}" not in markers:
        raise TemplateError("模板中没有“{{工作总结}}”标记,报告正文无处放置", file=path,
                            hint="在模板中单独一段写上 {{工作总结}}")
    return markers
