"""Read staff tables (.csv or .xlsx) as the user sees them in Excel or WPS, keeping row numbers.

Every cell becomes the text a person sees: a percent-formatted cell holding 0.0345 reads
"3.45%", a vertically merged county cell reads on every row it spans, invisible characters
(zero-width spaces, BOMs) are dropped, a formula Excel never calculated is a problem of its cell,
not an empty cell. Every sheet with content is read (or refused by name); old formats are refused
with the way out. A CSV's encoding is UTF-8, or GBK/GB18030 when that is certain — never a guess.

A workbook is read once, streamed: each sheet's XML part is parsed row by row (lxml iterparse;
openpyxl supplies the shared strings, styles and date formats) with the cached value of every
formula, so a stale or missing <dimension> record cannot cut or slow it; merged ranges come from
the sheet's <mergeCells> list, scanned from the same part in bounded chunks. Records are built as
rows arrive (only the first rows are held, to find the header), so a table of 200,000 rows is not
held twice. A sheet whose header names no known column keeps its grid for the statistics-table
layouts (reportkit.inputs.layouts).

Only the standard library, openpyxl (with lxml) and charset-normalizer are used, so this is
cheap to call before any kernel starts.
"""
from __future__ import annotations

import csv
import datetime as dt
import io
import itertools
import os
import re
import unicodedata
import zipfile
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from .. import config
from ..exceptions import EncodingError, FileReadError, MissingColumnError

#: Keys every record carries besides its columns: the row number a person sees in Excel/WPS,
#: the file, the sheet ('' for .csv), and problems found in single cells {column: message}.
ROW, FILE, SHEET, PROBLEMS = "_row", "_file", "_sheet", "_problems"

TABLE_SUFFIXES = (".csv", ".xlsx", ".xlsm")
#: Spreadsheet formats that look like tables but cannot be read: refused with the way out.
OLD_FORMATS = {".xls": "Excel 97-2003 工作簿(.xls)", ".et": "WPS 表格(.et)", ".ods": "OpenDocument 表格(.ods)",
               ".numbers": "Numbers 表格", ".xlsb": "Excel 二进制工作簿(.xlsb)"}
SAVE_AS = "在 Excel 或 WPS 中打开,“另存为”Excel 工作簿(.xlsx)或 CSV UTF-8(逗号分隔)"
HEADER_SEARCH_ROWS = 10          # a title line or two may stand above the header
_INVISIBLE = {"\u200b", "\u200c", "\u200d", "\u2060", "\ufeff", "\u00ad", "\u200e", "\u200f"}
_SPACES = {"\u00a0": " ", "\u3000": " ", "\u2002": " ", "\u2003": " ", "\u2009": " "}


def visible(text: str) -> str:
    """Text as a message shows it: invisible and control characters spelled out (‹U+200B›)."""
    out = []
    for ch in str(text):
        cat = unicodedata.category(ch)
        if ch in _INVISIBLE or cat in ("Cf", "Cc", "Co", "Cs") and ch not in "\t":
            out.append(f"‹U+{ord(ch):04X}›")
        else:
            out.append(ch)
    return "".join(out)


_CLEAN = str.maketrans({**dict.fromkeys(_INVISIBLE), **_SPACES})


def clean_cell(text: str) -> str:
    """What a person sees in the cell: invisible characters dropped, odd spaces made spaces, trimmed."""
    if text.__class__ is str and text.isascii():
        return text.strip()
    return str(text).translate(_CLEAN).strip()


def control_chars(text: str) -> list[str]:
    """Control characters left in a cell (never typed on purpose; they break the document)."""
    return [f"U+{ord(c):04X}" for c in text if unicodedata.category(c) == "Cc" and c not in "\t\n\r"]


# ------------------------------------------------------------------ encodings

def _common_hanzi_share(text: str) -> float:
    """Share of Chinese characters that are among the 3755 most common (GB2312 level 1)."""
    hanzi = [c for c in text if "\u4e00" <= c <= "\u9fff"]
    if not hanzi:
        return 1.0
    common = 0
    for c in hanzi:
        try:
            b = c.encode("gb2312")
        except UnicodeEncodeError:
            continue
        if 0xB0 <= b[0] <= 0xD7:
            common += 1
    return common / len(hanzi)


