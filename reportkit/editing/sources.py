"""A published report as lines of simplified-Chinese text: .docx, .txt, .md or a saved web page.

The office sends a .docx; the web page gives an .html (or its text pasted into a .txt). Whatever
the form, the importer gets the same thing: the report's paragraphs in order, traditional
characters converted to simplified (OpenCC), pinyin readings after characters ("發(fā)布") removed,
and the web page's furniture (发布时间, 浏览次数, 索引号 …) dropped — with the dates that furniture
gave kept (成文日期 is the report's date; 发布时间 the day it was published).
"""
from __future__ import annotations

import html
import re
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

from ..dates import parse_date
from ..exceptions import ImportSourceError
from ..inputs.tables import decode_csv_bytes
from ..numbering import NUMBER_RE, heading_number

SUFFIXES = (".docx", ".txt", ".md", ".html", ".htm")
MAX_TEXT = 20 * 1024 * 1024          # a report's text is tens of KB; a 20 MB "report" is not one

#: A pinyin reading in parentheses after a character: 發(fā)布, 時(shí)間 (at least one tone mark).
PINYIN_RE = re.compile(r"[(（][a-zü]*[āáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜ][a-zü]*[)）]")
#: Lines of a government web page that are not the report.
FURNITURE_RE = re.compile(
    r"^\s*[|｜]?\s*(发布(时间|日期)|浏览次数|访问次数|点击(次数|数)|字号|信息来源|来源[:：]|索引号|文\s*号|主题分类|"
    r"公开方式|发布机构|成文日期|体裁分类|有效性|分享到|【?打印本页|【?关闭本页|【?关闭窗口|责任编辑|扫一扫|"
    r"[【\[]?\s*字体|相关链接|上一篇|下一篇)")
