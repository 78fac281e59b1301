"""The 公文 Word template: find its styles robustly, and check it against GB/T 9704-2012.

``templates/gongwen.docx`` is the design: fonts, sizes, spacing, page setup and the order of the
report's blocks are set there, in Word or WPS, and nowhere else. The code reads what it needs from
it (the text width, the table text size) and checks it (``make template``, and a test) so that a
template and the code never drift apart silently.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from docx import Document
from docx.enum.style import WD_STYLE_TYPE
from docx.oxml.ns import qn

from ..exceptions import TemplateError

# ---- GB/T 9704-2012, as the checks expect it (in Word units) ---------------------------
PAGE_W, PAGE_H = 11906, 16838              # A4 in twips
MARGIN_TOP, MARGIN_BOTTOM = 2098, 1984     # 37 mm, 35 mm
MARGIN_LEFT, MARGIN_RIGHT = 1588, 1474     # 28 mm, 26 mm -> text block 156 x 225 mm
MM = 56.7                                  # twips per millimetre: the standard allows ±1 mm
#: logical style -> (East Asian font family it must name, size in points)
FONTS = {"normal": ("仿宋", 16), "title": ("小标宋", 22), "heading1": ("黑体", 16), "heading2": ("楷体", 16),
         "heading3": ("仿宋", 16)}
FONT_BODY = "仿宋_GB2312"
FONT_TITLE = "方正小标宋简体"
FONT_H1 = "黑体"
FONT_H2 = "楷体_GB2312"

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


def norm_style_name(name: str) -> str:
    """A style name as Word and LibreOffice match it: without spaces, in lower case."""
    return name.replace(" ", "").lower()


def find_style(doc, key: str, kind=WD_STYLE_TYPE.PARAGRAPH):
    """Find a style by its English or Chinese name or its id; TemplateError if absent."""
    names, ids = TABLE_STYLE if key == "table" else STYLE_NAMES[key]
    wanted = {norm_style_name(n) for n in names}
    for style in doc.styles:
        if style.type != kind:
            continue
        if norm_style_name(style.name or "") in wanted:
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


def text_width(doc) -> int:
    """The width of the text block (twips), from the template's own page setup."""
    sec = doc.sections[0]
    return sec.page_width.twips - sec.left_margin.twips - sec.right_margin.twips


def style_size(style) -> float | None:
    """A style's font size in pt, following its base styles (None when no style in the chain sets one)."""
    return _east_asia(style)[1]


def _east_asia(style) -> tuple[str, float | None]:
    """(East Asian font, size in pt) of a style, following its base styles."""
    font, size = "", None
    st = style
    while st is not None and (not font or size is None):
        rpr = st.element.rPr
        if rpr is not None:
            rf = rpr.find(qn("w:rFonts"))
            if not font and rf is not None:
                font = rf.get(qn("w:eastAsia")) or ""
            if size is None and st.font.size is not None:
                size = st.font.size.pt
        st = st.base_style
    return font, size


def template_problems(doc) -> list[str]:
    """Where a template departs from GB/T 9704-2012 (Chinese, for `make template`)."""
    out = []
    sec = doc.sections[0]
    if abs(sec.page_width.twips - PAGE_W) > MM or abs(sec.page_height.twips - PAGE_H) > MM:
        out.append("纸张不是 A4(210×297 毫米)")
    for name, got, want in (("上", sec.top_margin, MARGIN_TOP), ("下", sec.bottom_margin, MARGIN_BOTTOM),
                            ("左", sec.left_margin, MARGIN_LEFT), ("右", sec.right_margin, MARGIN_RIGHT)):
        if abs(got.twips - want) > MM:
            out.append(f"{name}边距 {got.mm:.1f} 毫米,应为 {want / MM:.0f}±1 毫米")
    styles = resolve_styles(doc)
    table = _font_table(doc)
    for key, (family, size) in FONTS.items():
        font, pt = _east_asia(getattr(styles, key))
        if font and font not in table:
            out.append(f"字体表(fontTable)中没有“{font}”:没装这种字体的电脑会随意替换")
        elif font and not table[font]:
            out.append(f"字体表中“{font}”没有替代字体(altName),没装这种字体的电脑会随意替换")
        if family not in font:
            out.append(f"样式“{getattr(styles, key).name}”的中文字体是“{font or '未设置'}”,应为{family}类字体")
        if pt is not None and abs(pt - size) > 0.1:
            out.append(f"样式“{getattr(styles, key).name}”的字号是 {pt:g} 磅,应为 {size} 磅")
    return out


def _font_table(doc) -> dict[str, str]:
    """{font name: its altName} from the template's word/fontTable.xml."""
    from lxml import etree
    part = next((p for p in doc.part.package.iter_parts() if str(p.partname) == "/word/fontTable.xml"), None)
    if part is None:
        return {}
    root = etree.fromstring(part.blob)
    out = {}
    for f in root.iter(qn("w:font")):
        alt = f.find(qn("w:altName"))
        out[f.get(qn("w:name"))] = alt.get(qn("w:val")) if alt is not None else ""
    return out


def check_template(path: Path) -> list[str]:
    """Open a template and check its styles and markers; returns the markers it holds.

    Raises TemplateError when the report cannot be built from it (unreadable, a style or the
    {{工作总结}} marker missing); GB/T 9704 departures are listed by ``template_problems``."""
    try:
        doc = Document(path)
    except Exception as exc:  # python-docx raises several kinds for a broken file
        raise TemplateError(f"无法打开模板({type(exc).__name__})", file=path,
                            hint="确认它是 .docx 文件(可从 git 取回 templates/gongwen.docx)") from exc
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