def decode_csv_bytes(raw: bytes, path: Path, *, traditional: bool = False, hint: str = "") -> str:
    """UTF-8 (with or without BOM) or UTF-16 with BOM; GBK/GB18030 only when that is certain.

    Big5 (traditional Chinese) bytes are valid GB18030 too and would decode to garbage, so a file
    that is not UTF-8 is decoded as GB18030 only when charset-normalizer finds it plausible and
    its Chinese characters are ordinary simplified ones; otherwise it is refused. With
    ``traditional`` (a published report to import, converted to simplified afterwards), Big5 is
    read when charset-normalizer names it and the bytes decode whole. ``hint``: the fix a refusal
    gives (default: save the table again as .xlsx or CSV UTF-8)."""
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        return raw.decode("utf-16")
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    from charset_normalizer import from_bytes
    candidates = [m.encoding for m in from_bytes(raw)]
    gb = next((e for e in candidates if e in ("gb18030", "gbk", "gb2312", "hz")), None)
    if gb is not None:
        try:
            text = raw.decode("gb18030")
        except UnicodeDecodeError:
            text = None
        if text is not None and _common_hanzi_share(text) >= 0.9:
            return text
    big5 = next((e for e in candidates if e in ("big5", "big5hkscs", "cp950")), None)
    if traditional and big5 is not None:
        try:
            return raw.decode(big5)
        except UnicodeDecodeError:
            pass
    named = {"big5": "繁体中文 Big5", "big5hkscs": "繁体中文 Big5", "cp950": "繁体中文 Big5",
             "utf_16": "UTF-16", "shift_jis": "日文 Shift-JIS", "cp932": "日文 Shift-JIS"}
    guess = next((named[e] for e in candidates if e in named), None)
    raise EncodingError(
        f"无法确定文件编码({'看起来是' + guess + ',' if guess else ''}不是 UTF-8,也不能确定是 GBK/GB18030"
        f"{'或 Big5' if traditional else ''})", file=path, hint=hint or SAVE_AS + ";繁体字请先转为简体")


# ------------------------------------------------------------------ tables

@dataclass
class Table:
    """One table read from a file: a .csv, or one sheet of an .xlsx."""
    path: Path
    sheet: str
    header: list[str]                    # column ids (aliases mapped), '' for unnamed columns
    raw_header: list[str]                # as written
    header_row: int
    records: list[dict] = field(default_factory=list)
    index: int = 1                       # the sheet's position in the workbook (1 for a .csv)
    #: a table whose header names no known column keeps every non-empty row as
    #: (row number, cells, {column index: problem}) and its merged ranges
    #: (min_row, min_col, max_row, max_col), for the statistics-table layouts
    grid: list | None = None
    merges: list = field(default_factory=list)

    @property
    def file_text(self) -> str:
        return str(self.path)

    @property
    def where(self) -> str:
        return f"{self.path.name}" + (f" 工作表“{self.sheet}”" if self.sheet else "")

    def require(self, columns, hint_of=None) -> None:
        """Refuse a table without these columns, naming what its header does say."""
        for col in columns:
            if col not in self.header:
                shown = "、".join(visible(h) for h in self.raw_header if h) or "(空)"
                raise MissingColumnError(f"缺少必需的列“{col}”(第 {self.header_row} 行的表头是:{shown})",
                                         file=self.path, sheet=self.sheet or None, row=self.header_row, column=col,
                                         hint=(hint_of(col) if hint_of else None) or
                                         f"在表头加上“{col}”列(可用中文列名),格式见 data/README.md")


def normalize_header(name: str, aliases: dict[str, str]) -> str:
    """'County', ' 县区 ', 'ｃｏｕｎｔｙ' -> 'county'."""
    h = unicodedata.normalize("NFKC", clean_cell(name)).strip()
    h = aliases.get(h, h)
    low = h.lower().replace(" ", "_")
    return aliases.get(low, low) if re.fullmatch(r"[a-z0-9_]+", low) else h