#: What is left of a web page's table lines and buttons: pipes, question marks, blanks.
JUNK_RE = re.compile(r"^[\s|｜?？•·]*$")
DATE_RE = re.compile(r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?")


@dataclass
class SourceText:
    """The report's paragraphs as read, and what the page furniture said."""
    path: Path
    lines: list[str]
    title: str = ""
    written: str = ""                 # 成文日期 (YYYY-MM-DD), the report's own date
    published: str = ""               # 发布时间/发布日期 (YYYY-MM-DD)
    dropped: list[str] = field(default_factory=list)      # furniture lines dropped, as read
    converted: bool = False           # traditional characters were converted


def _converter():
    try:
        from opencc import OpenCC
    except ImportError:                                   # pragma: no cover - a dependency
        raise ImportSourceError("缺少繁简转换组件 OpenCC", hint="运行 make setup 重新安装依赖") from None
    return OpenCC("t2s")


_CC = None


def to_simplified(text: str) -> str:
    """Traditional characters to simplified (OpenCC t2s); simplified text is left as it is."""
    global _CC
    if _CC is None:
        _CC = _converter()
    return _CC.convert(text)


_CJK = r"[\u3400-\u9fff\uff08\uff09\u201c\u201d\u3001\u3002\u300a\u300b]"
_FULL = {",": "\uff0c", ";": "\uff1b", ":": "\uff1a", "?": "\uff1f", "!": "\uff01", "(": "\uff08", ")": "\uff09"}


def full_width_punctuation(text: str) -> str:
    """ASCII , ; : ? ! ( ) next to Chinese text as a 公文 writes them (，；：？！（）); between digits or
    Latin letters (13:06, R&D(x)) they stay."""
    # a pair of parentheses with Chinese inside or beside it
    text = re.sub(r"\(([^()]*)\)", lambda m: (f"\uff08{m.group(1)}\uff09" if re.search(_CJK, m.group(0)) or
                  re.search(_CJK, text[max(0, m.start() - 1):m.start()] + text[m.end():m.end() + 1]) else m.group(0)), text)
    return re.sub(rf"(?<={_CJK})\s*([,;:?!])|([,;:?!])\s*(?={_CJK})", lambda m: _FULL[m.group(1) or m.group(2)], text)


def strip_readings(text: str) -> str:
    return PINYIN_RE.sub("", text)


def _iso(text: str) -> str:
    m = DATE_RE.search(text)
    if not m:
        return ""
    d = parse_date(f"{m.group(1)}-{int(m.group(2)):02d}-{int(m.group(3)):02d}")
    return d.isoformat() if d else ""


def read_source(path: Path) -> SourceText:
    """Read a published report. Refused (ImportSourceError, in Chinese) when the file is missing,
    of another kind, too large, or not text."""
    path = Path(path)
    if not path.exists():
        raise ImportSourceError("要导入的文件不存在", file=path, hint="检查 FILE= 后面的路径")
    suffix = path.suffix.lower()
    if suffix not in SUFFIXES:
        raise ImportSourceError(f"不能导入“{path.suffix or '无扩展名'}”文件", file=path,
                           hint="导入 .docx、.txt、.md,或另存为“网页,仅 HTML”的 .html;.doc/.wps 请先另存为 .docx,"
                                "PDF 请复制文字另存为 .txt")
    if path.stat().st_size > MAX_TEXT and suffix != ".docx":
        raise ImportSourceError("文件太大,不像是一份工作总结", file=path, hint="只保留报告正文后再导入")
    title = ""
    if suffix == ".docx":
        raw_lines, title = _docx_lines(path)
    else:
        text = _decode(path)
        if suffix in (".html", ".htm"):
            raw_lines, title = _html_lines(text)
        elif suffix == ".md":                    # Markdown marks are not the report's text
            raw_lines = [re.sub(r"^\s*(#{1,6}\s*|[-*+]\s+|>\s*)", "", ln).replace("**", "") for ln in text.split("\n")]
        else:
            raw_lines = text.split("\n")
    return clean_lines(path, raw_lines, title)


def clean_lines(path: Path, raw_lines: list[str], title: str = "") -> SourceText:
    out = SourceText(path=Path(path), lines=[], title="")
    for raw in raw_lines:
        line = strip_readings(raw.replace("\u3000", " ").replace("\xa0", " ")).strip()
        simple = to_simplified(line)
        out.converted = out.converted or simple != line
        line = full_width_punctuation(simple.strip())
        if not line or JUNK_RE.match(line):
            continue
        if FURNITURE_RE.match(line) or (line.startswith("|") and line.count("|") >= 2):
            out.dropped.append(line)
            if re.search(r"成文日期", line):
                out.written = _iso(line) or out.written
            elif re.search(r"发布(时间|日期)", line):
                out.published = _iso(line) or out.published
            continue
        out.lines.append(line)
    title = strip_readings(to_simplified(title or "")).strip()
    out.title = re.sub(r"\s*[-_|｜]\s*[^-_|｜]*(政府|门户|网站)[^-_|｜]*$", "", title).strip()
    return out


def _decode(path: Path) -> str:
    """The text by the tables' encoding rule (reportkit.inputs.tables.decode_csv_bytes), Big5 allowed:
    a published report may be in traditional characters (converted to simplified afterwards)."""
    text = decode_csv_bytes(path.read_bytes(), path, traditional=True,
                            hint="用记事本或 WPS 打开,另存为 UTF-8 编码的文本文件后再导入")
    if "\x00" in text:
        raise ImportSourceError("这不是文本文件", file=path, hint="导入 .docx、.txt、.md 或 .html")
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _docx_lines(path: Path) -> tuple[list[str], str]:
    from ..document.reader import read_docx
    content = read_docx(path)                    # bounded, entity-free reading of an untrusted file
    lines, title = [], ""
    for it in content.items:
        if it.kind == "p":
            if it.style == "title" and not title:
                title = it.text.strip()
                continue
            lines.append(_numbered(it.style, it.text))
        else:                                    # a table: one line per row, cells joined
            lines += [" | ".join(c for c in row if c) for row in it.cells] if it.cells and \
                isinstance(it.cells[0], list) else [" | ".join(it.cells)]
    return lines, title or content.title


#: a heading numbered by Word's list numbering has no number in its text: give it one of its level
_LEVELS = {"heading1": "h1", "heading2": "h2", "heading3": "h3"}


def _numbered(style: str, text: str) -> str:
    level = _LEVELS.get(style)
    if level and text.strip() and not NUMBER_RE[level].match(text.strip()):
        return heading_number(level, 1) + text.strip()
    return text


class _Text(HTMLParser):
    """Text of a web page, one line per block element; scripts, styles and navigation left out."""
    BLOCKS = {"p", "div", "br", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6", "section", "article",
              "table", "ul", "ol", "header", "footer", "hr"}
    SKIP = {"script", "style", "noscript", "nav", "head", "select", "button", "iframe"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skip = 0
        self.title: list[str] = []
        self.h1: list[str] = []
        self._in = None

    def handle_starttag(self, tag, attrs):
        if tag in self.SKIP and tag != "head":
            self.skip += 1
        if tag in ("title", "h1"):
            self._in = tag
        if tag in self.BLOCKS:
            self.parts.append("\n")
        if tag in ("td", "th"):
            self.parts.append(" | ")

    def handle_endtag(self, tag):
        if tag in self.SKIP and tag != "head" and self.skip:
            self.skip -= 1
        if tag == self._in:
            self._in = None
        if tag in self.BLOCKS:
            self.parts.append("\n")

    def handle_data(self, data):
        if self._in == "title":
            self.title.append(data)
            return
        if self.skip:
            return
        if self._in == "h1":
            self.h1.append(data)
        self.parts.append(data.replace("\n", " "))


def _html_lines(text: str) -> tuple[list[str], str]:
    p = _Text()
    p.feed(text)
    p.close()
    body = html.unescape("".join(p.parts))
    lines = [re.sub(r"[ \t]+", " ", ln).strip(" |") for ln in body.split("\n")]
    h1 = "".join(p.h1).strip()
    lines = [ln for ln in lines if ln]
    if h1 and lines and lines[0].strip() == h1:
        lines = lines[1:]
    return lines, h1 or "".join(p.title).strip()
