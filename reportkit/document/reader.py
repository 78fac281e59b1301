"""Read a .docx that comes back from an editor: bounded, safe, and as Word shows it.

The file is untrusted (mailed back, re-saved by WPS or LibreOffice, maybe not a .docx at all):
zip members are size- and ratio-checked before they are inflated, XML is parsed without
entities or network, and every refusal is a Chinese DocumentError that says what to do.

Text is read with tracked changes accepted (inserted text kept, deleted text dropped, a deleted
paragraph mark joins two paragraphs); the revisions and comments are listed. Content-control
tags are kept whether the control is a block (Word) or inline (LibreOffice) one.
"""
from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from lxml import etree

from ..exceptions import DocumentError
from .revisions import WJ

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
WP = "{http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing}"
DC = "{http://purl.org/dc/elements/1.1/}"

MAX_FILE = 100 * 1024 * 1024           # a report with pictures is a few MB
MAX_PART = 64 * 1024 * 1024            # inflated size of one XML part read
MAX_RATIO = 200                        # inflated / compressed, for parts over 1 MB
MAX_MEMBERS = 20000
FIX_HINT = "在 Word 或 WPS 中打开它,另存为“Word 文档(*.docx)”后再试"

_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False,
                          remove_comments=True, remove_pis=True)


@dataclass
class Revision:
    kind: str        # "ins" | "del"
    author: str
    date: str
    text: str


@dataclass
class Item:
    """A body paragraph or table, in document order."""
    kind: str                                   # "p" | "table"
    style: str = ""                             # logical style: title, heading1 … normal, caption …
    style_name: str = ""
    text: str = ""                              # tracked changes accepted
    runs: list[tuple[str, bool, bool]] = field(default_factory=list)   # (text, bold, italic)
    tags: list[str] = field(default_factory=list)                      # content-control tags, outer first
    pictures: list[str] = field(default_factory=list)                  # alt text of pictures
    cells: list[list[str]] = field(default_factory=list)               # table cell texts
    revisions: list[Revision] = field(default_factory=list)
    comments: list[str] = field(default_factory=list)                  # comment ids anchored here
    index: int = 0

    @property
    def tag(self) -> str:
        """The innermost tag (the one reportkit wrote), or ''."""
        return self.tags[-1] if self.tags else ""


@dataclass
class DocxContent:
    """A .docx as reportkit reads it back: its body in order, its identity and its comments."""
    path: Path
    items: list[Item]
    identifier: str = ""
    title: str = ""
    comments: dict[str, tuple[str, str]] = field(default_factory=dict)   # id -> (author, text)
    properties: dict[str, str] = field(default_factory=dict)   # core properties: subject, creator, keywords …

    @property
    def revisions(self) -> list[Revision]:
        return [r for it in self.items for r in it.revisions]


# ------------------------------------------------------------------ the package

def _refuse(path, message: str, hint: str = FIX_HINT) -> DocumentError:
    return DocumentError(message, file=path, hint=hint)


def open_package(path: Path) -> zipfile.ZipFile:
    path = Path(path)
    if not path.exists():
        raise _refuse(path, "文件不存在", "检查路径和文件名")
    size = path.stat().st_size
    if size > MAX_FILE:
        raise _refuse(path, f"文件太大({size // (1024 * 1024)} MB,上限 {MAX_FILE // (1024 * 1024)} MB)",
                      "压缩其中的图片或删去附件后再试")
    with open(path, "rb") as fh:
        head = fh.read(8)
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        raise _refuse(path, "这是旧版 Word(.doc)、WPS(.wps)文件或加了密码的文档,不是 .docx",
                      "在 Word 或 WPS 中打开它,去掉密码后另存为“Word 文档(*.docx)”再试")
    if head.startswith(b"{\\rtf"):
        raise _refuse(path, "这是 RTF 文件,不是 .docx")
    if not head.startswith(b"PK"):
        raise _refuse(path, "不是 Word 文档(.docx)")
    try:
        zf = zipfile.ZipFile(path)
        infos = zf.infolist()
    except (zipfile.BadZipFile, OSError, ValueError):
        raise _refuse(path, "文件已损坏或不完整(可能没有下载或复制完)",
                      "重新下载或复制一份;仍不行时在 Word/WPS 中打开并另存为 .docx") from None
    if len(infos) > MAX_MEMBERS:
        zf.close()
        raise _refuse(path, f"文件中的部件太多({len(infos)} 个),不像正常的 Word 文档")
    if "word/document.xml" not in zf.namelist():
        zf.close()
        raise _refuse(path, "不是 Word 文档(.docx):其中没有正文部分 word/document.xml",
                      "确认选的是 Word 文档,而不是 Excel/PowerPoint 文件")
    return zf