def _header_index(rows: list[list[str]], aliases: dict[str, str], known: set[str]) -> tuple[int, bool]:
    """The header row: the first of the first rows that names two known columns (a title line may
    stand above it), and True; the first non-empty row and False when none does."""
    first = next((i for i, r in enumerate(rows) if any(c.strip() for c in r)), 0)
    for i, r in enumerate(rows[:HEADER_SEARCH_ROWS]):
        names = {normalize_header(c, aliases) for c in r}
        if len(names & known) >= 2:
            return i, True
    return first, False


def _records(path: Path, sheet: str, rows, aliases: dict[str, str], known: set[str],
             index: int = 1, merges: list | None = None, grid_unless: frozenset = frozenset()) -> Table | None:
    """A table from ``rows``, an iterable of (row number, cells, {column index: problem}) read
    once, in order (streamed: only the first rows are held to find the header).

    A table whose header names no known columns, or lacks one of ``grid_unless`` (a statistics
    table printed as it came, see ``reportkit.inputs.layouts``) also keeps its grid of cells and
    its merged ranges."""
    rows = iter(rows)
    head: list[tuple[int, list[str], dict]] = []
    for item in rows:
        head.append(item)
        if item[0] >= HEADER_SEARCH_ROWS:
            break
    if not any(any(c.strip() for c in r) for _, r, _ in head):
        nxt = next((item for item in rows if any(c.strip() for c in item[1])), None)
        if nxt is None:
            return None
        head.append(nxt)
    h, recognized = _header_index([r for _, r, _ in head], aliases, known)
    raw = [clean_cell(c) for c in head[h][1]]
    while raw and raw[-1] == "":
        raw.pop()
    header = [normalize_header(c, aliases) for c in raw]
    table = Table(path, sheet, header, raw, head[h][0], index=index)
    named = [(i, col) for i, col in enumerate(header) if col]
    width = len(header)
    strict_width = recognized     # a header found by its column names: a cell beyond it is refused
    if recognized and grid_unless and not grid_unless <= set(header):
        recognized = False      # 指标名称/单位/目标 name known columns, but this is no long table
    grid = None if recognized else [(n, [clean_cell(c) for c in r], p) for n, r, p in head]
    if grid is not None:
        table.grid, table.merges = grid, list(merges or [])
    append = table.records.append
    file_text = str(path)
    # one string object per repeated cell text (county, year, indicator, source): a table of
    # 200,000 rows holds a few thousand distinct texts, not millions of copies
    intern = {}.setdefault
    for number, cells, problems in itertools.chain(head[h + 1:], rows):
        cells = [c.strip() if c.isascii() else clean_cell(c) for c in cells] if cells else cells
        if not any(cells):
            continue
        if grid is not None and number > head[-1][0]:
            grid.append((number, cells, problems))
        if len(cells) > width:
            extra = [c for c in cells[width:] if c]
            if extra:
                if not strict_width:
                    continue        # under a title line: a statistics table's reader sees every column
                raise FileReadError(f"第 {number} 行有 {len(cells)} 个格,而表头只有 {width} 列"
                                    f"(多出的是“{visible(extra[0])}”)",
                                    file=path, sheet=sheet or None, row=number,
                                    hint="去掉多余的逗号(文字中的逗号请用中文逗号“\uff0c”,或给整格加英文双引号)")
        n = len(cells)
        rec = {col: (intern(cells[i], cells[i]) if i < n else "") for i, col in named}
        rec[ROW], rec[FILE], rec[SHEET] = number, file_text, sheet
        rec[PROBLEMS] = {header[i]: msg for i, msg in problems.items() if i < width and header[i]} if problems else {}
        append(rec)
    return table


def _sniff_delimiter(text: str) -> str:
    line = next((ln for ln in text.splitlines() if ln.strip()), "")
    counts = {d: len(next(csv.reader([line], delimiter=d), [])) for d in (",", "\t", ";")}
    return max(counts, key=lambda d: (counts[d], d == ","))


def _csv(path: Path, aliases, known, grid_unless=frozenset()) -> list[Table]:
    raw = path.read_bytes()
    if not raw.strip():
        raise FileReadError("文件是空的", file=path, hint="写上表头和数据,或删除这个文件")
    text = decode_csv_bytes(raw, path)
    del raw
    reader = csv.reader(io.StringIO(text, newline=None), delimiter=_sniff_delimiter(text))
    no_problems: dict = {}

    def rows():
        try:
            for number, cells in enumerate(reader, 1):
                yield number, cells, no_problems
        except csv.Error as exc:
            raise FileReadError(f"CSV 格式错误({exc})", file=path, hint="检查是否有未闭合的英文双引号") from exc
    table = _records(path, "", rows(), aliases, known, grid_unless=grid_unless)
    return [table] if table else []


def _number_text(v, fmt: str) -> str:
    """A number as a person sees it: exact digits (no float noise, no exponent); a percent format
    shows the value times a hundred with a % sign."""
    d = Decimal(repr(v)) if isinstance(v, float) else Decimal(v)
    if fmt == "%" or _is_percent(fmt):
        d = d * 100
        return _plain(d) + "%"
    return _plain(d)


def _plain(d: Decimal) -> str:
    text = format(d, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def _is_percent(fmt: str) -> bool:
    core = re.sub(r'"[^"]*"|\\.|\[[^\]]*\]', "", fmt or "")
    return "%" in core


def _format_styles(wb, shows) -> set[int]:
    """Style ids of a workbook whose number format ``shows(format)`` says yes to."""
    from openpyxl.styles.numbers import BUILTIN_FORMATS, BUILTIN_FORMATS_MAX_SIZE
    out = set()
    for style_id, style in enumerate(wb._cell_styles):
        fmt_id = style.numFmtId
        fmt = (BUILTIN_FORMATS.get(fmt_id, "General") if fmt_id < BUILTIN_FORMATS_MAX_SIZE
               else wb._number_formats[fmt_id - BUILTIN_FORMATS_MAX_SIZE])
        if shows(fmt):
            out.add(style_id)
    return out


def _percent_styles(wb) -> set[int]:
    """Style ids of a workbook whose number format shows a percentage."""
    return _format_styles(wb, _is_percent)


def _value_text(value, percent: bool, formula: str | None, year_only: bool = False) -> tuple[str, str | None]:
    """(text, problem) of one cell's value as Excel shows it."""
    if value is None:
        if formula:
            return "", (f"单元格是公式“{formula[:40]}”,但文件里没有它的计算结果(文件可能由其他程序生成,"
                        "从未在 Excel/WPS 中打开保存过)")
        return "", None
    if isinstance(value, bool):
        return ("是" if value else "否"), None
    if isinstance(value, (int, float, Decimal)):
        return _number_text(value, "%" if percent else ""), None
    if isinstance(value, (dt.datetime, dt.date)):
        if year_only:                   # a year typed as a date, shown as 2024 (yyyy, yyyy"年")
            return str(value.year), None
        return (value.date() if isinstance(value, dt.datetime) else value).isoformat(), None
    if isinstance(value, dt.time):
        return value.isoformat(), None
    return str(value), None


MAX_MERGE_BYTES = 8 * 1024 * 1024       # a <mergeCells> list longer than this is not a clerk's table
_MERGE_RE = re.compile(rb'<(?:\w+:)?mergeCell\b[^>]*?\bref="([A-Z]+)(\d+)(?::([A-Z]+)(\d+))?"')


def _column_number(letters: bytes) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + ch - 64
    return n


def _sheet_merges(archive: zipfile.ZipFile, part: str, path: Path, sheet: str) -> list[tuple[int, int, int, int]]:
    """The merged ranges of one sheet, read from its XML part (read-only openpyxl has none):
    the part is scanned in chunks and only its <mergeCells> list (after the cell data) is kept."""
    tail = b""
    found = False
    kept = bytearray()
    with archive.open(part) as fh:
        while True:
            chunk = fh.read(1 << 20)
            if not chunk:
                break
            if not found:
                buf = tail + chunk
                at = buf.find(b"<mergeCells")
                if at < 0:
                    at = buf.find(b":mergeCells")
                if at < 0:
                    tail = buf[-32:]
                    continue
                found = True
                chunk = buf[at:]
            kept += chunk
            if len(kept) > MAX_MERGE_BYTES:
                raise FileReadError("工作表的合并单元格多得不像一张统计表", file=path, sheet=sheet,
                                    hint="取消不需要的合并单元格(“合并后居中”再点一次)后保存")
    out = []
    for m in _MERGE_RE.finditer(bytes(kept)):
        c1, r1 = _column_number(m.group(1)), int(m.group(2))
        c2, r2 = (_column_number(m.group(3)), int(m.group(4))) if m.group(3) else (c1, r1)
        out.append((min(r1, r2), min(c1, c2), max(r1, r2), max(c1, c2)))
    return out


def coordinate(row: int, column: int) -> str:
    """'D7' of row 7, column 4."""
    from openpyxl.utils import get_column_letter
    return f"{get_column_letter(column)}{row}"


_NS = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_ROW_TAG, _C, _V, _F, _IS, _T = (_NS + t for t in ("row", "c", "v", "f", "is", "t"))
_REF_RE = re.compile(r"([A-Z]+)(\d+)")


_PLAIN_NUMBER = re.compile(r"(-?)([0-9]+)(?:\.([0-9]+))?")


def _number_fast(text: str) -> str | None:
    """The text Excel shows for a stored number without a percent format, for the plain decimals
    of at most 15 significant digits every cell of a clerk's table holds (None: take the slow,
    exact path). A double holds 15 digits exactly, so this equals Decimal(repr(float(text)))."""
    m = _PLAIN_NUMBER.fullmatch(text)
    if m is None:
        return None
    sign, whole, frac = m.groups()
    whole = whole.lstrip("0") or "0"
    frac = (frac or "").rstrip("0")
    if len(whole.lstrip("0")) + len(frac) > 15:
        return None
    out = whole + ("." + frac if frac else "")
    return out if not sign or out == "0" else "-" + out


def _sheet_cells(wb, archive, part: str, strings, percent: set[int]):
    """(row number, {column: (text, problem)}) of every row of a sheet that has cells, parsed from
    its XML in one pass (lxml, each row let go once read): cached formula values, the formula of
    a cell without one, shared and inline strings, dates by the cell's style."""
    from lxml import etree
    from openpyxl.utils.datetime import from_excel, from_ISO8601
    dates = {str(i) for i in wb._date_formats}
    years = {str(i) for i in _format_styles(wb, _year_only)}      # dates shown as a year only
    durations = {str(i) for i in wb._timedelta_formats}
    pct = {str(i) for i in percent}
    epoch = wb.epoch
    columns: dict[str, int] = {}
    digits = "0123456789"
    with archive.open(part) as src:
        number = 0
        for _, row in etree.iterparse(src, events=("end",), tag=_ROW_TAG, resolve_entities=False,
                                      no_network=True, huge_tree=True):
            r = row.get("r")
            number = int(r) if r else number + 1
            got = {}
            col = 0
            for c in row:
                if c.tag != _C:
                    continue
                a = c.attrib
                ref = a.get("r")
                if ref:
                    letters = ref.rstrip(digits)
                    col = columns.get(letters) or columns.setdefault(letters, _column_number(letters.encode()))
                else:
                    col += 1
                t = a.get("t", "n")
                style = a.get("s")
                text = formula = inline = None
                for ch in c:
                    tag = ch.tag
                    if tag == _V:
                        text = ch.text
                    elif tag == _F:
                        formula = ch
                    elif tag == _IS:
                        inline = ch
                if t == "n" and text is not None and style not in pct and style not in dates:
                    shown = _number_fast(text)
                    if shown is not None:
                        got[col] = (shown, None)
                        continue
                value = None
                if t == "inlineStr":
                    value = "".join(x.text or "" for x in inline.iter(_T)) if inline is not None else None
                elif text is not None:
                    if t == "n":
                        value = float(text) if ("." in text or "E" in text or "e" in text) else int(text)
                        if style in dates:
                            try:
                                value = from_excel(value, epoch, timedelta=style in durations)
                            except (OverflowError, ValueError):
                                value = "#VALUE!"
                    elif t == "s":
                        value = strings[int(text)]
                    elif t == "b":
                        value = bool(int(text))
                    elif t == "d":
                        value = from_ISO8601(text)
                    else:                       # str (a formula's text result), e (an error value)
                        value = text
                shown_formula = None
                if value is None and formula is not None:
                    shown_formula = "=" + (formula.text or "")
                if value is None and shown_formula is None:
                    continue
                got[col] = _value_text(value, style in pct, shown_formula, style in years)
            row.clear()
            while row.getprevious() is not None:
                del row.getparent()[0]
            yield number, got


def _sheet_rows(wb, archive, part, strings, merges, percent: set[int]):
    """(row number, cells as seen, problems) of every row that has a cell, streamed from the
    sheet's XML: one pass, no trust in a stale <dimension>. A merge down one column gives its
    text to every row it spans."""
    down = {}
    for r1, c1, r2, c2 in merges:
        if c1 == c2 and r2 > r1:
            down[(r1, c1)] = r2
    spans: dict[int, tuple[int, tuple]] = {}    # column -> (last row, (text, problem))
    last = 0
    for number, got in _sheet_cells(wb, archive, part, strings, percent):
        if spans:
            # rows inside a vertical merge that have no cell of their own still read its text
            for r in range(last + 1, number):
                filled = {c: t for c, (end, t) in spans.items() if end >= r}
                if filled:
                    yield _row_of(r, filled)
            for c, (end, t) in list(spans.items()):
                if end < number:
                    del spans[c]
                else:
                    got[c] = t
        last = number
        if down:
            for c in list(got):
                end = down.get((number, c))
                if end:
                    spans[c] = (end, got[c])
        yield _row_of(number, got)
    if spans:
        for r in range(last + 1, max(end for end, _ in spans.values()) + 1):
            yield _row_of(r, {c: t for c, (end, t) in spans.items() if end >= r})


def _row_of(number: int, got: dict) -> tuple[int, list[str], dict]:
    width = max(got) if got else 0
    cells = [""] * width
    problems = {}
    for c, (text, problem) in got.items():
        cells[c - 1] = text
        if problem:
            problems[c - 1] = problem
    while cells and cells[-1] == "":
        cells.pop()
    return number, cells, problems


def _open_workbook(path: Path):
    """(workbook with its styles, archive, shared strings, [(sheet name, XML part)]) of an .xlsx,
    without openpyxl's read-only worksheets: they scan a whole sheet for its size when its
    <dimension> record is missing, a pass this reader does not need."""
    from openpyxl.reader.excel import ExcelReader
    from openpyxl.styles.stylesheet import apply_stylesheet
    reader = ExcelReader(path, read_only=True, keep_vba=False, data_only=True, keep_links=False)
    try:
        reader.read_manifest()
        reader.read_strings()
        reader.read_workbook()
        apply_stylesheet(reader.archive, reader.wb)
        sheets = [(sheet.name, rel.target) for sheet, rel in reader.parser.find_sheets()
                  if rel.target in reader.valid_files and "chartsheet" not in rel.Type]
    except BaseException:
        reader.archive.close()
        raise
    return reader.wb, reader.archive, reader.shared_strings, sheets


def _xlsx(path: Path, aliases, known, grid_unless=frozenset()) -> list[Table]:
    """Every sheet of a workbook, read once, streamed."""
    try:
        wb, archive, strings, sheets = _open_workbook(path)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError, IndexError, TypeError) as exc:
        raise FileReadError(f"文件已损坏或不是有效的 .xlsx 表格({type(exc).__name__})", file=path,
                            hint=SAVE_AS) from exc
    except Exception as exc:  # openpyxl raises its own kinds for malformed parts
        raise FileReadError(f"文件已损坏或不是有效的 .xlsx 表格({type(exc).__name__})", file=path,
                            hint=SAVE_AS) from exc
    tables = []
    try:
        percent = _percent_styles(wb)
        for index, (title, part) in enumerate(sheets, 1):
            try:
                merges = _sheet_merges(archive, part, path, title)
                table = _records(path, title, _sheet_rows(wb, archive, part, strings, merges, percent), aliases,
                                 known, index=index, merges=merges, grid_unless=grid_unless)
            except FileReadError:
                raise
            except Exception as exc:      # a malformed sheet part
                raise FileReadError(f"工作表“{title}”已损坏,读不出来({type(exc).__name__})", file=path,
                                    sheet=title, hint=SAVE_AS) from exc
            if table is None:
                continue
            if table.grid is None:
                for r1, c1, r2, c2 in merges:
                    if c1 != c2 and r2 >= table.header_row:
                        coord = coordinate(r1, c1) + ":" + coordinate(r2, c2)
                        raise FileReadError(f"单元格 {coord} 是跨列合并的,看不出每一列的值", file=path,
                                            sheet=title, row=r1,
                                            hint="取消合并单元格(再点一次“合并后居中”),每格填上自己的值")
            tables.append(table)
    finally:
        archive.close()
    return tables