def check_members(path: Path) -> None:
    """Every member within the limits: before a library that inflates the whole package
    (python-docx) is allowed to open an untrusted file."""
    with open_package(path) as zf:
        total = 0
        for info in zf.infolist():
            total += info.file_size
            if info.file_size > MAX_PART or (info.file_size > 1 << 20 and
                                             info.file_size > MAX_RATIO * max(info.compress_size, 1)):
                raise _refuse(path, f"部件 {info.filename} 解压后过大({info.file_size // (1024 * 1024)} MB),不像正常的 Word 文档")
        if total > 4 * MAX_PART:
            raise _refuse(path, f"文件解压后共 {total // (1024 * 1024)} MB,不像正常的 Word 文档")


def read_part(zf: zipfile.ZipFile, name: str, path=None, *, required: bool = True) -> bytes | None:
    """One member, inflated only within limits (a small file cannot expand to gigabytes)."""
    try:
        info = zf.getinfo(name)
    except KeyError:
        if required:
            raise _refuse(path, f"文件缺少部件 {name}") from None
        return None
    if info.file_size > MAX_PART or (info.file_size > 1 << 20 and
                                     info.file_size > MAX_RATIO * max(info.compress_size, 1)):
        raise _refuse(path, f"部件 {name} 解压后过大({info.file_size // (1024 * 1024)} MB),不像正常的 Word 文档")
    try:
        with zf.open(info) as fh:
            data = fh.read(MAX_PART + 1)
    except (zipfile.BadZipFile, OSError, EOFError, ValueError, NotImplementedError):
        raise _refuse(path, f"部件 {name} 已损坏") from None
    if len(data) > MAX_PART:
        raise _refuse(path, f"部件 {name} 解压后过大,不像正常的 Word 文档")
    return data


def parse_xml(data: bytes, name: str, path=None):
    try:
        return etree.fromstring(data, _PARSER)
    except etree.XMLSyntaxError as exc:
        raise _refuse(path, f"部件 {name} 不是有效的 XML(第 {exc.lineno} 行)") from None


# ------------------------------------------------------------------ the body

def _on(el) -> bool:
    """A w:b / w:i toggle: present and not switched off."""
    return el is not None and el.get(W + "val", "true").lower() not in ("0", "false", "off")


class _Para:
    """Collects one paragraph's accepted text, runs, tags, pictures, revisions, comments."""

    def __init__(self):
        self.runs: list[tuple[str, bool, bool]] = []
        self.tags: list[str] = []
        self.pictures: list[str] = []
        self.revisions: list[Revision] = []
        self.comments: list[str] = []
        self.field_depth = 0          # inside a complex field's instruction part
        self.field_stack: list[str] = []

    def add(self, text: str, bold: bool, italic: bool):
        if not text:
            return
        if self.runs and self.runs[-1][1:] == (bold, italic):
            self.runs[-1] = (self.runs[-1][0] + text, bold, italic)
        else:
            self.runs.append((text, bold, italic))

    @property
    def text(self) -> str:
        return "".join(t for t, _, _ in self.runs)


def _run(r, acc: _Para, deleted: bool) -> str:
    """One w:r: returns its text (also adds it to ``acc`` unless deleted)."""
    rpr = r.find(W + "rPr")
    bold = _on(rpr.find(W + "b")) if rpr is not None else False
    italic = _on(rpr.find(W + "i")) if rpr is not None else False
    out = []
    for child in r:
        tag = child.tag
        if tag == W + "fldChar":
            kind = child.get(W + "fldCharType")
            if kind == "begin":
                acc.field_stack.append("instr")
            elif kind == "separate" and acc.field_stack:
                acc.field_stack[-1] = "result"
            elif kind == "end" and acc.field_stack:
                acc.field_stack.pop()
        elif acc.field_stack and acc.field_stack[-1] == "instr":
            continue
        elif tag in (W + "t", W + "delText"):
            out.append((child.text or "").replace(WJ, ""))    # glue reportkit puts inside periods (1-10月): not text
        elif tag in (W + "tab", W + "ptab"):
            out.append("\t")
        elif tag == W + "noBreakHyphen":
            out.append("-")
        elif tag == W + "sym":
            try:
                out.append(chr(int(child.get(W + "char", "0"), 16)))
            except ValueError:
                pass
        elif tag == W + "drawing" or tag == W + "pict":
            for dp in child.iter(WP + "docPr"):
                acc.pictures.append("\n".join(x for x in (dp.get("title"), dp.get("descr")) if x))
            if tag == W + "pict" and not any(True for _ in child.iter(WP + "docPr")):
                acc.pictures.append("")
    text = "".join(out)
    if not deleted:
        acc.add(text, bold, italic)
    return text