def read_tables(path: Path, aliases: dict[str, str] | None = None, known: set[str] = frozenset(),
                grid_unless: frozenset = frozenset()) -> list[Table]:
    """The tables of a .csv (one) or an .xlsx (one per sheet with content), cells as seen.

    ``known``: column ids the caller expects (to find a header below a title line);
    ``grid_unless``: columns without which a table keeps its grid (see ``Table.grid``)."""
    path = Path(path)
    if not path.exists():
        raise FileReadError("文件不存在", file=path, hint="检查文件名和所在文件夹")
    suffix = path.suffix.lower()
    aliases = aliases or {}
    if suffix in OLD_FORMATS:
        raise FileReadError(f"{OLD_FORMATS[suffix]} 不能直接读取", file=path, hint=SAVE_AS)
    if suffix == ".csv":
        return _csv(path, aliases, known, grid_unless)
    if suffix in (".xlsx", ".xlsm"):
        return _xlsx(path, aliases, known, grid_unless)
    raise FileReadError(f"不支持的文件类型“{path.suffix}”", file=path, hint="保存为 .csv 或 .xlsx")


def read_records(path: Path, aliases: dict[str, str] | None = None, known: set[str] = frozenset()):
    """(header of the first table, records of all tables) of a file."""
    tables = read_tables(path, aliases, known)
    header = [h for h in tables[0].header if h] if tables else []
    return header, [r for t in tables for r in t.records]


def find_table(folder: Path, stem: str) -> Path:
    """The one ``<stem>.csv`` or ``<stem>.xlsx`` in ``folder`` (an old format is refused by name)."""
    found = [folder / f"{stem}{s}" for s in TABLE_SUFFIXES if (folder / f"{stem}{s}").exists()]
    old = [folder / f"{stem}{s}" for s in OLD_FORMATS if (folder / f"{stem}{s}").exists()]
    if not found and old:
        raise FileReadError(f"{OLD_FORMATS[old[0].suffix]} 不能直接读取", file=old[0], hint=SAVE_AS)
    if not found:
        raise FileReadError(f"找不到“{stem}.csv”或“{stem}.xlsx”", file=folder,
                            hint=f"在数据文件夹中放入 {stem}.csv(见 data/README.md)")
    if len(found) > 1:
        raise FileReadError(f"同时存在 {found[0].name} 和 {found[1].name},不知道以哪个为准",
                            file=folder, hint="只保留其中一个")
    return found[0]


def list_tables(folder: Path) -> list[Path]:
    """Every table file of a folder and of its subfolders (values/历史/xinchang.csv is read like
    values/xinchang.csv), old formats included (reading refuses them by name); Excel lock files
    (~$…) and hidden files or folders are not read — ``unread_files`` names them."""
    if not folder.is_dir():
        return []
    found = []
    for dirpath, dirnames, filenames in os.walk(folder):
        dirnames[:] = [d for d in dirnames if not d.startswith(".")]
        found += [Path(dirpath) / n for n in filenames
                  if Path(n).suffix.lower() in TABLE_SUFFIXES + tuple(OLD_FORMATS) and not n.startswith(("~$", "."))]
    return sorted(found)