def _inline(el, acc: _Para, deleted: bool = False) -> None:
    """Paragraph content: runs and the wrappers they sit in."""
    for child in el:
        tag = child.tag
        if tag == W + "r":
            _run(child, acc, deleted)
        elif tag in (W + "ins", W + "moveTo"):
            before = len(acc.text)
            _inline(child, acc, deleted)
            acc.revisions.append(Revision("ins", child.get(W + "author", ""), child.get(W + "date", ""),
                                          acc.text[before:]))
        elif tag in (W + "del", W + "moveFrom"):
            gone = _Para()
            gone.field_stack = acc.field_stack
            _inline(child, gone, False)
            acc.revisions.append(Revision("del", child.get(W + "author", ""), child.get(W + "date", ""),
                                          gone.text))
        elif tag == W + "sdt":
            t = child.find(f"{W}sdtPr/{W}tag")
            if t is not None and t.get(W + "val"):
                acc.tags.append(t.get(W + "val"))
            content = child.find(W + "sdtContent")
            if content is not None:
                _inline(content, acc, deleted)
        elif tag in (W + "hyperlink", W + "smartTag", W + "customXml", W + "fldSimple", W + "dir", W + "bdo"):
            _inline(child, acc, deleted)
        elif tag == W + "commentRangeStart":
            acc.comments.append(child.get(W + "id", ""))


def paragraph_item(p, tags: list[str], styles: dict[str, tuple[str, str]]) -> tuple[Item, bool]:
    """(item, paragraph mark deleted: joins the next paragraph)."""
    acc = _Para()
    acc.tags = list(tags)
    _inline(p, acc)
    ppr = p.find(W + "pPr")
    style_id = ""
    mark_deleted = False
    if ppr is not None:
        ps = ppr.find(W + "pStyle")
        style_id = ps.get(W + "val", "") if ps is not None else ""
        rpr = ppr.find(W + "rPr")
        mark_deleted = rpr is not None and rpr.find(W + "del") is not None
    key, name = styles.get(style_id, ("normal" if not style_id else "", style_id))
    return Item("p", key, name, acc.text, acc.runs, acc.tags, acc.pictures, revisions=acc.revisions,
                comments=acc.comments), mark_deleted


def _cell_text(tc) -> str:
    acc = _Para()
    for p in tc.iter(W + "p"):
        _inline(p, acc)
    return acc.text


def _table(tbl, tags, styles) -> Item:
    rows = []
    revisions = []
    for tr in tbl.iter(W + "tr"):
        if any(a.tag == W + "tbl" for a in tr.iterancestors() if a is not tbl):
            continue   # rows of a nested table are read with their cell
        cells = []
        for tc in tr.findall(W + "tc") + [tc for s in tr.findall(W + "sdt") for tc in s.iter(W + "tc")]:
            acc = _Para()
            for p in tc.iter(W + "p"):
                _inline(p, acc)
            cells.append(acc.text)
            revisions += acc.revisions
        rows.append(cells)
    return Item("table", text="", cells=rows, tags=list(tags), revisions=revisions)