def other_files(folder: Path) -> list[Path]:
    """Files in a data folder that are not tables (listed by `make check`: not read)."""
    if not folder.is_dir():
        return []
    tables = set(list_tables(folder))
    return sorted(p for p in folder.iterdir() if p.is_file() and p not in tables and not p.name.startswith((".", "~$"))
                  and p.name != "README.md")


# ------------------------------------------------------------------ files that are not read

#: What may sit in data/ without being data: documentation.
DOC_FILES = ("README.md",)
SYSTEM_FILES = (".ds_store", "thumbs.db", "desktop.ini")
NOT_A_TABLE = ("不是 .csv 或 .xlsx 表格{kind},没有读取;如果其中是数据,在 Excel/WPS 中另存为"
               " Excel 工作簿(.xlsx)或 CSV UTF-8(逗号分隔)")


def _why_not(rel: Path) -> str | None:
    """Why a file of data/ (path relative to it) is not read, or None when it is read (or is
    documentation). The rules mirror what the loaders read: the registry and the catalog at the
    top, every table under values/ and targets/, narrative/<county>/<year>.md."""
    parts, name = rel.parts, rel.name
    low = name.lower()
    if low in SYSTEM_FILES:
        return "操作系统生成的文件,不是数据(可以删除)"
    if name.startswith("._"):
        return "macOS 复制文件时生成的附属文件,不是数据(可以删除)"
    if name.startswith("~$") or name.startswith(".~lock."):
        return "Excel/WPS 打开表格时生成的临时文件,不是数据(关闭表格后会消失,也可以删除)"
    hidden = next((x for x in parts if x.startswith(".")), None)
    if hidden is not None:
        where = "隐藏文件" if hidden == name else f"隐藏文件夹“{hidden}”中的文件"
        return f"{where}(名字以“.”开头),没有读取;如果其中是数据,去掉名字开头的“.”"
    if name in DOC_FILES:
        return None
    top = parts[0]
    if len(parts) == 1:
        if rel.stem in (config.COUNTIES_STEM, config.INDICATORS_STEM) and \
                rel.suffix.lower() in TABLE_SUFFIXES + tuple(OLD_FORMATS):
            return None            # read (or refused by name) as the registry and the catalog
        if name == config.CITY_SETTINGS:
            return None            # the city view's settings (reportkit.inputs.city)
        return ("不在 values/ 或 targets/ 文件夹中,没有读取(data/ 下只读取 counties 和 indicators 两个表"
                "以及 values、targets、narrative 三个文件夹;指标数据请放进 values/,目标放进 targets/)")
    if top in ("values", "targets"):
        if rel.suffix.lower() in TABLE_SUFFIXES + tuple(OLD_FORMATS):
            return None
        return NOT_A_TABLE.format(kind=f"(扩展名 {rel.suffix})" if rel.suffix else "(没有扩展名)")
    if top == "narrative":
        if len(parts) == 2 and name == "TEMPLATE.md":
            return None
        if len(parts) == 3 and re.fullmatch(r"\d{4}\.md", name):
            return None            # make check reads it (and says when the folder is not a county)
        year = re.match(r"(\d{4})", rel.stem)
        fix = f",如果这是 {year.group(1)} 年的叙述文件,改名为 {year.group(1)}.md" if year and len(parts) == 3 else ""
        return f"叙述文件应是 narrative/<县区代码>/<年份>.md(如 narrative/xinchang/2024.md),这个文件没有读取{fix}"
    return (f"data/ 下的“{top}”文件夹不会读取(只读取 values、targets、narrative);"
            "指标数据请放进 values/,目标放进 targets/")


def unread_files(root: Path) -> list[tuple[Path, str]]:
    """Every file under ``root`` (data/) that no report reads, with the reason, as (path relative
    to root, reason): hidden files, lock files, other extensions, misplaced files. Nothing in
    data/ is skipped without a word (`make check` and `make report` list these)."""
    root = Path(root)
    if not root.is_dir():
        return []
    out = []
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames.sort()
        for n in sorted(filenames):
            rel = (Path(dirpath) / n).relative_to(root)
            why = _why_not(rel)
            if why:
                out.append((rel, why))
        for d in dirnames:
            full = Path(dirpath) / d
            if full.is_symlink():
                out.append((full.relative_to(root), "链接到别处的文件夹,没有读取;请把其中的文件直接放进这里"))
    return sorted(out)


def unread_notes(root: Path) -> list[str]:
    """One line per file of data/ that is not read, with the reason (`make check`, `make report`, `make all`)."""
    return [f"没有读取 {rel.as_posix()}:{why}" for rel, why in unread_files(root)]


def _year_only(fmt: str) -> bool:
    """A date format that shows only the year (yyyy, yyyy"年", [$-804]yyyy\\年, e): the cell reads
    as the year it shows."""
    core = re.sub(r'"[^"]*"|\\.|\[[^\]]*\]', "", fmt or "").strip().lower()
    return bool(core) and re.fullmatch(r"(yyyy|yyy|e)[\s.\-/年]*", core) is not None