def _walk(container, tags: list[str], styles, out: list[Item]) -> None:
    pending: Item | None = None   # a paragraph whose mark was deleted: joined with the next
    for child in container:
        tag = child.tag
        if tag == W + "p":
            item, joined = paragraph_item(child, tags, styles)
            if pending is not None:
                pending.text += item.text
                pending.runs += item.runs
                pending.tags += [t for t in item.tags if t not in pending.tags]
                pending.pictures += item.pictures
                pending.revisions += item.revisions
                pending.comments += item.comments
                item = pending
                pending = None
            if joined:
                pending = item
            else:
                out.append(item)
        elif tag == W + "tbl":
            out.append(_table(child, tags, styles))
        elif tag == W + "sdt":
            t = child.find(f"{W}sdtPr/{W}tag")
            inner = tags + ([t.get(W + "val")] if t is not None and t.get(W + "val") else [])
            content = child.find(W + "sdtContent")
            if content is not None:
                _walk(content, inner, styles, out)
        elif tag in (W + "customXml", W + "ins", W + "moveTo"):
            _walk(child, tags, styles, out)
    if pending is not None:
        out.append(pending)


def _style_keys(styles_xml) -> dict[str, tuple[str, str]]:
    """style id -> (logical key, name), by the names the template's styles may carry."""
    from .template import STYLE_NAMES, norm_style_name
    by_name = {norm_style_name(n): key for key, (names, _ids) in STYLE_NAMES.items() for n in names}
    by_id = {i: key for key, (_names, ids) in STYLE_NAMES.items() for i in ids}
    out = {}
    if styles_xml is None:
        return out
    for st in styles_xml.iter(W + "style"):
        sid = st.get(W + "styleId", "")
        name_el = st.find(W + "name")
        name = name_el.get(W + "val", "") if name_el is not None else ""
        out[sid] = (by_name.get(norm_style_name(name)) or by_id.get(sid, ""), name)
    return out


def _body_children(data: bytes, path):
    """The children of w:body one by one, each as soon as it is parsed, and freed once read: the
    memory a document takes is its items, not its whole XML tree (a long document's tree is
    several times the size of its XML)."""
    events = etree.iterparse(io.BytesIO(data), events=("start", "end"), resolve_entities=False, no_network=True,
                             load_dtd=False, huge_tree=False, remove_comments=True, remove_pis=True)
    depth, body = 0, None
    try:
        for event, el in events:
            if event == "start":
                depth += 1
                if depth == 2 and el.tag == W + "body":
                    body = el
                continue
            depth -= 1
            if depth == 2 and body is not None and el.getparent() is body:
                yield el
                el.clear()
                while body[0] is not el:       # what came before is read: let it go
                    del body[0]
    except etree.XMLSyntaxError as exc:
        raise _refuse(path, f"部件 word/document.xml 不是有效的 XML(第 {exc.lineno} 行)") from None
    if body is None:
        raise _refuse(path, "文档没有正文")


def read_docx(path: Path) -> DocxContent:
    """The body of a .docx as items, with its identifier (reportkit's run id) and comments."""
    path = Path(path)
    with open_package(path) as zf:
        doc_data = read_part(zf, "word/document.xml", path)
        styles_data = read_part(zf, "word/styles.xml", path, required=False)
        core_data = read_part(zf, "docProps/core.xml", path, required=False)
        comments_data = read_part(zf, "word/comments.xml", path, required=False)
    styles = _style_keys(parse_xml(styles_data, "word/styles.xml", path) if styles_data else None)
    items: list[Item] = []
    _walk(_body_children(doc_data, path), [], styles, items)
    del doc_data
    for i, it in enumerate(items):
        it.index = i
    content = DocxContent(path, items)
    if core_data:
        core = parse_xml(core_data, "docProps/core.xml", path)
        ident, title = core.find(DC + "identifier"), core.find(DC + "title")
        content.identifier = (ident.text or "").strip() if ident is not None else ""
        content.title = (title.text or "").strip() if title is not None else ""
        for el in core:
            name = etree.QName(el).localname if isinstance(el.tag, str) else ""
            if name and (el.text or "").strip():
                content.properties[name] = el.text.strip()
    if comments_data:
        root = parse_xml(comments_data, "word/comments.xml", path)
        for c in root.iter(W + "comment"):
            text = "".join(t.text or "" for t in c.iter(W + "t"))
            content.comments[c.get(W + "id", "")] = (c.get(W + "author", ""), text)
    return content


def slot_texts(content: DocxContent) -> dict[str, list[str]]:
    """{tag: [paragraph text, …]} in document order (what each content control holds)."""
    out: dict[str, list[str]] = {}
    for it in content.items:
        if it.kind == "p" and it.tag:
            out.setdefault(it.tag, []).append(it.text)
    return out
